// Proves the engine-path harness against the SDK's real dynamic-provider plugin, using the
// test-only Counter provider (fixtures/counter.ts). Also pins down plugin behaviour the provider
// tests rely on (Read "vanished" semantics, preview flag, lazy configure, error shapes, logs).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";

import * as pulumi from "@pulumi/pulumi";

import { Counter, counterProvider, SecretCounter } from "./fixtures/counter";
import {
  captureRegistration,
  PluginCallError,
  serializeProviderText,
  startPlugin,
  UNKNOWN,
  urnFor,
  type PluginProcess,
  type Registration,
} from "./plugin";

// dist/tests/harness -> repository root (its node_modules has @pulumi/pulumi).
const repoRoot = resolve(__dirname, "..", "..", "..");
const GRPC_UNKNOWN = 2;
const GRPC_UNIMPLEMENTED = 12;
const GRPC_UNAVAILABLE = 14;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitDead(pid: number, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isAlive(pid);
}

describe("captureRegistration", () => {
  test("captures type, name, inputs and __provider text; sequential calls are independent", async () => {
    const a = await captureRegistration(() => new Counter("a", { start: 1, note: undefined }));
    assert.equal(a.type, "pulumi-nodejs:dynamic/harness:Counter");
    assert.equal(a.name, "a");
    assert.equal(a.urn, urnFor(a.type, "a"));
    assert.equal(a.urn, "urn:pulumi:test::test::pulumi-nodejs:dynamic/harness:Counter::a");
    assert.match(a.providerText, /^exports\.handler = __f0;/);
    assert.equal(a.providerIsSecret, false);
    assert.equal(a.inputs.__provider, a.providerText);
    assert.equal(a.inputs.start, 1);
    assert.ok(!("note" in a.inputs), "undefined inputs are absent");
    assert.ok(!("value" in a.inputs), "output placeholders (undefined) are absent");
    assert.ok(a.resource instanceof Counter);

    // Second capture in the same process, different project/stack: setMocks can be re-installed.
    const b = await captureRegistration(() => new Counter("b", { start: 2, label: "x" }), { project: "p2", stack: "s2" });
    assert.equal(b.urn, "urn:pulumi:s2::p2::pulumi-nodejs:dynamic/harness:Counter::b");
    assert.equal(b.inputs.label, "x");
    // One provider instance -> one serialization, identical text (the SDK caches per instance).
    assert.equal(b.providerText, a.providerText);
    const urn = await new Promise<string>((r) => b.resource.urn.apply(r));
    assert.equal(urn, b.urn);
  });

  test("serializeProviderText gives the same text; serialization failures reject cleanly", async () => {
    const a = await captureRegistration(() => new Counter("same", { start: 1 }));
    const direct = await serializeProviderText(counterProvider);
    assert.deepEqual(direct, { text: a.providerText, containsSecrets: false });
    const { readFile } = require("node:fs/promises") as typeof import("node:fs/promises");
    const bad = {
      async create() {
        await readFile("/nonexistent");
        return { id: "x" };
      },
    };
    await assert.rejects(serializeProviderText(bad), /native code function/);
  });

  test("concurrent calls are queued, not interleaved", async () => {
    const [x, y] = await Promise.all([
      captureRegistration(() => new Counter("x", { start: 10 }), { project: "px" }),
      captureRegistration(() => new Counter("y", { start: 20 }), { project: "py" }),
    ]);
    assert.equal(x.urn, urnFor(x.type, "x", "px"));
    assert.equal(x.inputs.start, 10);
    assert.equal(y.urn, urnFor(y.type, "y", "py"));
    assert.equal(y.inputs.start, 20);
  });

  test("secret inputs and a provider that captured a secret", async () => {
    const reg = await captureRegistration(() => new SecretCounter("s", pulumi.secret("hunter2"), { start: 5, label: pulumi.secret("hidden") }));
    assert.equal(reg.type, "pulumi-nodejs:dynamic/harness:SecretCounter");
    assert.equal(reg.providerIsSecret, true);
    assert.match(reg.providerText, /^exports\.handler/);
    assert.deepEqual(reg.secretKeys.sort(), ["__provider", "label"]);
    assert.equal(reg.inputs.label, "hidden");
    assert.equal(reg.inputs.__provider, reg.providerText);
    assert.equal((reg.rawInputs.label as Record<string, unknown>).value, "hidden");
  });

  test("build() creating one dynamic resource without returning it", async () => {
    const reg = await captureRegistration(() => {
      new Counter("inner", { start: 3 });
      return "not a resource";
    });
    assert.equal(reg.name, "inner");
    assert.equal(reg.resource, "not a resource");
  });
});

