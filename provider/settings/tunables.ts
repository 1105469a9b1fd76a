/**
 * Every delay, limit and timeout of the provider, with its default, validated in one place. A bad
 * value fails with an error that names the option and the rule it breaks (in the manner of
 * `p-retry`'s options), before any request is made.
 */
import { DEFAULT_WAIT_POLICY, validateWaitPolicy as checkWaitPolicy, type WaitPolicy } from "../waiting/wait-policy";
import type { Backoff } from "../waiting/poll-until";

/** Retries of one HTTP request by the wire (transient failures only). */
export interface RetryPolicy {
  /** Retries after the first attempt. Default 8. */
  retries: number;
  /** First backoff delay. Default 500 ms. */
  minDelayMs: number;
  /** Backoff ceiling. Default 20 s. */
  maxDelayMs: number;
  /** No retry starts after this much time since the first attempt. Default 3 min. */
  maxRetryTimeMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 8, minDelayMs: 500, maxDelayMs: 20_000, maxRetryTimeMs: 180_000 };

/** The client-side rate limit per account when `volcengine:maxRequestsPerSecond` is not set: 10 per second, burst 20 (`rate-limit.ts`). */
export const DEFAULT_RATE = { perSecond: 10, burst: 20 } as const;

/**
 * How the client-side rate answers throttling (`ecs/rate-limit.ts`). The account's limit is unknown;
 * these say how fast to back off and come back, not how fast to go. Chosen with `npm run
 * shared-account` (8 and 20 processes on one account limited to 5 requests per second, README) and
 * `npm run shared-account-sim` (the same on virtual time, many runs a setting, `--grid`). A deep cut
 * with slow growth keeps the jobs of a crowded account from throttling each other: 20 jobs sharing 5
 * requests a second each get a quarter of a request a second, and growth fast enough to bring a lone
 * job back quickly sends the crowd into the limit again and again. Growth that is faster the slower
 * the job lets a job the account happened to throttle catch up with the others; the speed-up after a
 * quiet spell brings a job left alone back. The floor lets 25 jobs fit in 5 requests per second.
 */
export interface ThrottlingResponse {
  /** The rate is multiplied by this on a throttling answer. Default 0.45. */
  cut: number;
  /** How fast the rate grows while it holds requests back: by this divided by the rate, in requests per second, each second (0.018 a second at a quarter of a request per second, 0.0045 at one). An answer that went through to a request the rate held back adds this divided by the rate squared. Default 0.0045. */
  growth: number;
  /** After this long without a throttling answer, the growth is multiplied by the fourth power of the time since the last cut (in this unit). Default 12 s. */
  speedUpAfterMs: number;
  /** Never cut below this many requests per second (or the ceiling, if lower). Default 0.2: one request every 5 s. */
  floorPerSecond: number;
  /** Slow start's proved rate before any answer, and the rate after a throttling answer that came before anything went through; each answer that goes through doubles it, and the first throttling answer after that cuts it (if under the rate). Default 0.5. */
  startPerSecond: number;
}

export const DEFAULT_THROTTLING: ThrottlingResponse = { cut: 0.45, growth: 0.0045, speedUpAfterMs: 12_000, floorPerSecond: 0.2, startPerSecond: 0.5 };

export function validateThrottling(t: ThrottlingResponse): ThrottlingResponse {
  if (typeof t.cut !== "number" || !(t.cut > 0 && t.cut < 1)) {
    throw new OptionError(`throttling.cut must be a number between 0 and 1 (both excluded); got ${String(t.cut)}.`);
  }
  positive("throttling.growth", t.growth);
  positive("throttling.speedUpAfterMs", t.speedUpAfterMs);
  positive("throttling.floorPerSecond", t.floorPerSecond);
  positive("throttling.startPerSecond", t.startPerSecond);
  return t;
}

/** After SIGINT/SIGTERM, how long the plugin lets in-flight operations answer with their partial state before it exits (`runtime.ts`). */
export const SHUTDOWN_GRACE_MS = 3_000;

/** Everything the life cycle can be tuned with. */
export interface Tunables {
  /** Per-request timeout of the wire. Default 10 s (the SDK's own default). */
  requestTimeoutMs: number;
  /** Retries of one request by the wire. */
  retry: RetryPolicy;
  /** Waiting for copy tasks (`waiting/wait-policy.ts`). */
  waitPolicy: WaitPolicy;
  /** CopyImage after a 5xx that left no copy behind: up to `attempts` tries. Default 8, from 500 ms doubling to 10 s. */
  copyRetry: Backoff & { attempts: number };
  /** Delete: retrying a refused DeleteImages (image still copying, locked). Default 2 s doubling to 30 s. */
  deletePoll: Backoff;
  /** Delete: looking whether the deleted image is gone. Default from min(deletePoll.initialMs, 1 s), doubling to deletePoll.maxMs. */
  confirmPoll: Backoff;
  /** Defaults of the customTimeouts resource option: create 60m, delete 30m. Update has none of its own: see `operationTimeout`. */
  timeouts: { createMs: number; deleteMs: number };
}

