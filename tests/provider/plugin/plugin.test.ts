// The provider plugin (`pulumi-resource-volcengine-copied-image`) driven over gRPC as the engine drives
// it, against the emulator: configuration and secrets, the engine's timeout and Cancel, import ids,
// partial states, progress through the engine's Log RPC, names shared with the dynamic provider.
// The life-cycle suite of tests/engine runs against this plugin too (plugin-lifecycle.plugin.test.ts).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { startPlugin, PluginCallError, SECRET_SIG, SECRET_SIG_KEY, type PluginProcess } from "../../harness/plugin";
import { startTestEnv, assertNoCanary, CANARY, SOURCE_IMAGE, SOURCE_REGION, type TestEnv } from "../env";
import { OWNER_TAG_KEY, autoImageName, ownerTagValue } from "../../../provider/operations/naming";
import { startFakeEngine, type FakeEngine } from "./fake-engine";

const repoRoot = resolve(__dirname, "../../../..");
const TYPE = "volcengine-copied-image:index:CopiedImage";
const urnOf = (name: string) => `urn:pulumi:dev::proj::${TYPE}::${name}`;
const secret = (value: unknown) => ({ [SECRET_SIG_KEY]: SECRET_SIG, value });

let env: TestEnv;
let engine: FakeEngine;
let plugin: PluginProcess;
const seen: string[] = [];

before(async () => {
  env = await startTestEnv();
  engine = await startFakeEngine();
  plugin = await startPlugin({
    cwd: repoRoot,
    project: "proj",
    frontEnd: "plugin",
    engineAddress: engine.address,
    env: { VOLCENGINE_ACCESS_KEY: undefined, VOLCENGINE_SECRET_KEY: undefined, VOLCENGINE_SESSION_TOKEN: undefined, VOLCENGINE_REGION: undefined },
  });
  // The plugin's own namespace, the credentials as secrets (`pulumi config set --secret`).
  const { acceptSecrets } = await plugin.configure({
    "volcengine-copied-image:region": SOURCE_REGION,
    "volcengine-copied-image:endpoint": env.endpoint,
    "volcengine-copied-image:accessKey": { secret: CANARY.accessKey },
    "volcengine-copied-image:secretKey": { secret: CANARY.secretKey },
    "volcengine-copied-image:sessionToken": { secret: CANARY.sessionToken! },
    "volcengine-copied-image:maxRequestsPerSecond": "1000",
  });
  assert.equal(acceptSecrets, false, "the engine then sends plain values and marks outputs of secret inputs secret");
  baseline = { images: imageIds(), snapshots: snapshotIds() };
});

after(async () => {
  await plugin?.stop();
  await engine?.stop();
  await env?.stop();
});

const lastSeq = () => Math.max(0, ...env.emulator.log().map((e) => e.seq));
const since = (seq: number) => env.emulator.log().filter((e) => e.seq > seq);
const regions = ["cn-shanghai", "cn-guangzhou", "cn-hongkong"];

const imageIds = () => regions.flatMap((r) => env.emulator.images(r).map((i) => i.ImageId)).sort();
const snapshotIds = () =>
  env.emulator
    .snapshots()
    .map((s) => s.SnapshotId)
    .sort();
let baseline: { images: string[]; snapshots: string[] };

/** The images and snapshots are those the emulator started with: no copy and no snapshot left. */
function assertNothingLeaked(): void {
  assert.deepEqual(imageIds(), baseline.images, "no image left");
  assert.deepEqual(snapshotIds(), baseline.snapshots, "no snapshot left");
}

async function checked(name: string, news: Record<string, unknown>, olds: Record<string, unknown> = {}) {
  const r = await plugin.check(urnOf(name), olds, news);
  assert.deepEqual(r.failures, []);
  return r.inputs;
}

test("GetPluginInfo gives the package's version and GetSchema the committed schema", async () => {
  const pkg = JSON.parse(readFileSync(resolve(repoRoot, "package.json"), "utf8")) as { version: string };
  assert.equal((await plugin.getPluginInfo()).version, pkg.version);
  assert.equal(await plugin.getSchema(), readFileSync(resolve(repoRoot, "provider/plugin/schema.json"), "utf8"));
});

