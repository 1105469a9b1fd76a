// Unit tests of provider/waiting/poll-until.ts on a fake clock: the one retry/wait loop of the life cycle.
import { test } from "node:test";
import assert from "node:assert/strict";
import { pollUntil, type Look } from "../../../provider/waiting/poll-until";
import { FakeClock, settle } from "../fake-clock";

const backoff = { initialMs: 100, maxMs: 400, factor: 2 };

test("pollUntil: looks until done, sleeping by the backoff up to its ceiling, and says why before each sleep", async () => {
  const clock = new FakeClock();
  const start = clock.now();
  const looks: number[] = [];
  const retries: [string, number][] = [];
  const run = pollUntil<string>(
    async (attempt): Promise<Look<string>> => {
      looks.push(clock.now() - start);
      return attempt < 5 ? { done: false, reason: `busy ${attempt}` } : { done: true, value: "gone" };
    },
    { backoff, deadline: Infinity, clock, onRetry: (reason, delay) => retries.push([reason, delay]) },
  );
  await clock.runUntilIdle();
  assert.deepEqual(await run, { kind: "done", value: "gone", attempts: 5, elapsedMs: 100 + 200 + 400 + 400 });
  assert.deepEqual(looks, [0, 100, 300, 700, 1100]);
  assert.deepEqual(retries, [
    ["busy 1", 100],
    ["busy 2", 200],
    ["busy 3", 400],
    ["busy 4", 400],
  ]);
});

test("pollUntil: no sleep starts that would end past the deadline; the outcome carries the last reason", async () => {
  const clock = new FakeClock();
  const run = pollUntil(async () => ({ done: false, reason: "still listed" }), { backoff, deadline: clock.now() + 350, clock });
  await clock.runUntilIdle();
  const o = await run;
  assert.equal(o.kind, "timedOut");
  assert.equal((o as { reason?: string }).reason, "still listed");
  assert.equal(o.attempts, 3, "looks at 0, 100 and 300; the next sleep (400 ms) would end at 700, past 350");
  assert.equal(o.elapsedMs, 300);
});

test("pollUntil: stops after maxAttempts with the outcome exhausted", async () => {
  const clock = new FakeClock();
  let n = 0;
  const run = pollUntil(async () => ({ done: false, reason: `try ${++n}` }), { backoff, deadline: Infinity, clock, maxAttempts: 3 });
  await clock.runUntilIdle();
  assert.deepEqual(await run, { kind: "exhausted", reason: "try 3", attempts: 3, elapsedMs: 300 });
});

test("pollUntil: an abort ends the sleep at once with the outcome aborted; an aborted signal looks not at all", async () => {
  const clock = new FakeClock();
  const ac = new AbortController();
  let looks = 0;
  const run = pollUntil(async () => (looks++, { done: false, reason: "locked" }), { backoff, deadline: Infinity, clock, signal: ac.signal });
  await settle();
  ac.abort(new Error("SIGINT"));
  const o = await run;
  assert.equal(o.kind, "aborted");
  assert.equal(looks, 1);
  assert.equal(clock.pendingTimers(), 0);

  const never = await pollUntil(async () => (looks++, { done: true, value: 1 }), { backoff, deadline: Infinity, clock, signal: AbortSignal.abort() });
  assert.equal(never.kind, "aborted");
  assert.equal(looks, 1);
});

test("pollUntil: a probe that throws ends the loop with that error (the probe decides what is worth another look)", async () => {
  const clock = new FakeClock();
  const boom = new Error("AccessDenied");
  await assert.rejects(
    pollUntil(
      async () => {
        throw boom;
      },
      { backoff, deadline: Infinity, clock },
    ),
    (e) => e === boom,
  );
});
