// Unit tests of provider/waiting/finish-window.ts: the window in which a copy can finish, given its looks,
// under a linear model of progress. Checked against the truth of simulated copies and against a
// brute-force reference (every crossing of two bound lines, kept when every bound holds there).
import { test } from "node:test";
import assert from "node:assert/strict";
import { finishWindowOf, halvingLookAt, type ProgressLook } from "../../../provider/waiting/finish-window";
import { seededRandom as rng } from "../../../kit/seeded-random";

/** The reference: O(n^3), the way the window was first computed. Bounded cases only. */
function bruteForce(looks: readonly ProgressLook[]): { earliest: number; latest: number } | undefined {
  const lower = looks.map((o) => ({ a: Math.min(o.sentAt ?? o.at, o.at), b: o.process + 1 }));
  const upper = looks.map((o) => ({ a: o.at, b: o.process }));
  const lines = [...lower, ...upper];
  let earliest = Infinity;
  let latest = -Infinity;
  for (let i = 0; i < lines.length; i++) {
    for (let j = i + 1; j < lines.length; j++) {
      if (lines[i].b === lines[j].b) continue;
      const u = (lines[i].a - lines[j].a) / (lines[i].b - lines[j].b);
      if (!(u > 0)) continue;
      const lo = Math.max(...lower.map((l) => l.a - l.b * u));
      const hi = Math.min(...upper.map((l) => l.a - l.b * u));
      if (lo > hi + 1e-3) continue;
      earliest = Math.min(earliest, lo + 100 * u);
      latest = Math.max(latest, hi + 100 * u);
    }
  }
  return Number.isFinite(earliest) ? { earliest, latest } : undefined;
}

/** Looks at a linear copy (start t0, u ms a percent): each call sent at some time, read a little later, answered later still. */
function looksAt(r: () => number, t0: number, u: number, count: number): { looks: ProgressLook[]; finish: number } {
  const looks: ProgressLook[] = [];
  let t = t0 + r() * 30 * u;
  for (let i = 0; i < count; i++) {
    t += 500 + r() * 15_000;
    const sentAt = t;
    const readAt = sentAt + r() * 200;
    const at = readAt + r() * 200;
    const process = Math.floor((readAt - t0) / u);
    if (process >= 100) break;
    looks.push({ sentAt, at, process });
    t = at;
  }
  return { looks, finish: t0 + 100 * u };
}

test("finishWindowOf: the window always holds the true finish of a linear copy, whenever in its call the API read the task", () => {
  const r = rng(11);
  let windows = 0;
  for (let k = 0; k < 3_000; k++) {
    const { looks, finish } = looksAt(r, 1_700_000_000_000 + r() * 1e6, 600 + r() * 40_000, 2 + Math.floor(r() * 40));
    const w = finishWindowOf(looks);
    if (!w) continue;
    windows++;
    assert.ok(w.earliest - 1e-2 <= finish && finish <= w.latest + 1e-2, `#${k}: finish ${finish} outside [${w.earliest}, ${w.latest}]`);
  }
  assert.ok(windows > 2_000, `only ${windows} of 3000 had a window`);
});

test("finishWindowOf: the same window as the brute-force reference wherever the looks bound the rate", () => {
  const r = rng(12);
  let compared = 0;
  for (let k = 0; k < 1_500; k++) {
    const { looks } = looksAt(r, r() * 1e6, 600 + r() * 40_000, 2 + Math.floor(r() * 25));
    const w = finishWindowOf(looks);
    if (!w) continue;
    const ref = bruteForce(looks)!;
    assert.ok(ref, `#${k}: the reference finds no window`);
    assert.ok(
      Math.abs(w.earliest - ref.earliest) < 1 && Math.abs(w.latest - ref.latest) < 1,
      `#${k}: ${JSON.stringify(w)} vs ${JSON.stringify(ref)}`,
    );
    compared++;
  }
  assert.ok(compared > 1_000);
});

test("finishWindowOf: no window before two looks show progress, when one percent boundary allows any slow rate, or when no line fits", () => {
  assert.equal(finishWindowOf([]), undefined);
  assert.equal(finishWindowOf([{ at: 0, process: 5 }]), undefined);
  assert.equal(
    finishWindowOf([
      { at: 0, process: 5 },
      { at: 10_000, process: 5 },
    ]),
    undefined,
    "no progress yet",
  );
  // 5 then 6: the boundary was crossed in between, but the copy may be as slow as it likes.
  assert.equal(
    finishWindowOf([
      { at: 0, process: 5 },
      { at: 10_000, process: 6 },
    ]),
    undefined,
  );
  // 50 then 49: backwards, no line fits (a percent of tolerance either way does).
  const backwards = [
    { at: 0, process: 10 },
    { at: 100_000, process: 50 },
    { at: 101_000, process: 49 },
    { at: 200_000, process: 90 },
  ];
  assert.equal(finishWindowOf(backwards), undefined);
  assert.ok(finishWindowOf(backwards, 1));
});

test("finishWindowOf: a look without sentAt is taken as read when its answer came; with it, the window widens by the round trip's doubt", () => {
  // 10 % at 60 s and 20 % at 120 s: about a 10-minute copy.
  const exact = finishWindowOf([
    { at: 60_000, process: 10 },
    { at: 120_000, process: 20 },
  ])!;
  assert.ok(exact.earliest < 600_000 && 600_000 < exact.latest, JSON.stringify(exact));
  const doubtful = finishWindowOf([
    { sentAt: 59_000, at: 60_000, process: 10 },
    { sentAt: 119_000, at: 120_000, process: 20 },
  ])!;
  assert.ok(doubtful.earliest <= exact.earliest && doubtful.latest >= exact.latest, `${JSON.stringify(doubtful)} within ${JSON.stringify(exact)}`);
  assert.ok(doubtful.earliest < exact.earliest - 1_000 || doubtful.latest > exact.latest + 1_000, "a read up to a second earlier moves the bounds");
});

test("halvingLookAt: the latest look, not after the given time, whose reading splits the window at its middle; none when the rate is too doubtful", () => {
  // Finish between 1,000 and 1,002 s, 36 s a percent: a look whole percents before 1,001 s splits it.
  const w = { earliest: 1_000_000, latest: 1_002_000, msPerPercent: [36_000, 36_000] as [number, number] };
  assert.equal(halvingLookAt(w, 900_000), 1_001_000 - 3 * 36_000);
  assert.equal(halvingLookAt(w, 1_001_000 - 36_000), 1_001_000 - 36_000, "exactly at the given time");
  assert.equal(halvingLookAt(w, 1_000_500), 1_001_000 - 36_000, "a percent before the middle");
  assert.equal(halvingLookAt(w, 1_001_500), undefined, "past the middle: no look left that splits it");
  // A rate known to within 2 s a percent blurs a split 3 percents ahead by 6 s: more than the window.
  assert.equal(halvingLookAt({ ...w, msPerPercent: [35_000, 37_000] }, 900_000), undefined);
});
