// Unit tests of provider/waiting/poll-schedule.ts: a pure simulation (no HTTP, no real time) of PollSchedule
// driven as the TaskWatcher drives it, against copies of many lengths and phases, compared with Volcengine's
// Terraform cadence (DescribeTasks after 1, 2, 4, 8 s, then every 10 s) on the same copies. How `Process`
// rises does not enter the schedule (every progress profile ends at the same moment), so lengths and
// round trips are what vary here; tests/worlds and `npm run bench` run the emulator's profiles.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PollSchedule } from "../../../provider/waiting/poll-schedule";
import { seededRandom } from "../../../kit/seeded-random";
import {
  DEFAULT_WAIT_POLICY,
  TERRAFORM_CADENCE_GAPS_MS,
  cadenceLookAt,
  validateWaitPolicy,
  type WaitPolicy,
} from "../../../provider/waiting/wait-policy";

const S = 1_000;
const MIN = 60 * S;
const T0 = 1_700_000_000_000;

/** How many looks the Terraform cadence has made by `t` ms after the start. */
function terraformLooksBy(t: number): number {
  let n = 0;
  while (cadenceLookAt(TERRAFORM_CADENCE_GAPS_MS, n + 1) <= t) n++;
  return n;
}

interface Sim {
  /** From the task's end to the moment the API read it finished, and to the answer that said so. */
  readLateMs: number;
  answerLateMs: number;
  looks: number;
  /** The same for the Terraform cadence on the same copy (the call sent at each of its times). */
  terraformAnswerLateMs: number;
  terraformLooks: number;
  /** When each call went out, ms after the start. */
  sends: number[];
}

/** One copy of `durationMs`: the call goes out when due (up to `lateMs` late: a busy timer), the API reads the task half a round trip later. */
function simulate(durationMs: number, roundTripMs = 100, lateMs = 0, seed = 1, policy: WaitPolicy = DEFAULT_WAIT_POLICY): Sim {
  const r = seededRandom(seed);
  const s = new PollSchedule(policy, T0);
  const end = T0 + durationMs;
  const sends: number[] = [];
  for (;;) {
    const sentAt = s.dueAt + r() * lateMs;
    sends.push(sentAt - T0);
    const readAt = sentAt + roundTripMs / 2;
    s.looked(sentAt);
    if (readAt >= end) {
      let k = 1;
      while (T0 + cadenceLookAt(TERRAFORM_CADENCE_GAPS_MS, k) + roundTripMs / 2 < end) k++;
      const tf = T0 + cadenceLookAt(TERRAFORM_CADENCE_GAPS_MS, k) + roundTripMs;
      return {
        readLateMs: readAt - end,
        answerLateMs: sentAt + roundTripMs - end,
        looks: sends.length,
        terraformAnswerLateMs: tf - end,
        terraformLooks: k,
        sends,
      };
    }
  }
}

/** Copy lengths from 5 s to 66 min at many phases of the 10 s looks. */
function lengths(n: number, seed: number): number[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => (i < 10 ? 5 * S + i * 1_300 : Math.round(r() * 66 * MIN)));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

test("PollSchedule: any end between 5 s and 66 min is read within 10 s and answered within 10 s and a round trip", () => {
  for (const [rtt, late] of [
    [100, 0],
    [400, 0],
    [150, 300],
  ]) {
    for (const d of lengths(400, rtt + late)) {
      const sim = simulate(d, rtt, late, d);
      assert.ok(sim.readLateMs >= 0 && sim.readLateMs <= 10 * S + late, `${d} ms copy read ${sim.readLateMs} ms after its end (rtt ${rtt})`);
      assert.ok(sim.answerLateMs <= 10 * S + rtt + late, `${d} ms copy answered ${sim.answerLateMs} ms after its end`);
      for (let i = 1; i < sim.sends.length; i++) assert.ok(sim.sends[i] - sim.sends[i - 1] <= 10 * S + late, `gap ${i} of ${d} ms copy`);
    }
  }
});

test("PollSchedule: never more looks than the Terraform cadence by any moment, even with timers firing late", () => {
  for (const d of lengths(400, 7)) {
    const sim = simulate(d, 120, 500, d);
    assert.ok(sim.looks <= sim.terraformLooks, `${d} ms copy: ${sim.looks} looks, Terraform ${sim.terraformLooks}`);
    sim.sends.forEach((t, i) => assert.ok(i + 1 <= terraformLooksBy(t), `look ${i + 1} of ${d} ms copy at ${t} ms, before the cadence's`));
  }
});

