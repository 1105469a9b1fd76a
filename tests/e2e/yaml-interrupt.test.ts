// End to end through the real Pulumi CLI: interrupted runs of the YAML example (examples/yaml-copy-image)
// through the provider plugin leave no second copy, as tests/e2e/progress.test.ts shows for the dynamic
// provider (the same helpers, tests/e2e/interrupt.ts).
//
// 1. Ctrl-C once, mid-copy: the engine's Cancel reaches the plugin, the wait stops, the copy is recorded
//    as unfinished, the CLI exits long before the copy ends and leaves no lock; the next `pulumi up`
//    waits for the same copy (no second CopyImage).
// 2. A killed runner (SIGKILL to the CLI mid-copy): the orphaned plugin ends itself; the stack is locked;
//    `pulumi cancel`, then `pulumi up` adopts the copy that was in flight (no second CopyImage); destroy
//    leaves nothing.
//
// Needs the CLI and YAML host (scripts/install-pulumi-cli) and the plugin in the build (package.json bin; FAILS without it).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { CANARY, CANARY_VALUES, SOURCE_IMAGE, SOURCE_REGION } from "../provider/env";
import { PulumiStack, describeFailure, findPulumiCli, isMissing, resourcesOfType, skipWithoutCli } from "./cli";
import { interrupt, killProcesses, leftoverProcesses, startInBackground, type BackgroundRun } from "./interrupt";
import { PLUGIN_TYPE, assertNothingLeaked, copiesIn, copyYamlExample, findPlugin, isPluginProcess } from "./yaml-project";

const DEST = "cn-shanghai";
const found = findPulumiCli();
const plugin = findPlugin();
let emulator: EmulatorHandle | undefined;
const projectDirs: string[] = [];
const stacks: PulumiStack[] = [];
const background: BackgroundRun[] = [];

after(async () => {
  for (const run of background) {
    try {
      process.kill(-run.pid, "SIGKILL");
    } catch {
      /* ended */
    }
  }
  for (const s of stacks) {
    killProcesses(leftoverProcesses(s));
    await s.run(["cancel", "--yes", "--stack", s.stack]).catch(() => undefined);
    await s.dispose().catch(() => undefined);
  }
  for (const dir of projectDirs) rmSync(dir, { recursive: true, force: true });
  await emulator?.stop();
});

const count = (action: string) => emulator!.log().filter((e) => e.action === action).length;
function countsText(): string {
  const c: Record<string, number> = {};
  for (const e of emulator!.log()) c[e.action] = (c[e.action] ?? 0) + 1;
  return JSON.stringify(c);
}
function assertNoCanary(text: string, where: string): void {
  for (const v of CANARY_VALUES) assert.ok(!text.includes(v), `a canary credential (${v.slice(0, 8)}...) is in ${where}`);
}

