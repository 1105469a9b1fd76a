// End to end through the real Pulumi CLI: one stack of the repository's root project (cwd = the repo
// root, whose node_modules/volcengine-copied-image links back to the repo, so the stored shim resolves
// the installed package) against an emulator started here, driven through preview, up, refresh, config
// changes, out-of-band deletion, a failing copy, rebuilt implementation and destroy. A second, tiny temp
// project covers what the root program cannot express: customTimeouts (a copy slower than its timeout,
// resumed by the next `up`) and the `import` resource option.
//
// Needs the CLI that scripts/install-pulumi-cli builds; without it every test here SKIPS with a message,
// or FAILS under scripts/test (and so in CI), which builds the CLI first.
// Steps run in order on shared state; after the first failed step the rest skip (their failures would
// only echo it). A failed CLI call prints its command, exit code, stdout and stderr.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EmulatorHandle, RequestLogEntry } from "../../emulator";
import { CANARY, SOURCE_IMAGE, SOURCE_REGION } from "../provider/env";
import {
  REPO_ROOT,
  PulumiStack,
  describeFailure,
  findPulumiCli,
  isMissing,
  resourcesOfType,
  skipWithoutCli,
  type CliResult,
  type StateResource,
} from "./cli";
import { SequentialSteps, assertNoCanaryIn, cleanUp, canaryCredentialsEnv, countOf, countsText as requestCounts, startSeededEmulator } from "./steps";

const TYPE = "pulumi-nodejs:dynamic/volcengine:CopiedImage";
const ALL_REGIONS = ["cn-shanghai", "cn-guangzhou", "cn-hongkong", "ap-southeast-1", "ap-southeast-3"];
const MUTATING = ["CopyImage", "DeleteImages", "ModifyImageAttribute", "TagResources", "UntagResources"];
const LIFECYCLE_JS = join(REPO_ROOT, "dist", "provider", "operations", "lifecycle.js");

const found = findPulumiCli();

let emulator: EmulatorHandle | undefined;
let root: PulumiStack | undefined;
let temp: PulumiStack | undefined;
let tempProject: string | undefined;
let lifecycleOriginal: string | undefined;

function restoreLifecycle(): void {
  if (lifecycleOriginal !== undefined) {
    writeFileSync(LIFECYCLE_JS, lifecycleOriginal);
    lifecycleOriginal = undefined;
  }
}
process.on("exit", restoreLifecycle); // never leave dist/ modified, even when a step throws mid-way

after(async () => {
  restoreLifecycle();
  // Best effort: destroy whatever a failed run left, remove the stacks, and their temp dirs.
  await cleanUp([temp, root], [tempProject], emulator);
});

// ------------------------------------------------------------------------------------------- helpers

function log(): RequestLogEntry[] {
  return emulator!.log();
}
function count(action: string, entries = log()): number {
  return countOf(entries, action);
}
function countsText(entries = log()): string {
  return requestCounts(entries, "action@region");
}
/** Private images (copies) in a region, i.e. everything but the platform images and the source. */
function copiesIn(region: string) {
  return emulator!.images(region).filter((i) => i.Visibility === "private" && i.ImageId !== SOURCE_IMAGE);
}
function output(r: CliResult): string {
  return `${r.stdout}\n${r.stderr}`;
}
/** Asserts that text (CLI output) matches, and shows the whole call when it does not. */
function assertOutput(r: CliResult, re: RegExp, what: string): void {
  if (!re.test(output(r))) assert.fail(describeFailure(r, `${what}: output does not match ${re}`));
}
function byName(resources: StateResource[], name: string): StateResource | undefined {
  return resources.find((r) => r.urn.endsWith(`::${name}`));
}

const timings: string[] = [];
const timing = (ms: number, name: string) => `${(ms / 1000).toFixed(1).padStart(5)} s  ${name}`;

// ----------------------------------------------------------------------------------------------- test