test("PollSchedule: the looks fall on the Terraform cadence's own times after the first, so the median end is seen as soon as Terraform sees it", () => {
  assert.deepEqual(
    simulate(60 * S, 0).sends,
    [5, 15, 25, 35, 45, 55, 65].map((x) => x * S),
  );
  for (const minutes of [1, 10, 60]) {
    const sims = lengths(60, minutes).map((d) => simulate(minutes * MIN * 0.9 + d / 33, 150));
    const ours = median(sims.map((x) => x.answerLateMs));
    const terraform = median(sims.map((x) => x.terraformAnswerLateMs));
    assert.ok(ours <= terraform + 1 * S, `${minutes} min: median ${ours} ms against Terraform's ${terraform} ms`);
  }
});

test("PollSchedule: a copy riding on other copies' calls counts each ride, stays within the budget and the ceiling, and then keeps the others' times", () => {
  const r = seededRandom(3);
  const s = new PollSchedule(DEFAULT_WAIT_POLICY, 0);
  const looks: number[] = [];
  // Another copy's calls at random moments; this one joins where it wants to, and calls itself when due.
  for (let t = 0; t < 30 * MIN; t += 200 + r() * 4_000) {
    const at = Math.min(t, s.dueAt);
    if (!s.wantsLook(at)) continue;
    s.looked(at);
    looks.push(at);
    t = at;
  }
  looks.forEach((t, i) => assert.ok(i + 1 <= terraformLooksBy(t), `look ${i + 1} at ${t} ms, before the cadence's`));
  for (let i = 1; i < looks.length; i++) assert.ok(looks[i] - looks[i - 1] <= 10 * S, `gap ${looks[i] - looks[i - 1]} ms`);
  // A copy started 2 s after another one rides on its calls, and after the first ride one call serves both.
  const leader = new PollSchedule(DEFAULT_WAIT_POLICY, 0);
  const rider = new PollSchedule(DEFAULT_WAIT_POLICY, 2_000);
  assert.equal(new PollSchedule(DEFAULT_WAIT_POLICY, 6_000).wantsLook(leader.dueAt), false, "due 6 s after the call: no ride");
  for (let call = 1; call <= 12; call++) {
    const at = leader.dueAt;
    assert.equal(rider.wantsLook(at), true, `call ${call} at ${at} ms: due within 5 s, and the budget affords the ride`);
    leader.looked(at);
    rider.looked(at);
    assert.equal(rider.dueAt, leader.dueAt, `after call ${call}`);
  }
});

test("PollSchedule: no look before the budget allows it, however early a call comes", () => {
  const s = new PollSchedule(DEFAULT_WAIT_POLICY, 0);
  assert.equal(s.wantsLook(500), false, "before the cadence's first look (1 s)");
  s.looked(1_000); // a ride at 1 s
  assert.ok(s.dueAt >= 3_000 && s.dueAt <= 11_000, `due at ${s.dueAt}`);
  // A cadence of one look every 10 s: the first look waits for it (not 9 s), and no ride comes before it.
  const tens = new PollSchedule({ ...DEFAULT_WAIT_POLICY, budgetGapsMs: [10 * S] }, 0);
  assert.equal(tens.dueAt, 10 * S);
  assert.equal(tens.wantsLook(9_999), false, "not before the budget allows");
  assert.equal(tens.wantsLook(10 * S), true);
  tens.looked(10 * S);
  assert.equal(tens.wantsLook(19_999), false);
  assert.equal(tens.dueAt, 20 * S);
  // Without a budget (policies written before it existed): looks every maxDelay after the first.
  const old: WaitPolicy = { firstDelayMs: 50, minDelayMs: 20, maxDelayMs: 200, backoff: 1.5, invisibleGraceMs: 3_000, imageCheckEveryMs: 2_000 };
  const free = new PollSchedule(old, 0);
  const sends = [free.dueAt];
  for (let i = 0; i < 5; i++) {
    free.looked(free.dueAt);
    sends.push(free.dueAt);
  }
  assert.deepEqual(sends, [50, 250, 450, 650, 850, 1_050]);
});

