/**
 * How long `pulumi up` takes for N copies with the engine's default parallelism and with a raised one
 * (`--parallel N`, `PULUMI_PARALLEL=N`), through the real pinned CLI against the emulator, with this
 * repository's build. Each CopiedImage holds one of the engine's slots for its whole copy, so at the
 * default the copies run in waves.
 *
 *   scripts/with-node22 npm run build && scripts/with-node22 node dist/scripts/parallelism.js [--copies 24] [--copy-seconds 10]
 *
 * Each run is a fresh stack of one program declaring N copies (spread over 5 destination regions),
 * each of which the emulator finishes in --copy-seconds real seconds (a 20-minute copy, clock sped up).
 * Prints a table of measured wall times, then a table computed from the number of waves for
 * 20-minute copies (labelled as computed). Needs the CLI of scripts/install-pulumi-cli.
 */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, DEFAULT_ACCOUNT, type EmulatorHandle } from "../emulator";
import { REPO_ROOT, PulumiStack, describeFailure, findPulumiCli, isMissing, type PulumiCli } from "../kit/pulumi-cli";

const SOURCE_IMAGE = "image-sourcebeijing000001";
const REGIONS = ["cn-shanghai", "cn-guangzhou", "cn-hongkong", "ap-southeast-1", "ap-southeast-3"];
const COPY_MINUTES = 20;
/** What the info message of a program with more copies than slots says (provider/dynamic/program-checks.ts). */
const PARALLEL_NOTE = /than the engine runs operations at once \(--parallel (\d+)\)/;

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const value = i < 0 ? fallback : Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

const PROGRAM = `const pulumi = require("@pulumi/pulumi");
const { CopiedImage } = require("volcengine-copied-image");
const config = new pulumi.Config();
const regions = ${JSON.stringify(REGIONS)};
const copies = [];
for (let i = 0; i < config.requireNumber("copies"); i++) {
  copies.push(new CopiedImage("copy-" + i, { sourceImageId: "${SOURCE_IMAGE}", destinationRegion: regions[i % regions.length] }));
}
exports.count = copies.length;
`;

/** A project outside the repository whose node_modules is the repository's (so the plugin loads this build). */
function writeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "copied-image-parallelism-"));
  writeFileSync(join(dir, "Pulumi.yaml"), "name: parallelism\nruntime: nodejs\nmain: index.js\n");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "parallelism", private: true }));
  writeFileSync(join(dir, "index.js"), PROGRAM);
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

interface Row {
  how: string;
  parallel: number | undefined;
  upSeconds: number;
}

async function measure(
  cli: PulumiCli,
  emulator: EmulatorHandle,
  projectDir: string,
  copies: number,
  how: Omit<Row, "upSeconds">,
  extra: string[],
  env: Record<string, string>,
): Promise<Row> {
  const stack = new PulumiStack(cli, {
    projectDir,
    tempPrefix: "copied-image-parallelism-stack-",
    env: { VOLCENGINE_ACCESS_KEY: DEFAULT_ACCOUNT.accessKey, VOLCENGINE_SECRET_KEY: DEFAULT_ACCOUNT.secretKey },
  });
  try {
    await stack.init();
    await stack.setConfig("volcengine:region", "cn-beijing");
    await stack.setConfig("volcengine:endpoint", emulator.url);
    await stack.setConfig("copies", String(copies));
    const up = await stack.run(["up", "--yes", "--skip-preview", ...extra, ...stack.stackArgs()], { env, timeoutMs: 3_600_000 });
    if (up.code !== 0) throw new Error(describeFailure(up, `up (${how.how}) failed`));
    // The engine's setting, as the program saw it: named by its info message when the copies exceed it.
    const seen = PARALLEL_NOTE.exec(up.stdout + up.stderr)?.[1];
    const destroy = await stack.run(["destroy", "--yes", "--skip-preview", "--parallel", String(copies), ...stack.stackArgs()], {
      timeoutMs: 3_600_000,
    });
    if (destroy.code !== 0) throw new Error(describeFailure(destroy, "destroy failed"));
    return { ...how, parallel: how.parallel ?? (seen ? Number(seen) : undefined), upSeconds: up.durationMs / 1000 };
  } finally {
    await stack.dispose().catch(() => undefined);
  }
}

async function main(): Promise<number> {
  const copies = option("--copies", 24);
  const copySeconds = option("--copy-seconds", 10);
  const cli = findPulumiCli();
  if (isMissing(cli)) {
    console.error(cli.missing);
    return 2;
  }
  const emulator = await startEmulator({
    clockSpeed: (COPY_MINUTES * 60) / copySeconds,
    copyDurationMs: COPY_MINUTES * 60_000,
    maxImagesPerRegion: Math.max(50, copies),
    seed: { images: [{ region: "cn-beijing", imageId: SOURCE_IMAGE, imageName: "golden", description: "Golden base", size: 40 }] },
  });
  const projectDir = writeProject();
  try {
    console.log(`${copies} copies, each ${copySeconds} s in the emulator (a ${COPY_MINUTES}-minute copy at ${(COPY_MINUTES * 60) / copySeconds}x)\n`);
    const runs: [Omit<Row, "upSeconds">, string[], Record<string, string>][] = [
      [{ how: "default (no flag)", parallel: undefined }, [], {}],
      [{ how: `--parallel ${copies}`, parallel: copies }, ["--parallel", String(copies)], {}],
      [{ how: `PULUMI_PARALLEL=${copies}`, parallel: copies }, [], { PULUMI_PARALLEL: String(copies) }],
    ];
    const rows: Row[] = [];
    for (const [how, extra, env] of runs) {
      rows.push(await measure(cli, emulator, projectDir, copies, how, extra, env));
      console.error(`parallelism: ${how.how}: up took ${rows.at(-1)!.upSeconds.toFixed(1)} s`);
    }
    console.log("| engine parallelism | slots | waves | `pulumi up`, measured |");
    console.log("|---|---|---|---|");
    for (const r of rows)
      console.log(`| ${r.how} | ${r.parallel ?? "?"} | ${r.parallel ? Math.ceil(copies / r.parallel) : "?"} | ${r.upSeconds.toFixed(1)} s |`);
    console.log(`\nComputed, not measured: the same ${copies} copies at ${COPY_MINUTES} minutes each (waves x ${COPY_MINUTES} min)\n`);
    console.log("| slots | waves | at least |");
    console.log("|---|---|---|");
    for (const slots of [...new Set(rows.map((r) => r.parallel).filter((p): p is number => p !== undefined))]) {
      const waves = Math.ceil(copies / slots);
      console.log(`| ${slots} | ${waves} | ${formatMinutes(waves * COPY_MINUTES)} |`);
    }
    return 0;
  } finally {
    rmSync(projectDir, { recursive: true, force: true });
    await emulator.stop();
  }
}

function formatMinutes(minutes: number): string {
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
