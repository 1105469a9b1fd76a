// Fault case 9: the plugin process dies (SIGKILL, as in an OOM kill or a lost machine) in the
// middle of each operation, after the emulator has already acted on its request. A new plugin
// process, which knows only what the engine's state knows, must finish the job: adopt the copy the
// dead process started (never copy twice), redo the rename, finish the delete.
//
// Driven through the SDK's real dynamic-provider plugin over gRPC (tests/harness), with the exact
// __provider and inputs the SDK registers for a CopiedImage.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { captureRegistration, startPlugin, PluginCallError, type PluginProcess } from "../harness/plugin";
import { CopiedImage } from "../../provider";
import { startTestEnv, stackConfigFor, SOURCE_IMAGE, type TestEnv } from "../provider/env";
import { StateBook, logged, messageOf, privateImages, sweep, waitFor, within } from "./helpers";

const repoRoot = resolve(__dirname, "../../..");
const DEST = "cn-shanghai";
let env: TestEnv;
const plugins: PluginProcess[] = [];

before(async () => {
  env = await startTestEnv();
});
after(async () => {
  for (const p of plugins) await p.stop();
  await env?.stop();
});
beforeEach(() => {
  env.emulator.clearFaults();
  sweep(env.emulator);
  env.emulator.clearLog();
});

/** A fresh plugin process configured as in tests/engine (credentials only in stack config). */
async function newPlugin(): Promise<PluginProcess> {
  const p = await startPlugin({
    cwd: repoRoot,
    project: "proj",
    env: { VOLCENGINE_ACCESS_KEY: undefined, VOLCENGINE_SECRET_KEY: undefined, VOLCENGINE_SESSION_TOKEN: undefined },
  });
  plugins.push(p);
  await p.configure(stackConfigFor(env));
  return p;
}

function register(name: string, args: Record<string, unknown>) {
  return captureRegistration(() => new CopiedImage(name, args as never), { project: "proj", stack: "dev" });
}

/** Kills the plugin once `action` has been logged by the emulator (the request reached it and it acted), while the call is in flight. */
async function killAfter(plugin: PluginProcess, action: string, call: Promise<unknown>): Promise<void> {
  const settled = call.then(
    () => assert.fail(`the ${action} call finished before the kill: make the fault slower`),
    (e: unknown) => e,
  );
  await waitFor(() => logged(env.emulator, action, { status: 200 }).length > 0, `${action} to reach the emulator`);
  plugin.kill("SIGKILL");
  const exit = await plugin.exited;
  assert.equal(exit.signal, "SIGKILL");
  const e = await within(10_000, settled, "the killed call");
  assert.ok(e instanceof PluginCallError, `the killed call fails at the engine: ${messageOf(e)}`);
  assert.equal(e.grpcCode, 14, "UNAVAILABLE, as the engine sees a crashed plugin");
  assert.equal(e.initFailure, undefined, "a dead process reports no partial state");
}

for (const [name, extra, how] of [
  ["crash-create", {}, "a generated name"],
  ["crash-named", { imageName: "crash-chosen-name" }, "a chosen name (recognised by the ownership tag)"],
] as const) {
  test(`killed during create, after CopyImage ran (${how}): a new plugin's Check+Create adopts the copy; exactly one CopyImage, one image`, async () => {
    const book = new StateBook(env.emulator);
    const reg = await register(name, { sourceImageId: SOURCE_IMAGE, destinationRegion: DEST, ...extra });
    env.emulator.addFault({ kind: "copyDuration", ms: 40 * 60_000, count: 1 }); // 2 s here: the plugin is still waiting when killed
    const victim = await newPlugin();
    const checked = await victim.check(reg.urn, {}, reg.inputs);
    assert.deepEqual(checked.failures, []);
    // The killed call never answers, so the engine records nothing (no id, no partial state).
    await killAfter(victim, "CopyImage", victim.create(reg.urn, checked.inputs));
    assert.equal(book.entries.size, 0, "the engine recorded nothing: the create never answered");
    const [orphan] = privateImages(env.emulator);
    assert.ok(orphan, "the dead process's copy exists (for now known to nobody)");

    // The next `pulumi up`: same program, same registration, a new plugin.
    const rescuer = await newPlugin();
    const again = await rescuer.check(reg.urn, {}, reg.inputs);
    assert.equal(again.inputs.imageName, checked.inputs.imageName, "the same name as the dead process used");
    const r = await within(30_000, book.recordCreate(name, again.inputs, rescuer.create(reg.urn, again.inputs)), "create");
    assert.ok(r.ok, r.ok ? "" : messageOf(r.error));
    assert.equal(r.id, orphan.ImageId, "adopted the copy the dead process started");
    assert.equal(logged(env.emulator, "CopyImage").length, 1, "no second CopyImage");
    assert.equal(privateImages(env.emulator).length, 1);
    book.assertConverged(name, "after the adopting create");
    assert.ok(
      rescuer.logs.some((l) => l.text.includes(`adopting ${orphan.ImageId}`)),
      "the adoption is told",
    );

    assert.ok((await book.recordDelete(name, rescuer.delete(r.id, reg.urn, r.outs))).ok);
    book.assertMatchesEmulator("after delete");
  });
}

