// End to end through the real Pulumi CLI and the Pulumi YAML language host: examples/yaml-copy-image run
// against the emulator through the provider plugin (pulumi-resource-volcengine-copied-image), found
// through the program's `plugins.providers` entry with PULUMI_IGNORE_AMBIENT_PLUGINS=true, nothing
// downloaded. preview (no request), up, preview and refresh --expect-no-changes, a rename in place,
// `pulumi import` with its generated code pasted into the program, the `import` resource option, destroy;
// then nothing left in the emulator. The description is a secret config value: secret in the state,
// plain in the request Volcengine gets.
//
// Needs the CLI and the YAML host that scripts/install-pulumi-cli builds (SKIPS without them, FAILS under
// scripts/test), and the plugin in the build (package.json bin; FAILS without it).
// Steps run in order on shared state; after the first failed step the rest skip.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { startEmulator, type EmulatorHandle, type RequestLogEntry } from "../../emulator";
import { CANARY, CANARY_VALUES, SOURCE_IMAGE, SOURCE_REGION } from "../provider/env";
import { PulumiStack, describeFailure, findPulumiCli, isMissing, resourcesOfType, skipWithoutCli, type CliResult } from "./cli";
import { PLUGIN_TYPE, YamlProgram, assertNothingLeaked, copiesIn, copyYamlExample, findPlugin, isSecretValue } from "./yaml-project";

const DEST = "cn-shanghai";
const IMPORT_REGION = "ap-southeast-3";
const MUTATING = ["CopyImage", "DeleteImages", "ModifyImageAttribute", "TagResources", "UntagResources"];
const SECRET_DESCRIPTION = "Secret description from YAML";

const found = findPulumiCli();
const plugin = findPlugin();
let emulator: EmulatorHandle | undefined;
let stack: PulumiStack | undefined;
let projectDir: string | undefined;

after(async () => {
  await stack?.dispose().catch(() => undefined);
  if (projectDir) rmSync(projectDir, { recursive: true, force: true });
  await emulator?.stop();
});

const log = (): RequestLogEntry[] => emulator!.log();
const count = (action: string) => log().filter((e) => e.action === action).length;
function countsText(): string {
  const c: Record<string, number> = {};
  for (const e of log()) c[`${e.action}@${e.region}`] = (c[`${e.action}@${e.region}`] ?? 0) + 1;
  return JSON.stringify(c);
}
const output = (r: CliResult) => `${r.stdout}\n${r.stderr}`;
function assertNoCanaryIn(text: string, where: string): void {
  for (const v of CANARY_VALUES) assert.ok(!text.includes(v), `a canary credential (${v.slice(0, 8)}...) is in ${where}`);
}

/** The import id the plugin documents: the image and its region, then the source image and its region. */
function importIdOf(imageId: string, region: string): string {
  return `${imageId}@${region},${SOURCE_IMAGE}@${SOURCE_REGION}`;
}

let broken: string | undefined;

