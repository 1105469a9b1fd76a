// End to end through the real Pulumi CLI: a TypeScript stack whose copy is a dynamic `CopiedImage` moves
// to the provider plugin's resource (`volcengine-copied-image:index:CopiedImage`) without a second copy
// and without deleting the image, following the README's "Moving a stack from the dynamic provider to the
// plugin" step by step: `pulumi state delete` of the dynamic resource, then the plugin's resource with the
// `import` option. Counted in the emulator's request log: 0 CopyImage and 0 DeleteImages across the move;
// afterwards the moved copy is managed like any other (renamed in place, deleted with its snapshots).
// Before that, it records what `aliases` alone would do (the README says why they are not the way).
//
// Needs the CLI (scripts/install-pulumi-cli) and the plugin in the build (package.json bin; FAILS without it).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { COPIED_IMAGE_TYPE } from "../../provider/dynamic/copied-image";
import { CANARY, SOURCE_IMAGE, SOURCE_REGION } from "../provider/env";
import { REPO_ROOT, PulumiStack, describeFailure, findPulumiCli, isMissing, resourcesOfType, skipWithoutCli } from "./cli";
import { PLUGIN_TYPE, assertNothingLeaked, copiesIn, findPlugin, linkPluginInto } from "./yaml-project";

const DEST = "cn-shanghai";
const PROJECT = "copied-image-move-e2e";

// One program, three shapes picked by the stack config `front`: the dynamic resource as existing stacks
// have it; the plugin's resource with `aliases` naming the dynamic type; the plugin's resource, imported
// once with the `import` option (config `importId`), plain afterwards.
const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { CopiedImage } from "volcengine-copied-image";

const config = new pulumi.Config();
const front = config.require("front");
const args = { sourceImageId: config.require("sourceImageId"), destinationRegion: "${DEST}", tags: { team: "web" }, imageName: config.get("imageName") };

// The plugin's resource through the SDK's generic class, as the README shows it: the engine resolves the
// type token to the plugin (Pulumi.yaml plugins.providers); every key given comes back as an output.
class PluginCopiedImage extends pulumi.CustomResource {
  declare readonly imageId: pulumi.Output<string>;
  declare readonly imageName: pulumi.Output<string>;
  constructor(name: string, args: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super("${PLUGIN_TYPE}", name, { imageId: undefined, ...args }, opts);
  }
}

