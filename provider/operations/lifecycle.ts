/**
 * The CopiedImage life cycle: a thin facade over one module per decision. It turns each call into
 * an operation with its own `OperationContext` (deadline from customTimeouts, the owner's abort
 * signal, a reporter for the resource) and the account's session, and nothing else.
 *
 * Two promises shape the operations:
 * - A copy the provider started is never orphaned. Once CopyImage has returned an id, every
 *   failure either records the copy in state (a partial-state error that Pulumi saves), or deletes
 *   it, or names it in the error with how to adopt it (`finish-copy.ts`, `find-own-copy.ts`).
 * - A copy is never started twice for one resource (`start-copy.ts`, `naming.ts`).
 *
 * Remember: `diff`, `update`, `read` and `delete` receive the old OUTPUTS, not the old inputs.
 */
import { realClock, type Clock } from "../settings/clock";
import type { ProviderSettings } from "../settings/config";
import { resolveTunables, type TunableOverrides, type Tunables } from "../settings/tunables";
import { SessionCache } from "../ecs/session";
import { lineReporterFactory, safeFactory, type ReporterFactory } from "../reporting/reporter";
import { targetOf, type CopiedImageInputs, type CopiedImageState, type Meta } from "./model";
import { check, timeoutFor, type CheckResult } from "./check";
import { CopyPlan, preflight } from "./preflight";
import { diff, type DiffResult } from "./diff";
import { create } from "./create/create";
import { read } from "./read";
import { update } from "./update";
import { deleteCopy } from "./delete";
import type { OperationContext, OperationEnv } from "./context";
import type { Failure } from "./validate";

type Props = Record<string, unknown>;
/** What the engine hands over is untyped; these methods take the typed shape or a plain record. */
type Given<T> = T | Props;

/** Everything the life cycle needs from the world; tests replace parts. */
export interface LifecycleDeps extends TunableOverrides {
  settings: () => ProviderSettings;
  clock?: Clock;
  /** Where the default reporter writes its lines (default: console.log). Ignored when `reporter` is given. */
  log?: (message: string) => void;
  /** Makes the reporter of each operation (default: log lines through `log`). */
  reporter?: ReporterFactory;
  /** Aborted when the process that owns the life cycle stops: waits end with partial state, HTTP calls are cancelled. */
  signal?: AbortSignal;
  /** The signal of a cancellation that concerns only the operations running when it comes (the
   * engine's Cancel RPC, engine-cancel.ts); asked for at the start of each operation. */
  cancelSignal?: () => AbortSignal;
}

export class CopiedImageLifecycle {
  private readonly clock: Clock;
  private readonly tunables: Tunables;
  private readonly sessions: SessionCache;
  private readonly reporters: ReporterFactory;
  private readonly signal: AbortSignal;
  private readonly plan = new CopyPlan();

  constructor(private readonly deps: LifecycleDeps) {
    this.clock = deps.clock ?? realClock;
    this.tunables = resolveTunables(deps);
    const log = deps.log ?? ((m: string) => console.log(m));
    this.reporters = safeFactory(deps.reporter ?? lineReporterFactory((_kind, line) => log(line), this.clock));
    this.signal = deps.signal ?? new AbortController().signal;
    const processReporter = this.reporters({});
    this.sessions = new SessionCache({ tunables: this.tunables, clock: this.clock, log: (m) => processReporter.status(m), signal: deps.signal });
  }

  check(olds: Props, news: Props): CheckResult {
    return check(olds, news, this.deps.settings);
  }

  /** Read-only checks during preview (see `preflight.ts`); `inputs` are the checked ones. */
  async preflight(olds: Given<CopiedImageState>, inputs: Given<CopiedImageInputs>): Promise<Failure[]> {
    const i = inputs as CopiedImageInputs;
    return preflight(olds as Props, i, this.deps.settings, (s) => this.sessions.for(s), this.plan, this.context(i, undefined));
  }

  diff(_id: string, olds: Given<CopiedImageState>, news: Given<CopiedImageInputs>): DiffResult {
    return diff(olds as Props, news as Props);
  }

  async create(inputs: Given<CopiedImageInputs>): Promise<{ id: string; outs: CopiedImageState }> {
    const i = inputs as CopiedImageInputs;
    return create(i, this.env(), this.context(i, "create"));
  }

  async read(id: string, state: Given<CopiedImageState>): Promise<{ id?: string; props?: CopiedImageState }> {
    const s = state as CopiedImageState;
    return read(id, s, this.env(), this.context(s, undefined));
  }

  async update(id: string, olds: Given<CopiedImageState>, news: Given<CopiedImageInputs>): Promise<{ outs: CopiedImageState }> {
    const i = news as CopiedImageInputs;
    return update(id, olds as CopiedImageState, i, this.env(), this.context(i, "update"));
  }

  async delete(id: string, state: Given<Partial<CopiedImageState>>): Promise<void> {
    const s = state as Partial<CopiedImageState>;
    if (typeof s.destinationRegion !== "string") throw new Error(`cannot delete ${id}: its destinationRegion is not in the state.`);
    return deleteCopy(id, s, this.env(), this.context(s, "delete"));
  }

  private env(): OperationEnv {
    return { session: this.sessions.for(this.deps.settings()), clock: this.clock, tunables: this.tunables };
  }

  private context(
    inputs: Partial<Pick<CopiedImageInputs, "__meta" | "imageName">>,
    op: "create" | "update" | "delete" | undefined,
  ): OperationContext {
    const meta: Meta | undefined = inputs.__meta;
    return {
      deadline: op ? this.clock.now() + timeoutFor(meta, op, this.tunables.timeouts) : Infinity,
      signal: this.deps.cancelSignal ? AbortSignal.any([this.signal, this.deps.cancelSignal()]) : this.signal,
      reporter: this.reporters(targetOf(inputs)),
    };
  }
}
