/**
 * `npm run shared-account`: several pipelines on one account. ONE emulator with an account-wide limit
 * of 5 requests per second (its `rateLimit` fault, burst 5, answering 429 `AccountFlowLimitExceeded`)
 * and separate OS processes, each running the provider's life cycle directly on its own copies (as
 * parallel CI jobs with separate stacks would), all started at once. For each row it prints the copies
 * made (each exactly once, checked in the emulator), the failures, the requests, the throttled share,
 * the wall time and the rate bound: the useful (not throttled) requests at 5 per second, the least
 * time any client could have taken for them. Last row: one stack alone, 50 copies, no limit.
 *
 * The clients know nothing of the limit: they run with the default client-side rate and the
 * production retry policy. Copies take 2 real seconds and are looked at after 1 s, then every 1-2 s
 * (a short wait policy, so that the rows measure the requests' pacing rather than waiting).
 *
 *   npm run shared-account                    every row (about 3 minutes)
 *   npm run shared-account -- 8x5 1x50/free   only these rows (PROCESSESxCOPIES, "/free": no account limit)
 *   npm run shared-account -- --before=DIR    each row also with the life cycle of another built checkout
 *                                             (DIR/dist: e.g. main's), printed above this one's
 *
 * Prints a table; nothing here asserts. Figures depend on the machine; record them with the command.
 */
import { fork } from "node:child_process";
import { performance } from "node:perf_hooks";
import { startEmulator, DEFAULT_ACCOUNT } from "../emulator";
import * as path from "node:path";
import type { CopiedImageLifecycle } from "../provider/operations/lifecycle";
import type { resolveSettings } from "../provider/settings/config";
import { printTable } from "../kit/print-table";

const SOURCE_REGION = "cn-beijing";
const DESTINATION = "cn-shanghai";
const SOURCE_IMAGE = "image-sharedsource000001";
/** The account's limit, unknown to the clients. */
const LIMIT_PER_SECOND = 5;

interface Row {
  processes: number;
  copies: number;
  limited: boolean;
  /** The build whose life cycle the processes run: this one, or another checkout's `dist` (`--before`). */
  build: { name: string; dist: string };
}

interface ChildOrder {
  url: string;
  prefix: string;
  copies: number;
  dist: string;
}
type ChildReport = { ready: true } | { done: true; failures: string[] };

/** In a child: one pipeline's life cycle, its copies at once, as a stack with `copies` resources. */
async function child(): Promise<void> {
  const order = await new Promise<ChildOrder>((res) => process.once("message", (m) => res(m as ChildOrder)));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lifecycle = require(path.join(order.dist, "provider/operations/lifecycle")) as { CopiedImageLifecycle: typeof CopiedImageLifecycle };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const config = require(path.join(order.dist, "provider/settings/config")) as { resolveSettings: typeof resolveSettings };
  const vars = {
    VOLCENGINE_ACCESS_KEY: DEFAULT_ACCOUNT.accessKey,
    VOLCENGINE_SECRET_KEY: DEFAULT_ACCOUNT.secretKey,
    VOLCENGINE_REGION: SOURCE_REGION,
    VOLCENGINE_ENDPOINT: order.url,
  };
  const lc = new lifecycle.CopiedImageLifecycle({
    settings: () => config.resolveSettings(undefined, vars),
    log: () => undefined,
    waitPolicy: { firstDelayMs: 1_000, minDelayMs: 1_000, maxDelayMs: 2_000, backoff: 1.5, budgetGapsMs: undefined },
  });
  const inputs = Array.from(
    { length: order.copies },
    (_, n) =>
      lc.check(
        {},
        {
          sourceImageId: SOURCE_IMAGE,
          destinationRegion: DESTINATION,
          __meta: { resourceName: `${order.prefix}-${n}`, identity: `shared/${order.prefix}/${n}` },
        },
      ).inputs,
  );
  send({ ready: true });
  await new Promise((res) => process.once("message", res));
  const outcomes = await Promise.allSettled(inputs.map((i) => lc.create(i)));
  const failures = outcomes.flatMap((o) => (o.status === "rejected" ? [String((o.reason as Error)?.message ?? o.reason)] : []));
  send({ done: true, failures });
  process.disconnect();
}

function send(report: ChildReport): void {
  process.send!(report);
}

