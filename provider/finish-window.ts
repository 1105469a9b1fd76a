/**
 * The finish window of a copy from its `Process` looks: a small linear program over the lines a
 * linear model of progress allows (see `PollSchedule.finishWindow`). Apart from `schedule.ts`
 * because it is pure geometry with no notion of looks, budgets or time to come: the schedule asks
 * it for a window and decides where to look; tests and the benchmark can call it on their own.
 */

/** See `PollSchedule.finishWindow`. With a `tolerance` of k, a look at p is taken to mean p-k <= progress < p+1+k. */
export function finishWindowOf(looks: readonly { at: number; process: number }[], tolerance = 0): { earliest: number; latest: number } | undefined {
  if (looks.length < 2) return undefined;
  const first = looks[0];
  const last = looks[looks.length - 1];
  if (last.process <= first.process) return undefined; // no progress seen yet: nothing to go on
  // Lines t0 = a - b*u: lower bounds (t - (p+1)u) and upper bounds (t - p u). Times are taken
  // relative to the first look, so that the tolerance below is about milliseconds, not epochs.
  const origin = first.at;
  const lower = looks.map((o) => ({ a: o.at - origin, b: o.process + 1 + tolerance }));
  const upper = looks.map((o) => ({ a: o.at - origin, b: o.process - tolerance }));
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