test("a Pulumi YAML program through the provider plugin against the emulator", { timeout: 15 * 60_000 }, async (t) => {
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
    clockSpeed: 1200, // a 20-minute copy takes 1 s
    copyDurationMs: 20 * 60_000,
    seed: {
      accounts: [CANARY],
      images: [{ region: SOURCE_REGION, imageId: SOURCE_IMAGE, imageName: "golden-base", description: "Golden base image", size: 40 }],
    },
  });
  projectDir = copyYamlExample(plugin.path, "copied-image-e2e-yaml-");
  const program = new YamlProgram(projectDir);
  stack = new PulumiStack(found, {
    projectDir,
    tempPrefix: "copied-image-e2e-yaml-stack-",
    env: {
      // Credentials and endpoint only in the environment (the plugin reads the dynamic provider's variables).
      VOLCENGINE_ACCESS_KEY: CANARY.accessKey,
      VOLCENGINE_SECRET_KEY: CANARY.secretKey,
      VOLCENGINE_SESSION_TOKEN: CANARY.sessionToken,
      VOLCENGINE_ENDPOINT: emulator.url,
      // Only the program's plugins.providers entry (and the plugins next to pulumi) may serve the plugin.
      PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
    },
  });
  const s = stack;
  let imageId = "";

  await step("0. stack init and config; preview plans one create and makes no request", async () => {
    await s.init();
    await s.setConfig("sourceRegion", SOURCE_REGION);
    await s.setConfig("sourceImageId", SOURCE_IMAGE);
    await s.setConfig("destinationRegion", DEST);
    await s.setConfig("description", SECRET_DESCRIPTION, { secret: true });
    emulator!.clearLog();
    const { result, json } = await s.previewJson();
    if (result.code !== 0) assert.fail(describeFailure(result, "preview failed"));
    const creates = (json.steps ?? []).filter((st) => st.op === "create" && st.urn.includes(`::${PLUGIN_TYPE}::`));
    assert.deepEqual(
      creates.map((st) => st.urn.split("::").pop()),
      ["golden-image"],
    );
    assert.equal(log().length, 0, `preview must not call the API; the emulator saw ${countsText()}`);
  });

  await step("1. up copies once; the secret description is secret in the state and plain in the request", async () => {
    emulator!.clearLog();
    await s.ok(["up", "--yes", ...s.stackArgs()]);
    assert.equal(count("CopyImage"), 1, countsText());
    const outs = await s.outputs();
    imageId = outs.imageId as string;
    const image = copiesIn(emulator!, DEST).find((i) => i.ImageId === imageId);
    assert.ok(image, `output imageId ${imageId} is not an image in ${DEST}`);
    assert.equal(image.Status, "available");
    assert.equal(outs.status, "available");
    assert.equal(image.Description, SECRET_DESCRIPTION, "the image got the plain description");

    const sent = log().filter((e) => Object.values(e.params).includes(SECRET_DESCRIPTION));
    assert.ok(sent.length > 0, `no request carried the plain description: ${JSON.stringify(log().map((e) => e.params))}`);
    const wrapped = log().filter((e) => JSON.stringify(e.params).includes("4dabf18193072939515e22adb298388d"));
    assert.deepEqual(wrapped, [], "a request carried a secret wrapper");

    const { text, deployment } = await s.exportState();
    assertNoCanaryIn(text, "the stack export");
    assert.ok(!text.includes(SECRET_DESCRIPTION), "the description is in the state in plain text");
    const [copy, ...more] = resourcesOfType(deployment, PLUGIN_TYPE);
    assert.ok(copy, `no ${PLUGIN_TYPE} in the state`);
    assert.equal(more.length, 0);
    assert.equal(copy.id, imageId);
    assert.ok(isSecretValue(copy.inputs?.description), `inputs.description is not a secret: ${JSON.stringify(copy.inputs?.description)}`);
    assert.ok(isSecretValue(copy.outputs?.description), `outputs.description is not a secret: ${JSON.stringify(copy.outputs?.description)}`);
    assert.match(copy.provider ?? "", /::pulumi:providers:volcengine-copied-image::/, "served by the plugin's provider");
  });

  await step("2. preview and refresh --expect-no-changes: no change, no mutating request", async () => {
    emulator!.clearLog();
    const { result, json } = await s.previewJson(["--expect-no-changes"]);
    if (result.code !== 0) assert.fail(describeFailure(result, "preview --expect-no-changes failed"));
    assert.deepEqual(json.changeSummary, { same: 2 });
    await s.ok(["refresh", "--yes", "--expect-no-changes", ...s.stackArgs()]);
    assert.ok(count("DescribeImages") >= 1, `refresh reads the copy: ${countsText()}`);
    assert.deepEqual(
      log().filter((e) => MUTATING.includes(e.action)),
      [],
      `preview/refresh changed something: ${countsText()}`,
    );
  });

  await step("3. a new imageName: renamed in place, same image, no copy, no delete", async () => {
    program.addProperty("golden-image", "imageName: golden-image-renamed");
    const { json } = await s.previewJson();
    const update = (json.steps ?? []).find((st) => st.urn.endsWith("::golden-image"));
    assert.equal(update?.op, "update", JSON.stringify(update, null, 2));
    emulator!.clearLog();
    await s.ok(["up", "--yes", ...s.stackArgs()]);
    assert.equal(count("ModifyImageAttribute"), 1, countsText());
    assert.equal(count("CopyImage"), 0, countsText());
    assert.equal(count("DeleteImages"), 0, countsText());
    const outs = await s.outputs();
    assert.equal(outs.imageId, imageId, "the same image");
    assert.equal(outs.imageName, "golden-image-renamed");
    assert.equal(copiesIn(emulator!, DEST).find((i) => i.ImageId === imageId)?.ImageName, "golden-image-renamed");
    const { result } = await s.previewJson(["--expect-no-changes"]);
    if (result.code !== 0) assert.fail(describeFailure(result, "preview after the rename shows changes"));
  });

  await step("4. pulumi import of an image copied outside the stack; its generated code pasted in; preview --expect-no-changes", async () => {
    const outside = emulator!.seedImage({
      region: IMPORT_REGION,
      imageName: "copied-by-hand",
      description: "Copied by hand",
      ownerAccountId: CANARY.accountId,
    });
    const generated = join(s.tempDir, "imported.yaml");
    emulator!.clearLog();
    const imported = await s.ok([
      "import",
      PLUGIN_TYPE,
      "by-hand",
      importIdOf(outside, IMPORT_REGION),
      "--yes",
      "--protect=false",
      "--out",
      generated,
      ...s.stackArgs(),
    ]);
    assert.equal(count("CopyImage"), 0, countsText());
    assert.deepEqual(
      log().filter((e) => MUTATING.includes(e.action)),
      [],
      `the import changed something: ${countsText()}`,
    );
    const code = readFileSync(generated, "utf8");
    // The YAML generator writes the short form of the token (the index module left out); both resolve.
    assert.match(code, /\n {4}type: volcengine-copied-image:(index:)?CopiedImage\n/, `generated code:\n${code}`);
    program.pasteResources(code);
    const { result, json } = await s.previewJson(["--expect-no-changes"]);
    if (result.code !== 0)
      assert.fail(describeFailure(result, `preview after pasting the generated code shows changes; generated:\n${code}\n${output(imported)}`));
    assert.deepEqual(json.changeSummary, { same: 3 }, "the stack, the copy and the imported image");
    const { deployment } = await s.exportState();
    assert.ok(
      resourcesOfType(deployment, PLUGIN_TYPE).some((r) => r.id === outside),
      "the imported image is in the state",
    );
  });

  await step("5. the import resource option: up imports, no copy; the next preview shows no change", async () => {
    const outside = emulator!.seedImage({
      region: IMPORT_REGION,
      imageName: "copied-by-hand-2",
      description: "Copied by hand",
      ownerAccountId: CANARY.accountId,
    });
    program.pasteResources(
      [
        "resources:",
        "  by-option:",
        `    type: ${PLUGIN_TYPE}`,
        "    properties:",
        "      sourceImageId: ${sourceImageId}",
        "      sourceRegion: ${sourceRegion}",
        `      destinationRegion: ${IMPORT_REGION}`,
        // As the import option asks: the image's own name and description (else the update that
        // follows the import gives it the generated name and the source's description).
        "      imageName: copied-by-hand-2",
        "      description: Copied by hand",
        "    options:",
        `      import: ${importIdOf(outside, IMPORT_REGION)}`,
      ].join("\n"),
    );
    emulator!.clearLog();
    const up = await s.ok(["up", "--yes", ...s.stackArgs()]);
    assert.match(output(up), /by-option\s+imported/, describeFailure(up, "the import step"));
    assert.deepEqual(
      log().filter((e) => MUTATING.includes(e.action)),
      [],
      `the import changed something: ${countsText()}`,
    );
    const { result, json } = await s.previewJson(["--expect-no-changes"]);
    if (result.code !== 0) assert.fail(describeFailure(result, "preview after the import option shows changes"));
    assert.deepEqual(json.changeSummary, { same: 4 });
    assert.equal(copiesIn(emulator!, IMPORT_REGION).find((i) => i.ImageId === outside)?.ImageName, "copied-by-hand-2", "the image keeps its name");
  });

  await step("6. destroy deletes the copy and both imported images with their snapshots; nothing leaked", async () => {
    emulator!.clearLog();
    await s.ok(["destroy", "--yes", ...s.stackArgs()]);
    assert.equal(count("CopyImage"), 0, countsText());
    assertNothingLeaked(emulator!);
    const { deployment } = await s.exportState();
    assert.deepEqual(resourcesOfType(deployment, PLUGIN_TYPE), []);
    for (const r of s.history) assertNoCanaryIn(output(r), `the output of \`${r.command}\``);
    await s.remove();
  });
});
