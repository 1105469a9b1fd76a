#!/usr/bin/env node
// volcengine-ecs-emulator: runs the local Volcengine ECS API emulator until SIGINT / SIGTERM.
//
//   volcengine-ecs-emulator [--host 127.0.0.1] [--port 8787] [--seed seed.json]
//                           [--clock-speed N] [--copy-duration 20m|90s|1200000] [world flags]
import { readFileSync } from "node:fs";
import { DEFAULT_ACCOUNT, startEmulator, validateWorldPatch, type EmulatorOptions, type Seed, type World } from "./index";
import { validateFault } from "./misbehaviour/faults";

const USAGE = `usage: volcengine-ecs-emulator [--host H] [--port P] [--seed seed.json] [--clock-speed N] [--copy-duration 20m|90s|1200000]
  world (see emulator/README.md, "Worlds"):
  [--world world.json] [--progress linear|step|staircase|stall|front-loaded] [--progress-jitter 0..1) [--progress-seed N]
  [--tags-on-copy applied|ignored] [--deny Action[,Action...]|*]... [--deny-as AccessDenied|LackPolicy]
  [--delete-binded-snapshots-default true|false] [--delete-successes omitted|listed] [--unknown-image-id empty|notFound]
  faults (see emulator/README.md, "Faults"), active from the start, each flag one fault:
  [--fault '{"kind":"error","code":"InvalidImage.Deleting","action":"DeleteImages","count":2}']...`;

/** World flags that take their value as given (the choices are checked by validateWorldPatch). */
const WORLD_WORD_FLAGS: Record<string, keyof World> = {
  "--progress": "progressProfile",
  "--tags-on-copy": "tagsOnCopyImage",
  "--deny-as": "denial",
  "--delete-successes": "deleteImagesSuccesses",
  "--unknown-image-id": "describeImagesUnknownId",
};

/** "20m", "90s", "1500ms", "1h" or a plain number of milliseconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s.trim());
  if (!m) throw new Error(`bad duration ${JSON.stringify(s)} (use e.g. 20m, 90s, 1200000)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "ms") as "ms" | "s" | "m" | "h"];
  return Math.round(Number(m[1]) * unit);
}

export function parseArgs(argv: string[]): EmulatorOptions {
  const opts: EmulatorOptions = { port: 8787 };
  const world: Record<string, unknown> = {};
  const denied: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const worldKey = WORLD_WORD_FLAGS[flag];
    if (worldKey !== undefined) {
      world[worldKey] = value();
      continue;
    }
    switch (flag) {
      case "--world":
        Object.assign(world, JSON.parse(readFileSync(value(), "utf8")) as object);
        break;
      case "--progress-jitter":
        world.progressJitter = Number(value());
        break;
      case "--progress-seed":
        world.progressSeed = Number(value());
        break;
      case "--deny":
        denied.push(
          ...value()
            .split(",")
            .map((a) => a.trim())
            .filter((a) => a !== ""),
        );
        break;
      case "--delete-binded-snapshots-default": {
        const v = value();
        if (v !== "true" && v !== "false") throw new Error("--delete-binded-snapshots-default must be true or false");
        world.deleteBindedSnapshotsDefault = v === "true";
        break;
      }
      case "--fault": {
        const text = value();
        let fault: unknown;
        try {
          fault = JSON.parse(text);
        } catch {
          throw new Error(`--fault must be a fault as JSON, got ${text}`);
        }
        (opts.faults ??= []).push(validateFault(fault));
        break;
      }
      case "--host":
        opts.host = value();
        break;
      case "--port": {
        const p = Number(value());
        if (!Number.isInteger(p) || p < 0 || p > 65535) throw new Error("--port must be 0..65535");
        opts.port = p;
        break;
      }
      case "--seed":
        opts.seed = JSON.parse(readFileSync(value(), "utf8")) as Seed;
        break;
      case "--clock-speed": {
        const n = Number(value());
        if (!(n > 0)) throw new Error("--clock-speed must be > 0");
        opts.clockSpeed = n;
        break;
      }
      case "--copy-duration":
        opts.copyDurationMs = parseDuration(value());
        break;
      case "-h":
      case "--help":
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${arg}\n${USAGE}`);
    }
  }
  if (denied.length > 0) world.deniedActions = [...((world.deniedActions as string[] | undefined) ?? []), ...denied];
  // Checked here so a bad value exits with the usage error (code 2), not a stack trace.
  if (Object.keys(world).length > 0) opts.world = validateWorldPatch(world);
  return opts;
}

async function main(): Promise<void> {
  let opts: EmulatorOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(2);
  }
  const emu = await startEmulator(opts);
  const accounts = opts.seed?.accounts?.length ? opts.seed.accounts : [DEFAULT_ACCOUNT];
  console.log(`Volcengine ECS emulator listening on ${emu.url}`);
  console.log(`Credentials (fake keys that only this emulator accepts):`);
  for (const a of accounts) {
    console.log(
      `  AccessKey=${a.accessKey} SecretKey=${a.secretKey}${a.sessionToken ? ` SessionToken=${a.sessionToken}` : ""}${a.accountId ? ` AccountId=${a.accountId}` : ""}`,
    );
  }
  console.log(`World: ${JSON.stringify(emu.world())}`);
  if (opts.faults) console.log(`Faults: ${JSON.stringify(opts.faults)} (GET /_emulator/faults lists them as they are used)`);
  console.log(`Control endpoint: ${emu.url}/_emulator/ (log, faults, images, tasks, snapshots, world). Ctrl-C to stop.`);
  let stopping = false;
  const stop = (sig: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`received ${sig}, stopping`);
    emu.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
