// The engine path: CopiedImage built by the real SDK (under mocks) yields the exact __provider the
// engine would store; the SDK's own dynamic-provider plugin runs it, driven over gRPC in the engine's
// order, against the emulator. Credentials come from stack config (Configure) in one plugin and
// from the environment in another; none of them may appear anywhere.
// plugin-lifecycle.plugin.test.ts runs these same tests against the package's own provider plugin.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { captureRegistration, frontEndUnderTest, startPlugin, PluginCallError, type PluginProcess } from "../harness/plugin";
import { CopiedImage } from "../../provider";
import { startTestEnv, assertNoCanary, CANARY, SOURCE_IMAGE, SOURCE_REGION, type TestEnv, stackConfigFor } from "../provider/env";

const repoRoot = resolve(__dirname, "../../..");
const frontEnd = frontEndUnderTest();
/** The provider text travels in the state only with the dynamic front end. */
const providerTextOf = (reg: { providerText: string }) => (frontEnd === "dynamic" ? reg.providerText : undefined);
let env: TestEnv;
let plugin: PluginProcess;

before(async () => {
  env = await startTestEnv();
  // Credentials in the environment of the program while it serializes the provider: they must not
  // end up in __provider.
  process.env.VOLCENGINE_ACCESS_KEY = CANARY.accessKey;
  process.env.VOLCENGINE_SECRET_KEY = CANARY.secretKey;
  process.env.VOLCENGINE_SESSION_TOKEN = CANARY.sessionToken;
  plugin = await startPlugin({ cwd: repoRoot, project: "proj", env: { VOLCENGINE_ACCESS_KEY: undefined, VOLCENGINE_SECRET_KEY: undefined } });
  // Credentials only in stack config, as `pulumi config set --secret` would deliver them.
  await plugin.configure(stackConfigFor(env));
});

after(async () => {
  await plugin?.stop();
  await env?.stop();
  delete process.env.VOLCENGINE_ACCESS_KEY;
  delete process.env.VOLCENGINE_SECRET_KEY;
  delete process.env.VOLCENGINE_SESSION_TOKEN;
});

async function register(name: string, args: Record<string, unknown>, opts?: Record<string, unknown>) {
  return captureRegistration(() => new CopiedImage(name, args as never, opts as never), { project: "proj", stack: "dev" });
}

const lastSeq = () => Math.max(0, ...env.emulator.log().map((e) => e.seq));
const since = (seq: number) => env.emulator.log().filter((e) => e.seq > seq);

const seen: string[] = [];
function remember(value: unknown): void {
  seen.push(JSON.stringify(value));
}

test(
  "the serialized __provider is a small, credential-free shim that is the same for every resource",
  { skip: frontEnd === "plugin" && "dynamic front end only" },
  async () => {
    const a = await register("web-sh", { sourceImageId: SOURCE_IMAGE, destinationRegion: "cn-shanghai" });
    const b = await register("web-gz", { sourceImageId: SOURCE_IMAGE, destinationRegion: "cn-guangzhou", imageName: "web-gz-copy" });
    assert.equal(a.type, "pulumi-nodejs:dynamic/volcengine:CopiedImage");
    assert.ok(a.providerText.length < 2048, `__provider is ${a.providerText.length} bytes`);
    assert.equal(a.providerText, b.providerText);
    assert.equal(a.providerIsSecret, false);
    assert.match(a.providerText, /require\("volcengine-copied-image\/runtime"\)/);
    assertNoCanary(a.providerText, "__provider");
    assertNoCanary(JSON.stringify(a.inputs), "registered inputs");
    // Every output is a real Output, also for inputs the program left out.
    const pulumi = await import("@pulumi/pulumi");
    for (const key of ["imageId", "imageName", "sourceRegion", "description", "tags", "status", "progress", "size", "createdAt", "taskId"]) {
      assert.ok(pulumi.Output.isInstance((a.resource as unknown as Record<string, unknown>)[key]), `${key} is an Output`);
    }
  },
);