let copy: CopiedImage | PluginCopiedImage;
if (front === "dynamic") {
  copy = new CopiedImage("web", args);
} else {
  const importId = config.get("importId");
  const aliases = front === "alias" ? [{ type: "${COPIED_IMAGE_TYPE}" }] : undefined;
  copy = new PluginCopiedImage("web", args, { aliases, import: importId });
}
export const imageId = copy.imageId;
export const imageName = copy.imageName;
`;

const found = findPulumiCli();
const plugin = findPlugin();
let emulator: EmulatorHandle | undefined;
let projectDir: string | undefined;
const stacks: PulumiStack[] = [];

after(async () => {
  for (const s of stacks) await s.dispose().catch(() => undefined);
  if (projectDir) rmSync(projectDir, { recursive: true, force: true });
  await emulator?.stop();
});

function writeProject(pluginPath: string): string {
  const dir = mkdtempSync(join(tmpdir(), "copied-image-move-e2e-"));
  const yaml = [
    `name: ${PROJECT}`,
    "runtime:",
    "  name: nodejs",
    "  options:",
    "    typescript: true",
    "plugins:",
    "  providers:",
    "    - name: volcengine-copied-image",
    "      path: plugins",
    "",
  ];
  writeFileSync(join(dir, "Pulumi.yaml"), yaml.join("\n"));
  const compilerOptions = { strict: true, target: "ES2022", module: "commonjs", moduleResolution: "node", esModuleInterop: true, skipLibCheck: true };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["index.ts"] }, null, 2));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: PROJECT, private: true, main: "index.ts" }, null, 2));
  writeFileSync(join(dir, "index.ts"), PROGRAM);
  // The package and @pulumi/pulumi as installed in the repo (the dynamic resource's shim resolves them here).
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  // The plugin in a dir of its own (node_modules is the repo's, left untouched), named by Pulumi.yaml.
  linkPluginInto(join(dir, "plugins"), pluginPath);
  return dir;
}

const count = (action: string) => emulator!.log().filter((e) => e.action === action).length;
function countsText(): string {
  const c: Record<string, number> = {};
  for (const e of emulator!.log()) c[e.action] = (c[e.action] ?? 0) + 1;
  return JSON.stringify(c);
}

/** A stack of the project with one dynamic copy, made by `pulumi up`; returns the stack and the copy's id. */
async function dynamicStack(name: string): Promise<{ s: PulumiStack; imageId: string; urn: string }> {
  const s = new PulumiStack(found as Exclude<typeof found, { missing: string }>, {
    projectDir: projectDir!,
    stack: `${name}-${process.pid}`,
    tempPrefix: `copied-image-move-${name}-`,
    env: {
      VOLCENGINE_ACCESS_KEY: CANARY.accessKey,
      VOLCENGINE_SECRET_KEY: CANARY.secretKey,
      VOLCENGINE_SESSION_TOKEN: CANARY.sessionToken,
      PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
    },
  });
  stacks.push(s);
  await s.init();
  // What a stack of the dynamic provider has: volcengine:* config. The plugin reads its own namespace.
  for (const ns of ["volcengine", "volcengine-copied-image"]) {
    await s.setConfig(`${ns}:region`, SOURCE_REGION);
    await s.setConfig(`${ns}:endpoint`, emulator!.url);
  }
  await s.setConfig("sourceImageId", SOURCE_IMAGE);
  await s.setConfig("front", "dynamic");
  await s.ok(["up", "--yes", ...s.stackArgs()]);
  const { deployment } = await s.exportState();
  const [copy] = resourcesOfType(deployment, COPIED_IMAGE_TYPE);
  assert.ok(copy?.id, `no dynamic copy in the state: ${JSON.stringify(deployment.resources?.map((r) => r.urn))}`);
  return { s, imageId: copy.id, urn: copy.urn };
}

/**
 * After a move: no CopyImage and no DeleteImages since the log was cleared, the state holds the
 * plugin's resource with the same image and no dynamic one, preview and refresh show no change; then
 * the copy is renamed in place, and destroy deletes it with its snapshots. Returns the requests of the move.
 */
async function assertMovedAndManaged(s: PulumiStack, imageId: string, imageName: string): Promise<string> {
  const { result } = await s.previewJson(["--expect-no-changes"]);
  if (result.code !== 0) assert.fail(describeFailure(result, "preview after the move shows changes"));
  await s.ok(["refresh", "--yes", "--expect-no-changes", ...s.stackArgs()]);
  const requests = countsText();
  assert.equal(count("CopyImage"), 0, `no second copy: ${requests}`);
  assert.equal(count("DeleteImages"), 0, `no image deleted: ${requests}`);
  const { deployment } = await s.exportState();
  assert.deepEqual(resourcesOfType(deployment, COPIED_IMAGE_TYPE), [], "no dynamic resource left");
  assert.deepEqual(
    resourcesOfType(deployment, PLUGIN_TYPE).map((r) => r.id),
    [imageId],
    "the plugin's resource holds the same image",
  );
  assert.equal(copiesIn(emulator!, DEST).find((i) => i.ImageId === imageId)?.ImageName, imageName, "the image keeps its name");
  assert.equal((await s.outputs()).imageId, imageId, "the program reads the same imageId output");

  emulator!.clearLog();
  await s.setConfig("imageName", "web-moved");
  await s.ok(["up", "--yes", ...s.stackArgs()]);
  assert.equal(count("CopyImage") + count("DeleteImages"), 0, countsText());
  assert.equal(copiesIn(emulator!, DEST).find((i) => i.ImageId === imageId)?.ImageName, "web-moved", "renamed in place");
  await s.ok(["destroy", "--yes", ...s.stackArgs()]);
  assertNothingLeaked(emulator!);
  await s.remove();
  return requests;
}

test(
  "moving a stack from the dynamic CopiedImage to the plugin's resource: no second copy, no image deleted",
  { timeout: 15 * 60_000 },
  async (t) => {
    if (isMissing(found)) {
      skipWithoutCli(t, found.missing);
      return;
    }
    if ("missing" in plugin) assert.fail(plugin.missing); // the plugin is part of the package: never skipped
    emulator = await startEmulator({
      clockSpeed: 1200,
      copyDurationMs: 20 * 60_000,
      seed: {
        accounts: [CANARY],
        images: [{ region: SOURCE_REGION, imageId: SOURCE_IMAGE, imageName: "golden-base", description: "Golden base image", size: 40 }],
      },
    });
    projectDir = writeProject(plugin.path);

    await t.test("aliases: one line in the program, then up, then the alias removed; no copy, no delete; then managed like any copy", async () => {
      const { s, imageId } = await dynamicStack("alias");
      const before = copiesIn(emulator!, DEST).find((i) => i.ImageId === imageId)!;
      emulator!.clearLog();
      await s.setConfig("front", "alias");
      const { result, json } = await s.previewJson();
      if (result.code !== 0) assert.fail(describeFailure(result, "preview with the alias failed"));
      assert.deepEqual(json.changeSummary, { same: 2 }, `the alias moves the copy with no change: ${JSON.stringify(json.steps, null, 2)}`);
      await s.ok(["up", "--yes", ...s.stackArgs()]);
      // Once moved, the alias can go: the state has the plugin's type.
      await s.setConfig("front", "plugin");
      const requests = await assertMovedAndManaged(s, imageId, before.ImageName);
      t.diagnostic(`aliases: requests during the move ${requests}`);
      assert.deepEqual(Object.keys(JSON.parse(requests) as object), ["DescribeImages"], "the move only reads");
    });

    await t.test("state delete, then the import option: no copy, no delete; then managed like any copy", async () => {
      const { s, imageId, urn } = await dynamicStack("import");
      const before = copiesIn(emulator!, DEST).find((i) => i.ImageId === imageId)!;
      emulator!.clearLog();
      // Step 1: forget the dynamic resource (the image stays).
      await s.ok(["state", "delete", urn, "--yes", "--stack", s.stack]);
      // Step 2: the plugin's resource, imported by id (image@destination,source@sourceRegion).
      await s.setConfig("front", "plugin");
      await s.setConfig("importId", `${imageId}@${DEST},${SOURCE_IMAGE}@${SOURCE_REGION}`);
      const up = await s.ok(["up", "--yes", ...s.stackArgs()]);
      assert.match(`${up.stdout}\n${up.stderr}`, /web\s+imported/, describeFailure(up, "the import step"));
      // Step 3: the import option is dropped.
      await s.removeConfig("importId");
      const requests = await assertMovedAndManaged(s, imageId, before.ImageName);
      t.diagnostic(`state delete + import: requests during the move ${requests}`);
      // The import reads no tags as managed (which of an image's tags are the program's cannot be told), so
      // the update that follows it tags the image with the program's tags again: same keys, same values.
      assert.ok(!("ModifyImageAttribute" in (JSON.parse(requests) as object)), `no rename: ${requests}`);
    });
  },
);
