/**
 * `npm run bench`: how soon the provider sees a copy end, and how many DescribeTasks calls it spends,
 * side by side with a baseline poller on Volcengine's own Terraform cadence (DescribeTasks for one copy
 * after 1, 2, 4, 8 s, then every 10 s), against the emulator with its clock sped up, for every
 * progress profile the emulator offers (how `Process` rises is not documented: linear, step,
 * staircase, stall, front-loaded) and copies of 1, 10 and 60 minutes; then 50 copies in one region.
 *
 * Both pollers run on the emulator's simulated time: their clocks read the emulator's clock and their
 * timers fire after (delay / speed) real milliseconds, so a 60-minute copy is polled as it would be
 * against Volcengine, in a fraction of the time. Each copy has its own emulator, so every request in
 * an emulator's log is that copy's. Each row is COPIES copies whose lengths spread over +-10% of the
 * row's length (so the end falls at different phases of the pollers' looks).
 *
 *   npm run bench                    speed 20 (a 60-minute copy takes 3 real minutes); about 5 minutes
 *   npm run bench -- --speed 60      faster, coarser: HTTP round trips weigh more in simulated time
 *
 * Prints tables; nothing here asserts. Figures depend on the machine; record them with the command.
 */
import { performance } from "node:perf_hooks";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { startEmulator, DEFAULT_ACCOUNT, type EmulatorHandle, PROGRESS_PROFILES, type ProgressProfile } from "../emulator";
import { CopiedImageLifecycle } from "../provider/lifecycle";
import { resolveSettings } from "../provider/config";
import { WireClient } from "../provider/wire";
import { DestinationRegionClient, SourceRegionClient } from "../provider/ecs";
import type { Clock } from "../provider/clock";
import { copiedImageProviderShim } from "../provider/shim";
import { captureRegistration, startPlugin, serializeProviderText } from "../kit/plugin";
import { CopiedImage } from "../provider/copied-image";

const args = process.argv.slice(2);
const speed = (args.includes("--speed") && Number(args[args.indexOf("--speed") + 1])) || 20;
/** Copies per row (lengths spread over +-10%). */
const COPIES = 5;
const PROFILES = PROGRESS_PROFILES;
const SOURCE_REGION = "cn-beijing";
const SOURCE_IMAGE = "image-benchsource0000001";
const DEST = "cn-shanghai";

/** Simulated time: the emulator's clock; timers scaled down by the emulator's speed. */
function scaledClock(emu: EmulatorHandle): Clock {
  return {
    now: () => emu.now().getTime(),
    sleep: (ms, signal) =>
      new Promise((res, rej) => {
        const t = setTimeout(res, Math.max(0, ms / speed));
        signal?.addEventListener("abort", () => {
          clearTimeout(t);
          rej(signal.reason);
        });
      }),
    setTimer: (fn, ms) => {
      const t = setTimeout(fn, Math.max(0, ms / speed));
      return () => clearTimeout(t);
    },
  };
}

async function newEmulator(durationMs: number, profile: ProgressProfile = "linear"): Promise<EmulatorHandle> {
  return startEmulator({
    clockSpeed: speed,
    copyDurationMs: durationMs,
    maxImagesPerRegion: 1000,
    world: { progressProfile: profile },
    seed: { images: [{ region: SOURCE_REGION, imageId: SOURCE_IMAGE, imageName: "bench-source", size: 40 }] },
  });
}

function envFor(emu: EmulatorHandle): Record<string, string> {
  return {
    VOLCENGINE_ACCESS_KEY: DEFAULT_ACCOUNT.accessKey,
    VOLCENGINE_SECRET_KEY: DEFAULT_ACCOUNT.secretKey,
    VOLCENGINE_REGION: SOURCE_REGION,
    VOLCENGINE_ENDPOINT: emu.url,
    VOLCENGINE_MAX_REQUESTS_PER_SECOND: "1000",
  };
}

/** Simulated ms between a copy task's end (EndAt) and `at` (simulated ms). */
function detectionLatency(emu: EmulatorHandle, imageId: string, at: number): number {
  const task = emu.tasks(DEST).find((t) => t.ResourceId === imageId);
  if (!task?.EndAt) return NaN;
  return at - task.EndsAtMs; // not EndAt: the API's times have whole seconds only
}

interface Run {
  calls: Record<string, number>;
  latencies: number[];
  simWallMs: number;
  realWallMs: number;
}

