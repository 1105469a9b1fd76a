/**
 * `npm run shared-account-sim`: `npm run shared-account` on virtual time, to choose the throttling
 * numbers (`DEFAULT_THROTTLING`) without waiting minutes a setting. Each job is the real `TokenBucket`
 * on a virtual clock; the account is a token bucket of 5 requests per second (burst 5) that answers
 * "throttled" when empty. A job of C copies does what the life cycle does in the script: one
 * DescribeImages for all its copies' lookups (they share a listing), a CopyImage for each, then waits
 * for them with the real `TaskWatcher` and the script's wait policy (first look 1 s after each copy
 * started, then every 1-2 s; one DescribeTasks a look for the copies due, one DescribeImages for
 * those it saw done). Modelling the waits as the watcher makes them matters: a simpler job (one final
 * read when all were done) ended the 8-job row at x1.11 its bound where the script ended at x1.35,
 * because the real jobs' last looks meet. A throttled request is sent again when the bucket allows,
 * as the wire does. Jobs start up to 60 ms apart, a round trip takes 10-60 ms and a copy 1.8-2.2 s, at
 * random (in the script's emulator log the 8 processes' first requests arrive over about 65 ms, and
 * a job's next request 25-45 ms after the one before it): without that noise every run of a row
 * repeats one pattern, and a setting's figures jump with any change of its numbers; with round trips
 * of 2-15 ms instead, a rule (growth by the same amount a second) met the targets in 90% of the
 * 8-job runs here and in 5 of 9 in the script. It models the script, not the wire: no retry budget.
 *
 *   npm run shared-account-sim                                   the defaults, 100 runs a row
 *   npm run shared-account-sim -- --cut 0.6 --growth 0.006       other numbers (also --speed-up-after-ms, --floor, --start, --runs)
 *   npm run shared-account-sim -- --grid                         cut 0.3-0.7 x growth 0.002-0.008
 *   npm run shared-account-sim -- --runs 3 --trace               each job's answers: time, x if throttled, @ the rate after it
 *   npm run shared-account-sim -- --seed 5                       other random runs (an offset to the seeds)
 *
 * Prints a table (the mean over the runs, the worst run in brackets, and the share of runs that meet
 * both targets of issue 19: at most 25% throttled, wall time at most 1.3x the bound); nothing here asserts.
 */
import { TokenBucket } from "../provider/ecs/rate-limit";
import { DEFAULT_THROTTLING, type ThrottlingResponse } from "../provider/settings/tunables";
import type { Clock } from "../provider/settings/clock";
import { printTable } from "../kit/print-table";
import { TaskWatcher, type TaskSource } from "../provider/waiting/task-watcher";
import { DEFAULT_WAIT_POLICY, type WaitPolicy } from "../provider/waiting/wait-policy";

/** The script's short wait policy (`shared-account.ts`): first look after 1 s, then every 1-2 s, no budget. */
const SCRIPT_WAIT_POLICY: WaitPolicy = { ...DEFAULT_WAIT_POLICY, firstDelayMs: 1_000, minDelayMs: 1_000, maxDelayMs: 2_000, budgetGapsMs: undefined };

const LIMIT_PER_SECOND = 5;

/** Virtual time: timers in a list, run in order; the clock jumps to the next one when nothing else can run. */
class VirtualTime implements Clock {
  private at = 0;
  private seq = 0;
  private timers: { at: number; seq: number; fn: () => void; cancelled: boolean }[] = [];
  now = () => this.at;
  setTimer = (fn: () => void, ms: number) => {
    const t = { at: this.at + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(t);
    return () => void (t.cancelled = true);
  };
  sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => (cancel(), reject(signal!.reason));
      const cancel = this.setTimer(() => (signal?.removeEventListener("abort", onAbort), resolve()), ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  /** Runs until `done` resolves. */
  async run(done: Promise<unknown>): Promise<void> {
    let finished = false;
    void done.finally(() => (finished = true));
    for (;;) {
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r)); // let every promise settle
      if (finished) return;
      this.timers = this.timers.filter((t) => !t.cancelled);
      if (this.timers.length === 0) throw new Error("stuck: nothing to wait for");
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift()!;
      this.at = Math.max(this.at, next.at);
      next.fn();
    }
  }
}

