/**
 * `npm run bench`: API calls, detection latency and wall time of the provider's waiting, side by side
 * with a baseline poller that follows Volcengine's own Terraform image resource (DescribeTasks for one
 * copy at 1, 2, 4, 8 s, then every 10 s), against the emulator with its clock sped up.
 *
 * Both pollers run on the emulator's simulated time: their clocks read the emulator's clock and their
 * timers fire after (delay / speed) real milliseconds, so a 60-minute copy is polled as it would be
 * against Volcengine, in a fraction of the time. Each poller talks to its own emulator, so every
 * request in an emulator's log is that poller's.
 *
 *   npm run bench                    speed 20 (a 60-minute copy takes 3 real minutes); about 8 minutes
 *   npm run bench -- --speed 120     faster, coarser: HTTP round trips weigh more in simulated time
 *
 * Prints tables; nothing here asserts. Figures depend on the machine; record them with the command.
 */
import { performance } from "node:perf_hooks";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { startEmulator, DEFAULT_ACCOUNT, type EmulatorHandle } from "../emulator";
import { CopiedImageLifecycle } from "../provider/lifecycle";
import { resolveSettings } from "../provider/config";
import { WireClient } from "../provider/wire";
import { DestinationRegionClient, SourceRegionClient } from "../provider/ecs";
import type { Clock } from "../provider/clock";
import { copiedImageProviderShim } from "../provider/shim";
import { captureRegistration, startPlugin, serializeProviderText } from "../kit/plugin";
import { CopiedImage } from "../provider/copied-image";

const args = process.argv.slice(2);
const speed = Number(args[args.indexOf("--speed") + 1] ?? 20) || 20;
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

async function newEmulator(durationMs: number): Promise<EmulatorHandle> {
  return startEmulator({
    clockSpeed: speed,
    copyDurationMs: durationMs,
    maxImagesPerRegion: 1000,
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

async function runOurs(durationMs: number, copies: number): Promise<Run> {
  const emu = await newEmulator(durationMs);
  const clock = scaledClock(emu);
  const vars = envFor(emu);
  const lc = new CopiedImageLifecycle({ settings: () => resolveSettings(undefined, vars), clock, log: () => undefined });
  const simStart = clock.now();
  const realStart = performance.now();
  const latencies = await Promise.all(
    Array.from({ length: copies }, async (_, n) => {
      const { inputs } = lc.check({}, { sourceImageId: SOURCE_IMAGE, destinationRegion: DEST, __meta: { resourceName: `bench-${n}`, identity: `bench/${durationMs}/${n}`, timeouts: { create: "3h" } } });
      const { id } = await lc.create(inputs);
      return detectionLatency(emu, id, clock.now());
    }),
  );
  const run = { calls: countCalls(emu), latencies, simWallMs: clock.now() - simStart, realWallMs: performance.now() - realStart };
  await emu.stop();
  return run;
}

/** Terraform's cadence (reference §10): first look after 1 s, then 2, 4, 8, then every 10 s; one DescribeTasks per copy. */
async function runBaseline(durationMs: number, copies: number): Promise<Run> {
  const emu = await newEmulator(durationMs);
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
      await clock.sleep(1_000);
      for (let delay = 1_000; ; delay = Math.min(10_000, delay * 2)) {
        const tasks = await destination.describeTasksForImages([id]);
        const task = tasks[tasks.length - 1];
        if (task?.Status === "Succeeded") break;
        if (task?.Status === "Failed") throw new Error("baseline copy failed");
        await clock.sleep(delay);
      }
      await destination.describeImage(id);
      return detectionLatency(emu, id, clock.now());
    }),
  );
  const run = { calls: countCalls(emu), latencies, simWallMs: clock.now() - simStart, realWallMs: performance.now() - realStart };
  await emu.stop();
  return run;
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
  const emu = await startEmulator({ clockSpeed: 600, copyDurationMs: 10 * 60_000, maxImagesPerRegion: 1000, seed: { images: [{ region: SOURCE_REGION, imageId: SOURCE_IMAGE, imageName: "bench-source" }] } });
  const root = resolve(__dirname, "../..");
  const plugin = await startPlugin({ cwd: root, project: "bench", env: envFor(emu) });
  try {
    await plugin.configure({});
    const regs = [];
    for (let n = 0; n < 50; n++) regs.push(await captureRegistration(() => new CopiedImage(`mem-${n}`, { sourceImageId: SOURCE_IMAGE, destinationRegion: DEST }), { project: "bench", stack: "bench" }));
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

async function main(): Promise<void> {
  console.log(`Benchmark: emulator clock ${speed}x real time; times below are simulated (as against Volcengine) unless marked real.\n`);
  const scenarios: [string, number, number][] = [
    ["1 copy, 1 min", 60_000, 1],
    ["1 copy, 10 min", 10 * 60_000, 1],
    ["1 copy, 60 min", 60 * 60_000, 1],
    ["50 copies, 10 min, one region", 10 * 60_000, 50],
  ];
  const rows: string[][] = [];
  for (const [name, duration, copies] of scenarios) {
    const [ours, base] = await Promise.all([runOurs(duration, copies), runBaseline(duration, copies)]);
    for (const [who, r] of [
      ["provider", ours],
      ["baseline (Terraform cadence)", base],
    ] as const) {
      rows.push([
        name,
        who,
        fmtCalls(r.calls, copies),
        String(Object.values(r.calls).reduce((a, b) => a + b, 0)),
        String(r.calls.DescribeTasks ?? 0),
        s(median(r.latencies)),
        s(Math.max(...r.latencies)),
        `${s(r.simWallMs)} (real ${s(r.realWallMs)}) vs copy ${s(duration)}`,
      ]);
    }
    const ratio = (base.calls.DescribeTasks ?? 0) / Math.max(1, ours.calls.DescribeTasks ?? 0);
    rows.push([name, "ratio", "", "", `baseline/provider DescribeTasks = ${ratio.toFixed(1)}x`, "", "", ""]);
  }
  const header = ["scenario", "poller", "API calls per copy", "total calls", "DescribeTasks total", "detection median", "detection worst", "wall time"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => "| " + r.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
  console.log(line(header));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const r of rows) console.log(line(r));

  const shim = await serializeProviderText(copiedImageProviderShim);
  const mem = await pluginPeakMemory();
  console.log(`\n__provider: ${shim.text.length} bytes per resource (stored twice: inputs and outputs); as registered by CopiedImage: ${mem.providerBytes} bytes`);
  console.log(`plugin peak memory (VmHWM) with 50 concurrent copies through the real dynamic-provider plugin: ${(mem.peakKiB / 1024).toFixed(1)} MiB`);
  console.log(`this benchmark process peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
