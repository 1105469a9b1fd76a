/**
 * The two pollers `npm run bench` compares, each against its own emulator on simulated time: the
 * provider's life cycle, and a baseline on Volcengine's Terraform cadence. Apart from bench.ts so that
 * each file reads in one sitting.
 */
import { performance } from "node:perf_hooks";
import { startEmulator, DEFAULT_ACCOUNT, type EmulatorHandle, type ProgressProfile } from "../emulator";
import { CopiedImageLifecycle } from "../provider/operations/lifecycle";
import { resolveSettings } from "../provider/settings/config";
import { WireClient } from "../provider/ecs/wire";
import { SourceRegionClient } from "../provider/ecs/client";
import { describeImagesById, describeTasksByImage } from "../provider/ecs/id-actions";
import type { Clock } from "../provider/settings/clock";
import { TERRAFORM_CADENCE_GAPS_MS, cadenceLookAt } from "../provider/waiting/wait-policy";

/** How much faster than real time the emulators' clocks run (set once by bench.ts). */
let speed = 20;
export function useSpeed(x: number): void {
  speed = x;
}

export const SOURCE_REGION = "cn-beijing";
export const SOURCE_IMAGE = "image-benchsource0000001";
export const DEST = "cn-shanghai";

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

export function envFor(emu: EmulatorHandle): Record<string, string> {
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

export interface Run {
  calls: Record<string, number>;
  latencies: number[];
  simWallMs: number;
  realWallMs: number;
}

export async function runOurs(durationMs: number, copies: number, profile: ProgressProfile = "linear"): Promise<Run> {
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
export async function runBaseline(durationMs: number, copies: number, profile: ProgressProfile = "linear"): Promise<Run> {
  const emu = await newEmulator(durationMs, profile);
  const clock = scaledClock(emu);
  const wire = new WireClient({
    endpoint: { protocol: "http:", host: `${emu.host}:${emu.port}` },
    credentials: { accessKeyId: DEFAULT_ACCOUNT.accessKey, secretKey: DEFAULT_ACCOUNT.secretKey },
  });
  const source = new SourceRegionClient(wire, SOURCE_REGION);
  // Terraform's poller asks for one copy a request, with no gathering: the actions themselves, not the
  // region batcher (`DestinationRegionClient` would gather the copies of the 50-copy row into shared
  // requests, and hold each request for the batch's quiet gap).
  const describeTasks = async (id: string) => [...(await describeTasksByImage.send(wire, DEST, [id], {})).values()].flat();
  const describeImage = (id: string) => describeImagesById.send(wire, DEST, [id], {});
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
        const at = start + cadenceLookAt(TERRAFORM_CADENCE_GAPS_MS, n);
        await clock.sleep(Math.max(0, at - clock.now()));
        const tasks = await describeTasks(id);
        const task = tasks[tasks.length - 1];
        if (task?.Status === "Succeeded") break;
        if (task?.Status === "Failed") throw new Error("baseline copy failed");
      }
      await describeImage(id);
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
