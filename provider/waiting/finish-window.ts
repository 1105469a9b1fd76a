/**
 * The finish window of a copy from its `Process` looks: a small linear program over the lines a
 * linear model of progress allows (see `PollSchedule.finishWindow`). Apart from `poll-schedule.ts`
 * because it is pure geometry with no notion of looks, budgets or time to come: the schedule asks
 * it for a window and decides where to look; tests and the benchmark can call it on their own.
 */

/**
 * One look at a task: `process` read at some moment between `sentAt` (when the call went out) and
 * `at` (when its answer came). Without `sentAt` the read is taken to be at `at`.
 */
export interface ProgressLook {
  at: number;
  sentAt?: number;
  process: number;
}

/** When a copy can finish, and how fast it can be going (ms a percent) for that. */
export interface FinishWindow {
  earliest: number;
  latest: number;
  /** The slowest and fastest rates every look allows: [least, most] ms a percent. */
  msPerPercent: [number, number];
}

/** A point of the model's plane: u ms per percent, t0 the start (ms after the first look). */
interface Point {
  u: number;
  t0: number;
}

/** The slowest progress the model considers, ms per percent (about 11 days): beyond it the window is taken as unbounded. */
const SLOWEST_MS_PER_PERCENT = 1e9;

/**
 * See `PollSchedule.finishWindow`. A look says `progress(at) >= p` and `progress(sentAt) < p + 1`
 * (the API read the task in between, when exactly we cannot know); with a `tolerance` of k, p-k and
 * p+1+k instead. Undefined when no line of progress fits every look, or when the looks do not yet
 * bound how slow the copy may be (one percent boundary crossed: any rate fits).
 *
 * The feasible (u, t0) are a convex polygon: a large box cut by one half-plane per bound, each cut
 * linear in the polygon's corners: some thousands of steps for 80 looks (trying every pair of lines
 * against every line took hundreds of thousands for 40, and seconds a poll for 50 copies at once).
 */
export function finishWindowOf(looks: readonly ProgressLook[], tolerance = 0): FinishWindow | undefined {
  if (looks.length < 2) return undefined;
  const first = looks[0];
  const last = looks[looks.length - 1];
  if (last.process <= first.process) return undefined; // no progress seen yet: nothing to go on
  // Times relative to the first look, so that the tolerance below is about milliseconds, not epochs.
  const origin = first.at;
  const span = last.at - origin;
  let polygon: Point[] = [
    { u: 0, t0: -101 * SLOWEST_MS_PER_PERCENT - span },
    { u: SLOWEST_MS_PER_PERCENT, t0: -101 * SLOWEST_MS_PER_PERCENT - span },
    { u: SLOWEST_MS_PER_PERCENT, t0: span },
    { u: 0, t0: span },
  ];
  for (const o of looks) {
    // Lower bound: t0 > sentAt - (p+1)u; upper bound: t0 <= at - p u. As g(P) = t0 + b u - a >= 0 or <= 0.
    const sent = Math.min(o.sentAt ?? o.at, o.at) - origin;
    polygon = cut(polygon, { a: sent, b: o.process + 1 + tolerance }, 1);
    polygon = cut(polygon, { a: o.at - origin, b: o.process - tolerance }, -1);
    if (polygon.length === 0) return undefined;
  }
  let earliest = Infinity;
  let latest = -Infinity;
  let fastest = Infinity;
  let slowest = 0;
  for (const p of polygon) {
    if (p.u >= SLOWEST_MS_PER_PERCENT * (1 - 1e-9)) return undefined;
    if (!(p.u > 0)) continue; // a copy that takes no time: the box's edge, not an answer
    earliest = Math.min(earliest, p.t0 + 100 * p.u);
    latest = Math.max(latest, p.t0 + 100 * p.u);
    fastest = Math.min(fastest, p.u);
    slowest = Math.max(slowest, p.u);
  }
  if (!Number.isFinite(earliest) || !Number.isFinite(latest)) return undefined;
  return { earliest: origin + earliest, latest: origin + latest, msPerPercent: [fastest, slowest] };
}

/**
 * The latest time, not after `notAfter`, at which a look tells which half of the window the finish
 * lies in; undefined when the rate is not known well enough for that. A look reads a whole percent,
 * and what it reads changes, across the possible finishes F, where F is the look's time plus a whole
 * number j of percents: so a look at (middle of the window) - j u splits the window there. The
 * farther ahead (the larger j), the more the doubt about the rate u blurs the split.
 */
export function halvingLookAt(w: FinishWindow, notAfter: number): number | undefined {
  const width = w.latest - w.earliest;
  const [fastest, slowest] = w.msPerPercent;
  const u = (fastest + slowest) / 2;
  const middle = (w.earliest + w.latest) / 2;
  const j = Math.ceil((middle - notAfter) / u);
  if (j < 1 || j * (slowest - fastest) > width / 2) return undefined;
  return middle - j * u;
}

/** Tolerance of a cut, ms: corners this close to a bound count as on it. */
const EPS_MS = 1e-3;

/** The part of a convex polygon where `sign * (t0 + b u - a) >= 0` (Sutherland-Hodgman against one line). */
function cut(polygon: Point[], line: { a: number; b: number }, sign: 1 | -1): Point[] {
  const g = (p: Point) => sign * (p.t0 + line.b * p.u - line.a);
  const out: Point[] = [];
  for (let i = 0; i < polygon.length; i++) {
    const p = polygon[i];
    const q = polygon[(i + 1) % polygon.length];
    const gp = g(p);
    const gq = g(q);
    if (gp >= -EPS_MS) out.push(p);
    if (gp >= -EPS_MS !== gq >= -EPS_MS) {
      const k = gp / (gp - gq);
      out.push({ u: p.u + k * (q.u - p.u), t0: p.t0 + k * (q.t0 - p.t0) });
    }
  }
  return out;
}