test("the root project through the real pulumi CLI against the emulator", { timeout: 15 * 60_000 }, async (t) => {
  if (isMissing(found)) {
    skipWithoutCli(t, found.missing);
    return;
  }
  const cli = found;
  const suiteStart = Date.now();

  const steps = new SequentialSteps(t, (name, ms) => timings.push(timing(ms, name)));
  const { step } = steps;

  emulator = await startSeededEmulator(1200); // a 20-minute copy takes 1 s
  // Credentials only in the environment of the CLI (and so of the plugin), never in stack config.
  const env = canaryCredentialsEnv();
  root = new PulumiStack(cli, { projectDir: REPO_ROOT, env, tempPrefix: "copied-image-e2e-root-" });
  const ids: Record<string, string> = {};

  await step("0. stack init and config (file backend, config file in a temp dir)", async () => {
    await root!.init();
    assert.ok(!existsSync(join(REPO_ROOT, `Pulumi.${root!.stack}.yaml`)), "the stack config file must not stay in the repo");
    await root!.setConfig("volcengine:region", SOURCE_REGION);
    await root!.setConfig("volcengine:endpoint", emulator!.url);
    await root!.setConfig("sourceImageId", SOURCE_IMAGE);
    await root!.setConfig("destinationRegions[0]", "cn-shanghai", { path: true });
    await root!.setConfig("destinationRegions[1]", "cn-guangzhou", { path: true });
    const cfg = readFileSync(root!.configFile, "utf8");
    assert.match(cfg, /destinationRegions:\n\s+- cn-shanghai\n\s+- cn-guangzhou/);
    assertNoCanaryIn(cfg, "the stack config");
  });

  await step("1. preview plans two creates and makes no request", async () => {
    emulator!.clearLog();
    const { result, json } = await root!.previewJson();
    if (result.code !== 0) assert.fail(describeFailure(result, "preview failed"));
    const creates = (json.steps ?? []).filter((s) => s.op === "create" && s.urn.includes(TYPE)).map((s) => s.urn.split("::").pop());
    assert.deepEqual(creates.sort(), ["image-cn-guangzhou", "image-cn-shanghai"]);
    assert.equal(json.changeSummary?.create, 3, `changeSummary ${JSON.stringify(json.changeSummary)}`);
    assert.equal(log().length, 0, `preview must not call the API; the emulator saw ${countsText()}`);
  });

  await step("2. an invalid description fails preview, naming the property, with no request", async () => {
    emulator!.clearLog();
    await root!.setConfig("description", "1 bad description!");
    try {
      const { result, json } = await root!.previewJson();
      assert.notEqual(result.code, 0, describeFailure(result, "preview should fail"));
      const errors = (json.diagnostics ?? []).filter((d) => d.severity === "error").map((d) => d.message);
      assert.ok(
        errors.some((m) => /property description value .* has a problem: description "1 bad description!" must start with a letter/.test(m)),
        `errors: ${JSON.stringify(errors, null, 2)}`,
      );
      assert.equal(log().length, 0, `a failed check must not call the API; the emulator saw ${countsText()}`);
    } finally {
      await root!.removeConfig("description");
    }
  });

  await step("3. up copies to two regions; outputs, state and output lines", async () => {
    emulator!.clearLog();
    const up = await root!.ok(["up", "--yes", ...root!.stackArgs()]);
    for (const region of ["cn-shanghai", "cn-guangzhou"]) {
      assertOutput(
        up,
        new RegExp(`CopiedImage image-${region}: copying ${SOURCE_IMAGE} \\(${SOURCE_REGION}\\) to ${region} as image-\\w+`),
        "progress: copy started",
      );
      assertOutput(up, new RegExp(`CopiedImage image-${region}: image-\\w+ succeeded, 100% after \\d+s \\(task t-\\w+\\)`), "progress: copy done");
    }
    assert.equal(count("CopyImage"), 2, countsText());

    const outs = await root!.outputs();
    const imageIds = outs.imageIds as Record<string, string>;
    assert.deepEqual(Object.keys(imageIds).sort(), ["cn-guangzhou", "cn-shanghai"]);
    for (const [region, id] of Object.entries(imageIds)) {
      const img = copiesIn(region).find((i) => i.ImageId === id);
      assert.ok(img, `output ${region}=${id} is not an image in the emulator (${JSON.stringify(copiesIn(region).map((i) => i.ImageId))})`);
      assert.equal(img.Status, "available");
      ids[region] = id;
    }

    const { text, deployment } = await root!.exportState();
    assertNoCanaryIn(text, "the stack export");
    const copies = resourcesOfType(deployment, TYPE);
    assert.equal(copies.length, 2);
    for (const r of copies) {
      for (const where of ["inputs", "outputs"] as const) {
        const shim = r[where]?.__provider;
        assert.equal(typeof shim, "string", `${r.urn} ${where}.__provider`);
        const bytes = Buffer.byteLength(shim as string);
        assert.ok(bytes < 2048, `${r.urn} ${where}.__provider is ${bytes} bytes`);
        assert.match(shim as string, /require\("volcengine-copied-image\/runtime"\)/);
      }
      assert.equal(r.outputs?.status, "available");
      assert.equal(r.id, imageIds[r.outputs?.destinationRegion as string]);
    }
  });

  await step("4. refresh, then preview --expect-no-changes: no changes, no mutating request", async () => {
    emulator!.clearLog();
    const refresh = await root!.ok(["refresh", "--yes", ...root!.stackArgs()]);
    assertOutput(refresh, /3 unchanged/, "refresh summary");
    const { result, json } = await root!.previewJson(["--expect-no-changes"]);
    if (result.code !== 0) assert.fail(describeFailure(result, "preview --expect-no-changes failed"));
    assert.deepEqual(json.changeSummary, { same: 3 });
    const mutating = log().filter((e) => MUTATING.includes(e.action));
    assert.equal(mutating.length, 0, `refresh/preview changed something: ${countsText()}`);
    assert.ok(count("DescribeImages") >= 2, `refresh reads every copy: ${countsText()}`);
  });

  await step("5. a new description: one ModifyImageAttribute per copy, no copy, no delete", async () => {
    await root!.setConfig("description", "Copied golden image, e2e");
    emulator!.clearLog();
    await root!.ok(["up", "--yes", ...root!.stackArgs()]);
    const modifies = log().filter((e) => e.action === "ModifyImageAttribute");
    assert.deepEqual(modifies.map((e) => e.region).sort(), ["cn-guangzhou", "cn-shanghai"], countsText());
    assert.equal(count("CopyImage"), 0, countsText());
    assert.equal(count("DeleteImages"), 0, countsText());
    for (const [region, id] of Object.entries(ids)) {
      assert.equal(copiesIn(region).find((i) => i.ImageId === id)?.Description, "Copied golden image, e2e");
    }
    const outs = await root!.outputs();
    assert.deepEqual(outs.imageIds, ids, "the ids do not change");
  });

  await step("6. replace a destination region: a new copy there, then the old copy deleted", async () => {
    await root!.setConfig("destinationRegions[1]", "cn-hongkong", { path: true });
    emulator!.clearLog();
    await root!.ok(["up", "--yes", ...root!.stackArgs()]);
    const entries = log();
    const copy = entries.filter((e) => e.action === "CopyImage");
    const del = entries.filter((e) => e.action === "DeleteImages");
    assert.equal(copy.length, 1, countsText(entries));
    assert.equal(copy[0]!.params.DestinationRegion, "cn-hongkong");
    assert.equal(del.length, 1, countsText(entries));
    assert.equal(del[0]!.region, "cn-guangzhou");
    assert.ok(JSON.stringify(del[0]!.params).includes(ids["cn-guangzhou"]!), `deleted ${JSON.stringify(del[0]!.params)}`);
    assert.ok(copy[0]!.seq < del[0]!.seq, "the new copy is made before the old one is deleted");
    assert.deepEqual(copiesIn("cn-guangzhou"), [], "the old copy is gone");
    const outs = (await root!.outputs()).imageIds as Record<string, string>;
    assert.equal(outs["cn-shanghai"], ids["cn-shanghai"], "the untouched region keeps its copy");
    assert.equal(outs["cn-guangzhou"], undefined);
    assert.ok(copiesIn("cn-hongkong").some((i) => i.ImageId === outs["cn-hongkong"] && i.Status === "available"));
    delete ids["cn-guangzhou"];
    ids["cn-hongkong"] = outs["cn-hongkong"]!;
  });

  await step("7. a copy deleted behind Pulumi's back: refresh drops it, up copies it again", async () => {
    const gone = ids["cn-hongkong"]!;
    assert.ok(emulator!.deleteImageOutOfBand("cn-hongkong", gone));
    const refresh = await root!.ok(["refresh", "--yes", ...root!.stackArgs()]);
    assertOutput(refresh, /image-cn-hongkong\s+deleted/, "refresh reports the vanished copy");
    const { deployment } = await root!.exportState();
    assert.equal(byName(resourcesOfType(deployment, TYPE), "image-cn-hongkong"), undefined, "refresh dropped it from the state");
    emulator!.clearLog();
    await root!.ok(["up", "--yes", ...root!.stackArgs()]);
    const copy = log().filter((e) => e.action === "CopyImage");
    assert.equal(copy.length, 1, countsText());
    assert.equal(copy[0]!.params.DestinationRegion, "cn-hongkong");
    const outs = (await root!.outputs()).imageIds as Record<string, string>;
    assert.notEqual(outs["cn-hongkong"], gone);
    assert.ok(copiesIn("cn-hongkong").some((i) => i.ImageId === outs["cn-hongkong"] && i.Status === "available"));
    assert.equal(outs["cn-shanghai"], ids["cn-shanghai"]);
    ids["cn-hongkong"] = outs["cn-hongkong"]!;
  });

  await step("8. a copy that fails: up fails with the task's message, the failed copy is deleted", async () => {
    emulator!.addFault({ kind: "copyFails", atPercent: 40, region: "ap-southeast-1", count: 1 });
    await root!.setConfig("destinationRegions[2]", "ap-southeast-1", { path: true });
    emulator!.clearLog();
    try {
      const up = await root!.fails(["up", "--yes", ...root!.stackArgs()]);
      assertOutput(
        up,
        /CopiedImage image-ap-southeast-1: The copy into image-\w+ in ap-southeast-1 failed \(task t-\w+, last progress \d+%\)\. The failed copy image-\w+ was deleted\./,
        "the task's failure",
      );
      assert.equal(count("CopyImage"), 1, countsText());
      assert.equal(count("DeleteImages"), 1, countsText());
      assert.deepEqual(copiesIn("ap-southeast-1"), [], "no failed copy is left in the region");
      const { deployment } = await root!.exportState();
      assert.equal(byName(resourcesOfType(deployment, TYPE), "image-ap-southeast-1"), undefined, "nothing recorded for the failed copy");
      const outs = (await root!.outputs()).imageIds as Record<string, string>;
      assert.deepEqual(outs, ids, "the other copies are untouched");
    } finally {
      emulator!.clearFaults();
      await root!.removeConfig("destinationRegions[2]", { path: true });
    }
  });

  await step("9. a copy slower than its timeout (temp project): up fails and records it; the next up finishes it, no second copy", async () => {
    tempProject = mkdtempSync(join(tmpdir(), "copied-image-e2e-project-"));
    writeFileSync(join(tempProject, "Pulumi.yaml"), "name: copied-image-e2e\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n");
    writeFileSync(
      join(tempProject, "tsconfig.json"),
      JSON.stringify(
        {
          compilerOptions: {
            strict: true,
            target: "ES2022",
            module: "commonjs",
            moduleResolution: "node",
            esModuleInterop: true,
            skipLibCheck: true,
          },
          files: ["index.ts"],
        },
        null,
        2,
      ),
    );
    writeFileSync(join(tempProject, "package.json"), JSON.stringify({ name: "copied-image-e2e", private: true, main: "index.ts" }, null, 2));
    writeFileSync(
      join(tempProject, "index.ts"),
      [
        `import * as pulumi from "@pulumi/pulumi";`,
        `import { CopiedImage } from "volcengine-copied-image";`,
        `const config = new pulumi.Config();`,
        `const sourceImageId = config.require("sourceImageId");`,
        `// Waits at most 2 s for the copy; a resumed wait gets 2 minutes.`,
        `const slow = new CopiedImage("slow", { sourceImageId, destinationRegion: "ap-southeast-1" }, { customTimeouts: { create: "2s", update: "2m" } });`,
        `export const slowImageId = slow.imageId;`,
        `export const slowStatus = slow.status;`,
        `const importId = config.get("importId");`,
        `export const adoptedImageId = importId`,
        `  ? new CopiedImage("adopted", { sourceImageId, destinationRegion: "ap-southeast-3" }, { import: importId }).imageId`,
        `  : undefined;`,
        `const adoptId = config.get("adoptId");`,
        `const byId = adoptId ? new CopiedImage("adopted-by-id", { sourceImageId, destinationRegion: "ap-southeast-3", adoptImageId: adoptId }) : undefined;`,
        `export const adoptedByIdImageId = byId?.imageId;`,
        `export const adoptedByIdName = byId?.imageName;`,
        ``,
      ].join("\n"),
    );
    // The package and @pulumi/pulumi as installed in the repo.
    symlinkSync(join(REPO_ROOT, "node_modules"), join(tempProject, "node_modules"), "dir");

    temp = new PulumiStack(cli, { projectDir: tempProject, env, tempPrefix: "copied-image-e2e-temp-" });
    await temp.init();
    await temp.setConfig("volcengine:region", SOURCE_REGION);
    await temp.setConfig("volcengine:endpoint", emulator!.url);
    await temp.setConfig("sourceImageId", SOURCE_IMAGE);

    // 2 simulated hours = 6 real seconds: longer than the 2 s create timeout, shorter than the 2 m resume.
    emulator!.addFault({ kind: "copyDuration", ms: 2 * 3_600_000, region: "ap-southeast-1", count: 1 });
    emulator!.clearLog();
    const first = await temp.fails(["up", "--yes", ...temp.stackArgs()]);
    assertOutput(first, /CopiedImage slow: Timed out after \d+s waiting for the copy into image-\w+ in ap-southeast-1/, "the timeout");
    assertOutput(first, /It is recorded in the state: the next `pulumi up` waits for it again/, "the partial state");
    assert.equal(count("CopyImage"), 1, countsText());

    const { deployment } = await temp.exportState();
    const slow = byName(resourcesOfType(deployment, TYPE), "slow");
    assert.ok(slow, "the unfinished copy is in the state");
    assert.match(slow.id ?? "", /^image-\w+$/);
    assert.equal(slow.outputs?.status, "creating");
    assert.ok((slow.initErrors ?? []).length > 0, "recorded with an init error");
    const copying = copiesIn("ap-southeast-1").find((i) => i.ImageId === slow.id);
    assert.equal(copying?.Status, "creating", "the copy goes on in the emulator");

    emulator!.clearLog();
    const second = await temp.ok(["up", "--yes", ...temp.stackArgs()]);
    assertOutput(second, new RegExp(`CopiedImage slow: resuming the wait for ${slow.id} in ap-southeast-1`), "the resumed wait");
    assert.equal(count("CopyImage"), 0, `no second copy: ${countsText()}`);
    const outs = await temp.outputs();
    assert.equal(outs.slowImageId, slow.id);
    assert.equal(outs.slowStatus, "available");
    assert.equal(copiesIn("ap-southeast-1").find((i) => i.ImageId === slow.id)?.Status, "available");
    assert.equal(copiesIn("ap-southeast-1").length, 1);
  });

  // The `import` resource option: the engine calls Read with neither inputs nor state for an import,
  // so the SDK's dynamic-provider plugin cannot find `__provider` ("code must be a string, not
  // undefined"): pulumi/pulumi#3550 (open), #7534, #17698. While that holds, this step is a TODO that
  // records the failure; once an engine imports dynamic resources, it checks the adoption for real.
  await t.test("9b. the import resource option adopts an existing image; the next preview shows no replacement", async (st) => {
    if (steps.skippedAfterFailure(st)) return;
    const started = Date.now();
    const existing = emulator!.seedImage({
      region: "ap-southeast-3",
      imageName: "hand-made-copy",
      description: "Made by hand",
      ownerAccountId: CANARY.accountId,
    });
    let adopted = false;
    try {
      await temp!.setConfig("importId", existing);
      emulator!.clearLog();
      const up = await temp!.run(["up", "--yes", ...temp!.stackArgs()]);
      if (up.code !== 0 && /code must be a string, not undefined/.test(output(up))) {
        st.todo("the Pulumi engine cannot import dynamic-provider resources (pulumi/pulumi#3550)");
        assert.equal(log().length, 0, "the failed import made no request");
        assert.fail(
          `\`pulumi up\` with { import: "${existing}" } fails in the dynamic-provider plugin before the provider runs: ` +
            (output(up).match(/error: Preview failed: .*/)?.[0] ?? "see the CLI output"),
        );
      }
      if (up.code !== 0) assert.fail(describeFailure(up, "import failed"));
      adopted = true;
      assertOutput(up, /adopted\s+imported/, "the import step");
      assert.equal(count("CopyImage"), 0, countsText());
      const outs = await temp!.outputs();
      assert.equal(outs.adoptedImageId, existing);
      const { json, result } = await temp!.previewJson(["--expect-no-changes"]);
      if (result.code !== 0) assert.fail(describeFailure(result, "preview after import shows changes"));
      const adoptedStep = (json.steps ?? []).find((s) => s.urn.endsWith("::adopted"));
      assert.equal(adoptedStep?.op, "same", JSON.stringify(adoptedStep, null, 2));
      assert.equal(copiesIn("ap-southeast-3").find((i) => i.ImageId === existing)?.ImageName, "hand-made-copy", "the image keeps its name");
    } finally {
      if (!adopted) {
        // Not in any state: take the program back to what it was, and the image away, so later steps see a clean slate.
        await temp!.removeConfig("importId").catch(() => undefined);
        emulator!.deleteImageOutOfBand("ap-southeast-3", existing);
      }
      timings.push(timing(Date.now() - started, "9b. import"));
    }
  });

  // What works today instead of `import`: the adoptImageId input, handled by the provider's create.
  await step("9c. adoptImageId adopts an existing image through the CLI; the next preview shows no change", async () => {
    const existing = emulator!.seedImage({
      region: "ap-southeast-3",
      imageName: "hand-made-copy-2",
      description: "Made by hand",
      ownerAccountId: CANARY.accountId,
    });
    await temp!.setConfig("adoptId", existing);
    emulator!.clearLog();
    await temp!.ok(["up", "--yes", ...temp!.stackArgs()]);
    assert.equal(count("CopyImage"), 0, countsText());
    const outs = await temp!.outputs();
    assert.equal(outs.adoptedByIdImageId, existing);
    assert.equal(outs.adoptedByIdName, "hand-made-copy-2", "the image keeps its name");
    const { result } = await temp!.previewJson(["--expect-no-changes"]);
    if (result.code !== 0) assert.fail(describeFailure(result, "preview after adoption shows changes"));
    await temp!.removeConfig("adoptId");
    await temp!.ok(["up", "--yes", ...temp!.stackArgs()]);
    assert.equal(
      copiesIn("ap-southeast-3").find((i) => i.ImageId === existing),
      undefined,
      "removing the resource deletes the adopted image",
    );
  });

  await step(
    "10. a rebuilt implementation (changed dist/provider/operations/lifecycle.js): preview shows no change and runs the new code",
    async () => {
      lifecycleOriginal = readFileSync(LIFECYCLE_JS, "utf8");
      const marker = join(root!.tempDir, "lifecycle-loaded");
      writeFileSync(
        LIFECYCLE_JS,
        `${lifecycleOriginal}\n// e2e: a changed implementation\n;if (process.env.COPIED_IMAGE_E2E_MARKER) require("node:fs").appendFileSync(process.env.COPIED_IMAGE_E2E_MARKER, "loaded\\n");\n`,
      );
      try {
        const { result, json } = await root!.previewJson(["--expect-no-changes"], { env: { COPIED_IMAGE_E2E_MARKER: marker } });
        if (result.code !== 0) assert.fail(describeFailure(result, "a rebuilt implementation shows changes"));
        assert.deepEqual(json.changeSummary, { same: 3 });
        assert.ok(existsSync(marker), "the plugin loaded the installed (changed) lifecycle.js");
      } finally {
        restoreLifecycle();
      }
      assert.ok(!readFileSync(LIFECYCLE_JS, "utf8").includes("e2e: a changed implementation"), "dist restored");
    },
  );

  await step("11. destroy both stacks: no copy is left in any region; no canary in any CLI output", async () => {
    emulator!.clearLog();
    await temp!.ok(["destroy", "--yes", ...temp!.stackArgs()]);
    await root!.ok(["destroy", "--yes", ...root!.stackArgs()]);
    assert.equal(count("CopyImage"), 0);
    for (const region of ALL_REGIONS)
      assert.deepEqual(
        copiesIn(region).map((i) => i.ImageId),
        [],
        `copies left in ${region}`,
      );
    assert.ok(
      emulator!.images(SOURCE_REGION).some((i) => i.ImageId === SOURCE_IMAGE),
      "the source image is untouched",
    );
    const { deployment } = await root!.exportState();
    assert.deepEqual(resourcesOfType(deployment, TYPE), []);
    for (const s of [root!, temp!]) for (const r of s.history) assertNoCanaryIn(output(r), `the output of \`${r.command}\``);
    // Remove the stacks now, so `after` has nothing to do.
    await root!.remove();
    await temp!.remove();
  });

  t.diagnostic("step timings:");
  for (const line of timings) t.diagnostic(line);
  t.diagnostic(`${((Date.now() - suiteStart) / 1000).toFixed(1).padStart(5)} s  total`);
});
