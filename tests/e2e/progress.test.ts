// End to end through the real Pulumi CLI: progress on each copy's own row, and interrupted runs.
//
// 1. `pulumi up --json` of a program with a top-level CopiedImage, one with a custom component
//    parent, and a CopiedImageSet of two: every copy's progress comes as ephemeral diagnostics on its
//    own URN; at most 3 persistent messages per copy, none of them a progress line; nothing about a
//    copy on the stack's row; no credential anywhere. `destroy --json` likewise.
// 2. Ctrl-C once, mid-copy: the engine's Cancel reaches the provider, the waits stop, the copies are
//    recorded as unfinished, the CLI exits long before the copies end and leaves no lock; the next
//    `pulumi up` waits for the same copies (no second CopyImage).
// 2b. Ctrl-C twice in quick succession: the CLI stops; the next `pulumi up` (after `pulumi cancel` if
//    the stack was left locked) resumes or adopts the copies in flight, no second CopyImage.
// 3. A killed runner (SIGKILL to the CLI mid-copy): the orphaned plugin notices the engine is gone and
//    ends itself; the stack is locked; `pulumi cancel`, then `pulumi up` adopts the copies that were in
//    flight (no second CopyImage); destroy leaves nothing.
//
// Needs the CLI that scripts/install-pulumi-cli builds; without it every test here SKIPS with a message.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EmulatorHandle } from "../../emulator";
import { SOURCE_IMAGE, SOURCE_REGION } from "../provider/env";
import { REPO_ROOT, PulumiStack, describeFailure, findPulumiCli, isMissing, resourcesOfType } from "./cli";
import {
  countDiagnostics,
  diagnosticsOf,
  interrupt,
  isUrnOfType,
  killProcesses,
  leftoverProcesses,
  stopRunsAndUnlock,
  assertLockedThenCancel,
  type BackgroundRun,
  type Diagnostic,
} from "./interrupt";
import {
  SequentialSteps,
  assertNoCanaryIn,
  cleanUp,
  canaryCredentialsEnv,
  countOf,
  countsText as requestCounts,
  startSeededEmulator,
  waitFor,
  startUpHeldMidCopy,
} from "./steps";

const TYPE = "pulumi-nodejs:dynamic/volcengine:CopiedImage";
const SET_TYPE = "volcengine:index:CopiedImageSet";
const GROUP_TYPE = "e2e:index:Group";
const PROJECT = "copied-image-progress-e2e";
/** What a status line (ephemeral) looks like; no persistent message may look like one. */
const STATUS_LINE = /^(starting the copy|copy queued \d+%|copying \d+%|copied 100%|deleting image-|image-\w+ cannot be deleted yet)/;
/** The progress lines of before (persistent, on the stack): "image-x running, 40% after 1m". */
const OLD_PROGRESS_LINE = /(running|pending), \d+% after/;

const found = findPulumiCli();
let emulator: EmulatorHandle | undefined;
let projectDir: string | undefined;
const stacks: PulumiStack[] = [];
const background: BackgroundRun[] = [];

after(async () => {
  await stopRunsAndUnlock(background, stacks);
  await cleanUp(stacks, [projectDir], emulator);
});

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { CopiedImage, CopiedImageSet } from "volcengine-copied-image";

const config = new pulumi.Config();
const sourceImageId = config.require("sourceImageId");

class Group extends pulumi.ComponentResource {
  constructor(name: string) {
    super("${GROUP_TYPE}", name, {});
    this.registerOutputs({});
  }
}

