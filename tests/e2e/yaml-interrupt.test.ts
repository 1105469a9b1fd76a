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
import type { EmulatorHandle } from "../../emulator";
import { SOURCE_IMAGE, SOURCE_REGION } from "../provider/env";
import { PulumiStack, describeFailure, findPulumiCli, isMissing, resourcesOfType, skipWithoutCli } from "./cli";
import { interrupt, killProcesses, leftoverProcesses, stopRunsAndUnlock, assertLockedThenCancel, type BackgroundRun } from "./interrupt";
import {
  SequentialSteps,
  assertNoCanaryIn,
  cleanUp,
  countOf,
  countsText as requestCounts,
  pluginStackEnv,
  startSeededEmulator,
  waitFor,
  startUpHeldMidCopy,
} from "./steps";
import { PLUGIN_TYPE, assertNothingLeaked, copiesIn, copyYamlExample, findPlugin, isPluginProcess } from "./yaml-project";

const DEST = "cn-shanghai";
const found = findPulumiCli();
const plugin = findPlugin();
let emulator: EmulatorHandle | undefined;
const projectDirs: string[] = [];
const stacks: PulumiStack[] = [];
const background: BackgroundRun[] = [];

after(async () => {
  await stopRunsAndUnlock(background, stacks);
  await cleanUp(stacks, projectDirs, emulator);
});

const count = (action: string) => countOf(emulator!.log(), action);
const countsText = () => requestCounts(emulator!.log(), "action");

async function newStack(name: string): Promise<PulumiStack> {
  const projectDir = copyYamlExample((plugin as { path: string }).path, `copied-image-yaml-${name}-`);
  projectDirs.push(projectDir);
  const s = new PulumiStack(found as Exclude<typeof found, { missing: string }>, {
    projectDir,
    stack: `${name}-${process.pid}`,
    tempPrefix: `copied-image-yaml-${name}-stack-`,
    env: pluginStackEnv(),
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

test("interrupted runs of a YAML program through the provider plugin leave no second copy", { timeout: 15 * 60_000 }, async (t) => {
  if (isMissing(found)) {
    skipWithoutCli(t, found.missing);
    return;
  }
  if ("missing" in plugin) assert.fail(plugin.missing); // the plugin is part of the package: never skipped
  const { step } = new SequentialSteps(t);
  emulator = await startSeededEmulator(120); // 60 simulated minutes (a copy held by startUpHeldMidCopy) take 30 s

  await step("1. Ctrl-C once mid-copy: the plugin hears Cancel, records the copy, no lock; the next up finishes it, no second copy", async () => {
    const s = await newStack("ctrlc");
    const run = await startUpHeldMidCopy(emulator!, s, 1, background);
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
    assertNoCanaryIn(out, "the output of the interrupted up");

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
      const run = await startUpHeldMidCopy(emulator!, s, 1, background);
      process.kill(run.pid, "SIGKILL"); // the CLI only, as `kill -9 <pid>`
      const killedAt = Date.now();
      await run.done;
      const leftAtKill = leftoverProcesses(s);
      await waitFor(emulator!, "the orphaned plugin to end by itself", () => !leftoverProcesses(s).some(isPluginProcess), 30_000);
      t.diagnostic(
        `left running by the killed CLI: ${leftAtKill.map((p) => `${p.pid} ${p.command.slice(0, 80)}`).join("; ") || "nothing"}; ` +
          `the plugin ended by itself ${Date.now() - killedAt} ms after the kill`,
      );
      killProcesses(leftoverProcesses(s)); // the language host, by id
      const inFlight = copiesIn(emulator!, DEST).filter((i) => i.Status === "creating");
      assert.equal(inFlight.length, 1, "one copy in flight");

      await assertLockedThenCancel(s);

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
