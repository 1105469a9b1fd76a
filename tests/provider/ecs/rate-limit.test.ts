// Unit tests of the adaptive rate of provider/ecs/rate-limit.ts (TokenBucket's penalize / reward) on a fake
// clock: cut on every throttling answer, never below the floor, back along the cubic, jittered, validated.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TokenBucket } from "../../../provider/ecs/rate-limit";
import { DEFAULT_THROTTLING, OptionError } from "../../../provider/settings/tunables";
import { FakeClock, settle } from "../fake-clock";

const near = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9 * Math.max(1, expected), `${what}: ${actual}, expected ${expected}`);

test("penalize: every throttling answer cuts the rate by the factor (a flight of them compounds), down to the floor and no lower", () => {
  const clock = new FakeClock(0);
  const bucket = new TokenBucket({ perSecond: 10, burst: 20, clock, throttling: { cut: 0.5, floorPerSecond: 0.2 } });
  bucket.penalize();
  near(bucket.currentRate(), 5, "one answer halves");
  bucket.penalize();
  bucket.penalize();
  near(bucket.currentRate(), 1.25, "three answers at once: an eighth");
  for (let i = 0; i < 20; i++) bucket.penalize();
  near(bucket.currentRate(), 0.2, "the floor");
  // A ceiling under the floor is the floor: the user's own limit is never exceeded.
  const slow = new TokenBucket({ perSecond: 0.1, burst: 1, clock });
  slow.penalize();
  near(slow.currentRate(), 0.1, "never above the ceiling");
});

test("reward: back to the cut rate after recoverySeconds along a cubic (fast at first, flat near it), then past it, at most doubling an answer, never above the ceiling", async () => {
  const clock = new FakeClock(0);
  const bucket = new TokenBucket({ perSecond: 10, burst: 20, clock, throttling: { cut: 0.5, recoverySeconds: 10, floorPerSecond: 0.2 } });
  bucket.penalize(); // 10 -> 5
  bucket.reward();
  near(bucket.currentRate(), 5, "no time has passed: still the cut rate");
  const at = async (s: number) => {
    await clock.advance(s * 1000 - clock.now());
    bucket.reward();
    return bucket.currentRate();
  };
  near(await at(5), 10 * (1 - 0.5 * 0.125), "half the recovery time: most of the way back (9.375)");
  near(await at(9), 10 * (1 - 0.5 * 0.001), "nearly flat near the cut rate");
  near(await at(10), 10, "back at the cut rate (the ceiling here)");

  // Past the cut rate it probes, faster the longer nothing is throttled; below the ceiling this time.
  const probe = new TokenBucket({ perSecond: 100, burst: 20, clock, throttling: { cut: 0.5, recoverySeconds: 10 } });
  for (let i = 0; i < 4; i++) probe.penalize(); // 100 -> 6.25, the last cut from 12.5
  const start = clock.now();
  const after = async (s: number) => {
    await clock.advance(start + s * 1000 - clock.now());
    probe.reward();
    return probe.currentRate();
  };
  near(await after(10), 12.5, "back at the rate the last answer cut");
  near(await after(15), 12.5 * (1 + 0.5 * 0.125), "just past it");
  near(await after(20), 12.5 * 1.5, "then faster");
  near(await after(30), 12.5 * 1.5 * 2, "at most doubling with one answer (the cubic says 12.5 * 5)");
  for (let s = 32; s < 60; s++) await after(s);
  near(probe.currentRate(), 100, "never above the ceiling");
});

test("penalize: drains the bucket and the next request waits a random part of an interval at the cut rate", async () => {
  for (const [random, waitMs] of [
    [0.25, 125],
    [0.75, 375],
  ]) {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket({ perSecond: 4, burst: 10, clock, random: () => random });
    bucket.penalize(); // 2 per second: an interval is 500 ms
    let sentAt = -1;
    void bucket.take().then(() => (sentAt = clock.now()));
    await settle();
    assert.equal(sentAt, -1, "not at once, though the bucket was full");
    await clock.advance(waitMs - 1);
    assert.equal(sentAt, -1, `still waiting at ${waitMs - 1} ms (random ${random})`);
    await clock.advance(1);
    assert.equal(sentAt, waitMs, `sent after ${random} of an interval`);
  }
});

test("the bucket holds the burst scaled to the current rate, at least one token: after a quiet time a cut process sends one, not a burst", async () => {
  const clock = new FakeClock(0);
  const bucket = new TokenBucket({ perSecond: 10, burst: 20, clock, random: () => 0.5 });
  for (let i = 0; i < 6; i++) bucket.penalize(); // 10 / 64 ≈ 0.16 -> the floor, 0.2
  await clock.advance(60_000);
  const times: number[] = [];
  const all = [bucket.take(), bucket.take()].map((p) => p.then(() => times.push(clock.now())));
  await settle();
  assert.deepEqual(times, [60_000], "one at once");
  await clock.advance(5_000);
  await Promise.all(all);
  assert.deepEqual(times, [60_000, 65_000], "the next one interval later (5 s at 0.2 per second)");
});

test("throttling options are validated, naming the option and the rule", () => {
  assert.deepEqual(DEFAULT_THROTTLING, { cut: 0.5, recoverySeconds: 10, floorPerSecond: 0.2 });
  for (const [throttling, message] of [
    [{ cut: 1 }, /throttling\.cut must be a number between 0 and 1 \(both excluded\); got 1\./],
    [{ cut: 0 }, /throttling\.cut .*got 0\./],
    [{ cut: Number.NaN }, /throttling\.cut .*got NaN\./],
    [{ recoverySeconds: 0 }, /throttling\.recoverySeconds must be a positive finite number; got 0\./],
    [{ floorPerSecond: -1 }, /throttling\.floorPerSecond must be a positive finite number; got -1\./],
    [{ floorPerSecond: Infinity }, /throttling\.floorPerSecond must be a positive finite number; got Infinity\./],
  ] as const) {
    assert.throws(
      () => new TokenBucket({ throttling }),
      (e: unknown) => e instanceof OptionError && message.test(e.message),
    );
  }
});
