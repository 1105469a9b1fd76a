/**
 * When to look next at one copy task: the poll schedule, apart from HTTP and from the shared
 * TaskWatcher (provider/waiting/task-watcher.ts) that acts on it. Pure: fed with observations, asked for delays.
 *
 * Three rules, in this order of precedence:
 *
 * 1. Never more DescribeTasks calls than Volcengine's own Terraform provider would make for the same
 *    copy. Terraform polls a copy task after 1, 2, 4, 8 s and then every 10 s (looks at 1, 3, 7, 15,
 *    25, 35, ... s). That cadence is the *budget*: the n-th look may not happen before the cadence's
 *    n-th look. Counted this way the schedule never makes more calls than Terraform by any moment,
 *    hence none more by the moment it sees the end (it sees the end no later than Terraform does).
 * 2. Never more than 10 s between looks, whatever `Process` says. Volcengine need not raise `Process`
 *    linearly (0 % until done, 25 % steps, fast to 90 % then slow were all seen); a schedule that
 *    trusts a prediction and backs off while it cannot predict was seen minutes late. While a line of
 *    progress fits and puts the end beyond the next gap, each call goes out 10 s after the one planned
 *    before, as the budget's do, and costs none of it however round trips vary. Otherwise the gap is
 *    shortened by the measured round trip so that the *answer* showing the end arrives within 10 s:
 *    half a round trip of budget a gap, so the ~24 s saved at the start last about 80 minutes at a
 *    0.1 s round trip. After that rule 1 wins: looks fall on the cadence's own times, and an end is
 *    seen as Terraform sees it (10 s and half a round trip at worst).
 * 3. Within those, place looks where the copy is likely to end. A linear model of `Process` gives a
 *    window for the finish (see `finishWindow`); as the window comes near, the 10 s gaps are shortened
 *    so that a look lands in it, and the calls saved at the start (this schedule skips the cadence's
 *    1, 3 and 7 s looks: a copy of an image takes minutes) are spent on extra looks spread over it.
 *    With linear progress the end is then seen within about a second.
 *
 * Each look bounds the model with both of its times: the API read the task after the call went out
 * and before its answer came, and which moment it was we cannot know.
 */
import { validateWaitPolicy, type WaitPolicy } from "./wait-policy";
import { finishWindowOf, halvingLookAt, type FinishWindow, type ProgressLook } from "./finish-window";

/** Looks kept for the model (the first, which anchors the rate, and the latest): 80 hold about 40 percent boundaries, at many phases. */
const KEPT_LOOKS = 80;
/** A look's round trip is measured from when its call went out (or, unknown that, the time asked for) to its answer; above this share of maxDelayMs it is taken for an outlier (a retry, a busy watcher), not planned for. */
const MAX_ROUND_TRIP_SHARE = 0.1;
/** Extra looks spread over a finish window at most. */
const MAX_LOOKS_IN_WINDOW = 8;
/** How long the schedule keeps budget for, should a finish window prove wrong (see `reserveMs`). */
const RESERVE_HORIZON_MS = 2 * 60_000;
/** A finish window this narrow is closed by the looks in it; wider ones are halved by the vernier (`splittingLook`). */
const NARROW_WINDOW_MS = 600;
/** How much earlier than the steady look a halving look may come (the budget it costs). */
const MAX_SPLIT_SHIFT_MS = 4_000;
/** Budget the vernier leaves for the looks in the window at the end: two extra looks and some. */
const SPLIT_RESERVE_MS = 18_000;
/** How many gaps ahead of a finish window the schedule starts to shift its looks onto it. */
const APPROACH_GAPS = 2;

/**
 * When to look next at one copy (see the module comment for the rules).
 *
 * `Process` is a whole percent (taken as rounded down), so one look says only that the copy was
 * somewhere within a percent: for a 60-minute copy, a 36-second window. With the rate known, every
 * look bounds the finish time to such a window, and the windows of looks taken at different moments
 * intersect into a much narrower one (like a vernier).
 *
 * Each call of `nextDelay` at a new time after `startedAt` counts as one look made at that time (the
 * caller asks after every DescribeTasks that concerned the copy); calls at the same time are answered
 * alike and count once.
 */
