/**
 * The knobs of waiting for a copy (`WaitPolicy`), their defaults and the rules they must keep. Apart
 * from `poll-schedule.ts` because the options are configuration (checked once in `tunables.ts`, typed by
 * users of the TaskWatcher) while the schedule is the algorithm that reads them; the Terraform
 * cadence, the call budget's default, is named here once.
 */

/** All delays and limits of waiting for a copy, in one place. Checked by `validateWaitPolicy`. */
export interface WaitPolicy {
  /**
   * First look after the copy started. Default 9 s: the copy cannot have ended before it started, so a
   * first look at 9 s sees any end within 10 s (with a round trip of up to 1 s), and skipping the
   * Terraform cadence's looks at 1, 3 and 7 s saves about two and a half looks for the end.
   */
  firstDelayMs: number;
  /** Never look more often than this (spacing of the extra looks near a predicted finish). Default 500 ms. */
  minDelayMs: number;
  /**
   * Never wait longer than this between looks: bounds how late an end, a stall or a failure is seen,
   * whatever `Process` says. Default 10 s, the steady gap of the Terraform cadence (so the budget can
   * always pay for it). Delays are shortened by 1.5 measured round trips of a look, so that the answer
   * that shows the end arrives within `maxDelayMs` of it; but while a line of progress fits every
   * look and puts the end beyond the next look, each call goes out `maxDelayMs` after the one planned
   * before, as the budget's do, and costs none of it.
   */
  maxDelayMs: number;
  /**
   * The call budget: gaps between the looks of a reference cadence, the last one repeating. The n-th
   * look of a copy is never made before the reference's n-th look. Default `[1000, 2000, 4000, 8000,
   * 10000]`, Volcengine's Terraform provider (looks at 1, 3, 7, 15, 25, 35, ... s). Omitted: no budget
   * (only `maxDelayMs` bounds the looks); policies written before the budget existed mean that.
   */
  budgetGapsMs?: readonly number[];
  /** No longer used (the schedule does not back off); kept so that policies written for it still type-check. */
  backoff?: number;
  /** How long a task may be missing from DescribeTasks right after CopyImage (eventual consistency). Default 5 min, as Volcengine's own Terraform provider. */
  invisibleGraceMs: number;
  /** How often, at most, to confirm with DescribeImages that the waited-for images still exist. Default 15 min. */
  imageCheckEveryMs: number;
}

/** The Terraform provider's DescribeTasks cadence: after 1, 2, 4, 8 s, then every 10 s. */
export const TERRAFORM_CADENCE_GAPS_MS: readonly number[] = Object.freeze([1_000, 2_000, 4_000, 8_000, 10_000]);

export const DEFAULT_WAIT_POLICY: WaitPolicy = Object.freeze({
  firstDelayMs: 9_000,
  minDelayMs: 500,
  maxDelayMs: 10_000,
  budgetGapsMs: TERRAFORM_CADENCE_GAPS_MS,
  invisibleGraceMs: 5 * 60_000,
  imageCheckEveryMs: 15 * 60_000,
});

/**
 * Throws a RangeError (TypeError for a value of the wrong type) naming the first option that breaks
 * a rule and the rule, as p-retry and the AWS SDK v3 waiters do for their options.
 */
export function validateWaitPolicy(policy: WaitPolicy): void {
  const fail = (option: string, rule: string, value: unknown): never => {
    const shown = Array.isArray(value) ? `[${value.join(", ")}]` : String(value);
    throw new RangeError(`WaitPolicy.${option} ${rule} (got ${shown}).`);
  };
  if (policy === null || typeof policy !== "object") throw new TypeError(`WaitPolicy must be an object (got ${String(policy)}).`);
  for (const option of ["firstDelayMs", "minDelayMs", "maxDelayMs", "invisibleGraceMs", "imageCheckEveryMs"] as const) {
    const v: unknown = policy[option];
    if (typeof v !== "number") throw new TypeError(`WaitPolicy.${option} must be a number of milliseconds (got ${typeof v}).`);
    if (!Number.isFinite(v) || v < 0) fail(option, "must be a finite number of milliseconds, at least 0", v);
  }
  const { firstDelayMs, minDelayMs, maxDelayMs, budgetGapsMs, backoff } = policy;
  if (!(minDelayMs > 0)) fail("minDelayMs", "must be greater than 0 (a zero delay would poll in a loop)", minDelayMs);
  if (maxDelayMs < minDelayMs) fail("maxDelayMs", `must be at least minDelayMs (${minDelayMs})`, maxDelayMs);
  if (firstDelayMs < minDelayMs || firstDelayMs > maxDelayMs)
    fail("firstDelayMs", `must be between minDelayMs (${minDelayMs}) and maxDelayMs (${maxDelayMs})`, firstDelayMs);
  if (!(policy.imageCheckEveryMs > 0)) fail("imageCheckEveryMs", "must be greater than 0", policy.imageCheckEveryMs);
  if (backoff !== undefined && (typeof backoff !== "number" || !Number.isFinite(backoff) || backoff < 1))
    fail("backoff", "must be a finite number of at least 1 when given (it is no longer used)", backoff);
  if (budgetGapsMs !== undefined) {
    if (!Array.isArray(budgetGapsMs) || budgetGapsMs.length === 0)
      fail("budgetGapsMs", "must be a non-empty array of gaps in milliseconds, the last one repeating", budgetGapsMs);
    budgetGapsMs.forEach((g, i) => {
      if (typeof g !== "number" || !Number.isFinite(g) || g <= 0)
        fail(`budgetGapsMs[${i}]`, "must be a finite number of milliseconds greater than 0", g);
    });
    const steady = budgetGapsMs[budgetGapsMs.length - 1];
    if (maxDelayMs < steady) {
      fail(
        "maxDelayMs",
        `must be at least the budget's repeating gap, budgetGapsMs' last entry (${steady}): the budget could not pay for looks that often`,
        maxDelayMs,
      );
    }
  }
}