/** One row: the processes started together against one emulator; what the emulator saw. */
async function run(row: Row): Promise<string[]> {
  const emu = await startEmulator({
    clockSpeed: 60,
    copyDurationMs: 120_000, // 2 real seconds
    maxImagesPerRegion: 1000,
    seed: { images: [{ region: SOURCE_REGION, imageId: SOURCE_IMAGE, imageName: "shared-source", size: 40 }] },
  });
  try {
    const before = new Set(emu.images(DESTINATION).map((i) => i.ImageId));
    if (row.limited) emu.addFault({ kind: "rateLimit", perSecond: LIMIT_PER_SECOND, burst: LIMIT_PER_SECOND });
    const children = Array.from({ length: row.processes }, () => fork(__filename, ["--child"], { stdio: "inherit" }));
    const reports = children.map((c) => new Promise<ChildReport>((res) => c.on("message", (m: ChildReport) => "done" in m && res(m))));
    await Promise.all(
      children.map((c, p) => {
        const ready = new Promise((res) => c.on("message", (m: ChildReport) => "ready" in m && res(m)));
        c.send({ url: emu.url, prefix: `p${p}`, copies: row.copies, dist: row.build.dist } satisfies ChildOrder);
        return ready;
      }),
    );
    const start = performance.now();
    for (const c of children) c.send("go");
    const finishedMs: number[] = [];
    const done = await Promise.all(reports.map((r) => r.then((d) => (finishedMs.push(performance.now() - start), d))));
    const wallMs = performance.now() - start;
    const failures = done.flatMap((d) => ("done" in d ? d.failures : []));

    const log = emu.log();
    const throttled = log.filter((e) => e.status === 429).length;
    const useful = log.length - throttled;
    const copies = emu.images(DESTINATION).filter((i) => !before.has(i.ImageId));
    const names = new Set(copies.map((i) => i.ImageName));
    const startedOnce = log.filter((e) => e.action === "CopyImage" && e.status === 200).length;
    const wanted = row.processes * row.copies;
    const once = copies.length === wanted && names.size === wanted && startedOnce === wanted;
    for (const f of failures.slice(0, 3)) console.error(`  failure: ${f}`);
    return [
      row.build.name,
      `${row.processes} x ${row.copies}`,
      row.limited ? `${LIMIT_PER_SECOND}/s` : "none",
      `${copies.length}/${wanted}${once ? ", each once" : `, NOT once (${names.size} names, ${startedOnce} CopyImage)`}`,
      String(failures.length),
      String(log.length),
      `${throttled} (${Math.round((100 * throttled) / log.length)}%)`,
      `${(wallMs / 1000).toFixed(1)} s`,
      `${(Math.min(...finishedMs) / 1000).toFixed(1)} s`,
      row.limited ? `${(useful / LIMIT_PER_SECOND).toFixed(1)} s (x${(wallMs / 1000 / (useful / LIMIT_PER_SECOND)).toFixed(2)})` : "-",
    ];
  } finally {
    await emu.stop();
  }
}

/** This build's `dist` (the script runs from `dist/scripts`). */
const THIS_DIST = path.resolve(__dirname, "..");

function parseRows(args: string[]): Row[] {
  const before = args.find((a) => a.startsWith("--before="));
  const shapes = args.filter((a) => a !== before);
  const all = [
    { processes: 8, copies: 5, limited: true },
    { processes: 20, copies: 5, limited: true },
    { processes: 1, copies: 50, limited: false },
  ];
  const rows =
    shapes.length === 0
      ? all
      : shapes.map((a) => {
          const m = /^(\d+)x(\d+)(\/free)?$/.exec(a);
          if (!m) throw new Error(`rows are PROCESSESxCOPIES, optionally with /free (no account limit), e.g. 8x5 or 1x50/free; got ${a}`);
          return { processes: Number(m[1]), copies: Number(m[2]), limited: !m[3] };
        });
  const builds = [{ name: "this build", dist: THIS_DIST }];
  if (before) {
    const dir = path.resolve(before.slice("--before=".length));
    builds.unshift({ name: `before (${path.basename(dir)})`, dist: path.join(dir, "dist") });
  }
  return rows.flatMap((r) => builds.map((build) => ({ ...r, build })));
}

async function main(): Promise<void> {
  const rows = parseRows(process.argv.slice(2));
  console.log(`Processes sharing one account (emulator rate limit ${LIMIT_PER_SECOND}/s, burst ${LIMIT_PER_SECOND}, where limited).\n`);
  const results: string[][] = [];
  for (const row of rows) results.push(await run(row));
  printTable(
    [
      "life cycle",
      "processes x copies",
      "account limit",
      "copies made",
      "failed",
      "requests",
      "throttled",
      "wall time",
      "first process done",
      "rate bound (wall / bound)",
    ],
    results,
  );
}

if (process.argv.includes("--child")) {
  child().catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
