/**
 * `npm run bench`: how soon the provider sees a copy end, and how many DescribeTasks calls it spends,
 * side by side with a baseline poller on Volcengine's own Terraform cadence (DescribeTasks for one copy
 * after 1, 2, 4, 8 s, then every 10 s), against the emulator with its clock sped up, for every
 * progress profile the emulator offers (how `Process` rises is not documented: linear, step,
 * staircase, stall, front-loaded) and copies of 1, 10 and 60 minutes; then 50 copies in one region.
 * Last it says, for each promise of the waiting (README, "Cost of waiting"), whether this run kept it:
 * worst detection at most 10 s, no median more than 1 s later than the cadence's, no copy with more
 * DescribeTasks than the cadence, and 50 copies in a region at least 45x fewer DescribeTasks.
 *
 * Both pollers run on the emulator's simulated time: their clocks read the emulator's clock and their
 * timers fire after (delay / speed) real milliseconds, so a 60-minute copy is polled as it would be
 * against Volcengine, in a fraction of the time. Each copy has its own emulator, so every request in
 * an emulator's log is that copy's. Each row is COPIES copies whose lengths spread over +-10% of the
 * row's length and by a few more seconds each (so the end falls at different phases of the pollers' looks).
 *
 *   npm run bench                    speed 20 (a 60-minute copy takes 3 real minutes); about 5 minutes
 *   npm run bench -- --speed 60      faster, coarser: HTTP round trips weigh more in simulated time
 *
 * Prints tables and the promises kept; nothing here asserts (a loaded machine makes timers late, which
 * shows in both pollers' figures). Figures depend on the machine; record them with the command.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { startEmulator, PROGRESS_PROFILES, type ProgressProfile } from "../emulator";
import { DEST, SOURCE_IMAGE, SOURCE_REGION, envFor, runBaseline, runOurs, useSpeed } from "./bench-pollers";
import { copiedImageProviderShim } from "../provider/dynamic/shim";
import { captureRegistration, startPlugin, serializeProviderText } from "../kit/plugin";
import { CopiedImage } from "../provider/dynamic/copied-image";
import { printTable } from "../kit/print-table";

const args = process.argv.slice(2);
const speed = (args.includes("--speed") && Number(args[args.indexOf("--speed") + 1])) || 20;
useSpeed(speed);
/** Copies per row (lengths spread over +-10%). */
const COPIES = 5;
const PROFILES = PROGRESS_PROFILES;
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
  const runs = await Promise.all(
    Array.from({ length: COPIES }, (_, i) => run(durationMs * (0.9 + (0.2 * i) / (COPIES - 1)) + i * 2_345, 1, profile)),
  );
  return {
    latencies: runs.flatMap((r) => r.latencies),
    describeTasks: runs.map((r) => r.calls.DescribeTasks ?? 0),
    calls: runs.map((r) => Object.values(r.calls).reduce((a, b) => a + b, 0)),
  };
}

/** The provider and the baseline on the same row, side by side. */
async function both(ms: number, profile: ProgressProfile) {
  const [ours, base] = await Promise.all([spread(runOurs, ms, profile), spread(runBaseline, ms, profile)]);
  return { ours, base };
}

async function main(): Promise<void> {
  console.log(`Benchmark: emulator clock ${speed}x real time; times are simulated (as against Volcengine). ${COPIES} copies a row, lengths +-10%.\n`);
  const lengths: [string, number][] = [
    ["1 min", 60_000],
    ["10 min", 10 * 60_000],
    ["60 min", 60 * 60_000],
  ];
  // One length at a time (every profile at once), so that fewer emulators share the event loop and a
  // round trip stays close to a real network's in simulated time.
  const results = [];
  for (const [name, ms] of lengths) {
    const group = PROFILES.map((profile) => ({ profile, name, ms }));
    results.push(...(await Promise.all(group.map(async (c) => ({ ...c, ...(await both(c.ms, c.profile)) })))));
  }
  results.sort((a, b) => PROFILES.indexOf(a.profile) - PROFILES.indexOf(b.profile));
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

  const kept = (ok: boolean) => (ok ? "kept" : "NOT KEPT");
  const worst = Math.max(...results.flatMap((r) => r.ours.latencies));
  const medianLag = Math.max(...results.map((r) => median(r.ours.latencies) - median(r.base.latencies)));
  const extraCalls = Math.max(...results.flatMap((r) => r.ours.describeTasks.map((n, i) => n - r.base.describeTasks[i])));
  console.log("\nPromises of the waiting, in this run:");
  console.log(`- worst detection at most 10 s in every row: ${kept(worst <= 10_000)} (worst ${s(worst)})`);
  console.log(`- no row's median more than 1 s later than the cadence's: ${kept(medianLag <= 1_000)} (at most ${s(medianLag)} later)`);
  console.log(
    `- DescribeTasks per copy at most the cadence's, every copy: ${kept(extraCalls <= 0)} (provider minus cadence, largest: ${extraCalls})`,
  );
  console.log(`- 50 copies in a region at least 45x fewer DescribeTasks than the cadence: ${kept(ratio >= 45)} (${ratio.toFixed(1)}x)`);

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