const ids: Record<string, pulumi.Output<string>> = {};
if (config.get("mode") === "pair") {
  // Two copies, for the interrupted runs.
  ids.first = new CopiedImage("first", { sourceImageId, destinationRegion: "cn-shanghai" }).imageId;
  ids.second = new CopiedImage("second", { sourceImageId, destinationRegion: "cn-guangzhou" }).imageId;
} else {
  // At the top level, under a custom parent, and inside a CopiedImageSet (a component parent).
  ids.top = new CopiedImage("top", { sourceImageId, destinationRegion: "cn-shanghai" }).imageId;
  const group = new Group("group");
  ids.parented = new CopiedImage("parented", { sourceImageId, destinationRegion: "cn-guangzhou" }, { parent: group }).imageId;
  const set = new CopiedImageSet("golden", { sourceImageId, destinationRegions: ["cn-hongkong", "ap-southeast-1"] });
  for (const [region, image] of Object.entries(set.images)) ids[region] = image.imageId;
}
export const imageIds = pulumi.all(ids);
`;

function writeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "copied-image-progress-e2e-"));
  writeFileSync(join(dir, "Pulumi.yaml"), `name: ${PROJECT}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n`);
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: { strict: true, target: "ES2022", module: "commonjs", moduleResolution: "node", esModuleInterop: true, skipLibCheck: true },
        files: ["index.ts"],
      },
      null,
      2,
    ),
  );
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: PROJECT, private: true, main: "index.ts" }, null, 2));
  writeFileSync(join(dir, "index.ts"), PROGRAM);
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir"); // the package and @pulumi/pulumi as installed in the repo
  return dir;
}

async function newStack(name: string, mode: "rows" | "pair"): Promise<PulumiStack> {
  const s = new PulumiStack(found as Exclude<typeof found, { missing: string }>, {
    projectDir: projectDir!,
    stack: `${name}-${process.pid}`,
    // Credentials only in the environment of the CLI (and so of the plugin).
    env: canaryCredentialsEnv(),
    tempPrefix: `copied-image-progress-${name}-`,
  });
  stacks.push(s);
  await s.init();
  await s.setConfig("volcengine:region", SOURCE_REGION);
  await s.setConfig("volcengine:endpoint", emulator!.url);
  await s.setConfig("sourceImageId", SOURCE_IMAGE);
  await s.setConfig("mode", mode);
  return s;
}

const count = (action: string) => countOf(emulator!.log(), action);
const countsText = () => requestCounts(emulator!.log(), "action");
const copiesIn = (region: string) => emulator!.images(region).filter((i) => i.Visibility === "private" && i.ImageId !== SOURCE_IMAGE);
const ALL_REGIONS = ["cn-shanghai", "cn-guangzhou", "cn-hongkong", "ap-southeast-1"];
const allCopies = () => ALL_REGIONS.flatMap((r) => copiesIn(r));

function format(events: Diagnostic[]): string {
  return events.map((e) => `${e.ephemeral ? "E" : "P"} ${e.severity} ${(e.urn ?? "-").split("::").pop()}: ${e.message}`).join("\n");
}

test("progress on each copy's row, Ctrl-C once, a killed runner: through the real pulumi CLI", { timeout: 15 * 60_000 }, async (t) => {
  if (isMissing(found)) {
    t.skip(found.missing);
    return;
  }
  const { step } = new SequentialSteps(t);

  emulator = await startSeededEmulator(120); // a 20-minute copy takes 10 s: long enough for a few progress reports
  projectDir = writeProject();

  await step(
    "1. up --json: each copy's progress is ephemeral on its own URN (top level, custom parent, CopiedImageSet); few persistent messages",
    async () => {
      const s = await newStack("rows", "rows");
      emulator!.clearLog();
      const up = await s.run(["up", "--yes", "--json", ...s.stackArgs()]);
      if (up.code !== 0) assert.fail(describeFailure(up, "up failed"));
      assertNoCanaryIn(up.stdout + up.stderr, "the output of up --json (ephemeral messages included)");
      assert.equal(count("CopyImage"), 4, countsText());

      const { events, previewDiagnostics } = diagnosticsOf(up.stdout);
      t.diagnostic(`up --json diagnostics: ${JSON.stringify(countDiagnostics(events, TYPE))}`);

      // The URN that travelled in the inputs is the one the engine gave each copy.
      const { deployment } = await s.exportState();
      const copies = resourcesOfType(deployment, TYPE);
      assert.deepEqual(copies.map((c) => c.urn.split("::").pop()).sort(), ["golden-ap-southeast-1", "golden-cn-hongkong", "parented", "top"]);
      for (const c of copies)
        assert.equal((c.outputs?.__meta as { resourceUrn?: string } | undefined)?.resourceUrn, c.urn, `__meta.resourceUrn of ${c.urn}`);
      const urnOf = (name: string) => copies.find((c) => c.urn.endsWith(`::${name}`))!.urn;
      assert.match(urnOf("top"), new RegExp(`::${PROJECT}::${TYPE.replace(/[/]/g, "\\/")}::top$`), "top level: no parent type in the URN");
      assert.ok(urnOf("parented").includes(`::${GROUP_TYPE}$${TYPE}::parented`), urnOf("parented"));
      assert.ok(urnOf("golden-cn-hongkong").includes(`::${SET_TYPE}$${TYPE}::golden-cn-hongkong`), urnOf("golden-cn-hongkong"));

      const statusTexts = new Set(events.filter((e) => e.ephemeral).map((e) => e.message));
      for (const c of copies) {
        const mine = events.filter((e) => e.urn === c.urn);
        const ephemeral = mine.filter((e) => e.ephemeral);
        const persistent = mine.filter((e) => !e.ephemeral);
        assert.ok(ephemeral.length >= 2, `${c.urn}: ephemeral progress on its row\n${format(events)}`);
        assert.ok(
          ephemeral.some((e) => /^(copying \d+%|copied 100%)/.test(e.message)),
          `${c.urn}: copy progress\n${format(ephemeral)}`,
        );
        assert.ok(
          ephemeral.every((e) => e.severity === "info"),
          "statuses are info",
        );
        assert.ok(
          persistent.length >= 1 && persistent.length <= 3,
          `${c.urn}: ${persistent.length} persistent messages (at most 3)\n${format(persistent)}`,
        );
        assert.ok(
          persistent.some((e) => /copying image-\w+ \(cn-beijing\) to [\w-]+ as image-\w+$/.test(e.message)),
          `which copy was started\n${format(persistent)}`,
        );
      }
      for (const e of events.filter((x) => !x.ephemeral)) {
        assert.ok(
          !STATUS_LINE.test(e.message) && !OLD_PROGRESS_LINE.test(e.message) && !statusTexts.has(e.message),
          `a progress line is persistent: ${e.message}`,
        );
      }
      // Nothing about a copy lands on the stack's row any more (the fallback was not used).
      const unattached = events.filter((e) => !isUrnOfType(e.urn, TYPE) && /CopiedImage|image-/.test(e.message));
      assert.deepEqual(unattached, [], format(unattached));
      assert.deepEqual(
        previewDiagnostics.filter((d) => /CopiedImage|copying/.test(d.message)),
        [],
        "the preview part has no progress",
      );
    },
  );

  await step("1b. destroy --json: deleting shows on each copy's row; nothing is left", async () => {
    const s = stacks[0]!;
    const destroy = await s.run(["destroy", "--yes", "--json", ...s.stackArgs()]);
    if (destroy.code !== 0) assert.fail(describeFailure(destroy, "destroy failed"));
    const { events } = diagnosticsOf(destroy.stdout);
    t.diagnostic(`destroy --json diagnostics: ${JSON.stringify(countDiagnostics(events, TYPE))}`);
    const deleting = events.filter((e) => e.ephemeral && isUrnOfType(e.urn, TYPE) && /^deleting image-\w+$/.test(e.message));
    assert.equal(new Set(deleting.map((e) => e.urn)).size, 4, format(events));
    assert.deepEqual(
      events.filter((e) => !e.ephemeral && STATUS_LINE.test(e.message)),
      [],
      "no persistent status line",
    );
    assert.deepEqual(allCopies(), [], "no copy left");
    assertNoCanaryIn(destroy.stdout + destroy.stderr, "the output of destroy --json");
  });

  await step(
    "2. Ctrl-C once mid-copy: the provider hears the engine's Cancel, records both copies, the CLI exits early without a lock; the next up finishes them with no second copy",
    async () => {
      const s = await newStack("ctrlc", "pair");
      const run = await startUpHeldMidCopy(emulator!, s, 2, background);
      const pressed = Date.now();
      interrupt(run);
      const result = await run.done;
      const stoppedAfterMs = Date.now() - pressed;
      t.diagnostic(`Ctrl-C to exit: ${stoppedAfterMs} ms (the copies had about 25 s to go)`);
      assert.notEqual(result.code, 0, describeFailure(result, "an interrupted up fails"));
      assert.ok(stoppedAfterMs < 15_000, describeFailure(result, `the CLI took ${stoppedAfterMs} ms after Ctrl-C: it waited for the copies`));
      const out = `${result.stdout}\n${result.stderr}`;
      assert.match(
        out,
        /Interrupted after \d+s waiting for the copy into image-\w+ in cn-(shanghai|guangzhou)/,
        describeFailure(result, "the interruption is explained"),
      );
      assert.match(out, /It is recorded in the state: the next `pulumi up` waits for it again/);
      assertNoCanaryIn(out, "the output of the interrupted up");

      const { deployment } = await s.exportState(); // works: no lock was left
      const copies = resourcesOfType(deployment, TYPE);
      assert.equal(copies.length, 2, JSON.stringify(deployment.resources?.map((r) => r.urn)));
      for (const c of copies) {
        assert.equal(c.outputs?.status, "creating", `${c.urn} is recorded as unfinished`);
        assert.equal(
          emulator!.images(c.outputs?.destinationRegion as string).find((i) => i.ImageId === c.id)?.Status,
          "creating",
          "the copy goes on in Volcengine",
        );
      }

      emulator!.clearLog();
      const again = await s.run(["up", "--yes", "--skip-preview", ...s.stackArgs()], { timeoutMs: 120_000 });
      if (again.code !== 0) assert.fail(describeFailure(again, "the next up failed"));
      assert.equal(count("CopyImage"), 0, `no second copy: ${countsText()}`);
      for (const c of copies) {
        assert.match(`${again.stdout}\n${again.stderr}`, new RegExp(`resuming the wait for ${c.id}`));
      }
      const outs = await s.outputs();
      assert.deepEqual(Object.values(outs.imageIds as Record<string, string>).sort(), copies.map((c) => c.id).sort());
      const destroy = await s.run(["destroy", "--yes", "--skip-preview", ...s.stackArgs()]);
      if (destroy.code !== 0) assert.fail(describeFailure(destroy, "destroy failed"));
      assert.deepEqual(allCopies(), [], "no copy left");
    },
  );

  await step(
    "2b. Ctrl-C twice mid-copy: the CLI stops at once; after pulumi cancel (when locked) the next up resumes or adopts the copies, no second CopyImage",
    async () => {
      const s = await newStack("twice", "pair");
      const run = await startUpHeldMidCopy(emulator!, s, 2, background);
      const pressed = Date.now();
      interrupt(run);
      // The second press before the provider can answer the first: the CLI terminates the deployment.
      await new Promise((r) => setTimeout(r, 20));
      interrupt(run);
      const result = await run.done;
      const stoppedAfterMs = Date.now() - pressed;
      assert.ok(stoppedAfterMs < 15_000, describeFailure(result, `the CLI took ${stoppedAfterMs} ms after Ctrl-C twice`));
      assert.notEqual(result.code, 0);
      await new Promise((r) => setTimeout(r, 1_000));
      const leftovers = leftoverProcesses(s);
      killProcesses(leftovers);
      const inFlight = ["cn-shanghai", "cn-guangzhou"].flatMap((r) => copiesIn(r).map((i) => i.ImageId));
      assert.equal(inFlight.length, 2, "one copy per region");

      emulator!.clearLog();
      let again = await s.run(["up", "--yes", "--skip-preview", ...s.stackArgs()], { timeoutMs: 120_000 });
      const locked = again.code !== 0 && /currently (being updated|locked)|pulumi cancel/i.test(`${again.stdout}\n${again.stderr}`);
      if (locked) {
        await s.ok(["cancel", "--yes", "--stack", s.stack]);
        again = await s.run(["up", "--yes", "--skip-preview", ...s.stackArgs()], { timeoutMs: 120_000 });
      }
      if (again.code !== 0) assert.fail(describeFailure(again, "the next up failed"));
      const text = `${again.stdout}\n${again.stderr}`;
      const how = inFlight.map((id) =>
        new RegExp(`resuming the wait for ${id}`).test(text) ? "resumed" : new RegExp(`adopting ${id}`).test(text) ? "adopted" : "?",
      );
      const said = /received; terminating/.test(result.stdout + result.stderr) ? "terminating" : "no 'terminating' message";
      t.diagnostic(
        `Ctrl-C twice (${said}): CLI exit after ${stoppedAfterMs} ms, code ${result.code}; stack locked afterwards: ${locked}; ` +
          `left running: ${leftovers.length} process(es); next up: ${how.join(", ")}`,
      );
      assert.equal(count("CopyImage"), 0, `no second copy: ${countsText()}`);
      assert.ok(!how.includes("?"), describeFailure(again, "each copy in flight is resumed or adopted"));
      const outs = await s.outputs();
      assert.deepEqual(Object.values(outs.imageIds as Record<string, string>).sort(), [...inFlight].sort());
      const destroy = await s.run(["destroy", "--yes", "--skip-preview", ...s.stackArgs()]);
      if (destroy.code !== 0) assert.fail(describeFailure(destroy, "destroy failed"));
      assert.deepEqual(allCopies(), [], "no copy left");
    },
  );

  await step(
    "3. a killed runner mid-copy: the orphaned plugin ends itself; locked; pulumi cancel, then up adopts the copies in flight (no second CopyImage); destroy leaves nothing",
    async () => {
      const s = await newStack("killed", "pair");
      const run = await startUpHeldMidCopy(emulator!, s, 2, background);
      process.kill(run.pid, "SIGKILL"); // the CLI only, as `kill -9 <pid>`
      const killedAt = Date.now();
      await run.done;
      // What the dead CLI started lives on in process groups of its own. Our plugin notices at its next
      // poll that the engine is gone (its Log call is refused) and ends itself instead of polling for nobody.
      const isPlugin = (p: { command: string }) => p.command.includes("dynamic-provider");
      const leftAtKill = leftoverProcesses(s);
      await waitFor(emulator!, "the orphaned plugin to end by itself", () => !leftoverProcesses(s).some(isPlugin), 30_000);
      const pluginGoneAfterMs = Date.now() - killedAt;
      const leftovers = leftoverProcesses(s);
      t.diagnostic(
        `left running by the killed CLI: ${leftAtKill.map((p) => `${p.pid} ${p.command.slice(0, 60)}`).join("; ") || "nothing"}; ` +
          `the plugin ended by itself ${pluginGoneAfterMs} ms after the kill; still running then: ${leftovers.length}`,
      );
      assert.ok(leftAtKill.some(isPlugin) || pluginGoneAfterMs < 1_000, "the plugin outlived the CLI (it runs in its own process group)");
      // A killed runner takes the rest too (Pulumi's language host): kill them, by id.
      killProcesses(leftovers);
      const inFlight = ["cn-shanghai", "cn-guangzhou"].map((r) =>
        copiesIn(r)
          .filter((i) => i.Status === "creating")
          .map((i) => i.ImageId),
      );
      assert.deepEqual(
        inFlight.map((ids) => ids.length),
        [1, 1],
        "one copy in flight per region",
      );

      await assertLockedThenCancel(s);

      emulator!.clearLog();
      const again = await s.run(["up", "--yes", "--skip-preview", ...s.stackArgs()], { timeoutMs: 120_000 });
      if (again.code !== 0) assert.fail(describeFailure(again, "up after cancel failed"));
      assert.equal(count("CopyImage"), 0, `no second copy: ${countsText()}`);
      const outs = await s.outputs();
      assert.deepEqual(Object.values(outs.imageIds as Record<string, string>).sort(), inFlight.flat().sort(), "the copies in flight were adopted");
      for (const id of inFlight.flat()) assert.match(`${again.stdout}\n${again.stderr}`, new RegExp(`adopting ${id}`));
      assertNoCanaryIn(`${again.stdout}\n${again.stderr}`, "the output of the adopting up");

      const destroy = await s.run(["destroy", "--yes", "--skip-preview", ...s.stackArgs()]);
      if (destroy.code !== 0) assert.fail(describeFailure(destroy, "destroy failed"));
      assert.deepEqual(allCopies(), [], "no copy left");
      const { deployment } = await s.exportState();
      assert.deepEqual(resourcesOfType(deployment, TYPE), []);
    },
  );
});