/** A seeded uniform [0, 1) (mulberry32), so that a row is the same from run to run of the script. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface RunResult {
  throttledShare: number;
  wallOverBound: number;
  wallMs: number;
}

/** One row once: `jobs` jobs of `copies` copies started together against one account (`limited`: 5/s, else none). */
async function runOnce(
  jobs: number,
  copies: number,
  limited: boolean,
  throttling: ThrottlingResponse,
  seed: number,
  tracing: boolean,
): Promise<RunResult> {
  const time = new VirtualTime();
  const random = seeded(seed);
  let tokens = LIMIT_PER_SECOND;
  let refilledAt = 0;
  let sent = 0;
  let throttled = 0;
  const admits = () => {
    sent++;
    if (!limited) return true;
    tokens = Math.min(LIMIT_PER_SECOND, tokens + ((time.now() - refilledAt) / 1000) * LIMIT_PER_SECOND);
    refilledAt = time.now();
    if (tokens >= 1) return ((tokens -= 1), true);
    throttled++;
    return false;
  };
  /** One request of a job, sent again while throttled; `trace` (with --trace) gets its answer's time, an x if throttled, and the rate after it. */
  const request = async (bucket: TokenBucket, trace?: string[]) => {
    for (;;) {
      const ticket = await bucket.take();
      const roundTripMs = 10 + 50 * random();
      await time.sleep(roundTripMs / 2);
      const through = admits();
      await time.sleep(roundTripMs / 2);
      if (through) bucket.reward(ticket);
      else bucket.penalize(ticket);
      trace?.push(`${(time.now() / 1000).toFixed(1)}${through ? "" : "x"}@${bucket.currentRate().toFixed(2)}`);
      if (through) return;
    }
  };
  const job = async () => {
    await time.sleep(60 * random());
    const bucket = new TokenBucket({ clock: time, random, throttling });
    const trace = tracing ? [] : undefined;
    const send = () => request(bucket, trace);
    // The copies' ends, set when the account takes each CopyImage; the watcher's looks see them.
    const ends = new Map<string, number>();
    const done = (id: string) => time.now() >= ends.get(id)!;
    const source: TaskSource = {
      describeTasksForImages: async (ids) => {
        await send();
        return ids.map((id) => ({
          Id: `t-${id}`,
          ResourceId: id,
          Type: "CopyImage",
          Status: done(id) ? "Succeeded" : "Running",
          Process: done(id) ? 100 : 50,
        }));
      },
      describeImages: async (ids) => {
        await send();
        return ids.map((id) => ({ ImageId: id, Status: done(id) ? "available" : "creating" }));
      },
    };
    const watcher = new TaskWatcher("sim", source, SCRIPT_WAIT_POLICY, time);
    const lookup = send(); // one DescribeImages: every copy's lookup of a copy a lost run started
    await Promise.all(
      Array.from({ length: copies }, async (_, n) => {
        await lookup;
        await send(); // CopyImage
        ends.set(`i${n}`, time.now() + 1_800 + 400 * random());
        const outcome = await watcher.wait(`i${n}`, { deadline: Infinity });
        if (outcome.kind !== "succeeded") throw new Error(`a copy's wait ended ${outcome.kind}`);
      }),
    );
    if (trace) console.log(`  done at ${(time.now() / 1000).toFixed(1)} s: ${trace.join(" ")}`);
    return time.now();
  };
  const done = Promise.all(Array.from({ length: jobs }, job));
  await time.run(done);
  const wallMs = Math.max(...(await done));
  const boundMs = ((sent - throttled) / LIMIT_PER_SECOND) * 1000;
  if (tracing)
    console.log(`${jobs} x ${copies}, seed ${seed}: ${throttled} of ${sent} throttled, x${(wallMs / boundMs).toFixed(2)} the rate bound\n`);
  return { throttledShare: throttled / sent, wallOverBound: wallMs / boundMs, wallMs };
}

