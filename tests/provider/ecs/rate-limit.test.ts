// Unit tests of the adaptive rate of provider/ecs/rate-limit.ts (TokenBucket's take / penalize / reward) on a fake
// clock: cut once per flight of throttling answers, down to the floor; grown by answers to requests the rate held
// back; slow start released by answers; jitter within an interval (injected random); options validated.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TokenBucket, type Ticket } from "../../../provider/ecs/rate-limit";
import { DEFAULT_THROTTLING, OptionError } from "../../../provider/settings/tunables";
import { FakeClock, settle } from "../fake-clock";

const near = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9 * Math.max(1, expected), `${what}: ${actual}, expected ${expected}`);

/** A bucket past slow start (burst 1: nothing held back), so that the tests below see the rate alone. */
function bucketAt(perSecond: number, clock: FakeClock, throttling = { cut: 0.5, growth: 0.25, floorPerSecond: 0.2 }, random = () => 0.5) {
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

test("reward: an answer to a request the rate held back grows the rate by the fraction, up to the ceiling; one that did not wait leaves it", async () => {
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
  near(bucket.currentRate(), 6.25, "5 x 1.25");
  for (let i = 0; i < 10; i++) bucket.reward(ticket);
  near(bucket.currentRate(), 10, "never above the ceiling");
});

test("growth and cut balance at a throttled share independent of the rate: ln(1 + growth) / (ln(1 + growth) + ln(1 / cut))", async () => {
  // Per request, not per second: a bucket held near some rate by a limit it does not know is throttled once
  // for every few answers that went through, the same few at 0.3 or at 3 requests per second.
  for (const limit of [0.3, 3]) {
    const clock = new FakeClock(0);
    const bucket = bucketAt(10, clock, { cut: 0.5, growth: 0.25, floorPerSecond: 0.01 });
    let throttled = 0;
    let sent = 0;
    for (let i = 0; i < 400; i++) {
      const ticket = await Promise.all([bucket.take(), clock.advance(60_000)]).then(([t]) => t);
      sent++;
      if (bucket.currentRate() > limit) {
        throttled++;
        bucket.penalize(ticket);
      } else bucket.reward({ ...ticket, waited: true });
    }
    const share = throttled / sent;
    const expected = Math.log(1.25) / (Math.log(1.25) + Math.log(2));
    assert.ok(Math.abs(share - expected) < 0.05, `limit ${limit}/s: throttled share ${share.toFixed(3)}, about ${expected.toFixed(3)}`);
  }
});

test("slow start: one request, then two more per answer that went through; time alone adds at the floor; the first throttling answer ends it", async () => {
  const clock = new FakeClock(0);
  const bucket = new TokenBucket({ perSecond: 10, burst: 20, clock, throttling: { floorPerSecond: 0.2 }, random: () => 0 });
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
  assert.equal(times.length, 4, "an answer released two, at once");
  bucket.penalize(await tickets[1]);
  await clock.advance(10_000);
  near(bucket.currentRate(), 0.7, "cut from the rate slow start proved (0.5 per second, doubled by one answer), by the default factor, 0.7");
  const before = times.length;
  bucket.reward(await tickets[2]);
  await settle();
  assert.equal(times.length, before, "after a throttling answer, answers release nothing more: the rest of the burst is forfeit");
  assert.ok(DEFAULT_THROTTLING.cut === 0.7 && DEFAULT_THROTTLING.floorPerSecond === 0.2 && DEFAULT_THROTTLING.startPerSecond === 0.5);
});

test("slow start's proved rate: each answer that went through doubles it; a throttling answer cuts it, or the rate if that is lower; after slow start, the rate", async () => {
  const throttling = { cut: 0.5, growth: 0.25, floorPerSecond: 0.01, startPerSecond: 0.5 };
  const cutAfter = async (answers: number) => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket({ perSecond: 10, burst: 20, clock, throttling, random: () => 0 });
    for (let i = 0; i < answers; i++) bucket.reward(await bucket.take());
    bucket.penalize(await bucket.take());
    return bucket.currentRate();
  };
  near(await cutAfter(0), 0.25, "throttled at once: half of 0.5");
  near(await cutAfter(2), 1, "after two answers: half of 2");
  near(await cutAfter(4), 4, "after four: half of 8");
  near(await cutAfter(5), 5, "after five it proved more than the ceiling: half of the rate, 10");
  near(await cutAfter(12), 5, "slow start over (the burst is out): half of the rate");
});

test("penalize: drains the bucket and the next request waits a random part of an interval at the cut rate (full jitter)", async () => {
  for (const [random, waitMs] of [
    [0, 0],
    [0.25, 125],
    [0.75, 375],
  ]) {
    const clock = new FakeClock(0);
    const bucket = bucketAt(4, clock, undefined, () => random);
    await clock.advance(10_000); // a full bucket
    bucket.penalize({ at: 0, waited: false }); // 2 per second: an interval is 500 ms
    let sentAt = -1;
    void bucket.take().then(() => (sentAt = clock.now()));
    await settle();
    if (waitMs === 0) {
      assert.equal(sentAt, 10_000, "random 0: at once");
      continue;
    }
    assert.equal(sentAt, -1, "not at once, though the bucket was full");
    await clock.advance(waitMs - 1);
    assert.equal(sentAt, -1, `still waiting at ${waitMs - 1} ms (random ${random})`);
    await clock.advance(1);
    assert.equal(sentAt, 10_000 + waitMs, `sent after ${random} of an interval`);
  }
});

test("the bucket holds the burst scaled to the current rate, at least one token: after a quiet time a cut process sends one, not a burst", async () => {
  const clock = new FakeClock(0);
  const bucket = new TokenBucket({ perSecond: 10, burst: 20, clock, random: () => 0.5 });
  for (let i = 0; i < 6; i++) bucket.penalize(await Promise.all([bucket.take(), clock.advance(60_000)]).then(([t]) => t)); // -> the floor, 0.2
  near(bucket.currentRate(), 0.2, "the floor");
  await clock.advance(60_000);
  const times: number[] = [];
  const all = [bucket.take(), bucket.take()].map((p) => p.then(() => times.push(clock.now())));
  await settle();
  assert.equal(times.length, 1, "one at once");
  await clock.advance(5_000);
  await Promise.all(all);
  assert.equal(times[1] - times[0], 5_000, "the next one interval later (5 s at 0.2 per second)");
});

test("throttling options are validated, naming the option and the rule", () => {
  assert.deepEqual(DEFAULT_THROTTLING, { cut: 0.7, growth: 0.2, floorPerSecond: 0.2, startPerSecond: 0.5 });
  for (const [throttling, message] of [
    [{ cut: 1 }, /throttling\.cut must be a number between 0 and 1 \(both excluded\); got 1\./],
    [{ cut: 0 }, /throttling\.cut .*got 0\./],
    [{ cut: Number.NaN }, /throttling\.cut .*got NaN\./],
    [{ growth: 0 }, /throttling\.growth must be a positive finite number; got 0\./],
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