describe("dynamic-provider plugin over gRPC", () => {
  let plugin: PluginProcess;
  let reg: Registration<Counter>;
  let urn: string;

  before(async () => {
    reg = await captureRegistration(() => new Counter("c1", { start: 1 }));
    urn = reg.urn;
    plugin = await startPlugin({ cwd: repoRoot });
  });
  after(async () => {
    await plugin?.stop();
  });

  test("GetPluginInfo reports the SDK version; Handshake is unimplemented", async () => {
    const info = await plugin.getPluginInfo();
    assert.equal(info.version, (require("@pulumi/pulumi/package.json") as { version: string }).version);
    await assert.rejects(plugin.handshake(), (e: unknown) => e instanceof PluginCallError && e.grpcCode === GRPC_UNIMPLEMENTED);
  });

  test("Configure (with a secret) answers acceptSecrets=false", async () => {
    const res = await plugin.configure({ "harness:region": "cn-test-1", "test:token": { secret: "s3cr3t" } });
    assert.deepEqual(res, { acceptSecrets: false });
  });

  test("Check maps failures and returns checked inputs with __provider", async () => {
    const bad = await plugin.check(urn, {}, { ...reg.inputs, start: "one" });
    assert.deepEqual(bad.failures, [{ property: "start", reason: "start must be a number" }]);
    const ok = await plugin.check(urn, {}, reg.inputs);
    assert.deepEqual(ok.failures, []);
    assert.equal(ok.inputs.label, "default");
    assert.equal(ok.inputs.__provider, reg.providerText);
  });

  test("Check with an unknown __provider in news falls back to olds' provider", async () => {
    const res = await plugin.check(urn, reg.inputs, { start: 4, __provider: UNKNOWN });
    assert.equal(res.inputs.label, "default");
    assert.equal(res.inputs.__provider, UNKNOWN, "news' __provider is echoed as sent");
  });

  let created: { id: string; properties: Record<string, unknown> };

  test("Create runs the provider with configured state and echoes __provider; logs are captured", async () => {
    const checked = await plugin.check(urn, {}, reg.inputs);
    created = await plugin.create(urn, checked.inputs, { timeoutSeconds: 1 });
    assert.equal(created.id, "counter-default");
    assert.equal(created.properties.value, 1);
    assert.equal(created.properties.region, "cn-test-1");
    assert.equal(created.properties.token, "s3cr3t", "secret config arrives unwrapped; project-relative key resolved");
    assert.equal(created.properties.configureCalls, 1);
    assert.equal(created.properties.__provider, reg.providerText);
    const info = await plugin.waitForLog(/creating counter default/);
    assert.deepEqual(info, { stream: "stdout", text: "info: [runtime] creating counter default" });
    const err = await plugin.waitForLog(/stderr: create default/);
    assert.equal(err.stream, "stderr");
  });

  test("Create with preview=true still runs provider.create (the engine never sends it)", async () => {
    const checked = await plugin.check(urn, {}, { ...reg.inputs, label: "pv" });
    const res = await plugin.create(urn, checked.inputs, { preview: true });
    assert.equal(res.id, "counter-pv");
    assert.equal(res.properties.configureCalls, 1, "configure ran once per provider text, not per call");
  });

  test("Diff: label change replaces (stables dropped), same inputs -> none", async () => {
    const news = { ...created.properties, label: "other" };
    const d = await plugin.diff(created.id, urn, created.properties, news, { start: 1, label: "default" });
    assert.deepEqual(d, {
      changes: "some",
      replaces: ["label"],
      stables: [],
      deleteBeforeReplace: true,
      diffs: [],
    });
    const same = await plugin.diff(created.id, urn, created.properties, { ...created.properties });
    assert.equal(same.changes, "none");
    assert.deepEqual(same.replaces, []);
  });

  test("Read: value refreshed with explicit inputs; a vanished resource comes back with id ''", async () => {
    const r = await plugin.read(created.id, urn, created.properties, { start: 1, label: "default", __provider: reg.providerText });
    assert.equal(r.id, created.id);
    assert.equal(r.properties.value, 2);
    assert.equal(r.properties.__provider, reg.providerText);
    assert.deepEqual(r.inputs, { start: 1, label: "default", __provider: reg.providerText });

    const gone = await plugin.read(created.id, urn, { ...created.properties, gone: true });
    assert.equal(gone.id, "");
    assert.deepEqual(gone.properties, { __provider: reg.providerText }, "properties still carry __provider");
    assert.deepEqual(gone.inputs, {}, "no inputs returned");

    // Read with empty properties (user-driven get) falls back to the inputs for __provider.
    const get = await plugin.read("counter-x", urn, {}, { start: 7, label: "x", value: 7, __provider: reg.providerText });
    assert.equal(get.id, "counter-x");
    assert.equal(get.properties.value, 8);
  });

  test("Update: outputs are exactly what update returned plus __provider", async () => {
    const news = { start: 9, label: "default", __provider: reg.providerText };
    const u = await plugin.update(created.id, urn, created.properties, news, {
      oldInputs: { start: 1, label: "default", __provider: reg.providerText },
      timeoutSeconds: 5,
    });
    assert.deepEqual(u.properties, {
      start: 9,
      label: "default",
      value: 9,
      previous: 1,
      region: "cn-test-1",
      __provider: reg.providerText,
    });
  });

  test("Delete succeeds; a throwing delete is UNKNOWN with the message and a stack on stderr", async () => {
    await plugin.delete(created.id, urn, created.properties, { oldInputs: { start: 1 } });
    await plugin.waitForLog(/info: \[runtime\] deleted counter-default/);
    await assert.rejects(plugin.delete(created.id, urn, { ...created.properties, failDelete: true }), (e: unknown) => {
      assert.ok(e instanceof PluginCallError);
      assert.equal(e.grpcCode, GRPC_UNKNOWN);
      assert.equal(e.details, "cannot delete counter-default");
      assert.equal(e.initFailure, undefined);
      return true;
    });
    await plugin.waitForLog((l) => l.stream === "stderr" && l.text.startsWith("Error: cannot delete counter-default: Error: cannot delete"));
  });

  test("A partial-state create error is decoded into initFailure", async () => {
    const checked = await plugin.check(urn, {}, { ...reg.inputs, label: "broken", failInit: true });
    await assert.rejects(plugin.create(urn, checked.inputs), (e: unknown) => {
      assert.ok(e instanceof PluginCallError);
      assert.equal(e.grpcCode, GRPC_UNKNOWN);
      assert.equal(e.details, "counter failed to initialise");
      assert.deepEqual(e.initFailure, {
        id: "counter-broken",
        properties: { label: "broken", value: -1, __provider: reg.providerText },
        reasons: ["counter never became ready"],
      });
      return true;
    });
  });

  test("A plain create error has no initFailure", async () => {
    await assert.rejects(plugin.create(urn, { start: 1 }), (e: unknown) => {
      assert.ok(e instanceof PluginCallError);
      assert.equal(e.grpcCode, GRPC_UNKNOWN);
      assert.match(e.details, /code must be a string, not undefined/);
      assert.equal(e.initFailure, undefined);
      return true;
    });
  });

  test("Cancel is accepted", async () => {
    await plugin.cancel();
  });
});