const ROWS = [
  { jobs: 8, copies: 5, limited: true },
  { jobs: 20, copies: 5, limited: true },
  { jobs: 1, copies: 50, limited: false },
];

interface Runs {
  runs: number;
  /** Added to every run's seed (`--seed`): other random runs. */
  seedOffset: number;
  tracing: boolean;
}

async function row(throttling: ThrottlingResponse, { runs, seedOffset, tracing }: Runs): Promise<string[]> {
  const cells = [
    `cut ${throttling.cut}, growth ${throttling.growth}, speed-up after ${throttling.speedUpAfterMs / 1000} s, floor ${throttling.floorPerSecond}, start ${throttling.startPerSecond}`,
  ];
  for (const r of ROWS) {
    const results: RunResult[] = [];
    for (let seed = 1; seed <= runs; seed++) results.push(await runOnce(r.jobs, r.copies, r.limited, throttling, seed * 7919 + seedOffset, tracing));
    const mean = (f: (x: RunResult) => number) => results.reduce((a, x) => a + f(x), 0) / results.length;
    const worst = (f: (x: RunResult) => number) => Math.max(...results.map(f));
    const share = (f: (x: RunResult) => boolean) => results.filter(f).length / results.length;
    const pct = (x: number) => `${Math.round(100 * x)}%`;
    cells.push(
      r.limited
        ? `${pct(mean((x) => x.throttledShare))} (${pct(worst((x) => x.throttledShare))}), x${mean((x) => x.wallOverBound).toFixed(2)} (x${worst((x) => x.wallOverBound).toFixed(2)}), ${pct(share((x) => x.wallOverBound <= 1.3 && x.throttledShare <= 0.25))} of runs`
        : `${(mean((x) => x.wallMs) / 1000).toFixed(1)} s`,
    );
  }
  return cells;
}

function numberOption(args: string[], name: string): number | undefined {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return undefined;
  const value = Number(args[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number; got ${args[at + 1]}`);
  return value;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runs: Runs = { runs: numberOption(args, "runs") ?? 100, seedOffset: numberOption(args, "seed") ?? 0, tracing: args.includes("--trace") };
  const given: ThrottlingResponse = {
    cut: numberOption(args, "cut") ?? DEFAULT_THROTTLING.cut,
    growth: numberOption(args, "growth") ?? DEFAULT_THROTTLING.growth,
    speedUpAfterMs: numberOption(args, "speed-up-after-ms") ?? DEFAULT_THROTTLING.speedUpAfterMs,
    floorPerSecond: numberOption(args, "floor") ?? DEFAULT_THROTTLING.floorPerSecond,
    startPerSecond: numberOption(args, "start") ?? DEFAULT_THROTTLING.startPerSecond,
  };
  const settings = args.includes("--grid")
    ? [0.3, 0.45, 0.6, 0.7].flatMap((cut) => [0.002, 0.003, 0.0045, 0.006, 0.008].map((growth) => ({ ...given, cut, growth })))
    : [given];
  console.log(`Jobs sharing one account on virtual time (limit ${LIMIT_PER_SECOND}/s, burst ${LIMIT_PER_SECOND}), ${runs.runs} runs a row.\n`);
  const rows: string[][] = [];
  for (const t of settings) rows.push(await row(t, runs));
  printTable(["throttling", "8 x 5 at 5/s: throttled, wall / rate bound, runs on target", "20 x 5 at 5/s", "1 x 50 alone: wall"], rows);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