export class PollSchedule {
  /** Observations kept for the model: the first, then the first and last look of each run of equal `Process`. */
  private readonly seen: ProgressLook[] = [];
  private readonly budget?: readonly number[];
  private lookCount = 0;
  private lastCallAt?: number;
  private lastDelay = 0;
  /** When the schedule asked for the next look (to measure the round trip). */
  private plannedAt?: number;
  /** Estimated round trip of a look, ms (a decaying maximum of the measured ones). */
  private roundTripMs = 0;
  /** Typical round trip, ms (a moving average): what steady gaps of 1.5 round trips will cost the budget, on average. */
  private typicalRoundTripMs = 0;

  constructor(
    private readonly policy: WaitPolicy,
    readonly startedAt: number,
  ) {
    validateWaitPolicy(policy);
    this.budget = policy.budgetGapsMs;
  }

  /** Looks made so far (calls of `nextDelay` after the start, each at a new time). */
  get looks(): number {
    return this.lookCount;
  }

  /**
   * Feed the progress of a running task, in the answer that came at `at` to the call sent at `sentAt`
   * (the API read the task in between; without `sentAt`, at `at`). Non-numbers are ignored; values
   * are clamped to 0-100.
   */
  observe(at: number, process: number | undefined, sentAt?: number): void {
    if (process === undefined || typeof process !== "number" || Number.isNaN(process) || !Number.isFinite(at)) return;
    const p = Math.min(100, Math.max(0, Math.floor(process)));
    const n = this.seen.length;
    if (n && at < this.seen[n - 1].at) return; // out of order: the model wants time to move forward
    // Of three looks in a row at the same percent the middle one bounds nothing the other two do not.
    if (n >= 3 && this.seen[n - 1].process === p && this.seen[n - 2].process === p) this.seen.pop();
    this.seen.push(sentAt !== undefined && Number.isFinite(sentAt) && sentAt <= at ? { at, sentAt, process: p } : { at, process: p });
    if (this.seen.length > KEPT_LOOKS) this.seen.splice(1, 1); // keep the first look: it anchors the rate
  }

  /**
   * The earliest and latest times the copy can finish, given the looks so far.
   *
   * Model: progress rises linearly, `progress(t) = (t - t0) / u` percent (start t0, u ms per percent).
   * A look sent at s and answered at t with p says progress(s) < p + 1 and progress(t) >= p, i.e.
   * `s - (p+1)u < t0 <= t - p u`: two half-planes in (u, t0). The finish `t0 + 100u` is linear, so its
   * extremes over the feasible polygon lie at its corners (`finishWindowOf` cuts the polygon out).
   * If no line of progress fits every look (the copy sped up or slowed down, or `Process` wobbles),
   * a percent of slack either way is allowed, then only the latest looks are used; if even those do
   * not fit, there is no window.
   */
  finishWindow(): FinishWindow | undefined {
    return this.fit()?.window;
  }

  /**
   * The window from every look kept; failing that, from every look allowing a percent either way
   * (a reported `Process` that wobbles); failing that, from the latest four looks.
   */
  private fit(): { window: FinishWindow; fitsAll: boolean } | undefined {
    const all = finishWindowOf(this.seen) ?? finishWindowOf(this.seen, 1);
    if (all) return { window: all, fitsAll: true };
    const w = finishWindowOf(this.seen.slice(-4));
    return w && { window: w, fitsAll: false };
  }

  /** Predicted finish time (the middle of the window), when the progress seen so far allows one. */
  predictedFinish(): number | undefined {
    const w = this.finishWindow();
    return w && (w.earliest + w.latest) / 2;
  }

  /** Predicted time left at `now` (for progress messages); undefined when there is no usable prediction. */
  remainingMs(now: number): number | undefined {
    const w = this.usableWindow(now);
    return w && Math.max(0, (w.earliest + w.latest) / 2 - now);
  }

  /** Whether a look at `now` stays within the budget (always, without one): the n-th look not before the cadence's n-th. */
  affords(now: number): boolean {
    return !this.budget || (now > this.startedAt && this.budgetTime(this.lookCount + 1) <= now);
  }