test("create, rename in place, refresh, delete: the dynamic provider's names, plain secrets on the wire, progress on the resource's row, nothing leaked", async () => {
  const urn = urnOf("web");
  // A secret input arrives plain (acceptSecrets=false); a wrapper that arrived anyway is unwrapped.
  const inputs = await checked("web", { sourceImageId: SOURCE_IMAGE, destinationRegion: "cn-shanghai", description: secret("Secret tier") });
  const identity = { resourceName: "web", identity: "proj/dev/web" };
  assert.equal(inputs.imageName, autoImageName(identity, inputs as never), "the generated name is the dynamic provider's for proj/dev/web");
  assert.equal(inputs.description, "Secret tier");

  const mark = lastSeq();
  const created = await plugin.create(urn, inputs, { timeoutSeconds: 120 });
  seen.push(JSON.stringify(created));
  assert.equal(created.properties.status, "available");
  const copy = since(mark).find((e) => e.action === "CopyImage")!;
  assert.equal(copy.params.Description, "Secret tier", "Volcengine got the plain value");
  assert.equal(copy.accessKey, CANARY.accessKey);
  assert.ok(
    since(mark).every((e) => e.signatureVerified),
    "signed with the plain secret key from Configure",
  );
  const image = env.emulator.images("cn-shanghai").find((i) => i.ImageId === created.id)!;
  assert.ok(
    image.Tags.some((t) => t.Key === OWNER_TAG_KEY && t.Value === ownerTagValue("proj/dev/web")),
    "the dynamic provider's ownership tag",
  );
  assert.equal((created.properties.__meta as { timeouts?: unknown }).timeouts, undefined, "the call's timeout is not stored");

  const progress = engine.received.filter((m) => m.urn === urn && m.ephemeral);
  assert.ok(progress.length > 0, "progress reached the engine's Log on the resource's URN");

  const same = await plugin.diff(created.id, urn, created.properties, inputs, inputs);
  assert.deepEqual([same.changes, same.replaces], ["none", []]);
  const renamedInputs = await checked("web", { sourceImageId: SOURCE_IMAGE, destinationRegion: "cn-shanghai", imageName: "web-v2" }, inputs);
  const d = await plugin.diff(created.id, urn, created.properties, renamedInputs, inputs);
  assert.deepEqual([d.changes, d.replaces], ["some", []]);
  assert.ok(d.diffs.includes("imageName"));
  const renamed = await plugin.update(created.id, urn, created.properties, renamedInputs, { timeoutSeconds: 60 });
  assert.equal(env.emulator.images("cn-shanghai").find((i) => i.ImageId === created.id)?.ImageName, "web-v2");

  const refreshed = await plugin.read(created.id, urn, renamed.properties, renamedInputs);
  assert.equal(refreshed.id, created.id);
  assert.equal(refreshed.properties.imageName, "web-v2");
  assert.deepEqual(refreshed.inputs, renamedInputs, "refresh keeps the inputs");

  await plugin.delete(created.id, urn, renamed.properties, { timeoutSeconds: 60 });
  assertNothingLeaked();
});

test("the engine's timeout bounds Create: the copy is recorded as a partial state (id and properties), and Update finishes it", async () => {
  env.emulator.addFault({ kind: "copyDuration", ms: 2 * 60 * 60_000, count: 1 }); // 2 simulated hours: 6 s here
  const urn = urnOf("slow");
  const inputs = await checked("slow", { sourceImageId: SOURCE_IMAGE, destinationRegion: "cn-guangzhou" });
  const started = Date.now();
  const failure = await plugin.create(urn, inputs, { timeoutSeconds: 1 }).then(
    () => assert.fail("expected a partial state"),
    (e: PluginCallError) => e,
  );
  assert.ok(Date.now() - started < 5_000, `Create gave up after ${Date.now() - started} ms`);
  seen.push(failure.details);
  assert.ok(failure.initFailure, "ErrorResourceInitFailed in the status details");
  const { id, properties, reasons } = failure.initFailure!;
  assert.match(id, /^image-/);
  assert.equal(properties.status, "creating");
  assert.equal(properties.destinationRegion, "cn-guangzhou");
  assert.ok(reasons.length > 0);
  assert.ok(
    env.emulator.images("cn-guangzhou").some((i) => i.ImageId === id),
    "the copy exists and is recorded",
  );

  const mark = lastSeq();
  const done = await plugin.update(id, urn, properties, inputs, { timeoutSeconds: 120 });
  assert.equal(done.properties.status, "available");
  assert.ok(!since(mark).some((e) => e.action === "CopyImage"), "no second copy");
  await plugin.delete(id, urn, done.properties);
  assertNothingLeaked();
});

test("Cancel interrupts a wait: Create answers at once with the copy as a partial state", async () => {
  env.emulator.addFault({ kind: "copyDuration", ms: 2 * 60 * 60_000, count: 1 });
  const urn = urnOf("cancelled");
  const inputs = await checked("cancelled", { sourceImageId: SOURCE_IMAGE, destinationRegion: "cn-hongkong" });
  const creating = plugin.create(urn, inputs, { timeoutSeconds: 3600 }).then(
    () => assert.fail("expected a partial state"),
    (e: PluginCallError) => e,
  );
  const deadline = Date.now() + 10_000;
  while (!env.emulator.log().some((e) => e.action === "CopyImage" && e.region === SOURCE_REGION && e.params.DestinationRegion === "cn-hongkong")) {
    assert.ok(Date.now() < deadline, "CopyImage was sent");
    await new Promise((r) => setTimeout(r, 50));
  }
  const cancelledAt = Date.now();
  await plugin.cancel();
  const failure = await creating;
  assert.ok(Date.now() - cancelledAt < 3_000, `answered ${Date.now() - cancelledAt} ms after Cancel`);
  assert.ok(failure.initFailure, failure.details);
  assert.equal(failure.initFailure!.properties.status, "creating");
  // The next operation is not cancelled: delete the recorded copy.
  await plugin.delete(failure.initFailure!.id, urn, failure.initFailure!.properties);
  assertNothingLeaked();
});

test("no canary credential in any result, message or log line", () => {
  for (const s of seen) assertNoCanary(s, "plugin results");
  for (const m of engine.received) assertNoCanary(m.message, "engine Log message");
  for (const line of plugin.logs) assertNoCanary(line.text, `plugin log (${line.stream})`);
});