async function runOurs(durationMs: number, copies: number, profile: ProgressProfile = "linear"): Promise<Run> {
  const emu = await newEmulator(durationMs, profile);
  const clock = scaledClock(emu);
  const vars = envFor(emu);
  const lc = new CopiedImageLifecycle({ settings: () => resolveSettings(undefined, vars), clock, log: () => undefined });
  const simStart = clock.now();
  const realStart = performance.now();
  const latencies = await Promise.all(
    Array.from({ length: copies }, async (_, n) => {
      const { inputs } = lc.check(
        {},
        {
          sourceImageId: SOURCE_IMAGE,
          destinationRegion: DEST,
          __meta: { resourceName: `bench-${n}`, identity: `bench/${durationMs}/${n}`, timeouts: { create: "3h" } },
        },
      );
      const { id } = await lc.create(inputs);
      return detectionLatency(emu, id, clock.now());
    }),
  );
  const run = { calls: countCalls(emu), latencies, simWallMs: clock.now() - simStart, realWallMs: performance.now() - realStart };
  await emu.stop();
  return run;
}

/** Terraform's cadence (reference §10): first look after 1 s, then 2, 4, 8, then every 10 s; one DescribeTasks per copy. */
async function runBaseline(durationMs: number, copies: number, profile: ProgressProfile = "linear"): Promise<Run> {
  const emu = await newEmulator(durationMs, profile);
  const clock = scaledClock(emu);
  const wire = new WireClient({
    endpoint: { protocol: "http:", host: `${emu.host}:${emu.port}` },
    credentials: { accessKeyId: DEFAULT_ACCOUNT.accessKey, secretKey: DEFAULT_ACCOUNT.secretKey },
  });
  const source = new SourceRegionClient(wire, SOURCE_REGION);
  const destination = new DestinationRegionClient(wire, DEST);
  const simStart = clock.now();
  const realStart = performance.now();
  const latencies = await Promise.all(
    Array.from({ length: copies }, async (_, n) => {
      const id = await source.copyImage({ sourceImageId: SOURCE_IMAGE, destinationRegion: DEST, imageName: `baseline-${n}` });
      // The cadence's own times (1, 3, 7, 15, 25, 35, ... s after CopyImage), as the provider's budget
      // counts them. Terraform's loop sleeps after each answer, so it drifts by a round trip a look
      // and makes slightly fewer calls than this; a fixed grid keeps the comparison about the cadence.
      const start = clock.now();
      for (let n = 1; ; n++) {
        const at = start + cadenceTime(n);
        await clock.sleep(Math.max(0, at - clock.now()));
        const tasks = await destination.describeTasksForImages([id]);
        const task = tasks[tasks.length - 1];
        if (task?.Status === "Succeeded") break;
        if (task?.Status === "Failed") throw new Error("baseline copy failed");
      }
      await destination.describeImage(id);
      return detectionLatency(emu, id, clock.now());
    }),
  );
  const run = { calls: countCalls(emu), latencies, simWallMs: clock.now() - simStart, realWallMs: performance.now() - realStart };
  await emu.stop();
  return run;
}

/** When the Terraform cadence makes its n-th look (n >= 1), in ms after the copy started. */
function cadenceTime(n: number): number {
  const gaps = [1_000, 2_000, 4_000, 8_000];
  let t = 0;
  for (let i = 0; i < Math.min(n, gaps.length); i++) t += gaps[i];
  return t + Math.max(0, n - gaps.length) * 10_000;
}

function countCalls(emu: EmulatorHandle): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const e of emu.log()) calls[e.action] = (calls[e.action] ?? 0) + 1;
  return calls;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const fmtCalls = (c: Record<string, number>, per: number) =>
  Object.entries(c)
    .sort()
    .map(([k, v]) => `${k} ${(v / per).toFixed(v % per === 0 ? 0 : 1)}`)
    .join(", ");

/** Peak RSS of the real plugin process running 50 concurrent copies (Linux: VmHWM). */
async function pluginPeakMemory(): Promise<{ providerBytes: number; peakKiB: number }> {
  const emu = await startEmulator({
    clockSpeed: 600,
    copyDurationMs: 10 * 60_000,
    maxImagesPerRegion: 1000,
    seed: { images: [{ region: SOURCE_REGION, imageId: SOURCE_IMAGE, imageName: "bench-source" }] },
  });
  const root = resolve(__dirname, "../..");
  const plugin = await startPlugin({ cwd: root, project: "bench", env: envFor(emu) });
  try {
    await plugin.configure({});
    const regs = [];
    for (let n = 0; n < 50; n++)
      regs.push(
        await captureRegistration(() => new CopiedImage(`mem-${n}`, { sourceImageId: SOURCE_IMAGE, destinationRegion: DEST }), {
          project: "bench",
          stack: "bench",
        }),
      );
    await Promise.all(
      regs.map(async (reg) => {
        const { inputs } = await plugin.check(reg.urn, {}, reg.inputs);
        await plugin.create(reg.urn, inputs);
      }),
    );
    const status = readFileSync(`/proc/${plugin.pid}/status`, "utf8");
    const peakKiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return { providerBytes: regs[0].providerText.length, peakKiB };
  } finally {
    await plugin.stop();
    await emu.stop();
  }
}