test("killed during update while ModifyImageAttribute is in flight: a new plugin's Update converges", async () => {
  const book = new StateBook(env.emulator);
  const reg = await register("crash-update", { sourceImageId: SOURCE_IMAGE, destinationRegion: DEST });
  const victim = await newPlugin();
  const checked = await victim.check(reg.urn, {}, reg.inputs);
  const created = await book.recordCreate("crash-update", checked.inputs, victim.create(reg.urn, checked.inputs));
  assert.ok(created.ok, created.ok ? "" : messageOf(created.error));
  book.assertConverged("crash-update", "after create");
  const before = book.get("crash-update")!;

  const reg2 = await register("crash-update", {
    sourceImageId: SOURCE_IMAGE,
    destinationRegion: DEST,
    imageName: "crash-update-v2",
    description: "Renamed before the crash",
  });
  const news = await victim.check(reg.urn, before.inputs, reg2.inputs);
  const d = await victim.diff(before.id, reg.urn, before.outs, news.inputs, before.inputs);
  assert.deepEqual([d.changes, d.replaces], ["some", []]);
  env.emulator.clearLog();
  env.emulator.addFault({ kind: "latency", ms: 6_000, action: "ModifyImageAttribute", count: 1 });
  // The engine keeps the old outputs of an update that never answered.
  await killAfter(victim, "ModifyImageAttribute", victim.update(before.id, reg.urn, before.outs, news.inputs, { oldInputs: before.inputs }));
  assert.equal(book.get("crash-update")!.outs.imageName, before.outs.imageName, "the engine kept the old outputs");

  const rescuer = await newPlugin();
  const news2 = await rescuer.check(reg.urn, before.inputs, reg2.inputs);
  const u = await within(
    20_000,
    book.recordUpdate("crash-update", news2.inputs, rescuer.update(before.id, reg.urn, before.outs, news2.inputs, { oldInputs: before.inputs })),
    "update",
  );
  assert.ok(u.ok, u.ok ? "" : messageOf(u.error));
  const e = book.assertConverged("crash-update", "after the new plugin's update");
  assert.equal(e.outs.imageName, "crash-update-v2");
  assert.equal(e.outs.description, "Renamed before the crash");
  assert.equal(logged(env.emulator, "CopyImage").length, 0, "an update never copies");

  assert.ok((await book.recordDelete("crash-update", rescuer.delete(e.id, reg.urn, e.outs))).ok);
  book.assertMatchesEmulator("after delete");
});

test("killed during delete while DeleteImages is in flight: a new plugin's Delete succeeds and the image is gone", async () => {
  const book = new StateBook(env.emulator);
  const reg = await register("crash-delete", { sourceImageId: SOURCE_IMAGE, destinationRegion: DEST });
  const victim = await newPlugin();
  const checked = await victim.check(reg.urn, {}, reg.inputs);
  const created = await book.recordCreate("crash-delete", checked.inputs, victim.create(reg.urn, checked.inputs));
  assert.ok(created.ok, created.ok ? "" : messageOf(created.error));
  book.assertConverged("crash-delete", "after create");
  const entry = book.get("crash-delete")!;

  env.emulator.clearLog();
  env.emulator.addFault({ kind: "latency", ms: 6_000, action: "DeleteImages", count: 1 });
  // The engine keeps a resource whose delete never answered.
  await killAfter(victim, "DeleteImages", victim.delete(entry.id, reg.urn, entry.outs));
  assert.ok(book.get("crash-delete"), "the engine still has the resource: the delete never answered");

  const rescuer = await newPlugin();
  const d = await within(20_000, book.recordDelete("crash-delete", rescuer.delete(entry.id, reg.urn, entry.outs)), "delete");
  assert.ok(d.ok, d.ok ? "" : messageOf(d.error));
  assert.equal(book.entries.size, 0);
  book.assertMatchesEmulator("after the new plugin's delete");
  assert.deepEqual(privateImages(env.emulator), []);
});

test("SIGTERM to the plugin while a create waits: the create answers with the copy recorded as creating, then the plugin exits 130", async () => {
  const reg = await register("stopped-plugin", { sourceImageId: SOURCE_IMAGE, destinationRegion: DEST });
  env.emulator.addFault({ kind: "copyDuration", ms: 2 * 60 * 60_000, count: 1 }); // 6 s here: still copying when the signal comes
  const p = await newPlugin();
  const checked = await p.check(reg.urn, {}, reg.inputs);
  const creating = p.create(reg.urn, checked.inputs).then(
    () => assert.fail("the create should have been interrupted"),
    (e: unknown) => e,
  );
  await p.waitForLog(/copying .* as image-/, 20_000);
  const signalled = Date.now();
  p.kill("SIGTERM");
  const e = await within(10_000, creating, "the interrupted create");
  assert.ok(e instanceof PluginCallError, messageOf(e));
  assert.ok(e.initFailure, `the engine gets a partial state: ${e.details}`);
  assert.equal(e.initFailure.properties.status, "creating");
  assert.match(e.details, /Interrupted after .*the next `pulumi up` waits for it again/s);
  const exit = await within(10_000, p.exited, "the plugin's exit");
  assert.equal(exit.code, 130);
  assert.ok(Date.now() - signalled < 5_000, "before the engine's 5 s kill");
  assert.deepEqual(
    privateImages(env.emulator).map((i) => i.ImageId),
    [e.initFailure.id],
    "the copy the state records is the only one",
  );
  await env.lifecycle.delete(e.initFailure.id, e.initFailure.properties);
});
