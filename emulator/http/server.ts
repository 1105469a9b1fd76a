// HTTP plumbing of the emulator: starts the server, reads each request's body, sends /_emulator/ to the
// control routes (control.ts) and everything else to the gateway (gateway.ts), and builds the handle.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { handleControl } from "./control";
import { FaultSet } from "../misbehaviour/faults";
import { createGateway, RequestLog, sendJson } from "./gateway";
import { Model } from "../state/store";
import { snapshotView } from "../state/snapshots";
import { formatTime } from "../state/ids";
import type { EmulatorHandle, EmulatorImage, EmulatorOptions, EmulatorTask } from "../types";
import { WorldState } from "../misbehaviour/worlds";

const DEFAULT_COPY_DURATION_MS = 20 * 60_000;
const MAX_BODY_BYTES = 1024 * 1024;

export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const host = options.host ?? "127.0.0.1";
  const clockSpeed = options.clockSpeed ?? 1;
  if (!(clockSpeed > 0)) throw new Error("clockSpeed must be > 0");
  const world = new WorldState(options.world ?? {}); // validates before anything listens
  const model = new Model(options.seed ?? {}, clockSpeed);
  const faults = new FaultSet();
  for (const f of options.faults ?? []) faults.add(f); // validates before anything listens
  const log = new RequestLog();
  let stopped = false;

  const handleApi = createGateway({
    model,
    faults,
    world,
    log,
    verifySignatures: options.verifySignatures ?? true,
    copyDurationMs: options.copyDurationMs ?? DEFAULT_COPY_DURATION_MS,
    maxImagesPerRegion: options.maxImagesPerRegion ?? 50,
    stopped: () => stopped,
  });

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooBig = true;
      else chunks.push(c);
    });
    req.on("end", () => {
      if (tooBig) return sendJson(res, 413, { error: "request body too large" });
      const body = Buffer.concat(chunks);
      let url: URL;
      try {
        url = new URL(req.url ?? "/", "http://emulator.invalid");
      } catch {
        return sendJson(res, 400, { error: "bad request target" });
      }
      if (url.pathname === "/_emulator" || url.pathname.startsWith("/_emulator/")) {
        return handleControl({ handle, model, faults, controlFromAnyHost: options.controlFromAnyHost ?? false }, req, res, url, body);
      }
      handleApi(req, res, url, body).catch((e) => {
        console.error("volcengine-ecs-emulator: request failed", e);
        if (!res.headersSent && !res.destroyed) sendJson(res, 500, { error: "emulator failure" });
      });
    });
    req.on("error", () => res.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  const handle: EmulatorHandle = {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (stopped) return resolve();
        stopped = true;
        server.close(() => resolve());
        // Also ends connections a "hang" fault is holding open: close() alone would wait for them forever.
        server.closeAllConnections();
      }),
    addFault: (f) => faults.add(f),
    removeFault: (id) => faults.remove(id),
    clearFaults: () => faults.clear(),
    log: () => log.list(),
    clearLog: () => log.clear(),
    images: (region): EmulatorImage[] => {
      model.settle();
      return [...(model.images.get(region)?.values() ?? [])].map((img) => model.imageView(img));
    },
    tasks: (region): EmulatorTask[] => {
      model.settle();
      return [...model.tasks.values()].filter((t) => t.region === region).map((t) => model.taskViewFull(t));
    },
    seedImage: (img) => model.seedImage(img),
    deleteImageOutOfBand: (region, imageId) => model.deleteOutOfBand(region, imageId, world.live.deleteBindedSnapshotsDefault),
    now: () => new Date(model.now()),
    advanceClock: (ms) => (model.advanceClock(ms), new Date(model.now())),
    world: () => world.get(),
    setWorld: (patch) => world.set(patch),
    snapshots: (region) => model.snapshots.list(region).map((s) => snapshotView(s, formatTime)),
  };
  return handle;
}