/** One copy per emulator, COPIES copies with lengths over +-10% of `durationMs`: latencies and DescribeTasks per copy. */
async function spread(
  run: typeof runOurs,
  durationMs: number,
  profile: ProgressProfile,
): Promise<{ latencies: number[]; describeTasks: number[]; calls: number[] }> {
  const runs = await Promise.all(Array.from({ length: COPIES }, (_, i) => run(durationMs * (0.9 + (0.2 * i) / (COPIES - 1)), 1, profile)));
  return {
    latencies: runs.flatMap((r) => r.latencies),
    describeTasks: runs.map((r) => r.calls.DescribeTasks ?? 0),
    calls: runs.map((r) => Object.values(r.calls).reduce((a, b) => a + b, 0)),
  };
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => "| " + r.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
  console.log(line(header));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const r of rows) console.log(line(r));
}

async function main(): Promise<void> {
  console.log(`Benchmark: emulator clock ${speed}x real time; times are simulated (as against Volcengine). ${COPIES} copies a row, lengths +-10%.\n`);
  const lengths: [string, number][] = [
    ["1 min", 60_000],
    ["10 min", 10 * 60_000],
    ["60 min", 60 * 60_000],
  ];
  const cases = PROFILES.flatMap((profile) => lengths.map(([name, ms]) => ({ profile, name, ms })));
  const results = await Promise.all(
    cases.map(async (c) => ({ ...c, ours: await spread(runOurs, c.ms, c.profile), base: await spread(runBaseline, c.ms, c.profile) })),
  );
  const avg = (xs: number[]) => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1);
  const rows = results.map((r) => [
    r.profile,
    r.name,
    `${s(median(r.ours.latencies))} / ${s(Math.max(...r.ours.latencies))}`,
    `${s(median(r.base.latencies))} / ${s(Math.max(...r.base.latencies))}`,
    `${avg(r.ours.describeTasks)} (max ${Math.max(...r.ours.describeTasks)})`,
    `${avg(r.base.describeTasks)} (max ${Math.max(...r.base.describeTasks)})`,
    Math.max(...r.ours.describeTasks.map((n, i) => n - r.base.describeTasks[i])) <= 0 ? "yes" : "NO",
  ]);
  printTable(
    [
      "progress",
      "copy",
      "detection median / worst: provider",
      "Terraform cadence",
      "DescribeTasks per copy: provider",
      "Terraform cadence",
      "provider <= Terraform for every copy",
    ],
    rows,
  );

  console.log("\n50 copies of 10 minutes in one region, linear progress:\n");
  const [ours, base] = await Promise.all([runOurs(10 * 60_000, 50), runBaseline(10 * 60_000, 50)]);
  const manyRows: string[][] = [];
  for (const [who, r] of [
    ["provider", ours],
    ["baseline (Terraform cadence)", base],
  ] as const) {
    manyRows.push([
      who,
      fmtCalls(r.calls, 50),
      String(Object.values(r.calls).reduce((a, b) => a + b, 0)),
      String(r.calls.DescribeTasks ?? 0),
      `${s(median(r.latencies))} / ${s(Math.max(...r.latencies))}`,
      `${s(r.simWallMs)} (real ${s(r.realWallMs)})`,
    ]);
  }
  printTable(["poller", "API calls per copy", "total calls", "DescribeTasks total", "detection median / worst", "wall time"], manyRows);
  const ratio = (base.calls.DescribeTasks ?? 0) / Math.max(1, ours.calls.DescribeTasks ?? 0);
  console.log(`\nbaseline/provider DescribeTasks for 50 copies: ${ratio.toFixed(1)}x`);

  const shim = await serializeProviderText(copiedImageProviderShim);
  const mem = await pluginPeakMemory();
  console.log(
    `\n__provider: ${shim.text.length} bytes per resource (stored twice: inputs and outputs); as registered by CopiedImage: ${mem.providerBytes} bytes`,
  );
  console.log(
    `plugin peak memory (VmHWM) with 50 concurrent copies through the real dynamic-provider plugin: ${(mem.peakKiB / 1024).toFixed(1)} MiB`,
  );
  console.log(`this benchmark process peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
