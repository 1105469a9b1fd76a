// Unit tests of the adaptive rate of provider/ecs/rate-limit.ts (TokenBucket's take / penalize / reward) on a fake
// clock: cut once per flight of throttling answers, down to the floor; grown by answers to requests the rate held
// back, the faster the slower the job, and faster after a quiet spell; slow start released by answers, and a
// throttling answer before anything went through leaving the start rate uncut; the wait after a throttling answer
// (injected random); no burst once throttled; options validated.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TokenBucket, type Ticket } from "../../../provider/ecs/rate-limit";
import { DEFAULT_THROTTLING, OptionError } from "../../../provider/settings/tunables";
import { FakeClock, settle } from "../fake-clock";

const near = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9 * Math.max(1, expected), `${what}: ${actual}, expected ${expected}`);

/** A bucket past slow start (burst 1: nothing held back), so that the tests below see the rate alone. */
function bucketAt(perSecond: number, clock: FakeClock, throttling = { cut: 0.5, growth: 25, floorPerSecond: 0.2 }, random = () => 0.5) {
  return new TokenBucket({ perSecond, burst: 1, clock, throttling, random });
}

test("penalize: a throttling answer cuts the rate by the factor; answers to requests sent before that cut do not cut again", async () => {
  const clock = new FakeClock(0);
  const bucket = bucketAt(10, clock);
  const flight: Ticket[] = [await bucket.take()];
  for (let i = 0; i < 2; i++) flight.push(await Promise.all([bucket.take(), clock.advance(100)]).then(([t]) => t));
  await clock.advance(50);
  for (const t of flight) bucket.penalize(t);
  near(bucket.currentRate(), 5, "three answers to one flight: one cut");
  // A request sent after the cut, throttled too: the rate was still too high.
  const next = await Promise.all([bucket.take(), clock.advance(1_000)]).then(([t]) => t);
  bucket.penalize(next);
  near(bucket.currentRate(), 2.5, "a later flight cuts again");
  for (let i = 0; i < 20; i++) bucket.penalize(await Promise.all([bucket.take(), clock.advance(10_000)]).then(([t]) => t));
  near(bucket.currentRate(), 0.2, "the floor");
  // A ceiling under the floor is the floor: the user's own limit is never exceeded.
  const slow = new TokenBucket({ perSecond: 0.1, burst: 1, clock });
  slow.penalize(await slow.take());
  near(slow.currentRate(), 0.1, "never above the ceiling");
});

test("reward: an answer to a request the rate held back adds growth divided by the rate squared, up to the ceiling; one that did not wait leaves it", async () => {
  const clock = new FakeClock(0);
  const bucket = bucketAt(10, clock);
  bucket.penalize(await bucket.take()); // 10 -> 5
  await clock.advance(10_000);
  const free = await bucket.take();
  assert.equal(free.waited, false);
  bucket.reward(free);
  near(bucket.currentRate(), 5, "the caller, not the rate, was the limit: no news");
  const held = bucket.take();
  await settle();
  await clock.advance(200); // an interval at 5 per second
  const ticket = await held;
  assert.equal(ticket.waited, true);
  bucket.reward(ticket);
  near(bucket.currentRate(), 6, "5 + 25 / 5²");
  for (let i = 0; i < 10; i++) bucket.reward(ticket);
  near(bucket.currentRate(), 10, "never above the ceiling");
});