  /**
   * Whether this copy should ride along on a DescribeTasks call made at `now` for another copy in the
   * same region: when the budget affords the look, and unless the copy is closing in on its predicted
   * finish and the call comes before the window opens. There the look would spend budget kept for
   * looks in the window on one that cannot show the end (copies that end a second apart would
   * otherwise eat each other's window looks).
   */
  welcomes(now: number): boolean {
    if (!this.budget) return true; // looks cost nothing: every one is welcome
    if (!this.affords(now)) return false;
    const w = this.usableWindow(now);
    if (!w || !w.fitsAll) return true;
    const closingIn = w.earliest - now <= (APPROACH_GAPS + 1) * this.policy.maxDelayMs;
    return !closingIn || now >= w.earliest;
  }

  /**
   * Milliseconds from `now` to the next look. Always within [minDelayMs, maxDelayMs]. `sentAt`, when
   * given, is when the call just answered went out (it measures the round trip exactly).
   */
  nextDelay(now: number, sentAt?: number): number {
    if (!Number.isFinite(now)) throw new RangeError(`PollSchedule.nextDelay: now must be a finite time in ms (got ${now}).`);
    if (now === this.lastCallAt) return this.lastDelay;
    const { minDelayMs, maxDelayMs, firstDelayMs } = this.policy;
    const isLook = now > this.startedAt && (this.lastCallAt === undefined || now > this.lastCallAt);
    const sent = sentAt !== undefined && Number.isFinite(sentAt) && sentAt <= now ? sentAt : undefined;
    /** The look just made went out when it was planned (rather than early, riding on another copy's call). */
    let onPlan = false;
    if (isLook) {
      // Every look counts against the budget, also one made early for another copy sharing the call:
      // it is a DescribeTasks call that read this copy. (The TaskWatcher lets a copy ride along only
      // when `affords` says the budget allows it.) Only looks made when asked for measure the round trip.
      onPlan = this.plannedAt !== undefined && (sent ?? now) >= this.plannedAt - 1;
      this.lookCount++;
      if (onPlan) {
        const measured = sent !== undefined ? now - sent : now - this.plannedAt!;
        const rt = Math.max(0, Math.min(measured, MAX_ROUND_TRIP_SHARE * maxDelayMs));
        this.roundTripMs = Math.max(rt, 0.8 * this.roundTripMs + 0.2 * rt);
        this.typicalRoundTripMs = this.typicalRoundTripMs === 0 ? rt : 0.9 * this.typicalRoundTripMs + 0.1 * rt;
      }
    }
    const lastPlanned = this.plannedAt;
    this.lastCallAt = now;
    let at: number;
    if (this.lookCount === 0 && !isLook) {
      at = now + firstDelayMs;
    } else {
      const w = this.usableWindow(now);
      const far = w !== undefined && w.fitsAll && w.earliest - now > maxDelayMs;
      // While a line fits every look so far and puts the end beyond the next gap, the call goes out
      // maxDelayMs after the last one (after the one planned, when it went out as planned), as the
      // budget's do: it costs none of the budget, however round trips vary. Otherwise 1.5 round
      // trips are kept back (see `steadyGapMs`).
      const lastSent = onPlan ? lastPlanned! : (sent ?? now - this.roundTripMs);
      let gap = far ? Math.max(minDelayMs, lastSent + maxDelayMs - now) : this.steadyGapMs();
      const split = far ? this.splittingLook(now, now + gap, w!) : undefined;
      if (split !== undefined) gap = split - now;
      at = now + gap;
      if (w) at = Math.min(at, this.windowTarget(now, gap, w));
    }
    at = Math.max(at, this.budgetTime(this.lookCount + 1));
    const delay = Math.max(minDelayMs, Math.min(maxDelayMs, at - now));
    this.plannedAt = now + delay;
    this.lastDelay = delay;
    return delay;
  }

  /**
   * The vernier: a look a little earlier than the steady one that halves a wide finish window (see
   * `halvingLookAt`). Steady 10 s gaps alone meet the percent boundaries at few phases when a percent
   * lasts nearly a multiple of 10 s (36 s: 5 phases), and the window stays seconds wide. The look comes
   * at most MAX_SPLIT_SHIFT_MS early, and only while the budget keeps SPLIT_RESERVE_MS for the looks in
   * the window at the end: moving the 10 s cadence earlier spends that much budget for good.
   */
  private splittingLook(now: number, steady: number, w: FinishWindow): number | undefined {
    if (w.latest - w.earliest <= NARROW_WINDOW_MS) return undefined;
    const at = halvingLookAt(w, steady);
    if (at === undefined || steady - at > MAX_SPLIT_SHIFT_MS || at < now + this.policy.minDelayMs) return undefined;
    if (this.budget && at - this.budgetTime(this.lookCount + 1) < SPLIT_RESERVE_MS) return undefined;
    return at;
  }

