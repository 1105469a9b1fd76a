/**
 * When to look next at one copy task: the poll schedule, apart from HTTP and from the shared
 * TaskWatcher (provider/wait.ts) that acts on it.
 */
export interface WaitPolicy {
  /** First look after the copy started. Default 1 s. */
  firstDelayMs: number;
  /** Never look more often than this. Default 500 ms. */
  minDelayMs: number;
  /** Never wait longer than this between looks (bounds how late a stall or failure is noticed). Default 5 min. */
  maxDelayMs: number;
  /** Growth of the delay while nothing is known about the rate. Default 1.5. */
  backoff: number;
  /** How long a task may be missing from DescribeTasks right after CopyImage (eventual consistency). Default 5 min, as Volcengine's own Terraform provider. */
  invisibleGraceMs: number;
  /** How often, at most, to confirm with DescribeImages that the waited-for images still exist. Default 15 min. */
  imageCheckEveryMs: number;
}

export const DEFAULT_WAIT_POLICY: WaitPolicy = {
  firstDelayMs: 1_000,
  minDelayMs: 500,
  maxDelayMs: 5 * 60_000,
  backoff: 1.5,
  invisibleGraceMs: 5 * 60_000,
  imageCheckEveryMs: 15 * 60_000,
};

/**
 * When to look next at one copy. Pure: fed with observations, asked for delays.
 *
 * `Process` is a whole percent (taken as rounded down), so one look says only that the copy was
 * somewhere within a percent: for a 60-minute copy, a 36-second window. With the rate known, every
 * look bounds the finish time to such a window, and the windows of looks taken at different moments
 * intersect into a much narrower one (like a vernier). The schedule halves its way towards the start
 * of that window, refining it on the way, and then looks every `minDelayMs` until the copy is done.
 */
export class PollSchedule {
  private delay: number;
  /** Running observations: the first, and the most recent ones. */
  private readonly seen: { at: number; process: number }[] = [];

  constructor(
    private readonly policy: WaitPolicy,
    readonly startedAt: number,
  ) {
    this.delay = policy.firstDelayMs;
  }

  /** Feed the progress of a running task seen at `at`. */
  observe(at: number, process: number | undefined): void {
    if (process === undefined || !Number.isFinite(process)) return;
    const p = Math.min(100, Math.max(0, Math.floor(process)));
    this.seen.push({ at, process: p });
    if (this.seen.length > 16) this.seen.splice(1, 1); // keep the first look: it anchors the rate
  }

  /**
   * The earliest and latest times the copy can finish, given the looks so far.
   *
   * Model: progress rises linearly, `progress(t) = (t - t0) / u` percent (start t0, u ms per percent).
   * A look (t, p) says p <= progress(t) < p + 1, i.e. `t - (p+1)u < t0 <= t - p u`: two half-planes in
   * (u, t0). The finish `t0 + 100u` is linear, so its extremes over the feasible polygon lie at
   * vertices, where two constraint lines cross. With at most 16 looks that is a few hundred points.
   * If no line of progress fits every look (the copy sped up or slowed down), only the latest looks
   * are used; if even those do not fit, there is no window and the schedule backs off instead.
   */
  finishWindow(): { earliest: number; latest: number } | undefined {
    return finishWindowOf(this.seen) ?? finishWindowOf(this.seen.slice(-4));
  }

  /** Predicted finish time (the middle of the window), when the progress seen so far allows one. */
  predictedFinish(): number | undefined {
    const w = this.finishWindow();
    return w && (w.earliest + w.latest) / 2;
  }

  /** Milliseconds from `now` to the next look. */
  nextDelay(now: number): number {
    const { minDelayMs, maxDelayMs, backoff } = this.policy;
    const window = this.finishWindow();
    let d: number;
    if (window === undefined) {
      d = this.delay;
      this.delay = Math.min(maxDelayMs, this.delay * backoff);
    } else {
      const untilEarliest = window.earliest - now;
      // Far away: sleep up to the ceiling but only half-way, so the window is refined once more
      // before the end. Close: look when the copy can first have finished, then every minDelay.
      d = untilEarliest > 4 * minDelayMs ? Math.min(maxDelayMs, untilEarliest / 2) : Math.max(minDelayMs, untilEarliest);
    }
    return Math.max(minDelayMs, Math.min(maxDelayMs, d));
  }
}

/** See `PollSchedule.finishWindow`. */
export function finishWindowOf(looks: readonly { at: number; process: number }[]): { earliest: number; latest: number } | undefined {
  if (looks.length < 2) return undefined;
  const first = looks[0];
  const last = looks[looks.length - 1];
  if (last.process <= first.process) return undefined; // no progress seen yet: nothing to go on
  // Lines t0 = a - b*u: lower bounds (t - (p+1)u) and upper bounds (t - p u). Times are taken
  // relative to the first look, so that the tolerance below is about milliseconds, not epochs.
  const origin = first.at;
  const lower = looks.map((o) => ({ a: o.at - origin, b: o.process + 1 }));
  const upper = looks.map((o) => ({ a: o.at - origin, b: o.process }));
  const lines = [...lower, ...upper];
  const eps = 1e-3; // ms
  let earliest = Infinity;
  let latest = -Infinity;
  for (let i = 0; i < lines.length; i++) {
    for (let j = i + 1; j < lines.length; j++) {
      const db = lines[i].b - lines[j].b;
      if (db === 0) continue;
      const u = (lines[i].a - lines[j].a) / db;
      if (!(u > 0) || !Number.isFinite(u)) continue;
      const lo = Math.max(...lower.map((l) => l.a - l.b * u));
      const hi = Math.min(...upper.map((l) => l.a - l.b * u));
      if (lo > hi + eps) continue;
      earliest = Math.min(earliest, lo + 100 * u);
      latest = Math.max(latest, hi + 100 * u);
    }
  }
  return Number.isFinite(earliest) && Number.isFinite(latest) ? { earliest: origin + earliest, latest: origin + latest } : undefined;
}