test("PollSchedule: the time left follows the recent rate of Process, and says nothing until Process has risen twice", () => {
  const D = 20 * MIN;
  const s = new PollSchedule(DEFAULT_WAIT_POLICY, 0);
  s.observe(9 * S, 0);
  assert.equal(s.remainingMs(9 * S), undefined);
  for (let t = 15 * S; t < D / 2; t += 10 * S) s.observe(t, Math.floor((100 * t) / D));
  const now = D / 2;
  const left = s.remainingMs(now);
  assert.ok(left !== undefined && Math.abs(left - (D - now)) <= 0.03 * D, `left ${left} ms, should be about ${D - now}`);
  // The copy slows down to half its pace: within ten minutes the estimate follows.
  let t = now;
  for (let p = 50; p <= 80; p++, t += (2 * D) / 100) s.observe(t, p);
  const slow = s.remainingMs(t)!;
  assert.ok(Math.abs(slow - 20 * ((2 * D) / 100)) <= 0.1 * slow, `after slowing down: ${slow} ms left`);
  // Nonsense is ignored: NaN, going backwards, out of order.
  for (const p of [Number.NaN, undefined, -5, 10]) s.observe(t + S, p);
  s.observe(t - 5 * MIN, 99);
  assert.equal(s.remainingMs(t), slow);
  assert.equal(s.remainingMs(t + 60 * MIN), 0, "never negative");
});

// ------------------------------------------------------------------ validation

test("validateWaitPolicy: the defaults pass; each broken rule is named with the option and the value", () => {
  validateWaitPolicy(DEFAULT_WAIT_POLICY);
  assert.equal(DEFAULT_WAIT_POLICY.maxDelayMs, 10 * S, "the ceiling");
  const bad = (patch: Partial<Record<keyof WaitPolicy, unknown>>, message: RegExp, type: new (...a: never[]) => Error = RangeError) =>
    assert.throws(
      () => validateWaitPolicy({ ...DEFAULT_WAIT_POLICY, ...patch } as WaitPolicy),
      (e: Error) => e instanceof type && message.test(e.message),
      JSON.stringify(patch),
    );
  bad({ minDelayMs: 0 }, /^WaitPolicy\.minDelayMs must be greater than 0 .*\(got 0\)\.$/);
  bad({ minDelayMs: -1 }, /^WaitPolicy\.minDelayMs must be a finite number of milliseconds, at least 0 \(got -1\)\.$/);
  bad({ maxDelayMs: NaN }, /^WaitPolicy\.maxDelayMs must be a finite number/);
  bad({ maxDelayMs: Infinity }, /^WaitPolicy\.maxDelayMs must be a finite number/);
  bad({ firstDelayMs: "9000" }, /^WaitPolicy\.firstDelayMs must be a number of milliseconds \(got string\)\.$/, TypeError);
  bad({ maxDelayMs: 400 }, /^WaitPolicy\.maxDelayMs must be at least minDelayMs \(500\) \(got 400\)\.$/);
  bad({ firstDelayMs: 20_000 }, /^WaitPolicy\.firstDelayMs must be between minDelayMs \(500\) and maxDelayMs \(10000\) \(got 20000\)\.$/);
  bad({ firstDelayMs: 100 }, /^WaitPolicy\.firstDelayMs must be between/);
  bad(
    { maxDelayMs: 5_000, firstDelayMs: 5_000 },
    /^WaitPolicy\.maxDelayMs must be at least the budget's repeating gap, budgetGapsMs' last entry \(10000\).*\(got 5000\)\.$/,
  );
  bad({ budgetGapsMs: [] }, /^WaitPolicy\.budgetGapsMs must be a non-empty array/);
  bad({ budgetGapsMs: [1_000, 0, 10_000] }, /^WaitPolicy\.budgetGapsMs\[1\] must be a finite number of milliseconds greater than 0 \(got 0\)\.$/);
  bad({ budgetGapsMs: [1_000, NaN] }, /^WaitPolicy\.budgetGapsMs\[1\] must be/);
  bad({ imageCheckEveryMs: 0 }, /^WaitPolicy\.imageCheckEveryMs must be greater than 0/);
  bad({ invisibleGraceMs: -1 }, /^WaitPolicy\.invisibleGraceMs must be a finite number/);
  bad({ backoff: 0.5 }, /^WaitPolicy\.backoff must be a finite number of at least 1/);
  assert.throws(() => validateWaitPolicy(null as unknown as WaitPolicy), TypeError);
  // The schedule checks its policy.
  assert.throws(() => new PollSchedule({ ...DEFAULT_WAIT_POLICY, minDelayMs: 0 }, 0), /WaitPolicy\.minDelayMs/);
  // Larger gaps than the budget's are fine: the budget is a ceiling on calls, not a floor.
  validateWaitPolicy({ ...DEFAULT_WAIT_POLICY, maxDelayMs: 60_000 });
});
