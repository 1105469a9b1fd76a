/**
 * `npm run shared-account-sim`: `npm run shared-account` on virtual time, to choose the throttling
 * numbers (`DEFAULT_THROTTLING`) without waiting minutes a setting. Each job is the real `TokenBucket`
 * on a virtual clock; the account is a token bucket of 5 requests per second (burst 5) that answers
 * "throttled" when empty. A job of C copies does what the life cycle does in the script: one
 * DescribeImages for all its copies' lookups (they share a listing), a CopyImage for each, then
 * (the copies take about 2 s) one DescribeTasks per look every 1-2 s for all its copies, and one
 * DescribeImages when they are done. A throttled request is sent again when the bucket allows, as
 * the wire does. Jobs start up to 20 ms apart, a round trip takes 2-15 ms and a copy 1.8-2.2 s, at
 * random: without that noise every run of a row repeats one pattern, and a setting's figures jump
 * with any change of its numbers. It models the script, not the wire: no retry budget.
 *
 *   npm run shared-account-sim                                   the defaults, 100 runs a row
 *   npm run shared-account-sim -- --cut 0.6 --step 0.1           other numbers (also --speed-up-after-ms, --floor, --start, --runs)
 *   npm run shared-account-sim -- --grid                         cut 0.3-0.7 x step 0.025-0.2
 *
 * Prints a table (the mean over the runs, the worst run in brackets); nothing here asserts.
 */
import { TokenBucket } from "../provider/ecs/rate-limit";
import { DEFAULT_THROTTLING, type ThrottlingResponse } from "../provider/settings/tunables";
import type { Clock } from "../provider/settings/clock";
import { printTable } from "../kit/print-table";

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
async function runOnce(jobs: number, copies: number, limited: boolean, throttling: ThrottlingResponse, seed: number): Promise<RunResult> {
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
  const request = async (bucket: TokenBucket) => {
    for (;;) {
      const ticket = await bucket.take();
      const roundTripMs = 2 + 13 * random();
      await time.sleep(roundTripMs / 2);
      const through = admits();
      await time.sleep(roundTripMs / 2);
      if (through) return bucket.reward(ticket);
      bucket.penalize(ticket);
    }
  };
  const job = async () => {
    await time.sleep(20 * random());
    const bucket = new TokenBucket({ clock: time, random, throttling });
    const lookup = request(bucket); // one DescribeImages: every copy's lookup of a copy a lost run started
    const ends = await Promise.all(
      Array.from({ length: copies }, async () => {
        await lookup;
        await request(bucket); // CopyImage
        return time.now() + 1_800 + 400 * random();
      }),
    );
    await time.sleep(1_000);
    while (ends.some((end) => end > time.now())) {
      await request(bucket); // one DescribeTasks for all its copies
      if (ends.every((end) => end <= time.now())) break;
      await time.sleep(1_000 + 1_000 * random());
    }
    await request(bucket); // one DescribeImages for all its copies
    return time.now();
  };
  const done = Promise.all(Array.from({ length: jobs }, job));
  await time.run(done);
  const wallMs = Math.max(...(await done));
  const boundMs = ((sent - throttled) / LIMIT_PER_SECOND) * 1000;
  return { throttledShare: throttled / sent, wallOverBound: wallMs / boundMs, wallMs };
}

const ROWS = [
  { jobs: 8, copies: 5, limited: true },
  { jobs: 20, copies: 5, limited: true },
  { jobs: 1, copies: 50, limited: false },
];

async function row(throttling: ThrottlingResponse, runs: number): Promise<string[]> {
  const cells = [
    `cut ${throttling.cut}, step ${throttling.step}, speed-up after ${throttling.speedUpAfterMs / 1000} s, floor ${throttling.floorPerSecond}, start ${throttling.startPerSecond}`,
  ];
  for (const r of ROWS) {
    const results: RunResult[] = [];
    for (let seed = 1; seed <= runs; seed++) results.push(await runOnce(r.jobs, r.copies, r.limited, throttling, seed * 7919));
    const mean = (f: (x: RunResult) => number) => results.reduce((a, x) => a + f(x), 0) / results.length;
    const worst = (f: (x: RunResult) => number) => Math.max(...results.map(f));
    const pct = (x: number) => `${Math.round(100 * x)}%`;
    cells.push(
      r.limited
        ? `${pct(mean((x) => x.throttledShare))} (${pct(worst((x) => x.throttledShare))}), x${mean((x) => x.wallOverBound).toFixed(2)} (x${worst((x) => x.wallOverBound).toFixed(2)})`
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
  const runs = numberOption(args, "runs") ?? 100;
  const given: ThrottlingResponse = {
    cut: numberOption(args, "cut") ?? DEFAULT_THROTTLING.cut,
    step: numberOption(args, "step") ?? DEFAULT_THROTTLING.step,
    speedUpAfterMs: numberOption(args, "speed-up-after-ms") ?? DEFAULT_THROTTLING.speedUpAfterMs,
    floorPerSecond: numberOption(args, "floor") ?? DEFAULT_THROTTLING.floorPerSecond,
    startPerSecond: numberOption(args, "start") ?? DEFAULT_THROTTLING.startPerSecond,
  };
  const settings = args.includes("--grid")
    ? [0.3, 0.45, 0.6, 0.7].flatMap((cut) => [0.025, 0.05, 0.1, 0.2].map((step) => ({ ...given, cut, step })))
    : [given];
  console.log(`Jobs sharing one account on virtual time (limit ${LIMIT_PER_SECOND}/s, burst ${LIMIT_PER_SECOND}), ${runs} runs a row.\n`);
  const rows: string[][] = [];
  for (const t of settings) rows.push(await row(t, runs));
  printTable(["throttling", "8 x 5 at 5/s: throttled, wall / rate bound", "20 x 5 at 5/s", "1 x 50 alone: wall"], rows);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
