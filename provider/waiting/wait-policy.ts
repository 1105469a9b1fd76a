/**
 * The knobs of waiting for a copy (`WaitPolicy`), their defaults and rules, and the cadence they are
 * measured against. The poll ceiling is decided here, once; the defaults tuned to it derive from it.
 */

/** Volcengine's Terraform provider's DescribeTasks cadence: after 1, 2, 4, 8 s, then every 10 s (looks at 1, 3, 7, 15, 25, ... s). */
export const TERRAFORM_CADENCE_GAPS_MS: readonly number[] = Object.freeze([1_000, 2_000, 4_000, 8_000, 10_000]);

/** The longest gap between two looks at a copy, whatever `Process` says: the cadence's steady gap, the most often its budget pays for. */
export const POLL_CEILING_MS = TERRAFORM_CADENCE_GAPS_MS[TERRAFORM_CADENCE_GAPS_MS.length - 1];

/** When a cadence makes its n-th look (n >= 1), in ms after the start: the gaps in turn, the last one repeating. */
export function cadenceLookAt(gaps: readonly number[], n: number): number {
  let t = 0;
  for (let i = 0; i < Math.min(n, gaps.length); i++) t += gaps[i];
  return t + Math.max(0, n - gaps.length) * gaps[gaps.length - 1];
}

/** All delays and limits of waiting for a copy. Checked once by `validateWaitPolicy` (from `settings/tunables.ts`). */
export interface WaitPolicy {
  /** First look after the copy started. Default 5 s, half the ceiling: the later looks fall on the Terraform cadence's times, one look for its three at 1, 3, 7 s. */
  firstDelayMs: number;
  /** The shortest gap the schedule plans after a look (when a slow poll left it late). Default 500 ms. */
  minDelayMs: number;
  /** The ceiling: never longer than this between two looks at a copy. Default `POLL_CEILING_MS`. */
  maxDelayMs: number;
  /** The call budget: the n-th look at a copy never before this cadence's n-th. Default `TERRAFORM_CADENCE_GAPS_MS`; omitted, no budget. */
  budgetGapsMs?: readonly number[];
  /** No longer used (the schedule does not back off); kept so that policies written for it still type-check. */
  backoff?: number;
  /** How long a task may be missing from DescribeTasks right after CopyImage (eventual consistency). Default 5 min, as Volcengine's Terraform provider. */
  invisibleGraceMs: number;
  /** How often, at most, to confirm with DescribeImages that the waited-for images still exist. Default 15 min. */
  imageCheckEveryMs: number;
}

export const DEFAULT_WAIT_POLICY: WaitPolicy = Object.freeze({
  firstDelayMs: POLL_CEILING_MS / 2,
  minDelayMs: POLL_CEILING_MS / 20,
  maxDelayMs: POLL_CEILING_MS,
  budgetGapsMs: TERRAFORM_CADENCE_GAPS_MS,
  invisibleGraceMs: 5 * 60_000,
  imageCheckEveryMs: 15 * 60_000,
});

/** Throws a RangeError (TypeError for a value of the wrong type) naming the first option that breaks a rule, and the rule. */
export function validateWaitPolicy(policy: WaitPolicy): void {
  const fail = (option: string, rule: string, value: unknown): never => {
    throw new RangeError(`WaitPolicy.${option} ${rule} (got ${Array.isArray(value) ? `[${value.join(", ")}]` : String(value)}).`);
  };
  if (policy === null || typeof policy !== "object") throw new TypeError(`WaitPolicy must be an object (got ${String(policy)}).`);
  for (const option of ["firstDelayMs", "minDelayMs", "maxDelayMs", "invisibleGraceMs", "imageCheckEveryMs"] as const) {
    const v: unknown = policy[option];
    if (typeof v !== "number") throw new TypeError(`WaitPolicy.${option} must be a number of milliseconds (got ${typeof v}).`);
    if (!Number.isFinite(v) || v < 0) fail(option, "must be a finite number of milliseconds, at least 0", v);
  }
  const { firstDelayMs, minDelayMs, maxDelayMs, budgetGapsMs: gaps, backoff } = policy;
  if (!(minDelayMs > 0)) fail("minDelayMs", "must be greater than 0 (a zero delay would poll in a loop)", minDelayMs);
  if (maxDelayMs < minDelayMs) fail("maxDelayMs", `must be at least minDelayMs (${minDelayMs})`, maxDelayMs);
  if (firstDelayMs < minDelayMs || firstDelayMs > maxDelayMs)
    fail("firstDelayMs", `must be between minDelayMs (${minDelayMs}) and maxDelayMs (${maxDelayMs})`, firstDelayMs);
  if (!(policy.imageCheckEveryMs > 0)) fail("imageCheckEveryMs", "must be greater than 0", policy.imageCheckEveryMs);
  if (backoff !== undefined && (typeof backoff !== "number" || !Number.isFinite(backoff) || backoff < 1))
    fail("backoff", "must be a finite number of at least 1 when given (it is no longer used)", backoff);
  if (gaps === undefined) return;
  if (!Array.isArray(gaps) || gaps.length === 0)
    fail("budgetGapsMs", "must be a non-empty array of gaps in milliseconds, the last one repeating", gaps);
  gaps.forEach(
    (g, i) =>
      (typeof g === "number" && Number.isFinite(g) && g > 0) ||
      fail(`budgetGapsMs[${i}]`, "must be a finite number of milliseconds greater than 0", g),
  );
  const steady = gaps[gaps.length - 1];
  const why = `must be at least the budget's repeating gap, budgetGapsMs' last entry (${steady}): the budget could not pay for looks that often`;
  if (maxDelayMs < steady) fail("maxDelayMs", why, maxDelayMs);
}