test("the slower the job, the faster it grows: one the account cut three times catches up with one cut once", async () => {
  const clock = new FakeClock(0);
  const paced = [];
  for (const cuts of [3, 1]) {
    const bucket = bucketAt(8, clock, { cut: 0.5, growth: 0.5, floorPerSecond: 0.2 });
    for (let i = 0; i < cuts; i++) bucket.penalize(await Promise.all([bucket.take(), clock.advance(60_000)]).then(([t]) => t));
    const from = bucket.currentRate();
    // Paced by the rate: one answer an interval, for 8 s; each adds growth / rate².
    let elapsedMs = 0;
    let expected = from;
    while (elapsedMs < 8_000) {
      const intervalMs = 1000 / bucket.currentRate();
      await clock.advance(intervalMs);
      elapsedMs += intervalMs;
      bucket.reward({ at: clock.now(), waited: true });
      expected += 0.5 / expected ** 2;
    }
    near(bucket.currentRate(), expected, `cut ${cuts} times: growth / rate² an answer`);
    paced.push({ from, to: bucket.currentRate() });
  }
  const [behind, ahead] = paced;
  near(behind!.from, 1, "behind: 1 per second (8 cut three times)");
  near(ahead!.from, 4, "ahead: 4 per second (cut once)");
  assert.ok(
    behind!.to - behind!.from > 2 * (ahead!.to - ahead!.from),
    `in 8 s the slow job gained ${behind!.to - behind!.from}, more than twice the quick one's ${ahead!.to - ahead!.from}`,
  );
  assert.ok(
    ahead!.to / behind!.to < 2,
    `the ratio between them fell from 4 to ${ahead!.to / behind!.to} (by a step an answer, the quick one would have pulled further ahead)`,
  );
});

test("the longer since the last cut, past speedUpAfterMs, the faster the growth: by the fourth power of the time", async () => {
  const clock = new FakeClock(0);
  const bucket = bucketAt(10, clock, { cut: 0.5, growth: 0.5, floorPerSecond: 0.2 });
  bucket.penalize(await bucket.take()); // 10 -> 5, at 0 s
  await clock.advance(6_000);
  bucket.reward({ at: clock.now(), waited: true });
  let expected = 5 + 0.5 / 25;
  near(bucket.currentRate(), expected, "6 s after the cut (under 12 s): growth / rate²");
  await clock.advance(18_000);
  bucket.reward({ at: clock.now(), waited: true });
  expected += (0.5 / expected ** 2) * 16;
  near(bucket.currentRate(), expected, "24 s after: twice 12 s, 16 times as much");
  await clock.advance(12_000);
  bucket.reward({ at: clock.now(), waited: true });
  expected += (0.5 / expected ** 2) * 81;
  near(bucket.currentRate(), expected, "36 s after: three times, 81 times as much");
});

test("slow start: one request, then one more for the first answer that went through and two for each later one; time alone adds at the floor; a throttling answer ends it", async () => {
  const clock = new FakeClock(0);
  const bucket = new TokenBucket({ perSecond: 10, burst: 20, clock, throttling: { floorPerSecond: 0.2 }, random: () => 0.5 });
  const times: number[] = [];
  const tickets = Array.from({ length: 30 }, () =>
    bucket.take().then((t) => {
      times.push(clock.now());
      return t;
    }),
  );
  await settle();
  assert.equal(times.length, 1, "one before any answer");
  await clock.advance(4_999);
  assert.equal(times.length, 1, "no answer: nothing more for an interval at the floor (5 s)");
  await clock.advance(1);
  assert.equal(times.length, 2, "then one at the floor: a start whose answers never come still goes on");
  bucket.reward(await tickets[0]);
  await settle();
  assert.equal(times.length, 3, "the first answer released one, at once");
  bucket.reward(await tickets[1]);
  await settle();
  assert.equal(times.length, 5, "the next released two");
  bucket.penalize(await tickets[2]);
  await clock.advance(10_000);
  near(
    bucket.currentRate(),
    2 * 0.45,
    "cut from the rate slow start proved (0.5 per second, doubled by two answers: 2), by the default factor, 0.45",
  );
  const before = times.length;
  bucket.reward(await tickets[3]);
  await settle();
  assert.equal(times.length, before, "after a throttling answer, answers release nothing more: the rest of the burst is forfeit");
  assert.ok(DEFAULT_THROTTLING.cut === 0.45 && DEFAULT_THROTTLING.floorPerSecond === 0.2 && DEFAULT_THROTTLING.startPerSecond === 0.5);
});

