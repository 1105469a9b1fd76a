// The engine path for CopiedImageSet: the children of a 3-region set, as the real SDK registers them
// (captured under mocks), are driven through the SDK's own dynamic-provider plugin over gRPC against
// the emulator: Check and Create for the three at once (as the engine runs independent steps), then
// Delete for all.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { captureRegistration, startPlugin, type PluginProcess, type Registration } from "../harness/plugin";
import { CopiedImage } from "../../provider/dynamic/copied-image";
import { CopiedImageSet, COPIED_IMAGE_SET_TYPE } from "../../provider/dynamic/copied-image-set";
import { startTestEnv, stackConfigFor, SOURCE_IMAGE, SOURCE_REGION, type TestEnv } from "../provider/env";

const repoRoot = resolve(__dirname, "../../..");
const REGIONS = ["cn-shanghai", "cn-guangzhou", "cn-hongkong"];
let env: TestEnv;
let plugin: PluginProcess;

before(async () => {
  env = await startTestEnv();
  plugin = await startPlugin({ cwd: repoRoot, project: "proj", env: { VOLCENGINE_ACCESS_KEY: undefined, VOLCENGINE_SECRET_KEY: undefined } });
  await plugin.configure(stackConfigFor(env));
});

after(async () => {
  await plugin?.stop();
  await env?.stop();
});

/** The registration of one child of the set, with its real (parent-qualified) URN. */
async function captureChild(region: string): Promise<Registration<CopiedImage> & { realUrn: string }> {
  const reg = await captureRegistration(
    () =>
      new CopiedImageSet("golden", {
        sourceImageId: SOURCE_IMAGE,
        destinationRegions: REGIONS,
        imageName: "golden-copy",
        description: "Golden copy",
        tags: { team: "platform-copies" },
        maxCopiesInFlight: 2,
      }).images[region]!,
    { project: "proj", stack: "dev" },
  );
  const realUrn = await (reg.resource.urn as unknown as { promise(): Promise<string> }).promise();
  return { ...reg, realUrn };
}

test("a 3-region set: its children copy the source image to three regions through the real plugin, then are deleted", async () => {
  const regs: (Registration<CopiedImage> & { realUrn: string })[] = [];
  for (const region of REGIONS) regs.push(await captureChild(region));

  for (const [i, reg] of regs.entries()) {
    assert.equal(reg.type, "pulumi-nodejs:dynamic/volcengine:CopiedImage");
    assert.equal(reg.name, `golden-${REGIONS[i]}`);
    assert.equal(reg.realUrn, `urn:pulumi:dev::proj::${COPIED_IMAGE_SET_TYPE}$pulumi-nodejs:dynamic/volcengine:CopiedImage::golden-${REGIONS[i]}`);
    assert.equal(reg.inputs.destinationRegion, REGIONS[i]);
  }

  const created = await Promise.all(
    regs.map(async (reg) => {
      const checked = await plugin.check(reg.realUrn, {}, reg.inputs);
      assert.deepEqual(checked.failures, []);
      const res = await plugin.create(reg.realUrn, checked.inputs, { timeoutSeconds: 60 });
      return { reg, inputs: checked.inputs, ...res };
    }),
  );

  const source = env.emulator.images(SOURCE_REGION).find((i) => i.ImageId === SOURCE_IMAGE)!;
  assert.ok(source, "the source image is seeded");
  for (const [i, c] of created.entries()) {
    const region = REGIONS[i]!;
    assert.match(c.id, /^image-/);
    assert.equal(c.properties.status, "available");
    assert.equal(c.properties.destinationRegion, region);
    assert.equal(c.properties.imageName, "golden-copy", "the same name in every region");
    const copies = env.emulator.images(region).filter((img) => img.ImageId === c.id);
    assert.equal(copies.length, 1, `one copy in ${region}`);
    const copy = copies[0]!;
    assert.equal(copy.Status, "available");
    assert.equal(copy.ImageName, "golden-copy");
    assert.equal(copy.Description, "Golden copy");
    assert.ok(
      copy.Tags.some((t) => t.Key === "team" && t.Value === "platform-copies"),
      `${region}: managed tag`,
    );
    // The source image's fields, carried over by the copy.
    for (const key of ["Size", "OsName", "OsType", "Platform", "PlatformVersion", "Architecture", "BootMode"] as const) {
      assert.equal(copy[key], source[key], `${region}: ${key}`);
    }
    for (const key of ["size", "osName", "osType", "platform", "platformVersion", "architecture", "bootMode"]) {
      assert.equal(c.properties[key], source[(key[0]!.toUpperCase() + key.slice(1)) as keyof typeof source], `${region} outputs: ${key}`);
    }
  }
  assert.equal(new Set(created.map((c) => c.id)).size, 3, "three distinct copies");

  // Delete all (the engine deletes the children, then the component, which has no provider).
  await Promise.all(created.map((c) => plugin.delete(c.id, c.reg.realUrn, c.properties, { oldInputs: c.inputs })));
  for (const [i, c] of created.entries()) {
    assert.ok(!env.emulator.images(REGIONS[i]!).some((img) => img.ImageId === c.id), `${REGIONS[i]}: copy deleted`);
  }
  assert.ok(
    env.emulator.images(SOURCE_REGION).some((i) => i.ImageId === SOURCE_IMAGE),
    "the source image is untouched",
  );
});