test("copy to two regions, rename in place, replace, out-of-band deletion, through the real plugin", async () => {
  const regs = await Promise.all([
    register("web-sh", { sourceImageId: SOURCE_IMAGE, destinationRegion: "cn-shanghai", description: "Web tier" }),
    register("web-gz", { sourceImageId: SOURCE_IMAGE, destinationRegion: "cn-guangzhou" }),
  ]);
  // Check then Create, both resources at once (the engine runs independent steps in parallel).
  const created = await Promise.all(
    regs.map(async (reg) => {
      const checked = await plugin.check(reg.urn, {}, reg.inputs);
      assert.deepEqual(checked.failures, []);
      remember(checked);
      const res = await plugin.create(reg.urn, checked.inputs, { timeoutSeconds: 60 });
      remember(res);
      return { reg, inputs: checked.inputs, ...res };
    }),
  );
  for (const c of created) {
    assert.match(c.id, /^image-/);
    assert.equal(c.properties.status, "available");
    assert.equal(c.properties.__provider, providerTextOf(c.reg), "the dynamic plugin echoes __provider into the outputs");
    assert.ok(env.emulator.images(String(c.properties.destinationRegion)).some((i) => i.ImageId === c.id));
  }
  const [sh, gz] = created;

  // Nothing changed: Diff says none.
  const same = await plugin.diff(sh.id, sh.reg.urn, sh.properties, sh.inputs, sh.inputs);
  assert.equal(same.changes, "none");

  // Rename in place: Check with the old inputs, Diff, Update.
  const renamedReg = await register("web-sh", {
    sourceImageId: SOURCE_IMAGE,
    destinationRegion: "cn-shanghai",
    description: "Web tier",
    imageName: "web-sh-v2",
  });
  const renamed = await plugin.check(sh.reg.urn, sh.inputs, renamedReg.inputs);
  const d1 = await plugin.diff(sh.id, sh.reg.urn, sh.properties, renamed.inputs, sh.inputs);
  assert.deepEqual([d1.changes, d1.replaces], ["some", []]);
  const mark = lastSeq();
  const upd = await plugin.update(sh.id, sh.reg.urn, sh.properties, renamed.inputs, { oldInputs: sh.inputs });
  remember(upd);
  assert.equal(upd.properties.imageName, "web-sh-v2");
  assert.equal(upd.properties.imageId, sh.id);
  assert.deepEqual(
    since(mark)
      .map((e) => e.action)
      .filter((a) => a !== "DescribeImages"),
    ["ModifyImageAttribute"],
  );

  // Replace: a new destination. Create the new copy first, then delete the old.
  const movedReg = await register("web-gz", { sourceImageId: SOURCE_IMAGE, destinationRegion: "cn-hongkong" });
  const moved = await plugin.check(gz.reg.urn, gz.inputs, movedReg.inputs);
  assert.notEqual(moved.inputs.imageName, gz.inputs.imageName, "the replacement gets a new generated name");
  const d2 = await plugin.diff(gz.id, gz.reg.urn, gz.properties, moved.inputs, gz.inputs);
  assert.deepEqual([d2.changes, d2.replaces, d2.deleteBeforeReplace], ["some", ["destinationRegion"], false]);
  const replacement = await plugin.create(gz.reg.urn, moved.inputs);
  remember(replacement);
  await plugin.delete(gz.id, gz.reg.urn, gz.properties, { oldInputs: gz.inputs });
  assert.ok(!env.emulator.images("cn-guangzhou").some((i) => i.ImageId === gz.id), "old copy deleted");
  assert.ok(
    env.emulator.images("cn-hongkong").some((i) => i.ImageId === replacement.id),
    "new copy exists",
  );

  // Out-of-band deletion: Read returns an empty id, which the engine treats as deleted.
  env.emulator.deleteImageOutOfBand("cn-hongkong", replacement.id);
  const gone = await plugin.read(replacement.id, gz.reg.urn, replacement.properties, moved.inputs);
  assert.equal(gone.id, "");
  // Read of a live one returns its properties.
  const live = await plugin.read(sh.id, sh.reg.urn, upd.properties, renamed.inputs);
  assert.equal(live.id, sh.id);
  assert.equal(live.properties.imageName, "web-sh-v2");
  remember(live);

  await plugin.delete(sh.id, sh.reg.urn, upd.properties, { oldInputs: renamed.inputs });
  assert.ok(!env.emulator.images("cn-shanghai").some((i) => i.ImageId === sh.id));
});

test("a failed copy task fails Create with the task id and leaves nothing behind", async () => {
  env.emulator.addFault({ kind: "copyFails", atPercent: 30, count: 1 });
  const reg = await register("doomed", { sourceImageId: SOURCE_IMAGE, destinationRegion: "cn-shanghai" });
  const checked = await plugin.check(reg.urn, {}, reg.inputs);
  await assert.rejects(plugin.create(reg.urn, checked.inputs), (e: PluginCallError) => {
    assert.match(e.details, /failed \(task t-\w+, last progress \d+%\)\. The failed copy image-\w+ was deleted/);
    assert.equal(e.initFailure, undefined);
    remember(e.details);
    return true;
  });
  assert.ok(!env.emulator.images("cn-shanghai").some((i) => i.ImageName === checked.inputs.imageName));
});

