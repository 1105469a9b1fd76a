// Unit tests of provider/waiting/poll-schedule.ts: a pure simulation (no HTTP, no real time) of PollSchedule
// against copies whose `Process` rises in different shapes, compared with Volcengine's Terraform
// cadence (DescribeTasks after 1, 2, 4, 8 s, then every 10 s) on the same copies.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PollSchedule } from "../../../provider/waiting/poll-schedule";
import { seededRandom } from "../../../kit/seeded-random";
import { DEFAULT_WAIT_POLICY, TERRAFORM_CADENCE_GAPS_MS, validateWaitPolicy, type WaitPolicy } from "../../../provider/waiting/wait-policy";

const S = 1_000;
const MIN = 60 * S;

// ------------------------------------------------------------------ the simulated copy

/** How `Process` rises with the fraction f (0 <= f < 1) of the copy done, in percent. */
export type Profile = (f: number) => number;

export const PROFILES: Record<string, Profile> = {
  linear: (f) => 100 * f,
  /** 0 % until the task is done. */
  step: () => 0,
  /** 25 % steps. */
  staircase: (f) => 25 * Math.floor(4 * f),
  /** Fast to 90 % by 30 % of the time, then slow. */
  stall: (f) => (f < 0.3 ? (90 * f) / 0.3 : 90 + (10 * (f - 0.3)) / 0.7),
  "front-loaded": (f) => 100 * Math.sqrt(f),
  "back-loaded": (f) => 100 * f * f,
};

export interface SimOptions {
  profile: Profile;
  durationMs: number;
  /** Time from the start of waiting to the task's start (Pending before). Default 0. */
  pendingMs?: number;
  /** Round trip of one DescribeTasks; the API reads the task half-way through it. Default 100 ms. */
  roundTripMs?: number;
  /** Seed of the per-look jitter of `Process` (-1, 0 or +1 percent); none when undefined. */
  jitterSeed?: number;
  /**
   * Round trips that vary: each call is sent up to a third of this late (a timer firing late) and
   * each half of its round trip takes up to a third more, drawn from this seed. Default: none.
   */
  roundTripJitter?: { ms: number; seed: number };
  /** Tell the schedule when each call was sent (as the TaskWatcher does). Default true. */
  reportSentAt?: boolean;
  policy?: WaitPolicy;
}

export interface SimResult {
  /** From the task's end to the arrival of the answer that shows it. */
  detectionMs: number;
  /** DescribeTasks calls made until then. */
  looks: number;
  /** The same for the Terraform cadence on the same copy. */
  terraformDetectionMs: number;
  terraformLooks: number;
  /** Every delay the schedule asked for. */
  delays: number[];
}

const rng = seededRandom;

/**
 * Runs one wait as TaskWatcher drives the schedule: ask for a delay, make the call (the API reads the
 * task half a round trip after it is sent and answers a round trip after), feed a running task's
 * `Process` to `observe`, ask again. The task runs from `pendingMs` for `durationMs` and is done at
 * exactly its end; while running, `Process = floor(profile(f))` (plus jitter, clamped to 0-100).
 */
