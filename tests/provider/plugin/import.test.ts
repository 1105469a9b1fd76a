// `pulumi import` through the provider plugin: the engine calls Read with the import id alone, then
// Check with what Read returned (planned import), or Check with the program's inputs and Diff (the
// `import` resource option). Read must return inputs that Check leaves unchanged and outputs that Diff
// finds equal; the imported copy is then managed like any other; a bad id names the expected form.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { startPlugin, PluginCallError, type PluginProcess } from "../../harness/plugin";
import { startTestEnv, stackConfigFor, SOURCE_IMAGE, SOURCE_REGION, type TestEnv } from "../env";

const repoRoot = resolve(__dirname, "../../../..");
const urnOf = (name: string) => `urn:pulumi:dev::proj::volcengine-copied-image:index:CopiedImage::${name}`;
const FORM = "<imageId>@<destinationRegion>,<sourceImageId>@<sourceRegion>";

let env: TestEnv;
let plugin: PluginProcess;

before(async () => {
  env = await startTestEnv();
  plugin = await startPlugin({
    cwd: repoRoot,
    project: "proj",
    frontEnd: "plugin",
    env: { VOLCENGINE_ACCESS_KEY: undefined, VOLCENGINE_SECRET_KEY: undefined },
  });
  await plugin.configure(stackConfigFor(env)); // volcengine:* as the tests write it; the front end speaks the plugin's namespace
});

after(async () => {
  await plugin?.stop();
  await env?.stop();
});

/** The program's inputs of the generated code: only the schema's input properties. */
function programOf(inputs: Record<string, unknown>): Record<string, unknown> {
  const { __meta: _m, ...rest } = inputs;
  return rest;
}

test("import by id: no diff, no replacement; then renamed in place and destroyed with its snapshots", async () => {
  // A copy made outside this stack (here by another resource whose state was lost).
  const made = await plugin.check(urnOf("elsewhere"), {}, { sourceImageId: SOURCE_IMAGE, destinationRegion: "cn-shanghai", description: "Web tier" });
  const copy = await plugin.create(urnOf("elsewhere"), made.inputs);
  const snapshots = (copy.properties.snapshotIds as string[]) ?? [];
  assert.ok(snapshots.length > 0, "the copy stands on snapshots");

  const urn = urnOf("imported");
  const read = await plugin.read(`${copy.id}@cn-shanghai,${SOURCE_IMAGE}@${SOURCE_REGION}`, urn, {});
  assert.equal(read.id, copy.id, "the state's id is the image id");
  assert.equal(read.properties.imageName, made.inputs.imageName);
  assert.equal(read.properties.status, "available");
  assert.deepEqual(programOf(read.inputs), {
    sourceImageId: SOURCE_IMAGE,
    sourceRegion: SOURCE_REGION,
    destinationRegion: "cn-shanghai",
    imageName: made.inputs.imageName,
    description: "Web tier",
    copyImageTags: false,
    keepSnapshotsOnDelete: false,
  });

  // Planned import (`pulumi import`): Check with what Read returned leaves it unchanged.
  const planned = await plugin.check(urn, read.inputs, read.inputs);
  assert.deepEqual(planned.failures, []);
  assert.deepEqual(planned.inputs, read.inputs);
  // The generated code pasted into the program, then `preview --expect-no-changes`; the same for the `import` option.
  const program = await plugin.check(urn, read.inputs, programOf(read.inputs));
  assert.deepEqual(program.failures, []);
  const d = await plugin.diff(read.id, urn, read.properties, program.inputs, read.inputs);
  assert.deepEqual([d.changes, d.replaces], ["none", []]);

  // Managed like any other: rename in place...
  const renamed = await plugin.check(urn, program.inputs, { ...programOf(read.inputs), imageName: "imported-v2" });
  const d2 = await plugin.diff(read.id, urn, read.properties, renamed.inputs, program.inputs);
  assert.deepEqual([d2.changes, d2.replaces], ["some", []]);
  const updated = await plugin.update(read.id, urn, read.properties, renamed.inputs);
  assert.equal(env.emulator.images("cn-shanghai").find((i) => i.ImageId === copy.id)?.ImageName, "imported-v2");
  // ...and destroyed with its snapshots.
  await plugin.delete(read.id, urn, updated.properties);
  assert.ok(!env.emulator.images("cn-shanghai").some((i) => i.ImageId === copy.id), "the image is deleted");
  const left = env.emulator.snapshots().filter((s) => snapshots.includes(s.SnapshotId));
  assert.deepEqual(left, [], "its snapshots are deleted");
});

test("an import id of an image that does not exist reads as gone (the engine says it does not exist)", async () => {
  const read = await plugin.read(`image-nosuchcopy000000001@cn-shanghai,${SOURCE_IMAGE}@${SOURCE_REGION}`, urnOf("ghost"), {});
  assert.equal(read.id, "");
  assert.deepEqual(read.properties, {});
});

test("a bad import id is refused (INVALID_ARGUMENT) with the expected form and an example", async () => {
  for (const bad of [
    "image-onlyanid00000000001",
    "image-onlyanid00000000001@cn-shanghai",
    `image-onlyanid00000000001@cn-shanghai,${SOURCE_IMAGE}`,
    `image-onlyanid00000000001@cn-beijing,${SOURCE_IMAGE}@cn-beijing`,
    `not-an-image@cn-shanghai,${SOURCE_IMAGE}@cn-beijing`,
  ]) {
    await assert.rejects(plugin.read(bad, urnOf("bad"), {}), (e: PluginCallError) => {
      assert.equal(e.grpcCode, 3, bad);
      assert.ok(e.details.includes(FORM), `${bad}: ${e.details}`);
      assert.match(e.details, /e\.g\. image-\w+@cn-\w+,image-\w+@cn-\w+/);
      return true;
    });
  }
});