test("a copy slower than customTimeouts.create becomes partial state that a later Update completes", async () => {
  env.emulator.addFault({ kind: "copyDuration", ms: 2 * 60 * 60_000, count: 1 }); // 2 simulated hours: 6 s here
  const reg = await register(
    "slow",
    { sourceImageId: SOURCE_IMAGE, destinationRegion: "cn-guangzhou" },
    { customTimeouts: { create: "2s", update: "2m" } },
  );
  const checked = await plugin.check(reg.urn, {}, reg.inputs);
  const failure = await plugin.create(reg.urn, checked.inputs).then(
    () => assert.fail("expected a partial-state failure"),
    (e: PluginCallError) => e,
  );
  remember(failure.details);
  assert.ok(failure.initFailure, "an ErrorResourceInitFailed travels in the gRPC status details");
  const { id, properties, reasons } = failure.initFailure!;
  assert.match(id, /^image-/);
  assert.equal(properties.status, "creating");
  assert.equal(properties.__provider, providerTextOf(reg), "__provider is in the partial state, so delete and refresh can load the provider");
  assert.match(reasons[0], /next `pulumi up` waits for it again/);
  remember(failure.initFailure);

  // The next `pulumi up`: the engine forces an update of a resource with init errors.
  const mark = lastSeq();
  const upd = await plugin.update(id, reg.urn, properties, checked.inputs, { oldInputs: checked.inputs });
  remember(upd);
  assert.equal(upd.properties.status, "available");
  assert.ok(!since(mark).some((e) => e.action === "CopyImage"), "no second copy");
  await plugin.delete(id, reg.urn, upd.properties);
});

test("check failures reach the engine naming the property", async () => {
  const reg = await register("bad", { sourceImageId: SOURCE_IMAGE, destinationRegion: "cn-shanghai", imageName: "-bad name" });
  const r = await plugin.check(reg.urn, {}, reg.inputs);
  assert.equal(r.failures.length, 1);
  assert.equal(r.failures[0].property, "imageName");
  assert.match(r.failures[0].reason, /must start with a letter/);
});

test("no canary credential in any property, __provider, plugin log line or error; every request was signed and verified", () => {
  for (const s of seen) assertNoCanary(s, "plugin results");
  for (const line of plugin.logs) assertNoCanary(line.text, `plugin log (${line.stream})`);
  assert.ok(
    plugin.logs.some((l) => /CopiedImage web-sh: image-\w+ (running|succeeded)/.test(l.text)),
    `progress reached the plugin's output: ${JSON.stringify(plugin.logs.slice(0, 5))}`,
  );
  const log = env.emulator.log();
  assert.ok(log.length > 10);
  assert.ok(
    log.every((e) => e.signatureVerified),
    "the emulator checked every signature",
  );
  assert.ok(
    log.every((e) => e.accessKey === CANARY.accessKey),
    "credentials came from stack config",
  );
});

test("credentials from the environment of the plugin work too; with none, Create names both ways to set them", async () => {
  const envPlugin = await startPlugin({
    cwd: repoRoot,
    project: "proj",
    env: {
      VOLCENGINE_ACCESS_KEY: CANARY.accessKey,
      VOLCENGINE_SECRET_KEY: CANARY.secretKey,
      VOLCENGINE_SESSION_TOKEN: CANARY.sessionToken,
      VOLCENGINE_REGION: SOURCE_REGION,
      VOLCENGINE_ENDPOINT: env.endpoint,
    },
  });
  const bare = await startPlugin({
    cwd: repoRoot,
    project: "proj",
    env: {
      VOLCENGINE_ACCESS_KEY: undefined,
      VOLCENGINE_SECRET_KEY: undefined,
      VOLCENGINE_SESSION_TOKEN: undefined,
      VOLC_ACCESSKEY: undefined,
      VOLC_SECRETKEY: undefined,
    },
  });
  try {
    await envPlugin.configure({});
    const reg = await register("from-env", { sourceImageId: SOURCE_IMAGE, destinationRegion: "cn-shanghai" });
    const checked = await envPlugin.check(reg.urn, {}, reg.inputs);
    const created = await envPlugin.create(reg.urn, checked.inputs);
    assert.equal(created.properties.status, "available");
    await envPlugin.delete(created.id, reg.urn, created.properties);
    for (const line of envPlugin.logs) assertNoCanary(line.text, "env plugin log");

    await bare.configure({ "volcengine:region": SOURCE_REGION, "volcengine:endpoint": env.endpoint });
    const checked2 = await bare.check(reg.urn, {}, reg.inputs);
    await assert.rejects(bare.create(reg.urn, checked2.inputs), (e: PluginCallError) => {
      assert.match(e.details, frontEnd === "dynamic" ? /volcengine:accessKey/ : /volcengine-copied-image:accessKey/);
      assert.match(e.details, /VOLCENGINE_ACCESS_KEY/);
      return true;
    });
  } finally {
    await envPlugin.stop();
    await bare.stop();
  }
});