describe("plugin lifecycle", () => {
  test("without Configure, a provider with configure() fails at its first CRUD call", async () => {
    const reg = await captureRegistration(() => new Counter("nc", { start: 1 }));
    const plugin = await startPlugin({ cwd: repoRoot });
    try {
      await assert.rejects(plugin.create(reg.urn, { ...reg.inputs, label: "nc" }), (e: unknown) => {
        assert.ok(e instanceof PluginCallError);
        assert.match(e.details, /Cannot read properties of undefined/);
        return true;
      });
    } finally {
      await plugin.stop();
    }
  });

  test("PULUMI_NODEJS_PROJECT decides project-relative config keys", async () => {
    const reg = await captureRegistration(() => new Counter("proj", { start: 1 }));
    const plugin = await startPlugin({ cwd: repoRoot, project: "other" });
    try {
      await plugin.configure({ "test:token": "t-test", "other:token": "t-other" });
      const res = await plugin.create(reg.urn, { ...reg.inputs, label: "p" });
      assert.equal(res.properties.token, "t-other");
      assert.equal(res.properties.region, null);
    } finally {
      await plugin.stop();
    }
  });

  test("stop() ends the process; kill() acts as a crash and later calls fail UNAVAILABLE", async () => {
    const a = await startPlugin({ cwd: repoRoot });
    await a.getPluginInfo();
    await a.stop();
    await a.stop(); // idempotent
    assert.equal(isAlive(a.pid), false);
    assert.deepEqual(await a.exited, { code: null, signal: "SIGTERM" });

    const b = await startPlugin({ cwd: repoRoot });
    await b.getPluginInfo();
    b.kill();
    assert.deepEqual(await b.exited, { code: null, signal: "SIGKILL" });
    await assert.rejects(b.getPluginInfo(), (e: unknown) => e instanceof PluginCallError && e.grpcCode === GRPC_UNAVAILABLE);
    await b.stop(); // safe after a crash
    await assert.rejects(b.getPluginInfo(), (e: unknown) => e instanceof PluginCallError && e.grpcCode === GRPC_UNAVAILABLE);
  });

  test("startPlugin fails clearly when @pulumi/pulumi does not resolve from cwd", async () => {
    await assert.rejects(startPlugin({ cwd: "/" }), /Cannot find module/);
  });

  for (const mode of ["exit", "throw", "signal", "forget"] as const) {
    test(`no orphan plugin when the test process ends (${mode})`, async () => {
      const script = join(__dirname, "fixtures", "orphan-check.js");
      const child = spawn(process.execPath, [script, repoRoot, mode === "signal" ? "hang" : mode], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.setEncoding("utf8");
      const pid = await new Promise<number>((res, rej) => {
        child.stdout.on("data", (c: string) => {
          out += c;
          const m = /^(\d+)\n/.exec(out);
          if (m) res(Number(m[1]));
        });
        child.once("exit", (code) => rej(new Error(`orphan-check exited early (${code})`)));
      });
      assert.equal(isAlive(pid), true);
      if (mode === "signal") child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      assert.equal(await waitDead(pid), true, `plugin ${pid} survived its parent`);
    });
  }
});
