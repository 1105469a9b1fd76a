/**
 * What every operation is given: how long it may take, when to stop, and where to say what it does.
 * The life cycle's facade (`lifecycle.ts`) makes one per call.
 */
import type { Reporter } from "../reporting/reporter";
import type { Clock } from "../settings/clock";
import type { Tunables } from "../settings/tunables";
import type { Session } from "../ecs/session";

export interface OperationContext {
  /** Absolute clock time (ms) by which the operation gives up waiting (customTimeouts); Infinity for none. */
  readonly deadline: number;
  /** Aborted when the process that owns the operation is told to stop: waits end, HTTP calls are cancelled. */
  readonly signal: AbortSignal;
  readonly reporter: Reporter;
}

/** The long-lived things an operation uses: one account's session, the clock, the tuned delays. */
export interface OperationEnv {
  readonly session: Session;
  readonly clock: Clock;
  readonly tunables: Tunables;
}