export function simulate(o: SimOptions): SimResult {
  const rtt = o.roundTripMs ?? 100;
  const policy = o.policy ?? DEFAULT_WAIT_POLICY;
  const startedAt = 1_700_000_000_000;
  const taskStart = startedAt + (o.pendingMs ?? 0);
  const end = taskStart + o.durationMs;
  const jitter =
    o.jitterSeed === undefined
      ? () => 0
      : (
          (r) => () =>
            Math.floor(r() * 3) - 1
        )(rng(o.jitterSeed));
  const read = (at: number): { status: string; process: number } => {
    if (at >= end) return { status: "Succeeded", process: 100 };
    if (at < taskStart) return { status: "Pending", process: 0 };
    const f = (at - taskStart) / o.durationMs;
    return { status: "Running", process: Math.max(0, Math.min(100, Math.floor(o.profile(f)) + jitter())) };
  };

  const vary = o.roundTripJitter
    ? (
        (r) => () =>
          (r() * o.roundTripJitter!.ms) / 3
      )(rng(o.roundTripJitter.seed))
    : () => 0;
  const reportSent = o.reportSentAt ?? true;
  const s = new PollSchedule(policy, startedAt);
  const delays: number[] = [];
  let now = startedAt;
  let sent: number | undefined;
  let looks = 0;
  let detectionMs: number;
  for (;;) {
    const d = s.nextDelay(now, reportSent ? sent : undefined);
    delays.push(d);
    sent = now + d + vary();
    const readAt = sent + rtt / 2 + vary();
    const task = read(readAt);
    now = readAt + rtt / 2 + vary();
    looks++;
    if (task.status === "Succeeded") {
      detectionMs = now - end;
      break;
    }
    if (task.status === "Running") s.observe(now, task.process, reportSent ? sent : undefined);
    if (looks > 100_000) throw new Error("the schedule never saw the end");
  }

  // Terraform: the k-th call is sent at the cadence's k-th time (ideal: no drift by round trips).
  let t = startedAt;
  let k = 0;
  for (;;) {
    t += TERRAFORM_CADENCE_GAPS_MS[Math.min(k, TERRAFORM_CADENCE_GAPS_MS.length - 1)];
    k++;
    if (t + rtt / 2 >= end) break;
  }
  return { detectionMs, looks, terraformDetectionMs: t + rtt - end, terraformLooks: k, delays };
}

const LENGTHS = [1, 10, 60];

