/**
 * `scripts/demo` (which sets up what is missing first), or `npm run demo` once set up: the repository's
 * root Pulumi program (examples/multi-region) copies one image to three regions through the real Pulumi
 * CLI, against the local ECS emulator. No Volcengine account, no credentials, no network beyond loopback.
 *
 *   1. starts the emulator on 127.0.0.1 (a free port) with a custom image in cn-beijing; its clock runs
 *      120 times faster, so each 20-minute copy takes 10 s and its progress lines show;
 *   2. creates the stack `demo` in a temp file backend with a temp PULUMI_HOME (the stack's config file
 *      is kept in the temp dir too: nothing is written into the repository), sets volcengine:region,
 *      volcengine:endpoint, sourceImageId and destinationRegions; the emulator's fake credentials go in
 *      through VOLCENGINE_ACCESS_KEY / VOLCENGINE_SECRET_KEY;
 *   3. `pulumi up --yes --skip-preview` (its output shown as it comes, less the closing Diagnostics block
 *      that would repeat every progress line), then the copied image id per region (stack outputs);
 *   4. `pulumi preview --expect-no-changes`: nothing to do;
 *   5. `pulumi destroy --yes --skip-preview`, `pulumi stack rm`, stops the emulator, removes the temp dir.
 * 27 s on the project's 2-core machine (`time scripts/demo`, set-up done).
 *
 * Which `pulumi`: the CLI that scripts/install-pulumi-cli builds and caches is used first: it is pinned to
 * the @pulumi/pulumi version of this package and runs offline. When it is not installed, an official
 * Pulumi CLI found on PATH is used instead (it brings its own Node.js language host and dynamic-provider
 * plugin). With neither, the demo says how to get one and exits with status 2.
 */
import { spawnSync } from "node:child_process";
import { dirname } from "node:path";
import { startEmulator, DEFAULT_ACCOUNT, type EmulatorHandle } from "../emulator";
import { REPO_ROOT, PulumiStack, findPulumiCli, isMissing, type PulumiCli, type RunOptions } from "../kit/pulumi-cli";

const SOURCE_REGION = "cn-beijing";
const SOURCE_IMAGE = "image-demogoldenbase000001";
const REGIONS = ["cn-shanghai", "cn-guangzhou", "ap-southeast-1"];
const CLOCK_SPEED = 120; // 20 simulated minutes in 10 real seconds

function banner(text: string): void {
  console.log(process.stdout.isTTY ? `\n\x1b[1m=== ${text}\x1b[0m` : `\n=== ${text}`);
}