/** Looking whether a deleted image is gone follows the delete's own pace, starting at most 1 s in. */
function confirmPollFor(deletePoll: Backoff): Backoff {
  return { initialMs: Math.min(deletePoll.initialMs, 1_000), maxMs: deletePoll.maxMs, factor: 2 };
}

const DEFAULT_DELETE_POLL: Backoff = { initialMs: 2_000, maxMs: 30_000, factor: 2 };

export const DEFAULT_TUNABLES: Tunables = {
  requestTimeoutMs: 10_000,
  retry: DEFAULT_RETRY,
  waitPolicy: DEFAULT_WAIT_POLICY,
  copyRetry: { attempts: 8, initialMs: 500, maxMs: 10_000, factor: 2 },
  deletePoll: DEFAULT_DELETE_POLL,
  confirmPoll: confirmPollFor(DEFAULT_DELETE_POLL),
  timeouts: { createMs: 60 * 60_000, deleteMs: 30 * 60_000 },
};

/** The customTimeouts a resource was given, in ms (absent: not given). */
export type GivenTimeouts = { create?: number; update?: number; delete?: number };

/**
 * The time an operation may take: its customTimeouts entry, else the default. An update (which may
 * resume the wait of a copy) defaults to the create timeout: the one given, else the create default.
 */
export function operationTimeout(given: GivenTimeouts, op: "create" | "update" | "delete", defaults: Tunables["timeouts"]): number {
  const create = given.create ?? defaults.createMs;
  if (op === "create") return create;
  if (op === "update") return given.update ?? create;
  return given.delete ?? defaults.deleteMs;
}

/** What a caller may override (tests use fast values). */
export interface TunableOverrides {
  requestTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  waitPolicy?: Partial<WaitPolicy>;
  /** Delete: how often to retry a denied delete / look whether the image is gone. */
  deletePollMs?: { min: number; max: number };
}

/** Thrown for an option that breaks its rule; the message names both. */
export class OptionError extends RangeError {
  override readonly name = "OptionError";
}

function positive(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new OptionError(`${name} must be a positive finite number; got ${String(value)}.`);
  }
  return value;
}

function count(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new OptionError(`${name} must be a whole number, 0 or more; got ${String(value)}.`);
  }
  return value;
}

function ordered(minName: string, min: number, maxName: string, max: number): void {
  if (min > max) throw new OptionError(`${minName} (${min}) must not be more than ${maxName} (${max}).`);
}

/** Checks a backoff: positive delays, initial ≤ max, factor ≥ 1. */
export function validateBackoff(name: string, b: Backoff): Backoff {
  positive(`${name}.initialMs`, b.initialMs);
  positive(`${name}.maxMs`, b.maxMs);
  ordered(`${name}.initialMs`, b.initialMs, `${name}.maxMs`, b.maxMs);
  if (typeof b.factor !== "number" || !Number.isFinite(b.factor) || b.factor < 1) {
    throw new OptionError(`${name}.factor must be a finite number of at least 1; got ${String(b.factor)}.`);
  }
  return b;
}

export function validateRetry(r: RetryPolicy): RetryPolicy {
  count("retry.retries", r.retries);
  positive("retry.minDelayMs", r.minDelayMs);
  positive("retry.maxDelayMs", r.maxDelayMs);
  ordered("retry.minDelayMs", r.minDelayMs, "retry.maxDelayMs", r.maxDelayMs);
  positive("retry.maxRetryTimeMs", r.maxRetryTimeMs);
  return r;
}

/** The wait policy's own rules live with it (`waiting/wait-policy.ts`). */
export function validateWaitPolicy(p: WaitPolicy): WaitPolicy {
  checkWaitPolicy(p);
  return p;
}

/** The defaults with the overrides applied, every value checked. */
export function resolveTunables(o: TunableOverrides = {}): Tunables {
  const d = DEFAULT_TUNABLES;
  const deletePoll = o.deletePollMs ? { initialMs: o.deletePollMs.min, maxMs: o.deletePollMs.max, factor: 2 } : d.deletePoll;
  const t: Tunables = {
    requestTimeoutMs: positive("requestTimeoutMs", o.requestTimeoutMs ?? d.requestTimeoutMs),
    retry: validateRetry({ ...d.retry, ...o.retry }),
    waitPolicy: validateWaitPolicy({ ...d.waitPolicy, ...o.waitPolicy }),
    copyRetry: d.copyRetry,
    deletePoll: validateBackoff(o.deletePollMs ? "deletePollMs (min, max)" : "deletePoll", deletePoll),
    confirmPoll: confirmPollFor(deletePoll),
    timeouts: d.timeouts,
  };
  count("copyRetry.attempts", t.copyRetry.attempts);
  validateBackoff("copyRetry", t.copyRetry);
  return t;
}
