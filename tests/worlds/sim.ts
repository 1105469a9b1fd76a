// The world matrix's set-up: one emulator per world (the switches set before any copy exists, so
// every task is born in that world), and a life cycle that runs on the emulator's SIMULATED clock
// with the production wait policy and delete polling. That way every timing fact a check states
// ("seen within 10 s of the task's end", "the create timeout bounds the create", the Terraform
// cadence) is a fact about simulated seconds, as a real copy of that length would see them, and no
// check measures wall-clock time.
//
// The life cycle is reached only through tests/provider/env.ts (newLifecycle), as the brief asks;
// its deps type is taken from there too, so nothing here imports provider/ directly.
import type { EmulatorHandle, Fault, World } from "../../emulator";
import { startTestEnv, type TestEnv } from "../provider/env";
import { FAULT_RETRY } from "../faults/helpers";

/** Simulated ms per real ms. A 3-minute copy takes 3 real seconds; 10 simulated seconds are ~170 real ms. */
export const CLOCK_SPEED = 60;
/** Every copy in the matrix lasts this long (simulated). Long enough for several looks on every cadence. */
export const COPY_MS = 3 * 60_000;
/**
 * The wire's timers run on REAL time (only the life cycle takes a clock), so its production budgets
 * (wire.ts: DEFAULT_RETRY 8 retries, 500 ms .. 20 s apart, at most 180 s; requestTimeoutMs 10 s) are
 * divided by the clock speed here: in simulated seconds the wire then behaves as in production. The
 * request timeout keeps a floor of 250 real ms so that a slow machine does not time out sound requests.
 */
export function productionWireFor(speed: number) {
  return {
    retry: { retries: FAULT_RETRY.retries, minDelayMs: 500 / speed, maxDelayMs: 20_000 / speed, maxRetryTimeMs: 180_000 / speed },
    requestTimeoutMs: Math.max(250, Math.round(10_000 / speed)),
  };
}

export const DEST = "cn-shanghai";

type Deps = NonNullable<Parameters<TestEnv["newLifecycle"]>[0]>;
export type Lifecycle = ReturnType<TestEnv["newLifecycle"]>;
type Clock = NonNullable<Deps["clock"]>;

/** The life cycle's clock, driven by the emulator's simulated time (as scripts/bench.ts does). */
export function simulatedClock(emu: EmulatorHandle, speed = CLOCK_SPEED): Clock {
  const realMs = (ms: number) => Math.max(0, ms / speed);
  return {
    now: () => emu.now().getTime(),
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason ?? new Error("aborted"));
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal?.reason ?? new Error("aborted"));
        };
        const timer = setTimeout(() => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        }, realMs(ms));
        signal?.addEventListener("abort", onAbort, { once: true });
      }),
    setTimer: (fn, ms) => {
      const t = setTimeout(fn, realMs(ms));
      return () => clearTimeout(t);
    },
  };
}

/** One world of the matrix: emulator switches, and what else makes it that world. */
export interface WorldSpec {
  name: string;
  world: Partial<World>;
  /** Progress-profile worlds (and the default): the detection and cadence checks apply. */
  progressChecks?: boolean;
  /** Simulated ms per real ms for this world (default CLOCK_SPEED). Slower where seconds are measured, so that a late timer counts for less. */
  clockSpeed?: number;
  /** Bad-gateway worlds: these faults (on DescribeTasks and DescribeImages) while the copies run. */
  badGateway?: { fault: Fault["kind"]; count: number; answered: RegExp };
  /** A world where TagResources is denied. */
  tagDenied?: boolean;
  /** The default world also runs the keepSnapshotsOnDelete case. */
  keepSnapshotsCase?: boolean;
  /** Worlds where an out-of-band delete then refresh is worth checking. */
  consoleDeleteCase?: boolean;
}

export interface WorldEnv {
  env: TestEnv;
  emu: EmulatorHandle;
  lc: Lifecycle;
  /** Every line the life cycle logged (progress, warnings). */
  logs: string[];
  stop(): Promise<void>;
}

export async function startWorld(spec: WorldSpec): Promise<WorldEnv> {
  const speed = spec.clockSpeed ?? CLOCK_SPEED;
  const env = await startTestEnv({ copyDurationMs: COPY_MS, clockSpeed: speed });
  // startTestEnv takes no world; no copy exists yet, so setting it now is the same as startEmulator({ world }).
  env.emulator.setWorld(spec.world);
  const lc = env.newLifecycle({
    clock: simulatedClock(env.emulator, speed),
    // undefined: the production defaults (DEFAULT_WAIT_POLICY, delete polling 2 s .. 30 s), on simulated time.
    waitPolicy: undefined,
    deletePollMs: undefined,
    ...productionWireFor(speed),
  });
  return { env, emu: env.emulator, lc, logs: env.logs, stop: () => env.stop() };
}

/** Volcengine's Terraform cadence (as scripts/bench.ts's baseline): looks 1 s after the start, then after 1, 2, 4, 8 and every 10 s.
 * How many DescribeTasks calls it makes for a copy lasting `durationMs` until a look sees it finished. */
export function terraformLooks(durationMs: number): number {
  let t = 1_000;
  let n = 1;
  for (let delay = 1_000; t < durationMs; delay = Math.min(10_000, delay * 2)) {
    t += delay;
    n++;
  }
  return n;
}