/** The cached pinned CLI, else an official `pulumi` on PATH, else undefined (with the reason). */
function chooseCli(): { cli: PulumiCli; description: string } | { missing: string } {
  const cached = findPulumiCli();
  if (!isMissing(cached)) return { cli: cached, description: `${cached.binDir}/pulumi (scripts/install-pulumi-cli)` };
  const which = spawnSync("bash", ["-c", "command -v pulumi"], { encoding: "utf8" });
  const onPath = which.status === 0 ? which.stdout.trim() : "";
  if (onPath) {
    const version = spawnSync(onPath, ["version"], { encoding: "utf8", env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" } }).stdout.trim();
    return {
      cli: { binDir: dirname(onPath), env: { PULUMI_SKIP_UPDATE_CHECK: "true", PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true" } },
      description: `${onPath} ${version} (from PATH; scripts/install-pulumi-cli not installed)`,
    };
  }
  return { missing: cached.missing };
}

/**
 * Shows pulumi's output as it comes, less what would only repeat or mislead here: the closing
 * "Diagnostics:" block when it holds only info lines (it repeats every progress line shown above), a
 * line equal to the one before, and the hint to run `pulumi stack rm` (the demo removes the stack itself).
 */
function pulumiOutputFilter(): (line: string, stream: "stdout" | "stderr") => void {
  let block: string[] | undefined; // the Diagnostics block, held until it ends
  let previous: string | undefined;
  const show = (line: string, stream: "stdout" | "stderr") => {
    if (line.trim() !== "" && line === previous) return;
    previous = line;
    (stream === "stdout" ? process.stdout : process.stderr).write(`${line}\n`);
  };
  return (line, stream) => {
    if (block) {
      if (line === "" || /^\s/.test(line)) {
        block.push(line);
        return;
      }
      if (block.some((l) => /^\s+(error|warning):/.test(l))) for (const l of block) show(l, "stdout");
      block = undefined;
    }
    if (line === "Diagnostics:") {
      block = [line];
      return;
    }
    if (/^(The resources in the stack have been deleted|If you want to remove the stack completely)/.test(line)) return;
    show(line, stream);
  };
}

async function main(): Promise<number> {
  if (Number(process.versions.node.split(".")[0]) < 22) {
    console.error(`demo: Node.js 22 or newer is needed (this is ${process.version}); run it as \`scripts/with-node22 npm run demo\`.`);
    return 2;
  }
  const chosen = chooseCli();
  if ("missing" in chosen) {
    console.error(
      `demo: no Pulumi CLI: ${chosen.missing}, and there is no \`pulumi\` on PATH.\n` +
        "  Either build the pinned one:   scripts/install-pulumi-cli   (needs Go >= 1.26.6)\n" +
        "  or put an official Pulumi CLI on PATH (https://www.pulumi.com/docs/install/); then run the demo again.",
    );
    return 2;
  }
  const started = Date.now();
  let emulator: EmulatorHandle | undefined;
  let stack: PulumiStack | undefined;
  let stackCreated = false;
  let destroyed = false;
  const cleanup = async () => {
    if (stack) {
      if (stackCreated && !destroyed) {
        console.log("\ndemo: cleaning up (pulumi destroy)...");
        await stack.run(["destroy", "--yes", "--skip-preview", ...stack.stackArgs()]).catch(() => undefined);
      }
      await stack.dispose().catch(() => undefined);
      stack = undefined;
    }
    await emulator?.stop();
    emulator = undefined;
  };
  process.once("SIGINT", () => {
    void cleanup().finally(() => process.exit(130));
  });

  try {
    banner("Starting the Volcengine ECS emulator");
    emulator = await startEmulator({
      clockSpeed: CLOCK_SPEED,
      copyDurationMs: 20 * 60_000,
      seed: {
        images: [
          {
            region: SOURCE_REGION,
            imageId: SOURCE_IMAGE,
            imageName: "golden-base",
            description: "Golden base image",
            size: 40,
            osName: "Ubuntu 22.04 64 bit",
            platform: "Ubuntu",
            platformVersion: "22.04",
          },
        ],
      },
    });
    console.log(`emulator: ${emulator.url} (clock x${CLOCK_SPEED}: a 20-minute copy takes 10 s)`);
    console.log(`source image: ${SOURCE_IMAGE} in ${SOURCE_REGION}`);
    console.log(`pulumi: ${chosen.description}`);

    stack = new PulumiStack(chosen.cli, {
      projectDir: REPO_ROOT,
      stack: "demo",
      tempPrefix: "copied-image-demo-",
      // The emulator's fake credentials, for the provider in the plugin process.
      env: { VOLCENGINE_ACCESS_KEY: DEFAULT_ACCOUNT.accessKey, VOLCENGINE_SECRET_KEY: DEFAULT_ACCOUNT.secretKey },
    });
    const s = stack;
    const step = async (title: string, args: string[], opts: RunOptions = {}) => {
      banner(`${title}: pulumi ${args.join(" ")}`);
      const r = await s.run([...args, "--suppress-progress", ...s.stackArgs()], { onLine: pulumiOutputFilter(), ...opts });
      if (r.code !== 0) throw new Error(`${title} failed: \`${r.command}\` exited with ${r.code} (its output is above)`);
      return r;
    };

    banner(`Stack "demo" (state and config in ${s.tempDir})`);
    await s.init();
    stackCreated = true;
    const config: [string, string, boolean][] = [
      ["volcengine:region", SOURCE_REGION, false],
      ["volcengine:endpoint", emulator.url, false],
      ["sourceImageId", SOURCE_IMAGE, false],
      ...REGIONS.map((r, i) => [`destinationRegions[${i}]`, r, true] as [string, string, boolean]),
    ];
    for (const [key, value, path] of config) {
      await s.setConfig(key, value, { path });
      console.log(`pulumi config set ${path ? "--path " : ""}${key} ${value}`);
    }

    await step("Copy the image to three regions", ["up", "--yes", "--skip-preview"]);

    banner("Copied image ids (pulumi stack output --json)");
    const outputs = await s.outputs();
    const ids = outputs.imageIds as Record<string, string>;
    const names = outputs.imageNames as Record<string, string>;
    for (const region of REGIONS) {
      const img = emulator.images(region).find((i) => i.ImageId === ids[region]);
      console.log(`  ${region.padEnd(15)} ${ids[region]}  ${names[region]}  (emulator: ${img?.Status ?? "missing!"})`);
    }

    await step("Nothing left to do", ["preview", "--expect-no-changes"]);

    await step("Delete the copies", ["destroy", "--yes", "--skip-preview"]);
    destroyed = true;
    const left = REGIONS.flatMap((r) => emulator!.images(r).filter((i) => i.Visibility === "private"));
    console.log(`copies left in the emulator: ${left.length}`);

    banner("Requests the emulator answered");
    const counts: Record<string, number> = {};
    for (const e of emulator.log()) counts[e.action] = (counts[e.action] ?? 0) + 1;
    console.log(
      Object.entries(counts)
        .map(([a, n]) => `  ${a.padEnd(22)} ${n}`)
        .join("\n"),
    );

    banner("Remove the stack: pulumi stack rm --yes demo");
    await s.remove();
    console.log(`\ndemo: done in ${((Date.now() - started) / 1000).toFixed(0)} s (stack removed, emulator stopped).`);
    return left.length === 0 ? 0 : 1;
  } catch (e) {
    console.error(`\ndemo: ${(e as Error).message}`);
    return 1;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
