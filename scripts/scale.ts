/**
 * `npm run scale`: one stack of many copies (150 by default) through the real pinned Pulumi CLI against
 * the emulator, with the engine running every resource at once (`--parallel` = the number of copies), and
 * for `up`, `refresh` and `destroy`: the wall time and the requests per copy, by action, from the
 * emulator's request log. Copies take about a second (a 20-minute copy at clock speed 1200).
 *
 * The copies spread over destination regions round robin, 50 to a region by default: Volcengine allows
 * at most 50 custom images per region, so 150 copies is the densest stack a real account can hold.
 *
 *   npm run scale                                 150 copies, 3 regions
 *   npm run scale -- --skip-checkpoints           the same with PULUMI_SKIP_CHECKPOINTS=true
 *   npm run scale -- --copies 60 --regions 1      smaller; one region (the emulator lifts the quota)
 *
 * Why `--skip-checkpoints`: with its file backend the engine writes the whole checkpoint as each step
 * starts and ends, one write at a time, so it starts the deletes about 15 a second here, not all at
 * once, and the region batcher can only share requests among calls that overlap. Without the
 * intermediate checkpoints the engine hands the plugin every call at once.
 *
 * Needs the CLI that `scripts/install-pulumi-cli` builds. Prints a table; nothing here asserts.
 */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type RequestLogEntry } from "../emulator";
import { REPO_ROOT, PulumiStack, findPulumiCli, isMissing } from "../kit/pulumi-cli";

const DESTINATIONS = ["cn-shanghai", "cn-guangzhou", "cn-hongkong", "ap-southeast-1", "ap-southeast-3"];
const SOURCE_REGION = "cn-beijing";
const SOURCE_IMAGE = "image-scalesource0000001";
const ACCESS_KEY = "AKLTemulatorDefaultAccessKey";
const SECRET_KEY = "emulatorDefaultSecretKey==";

function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

/** A project whose program makes `copies` CopiedImages, round robin over `regions`. */
function writeProject(copies: number, regions: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "copied-image-scale-"));
  writeFileSync(join(dir, "Pulumi.yaml"), "name: copied-image-scale\nruntime: nodejs\n");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "copied-image-scale", private: true, main: "index.js" }));
  writeFileSync(
    join(dir, "index.js"),
    [
      `const { CopiedImage } = require("volcengine-copied-image");`,
      `const regions = ${JSON.stringify(regions)};`,
      `for (let n = 0; n < ${copies}; n++) {`,
      `  new CopiedImage("copy-" + n, { sourceImageId: ${JSON.stringify(SOURCE_IMAGE)}, destinationRegion: regions[n % regions.length] });`,
      `}`,
      ``,
    ].join("\n"),
  );
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

function perCopy(entries: RequestLogEntry[], copies: number): { total: string; byAction: string } {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(e.action, (counts.get(e.action) ?? 0) + 1);
  const byAction = [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([action, n]) => `${action} ${(n / copies).toFixed(2)} (${n})`)
    .join(", ");
  return { total: (entries.length / copies).toFixed(2), byAction: byAction || "none" };
}

async function main(): Promise<void> {
  const copies = option("copies", 150);
  const skipCheckpoints = flag("skip-checkpoints");
  const regions = DESTINATIONS.slice(0, option("regions", Math.min(DESTINATIONS.length, Math.ceil(copies / 50))));
  const cli = findPulumiCli();
  if (isMissing(cli)) throw new Error(cli.missing);
  const emulator = await startEmulator({
    clockSpeed: 1200, // a 20-minute copy takes a second
    copyDurationMs: 20 * 60_000,
    maxImagesPerRegion: Math.max(50, Math.ceil(copies / regions.length)),
    seed: { images: [{ region: SOURCE_REGION, imageId: SOURCE_IMAGE, imageName: "scale-source", size: 40 }] },
  });
  const project = writeProject(copies, regions);
  const stack = new PulumiStack(cli, {
    projectDir: project,
    env: {
      VOLCENGINE_ACCESS_KEY: ACCESS_KEY,
      VOLCENGINE_SECRET_KEY: SECRET_KEY,
      VOLCENGINE_REGION: SOURCE_REGION,
      VOLCENGINE_ENDPOINT: emulator.url,
      PULUMI_PARALLEL: String(copies),
      ...(skipCheckpoints ? { PULUMI_SKIP_CHECKPOINTS: "true" } : {}),
    },
    tempPrefix: "copied-image-scale-stack-",
  });
  const rows: string[] = [];
  try {
    await stack.init();
    const checkpoints = skipCheckpoints ? "PULUMI_SKIP_CHECKPOINTS=true" : "a checkpoint per step";
    console.log(`${copies} copies into ${regions.join(", ")}, --parallel ${copies}, ${checkpoints}, copies of about 1 s`);
    for (const command of ["up", "refresh", "destroy"]) {
      emulator.clearLog();
      const r = await stack.ok([command, "--yes", "--skip-preview", "--parallel", String(copies), ...stack.stackArgs()], { timeoutMs: 15 * 60_000 });
      const { total, byAction } = perCopy(emulator.log(), copies);
      rows.push(`| ${command} | ${(r.durationMs / 1000).toFixed(1)} s | ${total} | ${byAction} |`);
      console.log(rows[rows.length - 1]);
    }
    console.log(["", "| command | wall time | requests per copy | by action (requests in all) |", "|---|---|---|---|", ...rows].join("\n"));
  } finally {
    await stack.dispose().catch(() => undefined);
    rmSync(project, { recursive: true, force: true });
    await emulator.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