/** Several copies near each length, at different phases against the cadence and with different Pending spells. */
function variants(minutes: number, n: number): { durationMs: number; pendingMs: number }[] {
  return Array.from({ length: n }, (_, i) => ({
    durationMs: minutes * MIN + ((i * 7_919) % 10_000) + i * 13,
    pendingMs: (i * 3_301) % 2_500,
  }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

interface Row {
  profile: string;
  minutes: number;
  jitter: boolean;
  worst: number;
  median: number;
  looksMax: number;
  tfLooksMax: number;
  overBudget: number;
  tfWorst: number;
  tfMedian: number;
}

function runRow(profile: string, minutes: number, jitter: boolean, n: number): { row: Row; results: SimResult[] } {
  const results = variants(minutes, n).map((v, i) => simulate({ profile: PROFILES[profile], ...v, jitterSeed: jitter ? 1000 + i : undefined }));
  const det = results.map((r) => r.detectionMs);
  const tf = results.map((r) => r.terraformDetectionMs);
  return {
    results,
    row: {
      profile,
      minutes,
      jitter,
      worst: Math.max(...det),
      median: median(det),
      looksMax: Math.max(...results.map((r) => r.looks)),
      tfLooksMax: Math.max(...results.map((r) => r.terraformLooks)),
      overBudget: results.filter((r) => r.looks > r.terraformLooks).length,
      tfWorst: Math.max(...tf),
      tfMedian: median(tf),
    },
  };
}

const VARIANTS = 12;

// ------------------------------------------------------------------ every profile, every length

const rows: Row[] = [];
for (const profile of Object.keys(PROFILES)) {
  for (const jitter of [false, true]) {
    test(`PollSchedule, ${profile} progress${jitter ? " with jitter" : ""}: every copy of 1, 10, 60 min is seen within 10 s, with no more calls than Terraform`, () => {
      for (const minutes of LENGTHS) {
        const { row, results } = runRow(profile, minutes, jitter, VARIANTS);
        rows.push(row);
        results.forEach((r, i) => {
          const what = `${minutes} min copy #${i}`;
          assert.ok(r.detectionMs >= 0, `${what}: seen before its end`);
          assert.ok(r.detectionMs <= 10 * S, `${what}: seen ${r.detectionMs} ms after its end`);
          assert.ok(r.looks <= r.terraformLooks, `${what}: ${r.looks} calls vs Terraform's ${r.terraformLooks}`);
          assert.ok(
            r.delays.every((d) => d >= DEFAULT_WAIT_POLICY.minDelayMs && d <= DEFAULT_WAIT_POLICY.maxDelayMs),
            `${what}: a delay outside [min, max]`,
          );
        });
        if (profile === "linear" && !jitter) assert.ok(row.median <= 1 * S, `${minutes} min linear: median detection ${row.median} ms`);
      }
    });
  }
}

test("PollSchedule: the simulation's table (profile x length)", (t) => {
  const f = (ms: number) => (ms / S).toFixed(2);
  const lines = [
    "| profile | jitter | copy | detection worst | detection median | calls (max) | Terraform calls (max) | Terraform detection worst / median |",
    "|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.profile} | ${r.jitter ? "yes" : "no"} | ${r.minutes} min | ${f(r.worst)} s | ${f(r.median)} s | ${r.looksMax} | ${r.tfLooksMax} | ${f(r.tfWorst)} s / ${f(r.tfMedian)} s |`,
    ),
  ];
  for (const l of lines) t.diagnostic(l);
  assert.ok(rows.every((r) => r.overBudget === 0));
});

test("PollSchedule: a linear copy is seen within 1 s at the median over many phases and lengths", () => {
  const det: number[] = [];
  for (let i = 0; i < 40; i++) {
    const minutes = [1, 3, 10, 25, 60][i % 5];
    const r = simulate({ profile: PROFILES.linear, durationMs: minutes * MIN + i * 2_717, pendingMs: (i * 619) % 3_000 });
    assert.ok(r.detectionMs <= 10 * S && r.looks <= r.terraformLooks);
    det.push(r.detectionMs);
  }
  assert.ok(median(det) <= 1 * S, `median ${median(det)} ms`);
});

test("PollSchedule: with no usable progress, any end between 1 and 60 min is seen within 10 s, never with more calls than Terraform", () => {
  const r = rng(7);
  for (const profile of ["step", "staircase"]) {
    for (let i = 0; i < 60; i++) {
      const durationMs = Math.round(MIN + r() * 59 * MIN);
      const res = simulate({ profile: PROFILES[profile], durationMs, pendingMs: Math.round(r() * 3_000), roundTripMs: 50 + r() * 70 });
      assert.ok(res.detectionMs <= 10 * S, `${profile} ${durationMs} ms: seen ${res.detectionMs} ms late`);
      assert.ok(res.looks <= res.terraformLooks, `${profile} ${durationMs} ms: ${res.looks} calls vs ${res.terraformLooks}`);
    }
  }
});

test("PollSchedule: once the budget saved at the start is spent (long copy, slow round trip), the schedule is Terraform's cadence exactly", () => {
  // Each gap of 10 s less 1.5 round trips spends half a round trip of the ~24 s saved at the start:
  // at 0.3 s that lasts about 27 minutes. Then calls go out on the cadence's own times: the same
  // calls as Terraform, and an end is seen as late as Terraform sees it, 10 s plus half a round trip.
  for (let i = 0; i < 40; i++) {
    const r = simulate({ profile: PROFILES.step, durationMs: 90 * MIN + i * 251, roundTripMs: 300 });
    assert.ok(r.looks <= r.terraformLooks, `${r.looks} calls vs ${r.terraformLooks}`);
    assert.ok(r.detectionMs <= 10 * S + 150, `${r.detectionMs} ms`);
    assert.ok(r.detectionMs <= r.terraformDetectionMs, `${r.detectionMs} ms vs Terraform's ${r.terraformDetectionMs} ms`);
  }
});

test("PollSchedule: with round trips that vary (timers late, answers slow), a linear copy of 1, 10 or 60 min is still seen within 1 s at the median", () => {
  // Varying round trips used to drain the budget saved at the start (each gap was shortened by the
  // largest recent round trip): 60-minute copies were then seen 2-3 s late at the median.
  for (const minutes of LENGTHS) {
    const det: number[] = [];
    variants(minutes, 20).forEach((v, i) => {
      const r = simulate({ profile: PROFILES.linear, ...v, roundTripMs: 60, roundTripJitter: { ms: 300, seed: 50 + i } });
      assert.ok(r.detectionMs >= 0 && r.detectionMs <= 10 * S, `${minutes} min #${i}: seen ${r.detectionMs} ms after its end`);
      assert.ok(r.looks <= r.terraformLooks, `${minutes} min #${i}: ${r.looks} calls vs Terraform's ${r.terraformLooks}`);
      det.push(r.detectionMs);
    });
    assert.ok(median(det) <= 1 * S, `${minutes} min: median ${median(det)} ms`);
  }
});

test("PollSchedule: steady looks go out on the budget's own 10 s cadence, so the calls saved at the start are still there after an hour", () => {
  const D = 70 * MIN;
  const s = new PollSchedule(DEFAULT_WAIT_POLICY, 0);
  const vary = rng(5);
  let now = 0;
  let sent: number | undefined;
  while (now < 60 * MIN) {
    const d = s.nextDelay(now, sent);
    sent = now + d + vary() * 100;
    const readAt = sent + 30 + vary() * 150;
    now = readAt + 30 + vary() * 150;
    s.observe(now, Math.floor((100 * readAt) / D), sent);
  }
  // Terraform's cadence has made 3 + floor((now - 15 s) / 10 s) + 1 looks by now; the schedule skipped
  // the looks at 1, 3 and 7 s, and keeps that saving for the window at the end.
  const terraformLooks = 4 + Math.floor((now - 15 * S) / (10 * S));
  assert.ok(terraformLooks - s.looks >= 2, `${s.looks} looks vs Terraform's ${terraformLooks} by ${now} ms`);
});

/** Drives a schedule, as the TaskWatcher does, through a linear copy that ends at D (from 0), until `until`; the API reads the task half-way through each round trip. */
function followLinearCopy(D: number, until: number, roundTripMs: number): { s: PollSchedule; now: number } {
  const s = new PollSchedule(DEFAULT_WAIT_POLICY, 0);
  let now = 0;
  let sent: number | undefined;
  while (now < until) {
    sent = now + s.nextDelay(now, sent);
    now = sent + roundTripMs;
    s.observe(now, Math.floor((100 * (sent + roundTripMs / 2)) / D), sent);
  }
  return { s, now };
}

test("PollSchedule: the vernier narrows the finish window of 60-minute copies to about a second a minute before the end", () => {
  // A percent of a 60-minute copy lasts about 36 s, which a 10 s cadence meets at few phases: steady
  // looks alone left windows 2-4 s wide. Looks moved a little earlier halve the window instead.
  const widths: number[] = [];
  for (let i = 0; i < 20; i++) {
    const D = 60 * MIN * (0.9 + 0.01 * i) + i * 977;
    const { s } = followLinearCopy(D, D - 60 * S, 100);
    const w = s.finishWindow()!;
    assert.ok(w.earliest <= D && D <= w.latest, `#${i}: window ${JSON.stringify(w)} misses the finish ${D}`);
    widths.push(w.latest - w.earliest);
  }
  assert.ok(median(widths) <= 1_200, `median window ${median(widths)} ms wide`);
});

test("PollSchedule: a copy closing in on its finish declines rides on other copies' calls before its window opens, and takes them in it", () => {
  const D = 10 * MIN;
  const { s, now } = followLinearCopy(D, D - 60 * S, 60);
  const w = s.finishWindow()!;
  assert.ok(w && w.earliest <= D && D <= w.latest, `window ${JSON.stringify(w)} holds the finish ${D}`);
  assert.equal(s.welcomes(now + 1_000), true, "far from the window: a ride is welcome when the budget affords it");
  assert.equal(s.welcomes(w.earliest - 5 * S), false, "closing in, before the window: declined");
  assert.equal(s.welcomes(w.earliest + 1), true, "in the window: taken");
  // Without a budget every look is free.
  assert.equal(new PollSchedule({ ...DEFAULT_WAIT_POLICY, budgetGapsMs: undefined }, 0).welcomes(1), true);
});

test("PollSchedule: when the budget affords no look in the window, the next look is the earliest one it allows, not a steady gap later", () => {
  // A 13-second copy (t0 = 0, 130 ms a percent), looked at on plan at 9 s, then twice more for other
  // copies sharing the call (at 10 and 11 s). Terraform's cadence has made 3 looks by 11 s and makes
  // its 4th at 15 s; the window [~12.8, ~13.4] s has no affordable look in it.
  const s = new PollSchedule(DEFAULT_WAIT_POLICY, 0);
  assert.equal(s.nextDelay(0), 9_000);
  for (const [sent, process] of [
    [9_000, 69],
    [10_000, 76],
    [11_000, 84],
  ]) {
    s.observe(sent + 50, process, sent);
    if (sent < 11_000) s.nextDelay(sent + 50, sent);
  }
  const w = s.finishWindow()!;
  assert.ok(w.earliest <= 13_000 && 13_000 <= w.latest && w.latest < 15_000, `window ${JSON.stringify(w)}`);
  assert.equal(11_050 + s.nextDelay(11_050, 11_000), 15_000, "the budget's next look, rather than 10 s on");
});

test("PollSchedule: a slower round trip (0.4 s) still sees every end within 10 s", () => {
  for (const profile of ["step", "linear", "back-loaded"]) {
    for (const v of variants(10, 6)) {
      const r = simulate({ profile: PROFILES[profile], ...v, roundTripMs: 400 });
      assert.ok(r.detectionMs <= 10 * S, `${profile}: ${r.detectionMs} ms`);
      assert.ok(r.looks <= r.terraformLooks, `${profile}: ${r.looks} vs ${r.terraformLooks}`);
    }
  }
});

// ------------------------------------------------------------------ the schedule's edges

test("PollSchedule: first look after firstDelay, then steady gaps of at most maxDelay while nothing moves", () => {
  const s = new PollSchedule(DEFAULT_WAIT_POLICY, 0);
  assert.equal(s.nextDelay(0), DEFAULT_WAIT_POLICY.firstDelayMs);
  assert.equal(s.nextDelay(0), DEFAULT_WAIT_POLICY.firstDelayMs, "asking twice at the same time is one look");
  let now = DEFAULT_WAIT_POLICY.firstDelayMs;
  for (let i = 0; i < 50; i++) {
    s.observe(now, 0);
    const d = s.nextDelay(now);
    assert.equal(d, DEFAULT_WAIT_POLICY.maxDelayMs, "no round trip measured: the full gap");
    now += d;
  }
  assert.equal(s.looks, 50);
  assert.equal(s.predictedFinish(), undefined);
  assert.equal(s.remainingMs(now), undefined);
});

test("PollSchedule: the budget holds even when a caller asks for delays without looking", () => {
  // Calls at new times each count as a look; the n-th may not come before Terraform's n-th.
  const s = new PollSchedule(DEFAULT_WAIT_POLICY, 0);
  let now = s.nextDelay(0);
  const cadence = [1, 3, 7, 15, 25, 35, 45].map((x) => x * S);
  for (let n = 1; n <= 30; n++) {
    const d = s.nextDelay(now);
    now += d;
    const tfNth = n < cadence.length ? cadence[n] : 15 * S + (n - 3) * 10 * S;
    assert.ok(now >= tfNth, `look ${n + 1} at ${now} before Terraform's at ${tfNth}`);
  }
});

test("PollSchedule: Process going backwards, 100 before done, NaN, huge or negative values never break the bounds", () => {
  const r = rng(42);
  const weird = [NaN, undefined, Infinity, -Infinity, 1e308, -5, 150, 100, 99.999, 0];
  for (let run = 0; run < 200; run++) {
    const s = new PollSchedule(DEFAULT_WAIT_POLICY, 0);
    let now = 0;
    for (let i = 0; i < 60; i++) {
      const d = s.nextDelay(now);
      assert.ok(d >= DEFAULT_WAIT_POLICY.minDelayMs && d <= DEFAULT_WAIT_POLICY.maxDelayMs, `delay ${d}`);
      now += d + r() * 300;
      const pick = r();
      s.observe(now, pick < 0.3 ? weird[Math.floor(r() * weird.length)] : Math.floor(r() * 101));
    }
  }
});

test("PollSchedule: Process at 100 while still running does not stop the looks", () => {
  const s = new PollSchedule(DEFAULT_WAIT_POLICY, 0);
  let now = s.nextDelay(0);
  for (const p of [10, 40, 70, 100, 100, 100, 100]) {
    s.observe(now, p);
    const d = s.nextDelay(now);
    assert.ok(d <= DEFAULT_WAIT_POLICY.maxDelayMs);
    now += d;
  }
  // The window lies in the past (the copy should have ended): no prediction, steady gaps.
  assert.equal(s.remainingMs(now), undefined);
  assert.equal(s.nextDelay(now), DEFAULT_WAIT_POLICY.maxDelayMs);
});

test("PollSchedule: Process going backwards falls back to the latest looks, then to steady gaps", () => {
  const s = new PollSchedule(DEFAULT_WAIT_POLICY, 0);
  let now = s.nextDelay(0);
  for (const p of [50, 60, 70, 10, 80, 5]) {
    s.observe(now, p);
    now += s.nextDelay(now);
  }
  assert.ok(s.nextDelay(now) <= DEFAULT_WAIT_POLICY.maxDelayMs);
  s.observe(now, Number.NaN); // ignored
  s.observe(now - 5_000, 90); // out of order: ignored
});

test("PollSchedule: a linear copy's finish is predicted, and the time left with it", () => {
  const D = 20 * MIN;
  const s = new PollSchedule(DEFAULT_WAIT_POLICY, 0);
  let now = s.nextDelay(0);
  while (now < D / 2) {
    s.observe(now, Math.floor((100 * now) / D));
    now += s.nextDelay(now);
  }
  const predicted = s.predictedFinish();
  assert.ok(predicted !== undefined && Math.abs(predicted - D) <= 0.01 * D, `predicted ${predicted}`);
  const left = s.remainingMs(now);
  assert.ok(left !== undefined && Math.abs(left - (D - now)) <= 0.02 * D, `left ${left}`);
});

test("PollSchedule: a look made early for another copy sharing the call counts, and is affordable only within the budget", () => {
  const s = new PollSchedule(DEFAULT_WAIT_POLICY, 0);
  s.nextDelay(0);
  // The Terraform cadence's first look is at 1 s: before it, no look is affordable; at 1 s, one is.
  assert.equal(s.affords(500), false);
  assert.equal(s.affords(1_000), true);
  s.nextDelay(1_000); // another copy's poll read this one too
  assert.equal(s.looks, 1);
  assert.equal(s.affords(2_000), false, "the second look only from the cadence's second (3 s)");
  assert.equal(s.affords(3_000), true);
  // Without a budget every look is affordable.
  const free = new PollSchedule({ ...DEFAULT_WAIT_POLICY, budgetGapsMs: undefined }, 0);
  assert.equal(free.affords(1), true);
});

test("PollSchedule: a policy without a budget (written before it existed) is bounded by maxDelay alone", () => {
  const old: WaitPolicy = { firstDelayMs: 50, minDelayMs: 20, maxDelayMs: 200, backoff: 1.5, invisibleGraceMs: 3_000, imageCheckEveryMs: 2_000 };
  const s = new PollSchedule(old, 0);
  assert.equal(s.nextDelay(0), 50);
  let now = 50;
  for (let i = 0; i < 20; i++) {
    const d = s.nextDelay(now);
    assert.ok(d >= 20 && d <= 200);
    now += d;
  }
  assert.throws(() => s.nextDelay(Number.NaN), /now must be a finite time/);
});

// ------------------------------------------------------------------ validation

test("validateWaitPolicy: the defaults pass; each broken rule is named with the option and the value", () => {
  validateWaitPolicy(DEFAULT_WAIT_POLICY);
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