async function waitFor(what: string, cond: () => boolean, timeoutMs: number, run?: BackgroundRun): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until)
      assert.fail(`timed out waiting for ${what}; emulator saw ${countsText()}${run ? `\n--- CLI output ---\n${run.output()}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The copy started and was looked at once (so it is mid-copy). */
async function waitUntilMidCopy(run: BackgroundRun): Promise<void> {
  await waitFor(
    "a CopyImage and a DescribeTasks after it",
    () => {
      const log = emulator!.log();
      const copy = log.find((e) => e.action === "CopyImage" && e.status === 200);
      return copy !== undefined && log.some((e) => e.action === "DescribeTasks" && e.seq > copy.seq);
    },
    120_000,
    run,
  );
}

async function newStack(name: string): Promise<PulumiStack> {
  const projectDir = copyYamlExample((plugin as { path: string }).path, `copied-image-yaml-${name}-`);
  projectDirs.push(projectDir);
  const s = new PulumiStack(found as Exclude<typeof found, { missing: string }>, {
    projectDir,
    stack: `${name}-${process.pid}`,
    tempPrefix: `copied-image-yaml-${name}-stack-`,
    env: {
      VOLCENGINE_ACCESS_KEY: CANARY.accessKey,
      VOLCENGINE_SECRET_KEY: CANARY.secretKey,
      VOLCENGINE_SESSION_TOKEN: CANARY.sessionToken,
      PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
    },
  });
  stacks.push(s);
  await s.init();
  // This time the plugin's own config namespace, not the environment, names the endpoint.
  await s.setConfig("volcengine-copied-image:endpoint", emulator!.url);
  await s.setConfig("sourceRegion", SOURCE_REGION);
  await s.setConfig("sourceImageId", SOURCE_IMAGE);
  await s.setConfig("destinationRegion", DEST);
  return s;
}

let broken: string | undefined;

test("interrupted runs of a YAML program through the provider plugin leave no second copy", { timeout: 15 * 60_000 }, async (t) => {
  if (isMissing(found)) {
    skipWithoutCli(t, found.missing);
    return;
  }
  if ("missing" in plugin) assert.fail(plugin.missing); // the plugin is part of the package: never skipped
  const step = async (name: string, fn: () => Promise<void>) => {
    await t.test(name, async (st) => {
      if (broken) {
        st.skip(`skipped: step "${broken}" failed`);
        return;
      }
      try {
        await fn();
      } catch (e) {
        broken = name;
        throw e;
      }
    });
  };
  emulator = await startEmulator({
    clockSpeed: 120, // 60 simulated minutes (the fault below) take 30 s
    copyDurationMs: 20 * 60_000,
    seed: {
      accounts: [CANARY],
      images: [{ region: SOURCE_REGION, imageId: SOURCE_IMAGE, imageName: "golden-base", description: "Golden base image", size: 40 }],
    },
  });

  await step("1. Ctrl-C once mid-copy: the plugin hears Cancel, records the copy, no lock; the next up finishes it, no second copy", async () => {
    const s = await newStack("ctrlc");
    emulator!.addFault({ kind: "copyDuration", ms: 60 * 60_000, count: 1 });
    emulator!.clearLog();
    const run = startInBackground(s, ["up", "--yes", "--skip-preview", ...s.stackArgs()]);
    background.push(run);
    await waitUntilMidCopy(run);
    const pressed = Date.now();
    interrupt(run);
    const result = await run.done;
    const stoppedAfterMs = Date.now() - pressed;
    t.diagnostic(`Ctrl-C to exit: ${stoppedAfterMs} ms (the copy had about 25 s to go)`);
    assert.notEqual(result.code, 0, describeFailure(result, "an interrupted up fails"));
    assert.ok(stoppedAfterMs < 15_000, describeFailure(result, `the CLI took ${stoppedAfterMs} ms after Ctrl-C: it waited for the copy`));
    const out = `${result.stdout}\n${result.stderr}`;
    assert.match(
      out,
      new RegExp(`Interrupted after \\d+s waiting for the copy into image-\\w+ in ${DEST}`),
      describeFailure(result, "the interruption is explained"),
    );
    assertNoCanary(out, "the output of the interrupted up");

    const { deployment } = await s.exportState(); // works: no lock was left
    const [copy, ...more] = resourcesOfType(deployment, PLUGIN_TYPE);
    assert.ok(copy && more.length === 0, JSON.stringify(deployment.resources?.map((r) => r.urn)));
    assert.equal(copy.outputs?.status, "creating", "recorded as unfinished");
    assert.equal(copiesIn(emulator!, DEST).find((i) => i.ImageId === copy.id)?.Status, "creating", "the copy goes on in Volcengine");

    emulator!.clearLog();
    const again = await s.run(["up", "--yes", "--skip-preview", ...s.stackArgs()], { timeoutMs: 120_000 });
    if (again.code !== 0) assert.fail(describeFailure(again, "the next up failed"));
    assert.equal(count("CopyImage"), 0, `no second copy: ${countsText()}`);
    assert.match(`${again.stdout}\n${again.stderr}`, new RegExp(`resuming the wait for ${copy.id}`));
    assert.equal((await s.outputs()).imageId, copy.id);
    await s.ok(["destroy", "--yes", "--skip-preview", ...s.stackArgs()]);
    assertNothingLeaked(emulator!);
  });

  await step(
    "2. a killed runner mid-copy: the plugin ends itself; locked; pulumi cancel, then up adopts the copy in flight; destroy leaves nothing",
    async () => {
      const s = await newStack("killed");
      emulator!.addFault({ kind: "copyDuration", ms: 60 * 60_000, count: 1 });
      emulator!.clearLog();
      const run = startInBackground(s, ["up", "--yes", "--skip-preview", ...s.stackArgs()]);
      background.push(run);
      await waitUntilMidCopy(run);
      process.kill(run.pid, "SIGKILL"); // the CLI only, as `kill -9 <pid>`
      const killedAt = Date.now();
      await run.done;
      const leftAtKill = leftoverProcesses(s);
      await waitFor("the orphaned plugin to end by itself", () => !leftoverProcesses(s).some(isPluginProcess), 30_000);
      t.diagnostic(
        `left running by the killed CLI: ${leftAtKill.map((p) => `${p.pid} ${p.command.slice(0, 80)}`).join("; ") || "nothing"}; ` +
          `the plugin ended by itself ${Date.now() - killedAt} ms after the kill`,
      );
      killProcesses(leftoverProcesses(s)); // the language host, by id
      const inFlight = copiesIn(emulator!, DEST).filter((i) => i.Status === "creating");
      assert.equal(inFlight.length, 1, "one copy in flight");

      const locked = await s.run(["up", "--yes", "--skip-preview", ...s.stackArgs()]);
      assert.notEqual(locked.code, 0, describeFailure(locked, "the stack should be locked"));
      assert.match(
        `${locked.stdout}\n${locked.stderr}`,
        /currently (being updated|locked)|pulumi cancel/i,
        describeFailure(locked, "the lock is explained"),
      );
      await s.ok(["cancel", "--yes", "--stack", s.stack]);

      emulator!.clearLog();
      const again = await s.run(["up", "--yes", "--skip-preview", ...s.stackArgs()], { timeoutMs: 120_000 });
      if (again.code !== 0) assert.fail(describeFailure(again, "up after cancel failed"));
      assert.equal(count("CopyImage"), 0, `no second copy: ${countsText()}`);
      assert.match(`${again.stdout}\n${again.stderr}`, new RegExp(`adopting ${inFlight[0]!.ImageId}`));
      assert.equal((await s.outputs()).imageId, inFlight[0]!.ImageId, "the copy in flight was adopted");
      await s.ok(["destroy", "--yes", "--skip-preview", ...s.stackArgs()]);
      assertNothingLeaked(emulator!);
    },
  );
});