  /**
   * The steady gap from one answer to the next call when the end may come in it: maxDelayMs less
   * 1.5 round trips, so that the next answer comes within maxDelayMs of the moment the last one read
   * the task (half a round trip before it arrived, the next answer a full round trip after its call).
   */
  private steadyGapMs(): number {
    const { minDelayMs, maxDelayMs } = this.policy;
    return Math.max(minDelayMs, maxDelayMs - 1.5 * this.roundTripMs);
  }

  /** The finish window, when it is still ahead (a window wholly in the past means the copy did not progress linearly), and whether a line fits every look kept. */
  private usableWindow(now: number): (FinishWindow & { fitsAll: boolean }) | undefined {
    const f = this.fit();
    if (!f || !(f.window.latest > now)) return undefined;
    return { ...f.window, earliest: Math.max(f.window.earliest, now), fitsAll: f.fitsAll };
  }

  /**
   * Where to look next for a window [E, L]. The looks are spread over it, m of them at
   * E + i(L-E)/m (the last one at L, so a correct window is always closed within (L-E)/m), with the
   * largest m the budget affords: each look in time for the budget, and after the last one a
   * reserve of budget left for steady gaps should the window be wrong. When the first of them is
   * within `APPROACH_GAPS` gaps, the gaps up to it are shortened evenly so that one lands on it;
   * farther away the gaps stay steady (chasing a window that still moves would waste budget). When
   * the budget affords none of them, the earliest look it allows, if that comes before a steady one.
   */
  private windowTarget(now: number, gap: number, w: { earliest: number; latest: number }): number {
    const { minDelayMs } = this.policy;
    const width = w.latest - w.earliest;
    const steady = now + gap;
    for (let m = Math.max(1, Math.min(MAX_LOOKS_IN_WINDOW, Math.floor(width / minDelayMs))); m >= 1; m--) {
      const x1 = Math.max(w.earliest + width / m, now + minDelayMs);
      const steps = Math.ceil((x1 - now) / gap);
      if (steps > APPROACH_GAPS) return steady;
      const step = (x1 - now) / steps;
      if (this.budget) {
        const n = this.lookCount;
        let ok = true;
        for (let j = 1; j <= steps && ok; j++) ok = now + j * step >= this.budgetTime(n + j);
        for (let i = 2; i <= m && ok; i++) ok = w.earliest + (i * width) / m >= this.budgetTime(n + steps + i - 1);
        if (ok && m > 1) ok = w.latest - this.budgetTime(n + steps + m - 1) >= this.reserveMs(now);
        if (!ok) continue;
      }
      return now + step;
    }
    // Not even one look at the window's end is affordable (copies sharing calls spent the budget):
    // the earliest look the budget allows, when that still comes before a steady one.
    return Math.min(steady, Math.max(w.latest, this.budgetTime(this.lookCount + 1)));
  }

  /**
   * Budget kept back from extra looks in a window, should it be wrong: steady gaps (1.5 round trips
   * short) then spend half a typical round trip each; enough for as long again as the copy has run,
   * at most RESERVE_HORIZON_MS (a line that held for the whole copy is rarely wrong by more), and 1 s.
   */
  private reserveMs(now: number): number {
    const steady = this.budget![this.budget!.length - 1];
    const horizon = Math.min(RESERVE_HORIZON_MS, Math.max(0, now - this.startedAt));
    return Math.max(1_000, (horizon / steady) * 0.5 * this.typicalRoundTripMs);
  }

  /** When the budget allows the n-th look (n >= 1); the start when there is no budget. */
  private budgetTime(n: number): number {
    const gaps = this.budget;
    if (!gaps) return -Infinity;
    let t = this.startedAt;
    const k = Math.min(n, gaps.length);
    for (let i = 0; i < k; i++) t += gaps[i];
    return t + (n - k) * gaps[gaps.length - 1];
  }
}