test("slow start's proved rate: a throttling answer before anything went through leaves the start rate uncut; after answers, it cuts what they proved (doubled by each), or the rate if that is lower", async () => {
  const throttling = { cut: 0.5, growth: 1, floorPerSecond: 0.01, startPerSecond: 0.5 };
  const cutAfter = async (answers: number) => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket({ perSecond: 10, burst: 20, clock, throttling, random: () => 0 });
    for (let i = 0; i < answers; i++) bucket.reward(await bucket.take());
    bucket.penalize(await bucket.take());
    return bucket.currentRate();
  };
  near(await cutAfter(0), 0.5, "throttled before anything went through: others share the account, how many is unknown: 0.5, uncut");
  near(await cutAfter(1), 0.5, "after one answer: half of 1");
  near(await cutAfter(2), 1, "after two answers: half of 2");
  near(await cutAfter(4), 4, "after four: half of 8");
  near(await cutAfter(5), 5, "after five it proved more than the ceiling: half of the rate, 10");
  near(await cutAfter(12), 5, "slow start over (the burst is out): half of the rate");
});

test("penalize: the next request waits between half an interval and one and a half at the cut rate, at random, even from a full bucket", async () => {
  for (const [random, waitMs] of [
    [0, 250],
    [0.5, 500],
    [0.75, 625],
  ]) {
    const clock = new FakeClock(0);
    const bucket = bucketAt(4, clock, undefined, () => random);
    await clock.advance(10_000); // a full bucket
    bucket.penalize({ at: 0, waited: false }); // 2 per second: an interval is 500 ms
    let sentAt = -1;
    void bucket.take().then(() => (sentAt = clock.now()));
    await settle();
    assert.equal(sentAt, -1, "not at once, though the bucket was full");
    await clock.advance(waitMs - 1);
    assert.equal(sentAt, -1, `still waiting at ${waitMs - 1} ms (random ${random})`);
    await clock.advance(1);
    assert.equal(sentAt, 10_000 + waitMs, `sent after ${0.5 + random} of an interval`);
  }
});

test("once throttled, the bucket holds one token: back at the ceiling after a quiet time, it paces its requests instead of sending a burst", async () => {
  const clock = new FakeClock(0);
  const bucket = new TokenBucket({ perSecond: 10, burst: 20, clock, throttling: { growth: 100 }, random: () => 0.5 });
  bucket.penalize(await bucket.take()); // throttled at once: 0.5 per second
  for (let i = 0; i < 10; i++) bucket.reward({ at: clock.now(), waited: true });
  near(bucket.currentRate(), 10, "back at the ceiling");
  await clock.advance(60_000);
  const times: number[] = [];
  const all = [bucket.take(), bucket.take(), bucket.take()].map((p) => p.then(() => times.push(clock.now())));
  await settle();
  assert.equal(times.length, 1, "one at once (the burst of 20 before any throttling answer)");
  await clock.advance(200);
  await Promise.all(all);
  assert.deepEqual(
    times.map((t) => t - times[0]!),
    [0, 100, 200],
    "the others an interval apart (100 ms at 10 per second)",
  );
});

test("throttling options are validated, naming the option and the rule", () => {
  assert.deepEqual(DEFAULT_THROTTLING, { cut: 0.45, growth: 0.0045, speedUpAfterMs: 12_000, floorPerSecond: 0.2, startPerSecond: 0.5 });
  for (const [throttling, message] of [
    [{ cut: 1 }, /throttling\.cut must be a number between 0 and 1 \(both excluded\); got 1\./],
    [{ cut: 0 }, /throttling\.cut .*got 0\./],
    [{ cut: Number.NaN }, /throttling\.cut .*got NaN\./],
    [{ growth: 0 }, /throttling\.growth must be a positive finite number; got 0\./],
    [{ speedUpAfterMs: -5 }, /throttling\.speedUpAfterMs must be a positive finite number; got -5\./],
    [{ floorPerSecond: -1 }, /throttling\.floorPerSecond must be a positive finite number; got -1\./],
    [{ floorPerSecond: Infinity }, /throttling\.floorPerSecond must be a positive finite number; got Infinity\./],
    [{ startPerSecond: 0 }, /throttling\.startPerSecond must be a positive finite number; got 0\./],
  ] as const) {
    assert.throws(
      () => new TokenBucket({ throttling }),
      (e: unknown) => e instanceof OptionError && message.test(e.message),
    );
  }
});
