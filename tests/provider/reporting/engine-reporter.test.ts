// The engine-backed reporter (provider/reporting/engine-reporter.ts) against a real gRPC Engine service in this
// process (what the Pulumi engine serves on the address it passes to the plugin), the fallback to
// log lines, the status text of a copy (provider/waiting/copy-status.ts), and the Cancel watcher
// (provider/dynamic/engine-cancel.ts) against a real gRPC server.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { grpc, emptyPb, pulumiDir, providerGrpcPb } from "../../../kit/plugin/protos";
import { createReporterFactory, type FallbackLog } from "../../../provider/reporting/engine-reporter";
import { engineAddressFromArgv, GrpcEngineSink, Severity, type LogEntry } from "../../../provider/reporting/engine-client";
import { copyStatusText, copyProgressReporter, formatTimeLeft } from "../../../provider/waiting/copy-status";
import { PollSchedule } from "../../../provider/waiting/poll-schedule";
import { DEFAULT_WAIT_POLICY } from "../../../provider/waiting/wait-policy";
import { engineCancelSignal, engineCancelCount, engineGone, watchEngineCancel } from "../../../provider/dynamic/engine-cancel";
import { CANARY, CANARY_VALUES } from "../env";

const engineGrpcPb = require(require.resolve("@pulumi/pulumi/proto/engine_grpc_pb", { paths: [pulumiDir] }));

const URN = "urn:pulumi:dev::proj::pulumi-nodejs:dynamic/volcengine:CopiedImage::web-sh";

interface FakeEngine {
  address: string;
  received: LogEntry[];
  /** Delay (ms) before answering each call; Infinity never answers. */
  delayMs: number;
  stop(): Promise<void>;
}

const servers: { forceShutdown(): void }[] = [];
after(() => {
  for (const s of servers) s.forceShutdown();
});

async function startFakeEngine(): Promise<FakeEngine> {
  const server = new grpc.Server();
  servers.push(server);
  const engine: FakeEngine = {
    address: "",
    received: [],
    delayMs: 0,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
  server.addService(engineGrpcPb.EngineService, {
    log(call: any, callback: (err: null, res: unknown) => void) {
      const r = call.request;
      engine.received.push({ severity: r.getSeverity(), message: r.getMessage(), urn: r.getUrn(), ephemeral: r.getEphemeral() });
      if (engine.delayMs === Infinity) return; // hang
      setTimeout(() => callback(null, new emptyPb.Empty()), engine.delayMs);
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  engine.address = `127.0.0.1:${port}`;
  return engine;
}

function collector(): { lines: { severity: string; message: string }[]; fallback: FallbackLog } {
  const lines: { severity: string; message: string }[] = [];
  return { lines, fallback: (severity, message) => lines.push({ severity, message }) };
}

// -------------------------------------------------------------------------------------------------

test("the engine address is the plugin's first argument; port 0 (the harness) and junk mean no engine", () => {
  assert.equal(engineAddressFromArgv(["node", "plugin.js", "127.0.0.1:46481"]), "127.0.0.1:46481");
  assert.equal(engineAddressFromArgv(["node", "plugin.js", "localhost:5000", "extra"]), "localhost:5000");
  assert.equal(engineAddressFromArgv(["node", "plugin.js", "[::1]:5000"]), "[::1]:5000");
  assert.equal(engineAddressFromArgv(["node", "plugin.js", "127.0.0.1:0"]), undefined);
  assert.equal(engineAddressFromArgv(["node", "plugin.js"]), undefined);
  assert.equal(engineAddressFromArgv(["node", "plugin.js", "--logtostderr"]), undefined);
  assert.equal(engineAddressFromArgv(["node", "plugin.js", "127.0.0.1:99999"]), undefined);
});

test("status is an ephemeral info Log on the resource's URN; info and warn are persistent, labelled, with their severity; order kept", async () => {
  const engine = await startFakeEngine();
  const sink = new GrpcEngineSink(engine.address);
  const { lines, fallback } = collector();
  const reporters = createReporterFactory({ sink, fallback });
  const r = reporters({ resourceName: "web-sh", resourceUrn: URN });
  r.info("copying image-src (cn-beijing) to cn-shanghai as image-abc");
  r.status("copying 10%");
  r.warn("something to know");
  await reporters.flush(5_000);
  assert.deepEqual(engine.received, [
    {
      severity: Severity.Info,
      message: "CopiedImage web-sh: copying image-src (cn-beijing) to cn-shanghai as image-abc",
      urn: URN,
      ephemeral: false,
    },
    { severity: Severity.Info, message: "copying 10%", urn: URN, ephemeral: true },
    { severity: Severity.Warning, message: "CopiedImage web-sh: something to know", urn: URN, ephemeral: false },
  ]);
  assert.deepEqual(lines, [], "nothing went to the fallback");
  assert.equal(reporters({ resourceName: "web-sh", resourceUrn: URN }), r, "one reporter per resource, so its messages stay in order");
  sink.close();
  await engine.stop();
});

test("a newer status replaces one not sent yet; the same status twice is sent once; persistent messages are never dropped", async () => {
  const engine = await startFakeEngine();
  engine.delayMs = 50;
  const sink = new GrpcEngineSink(engine.address);
  const reporters = createReporterFactory({ sink, fallback: collector().fallback });
  const r = reporters({ resourceName: "web-sh", resourceUrn: URN });
  for (let i = 0; i <= 100; i++) r.status(`copying ${i}%`);
  r.status("copying 100%");
  r.info("done");
  await reporters.flush(5_000);
  const statuses = engine.received.filter((e) => e.ephemeral).map((e) => e.message);
  assert.ok(statuses.length <= 3, `statuses were coalesced: ${JSON.stringify(statuses)}`);
  assert.equal(statuses[statuses.length - 1], "copying 100%");
  assert.equal(new Set(statuses).size, statuses.length, "no status twice");
  assert.equal(engine.received[engine.received.length - 1]!.message, "CopiedImage web-sh: done");
  sink.close();
  await engine.stop();
});

test("without a URN (state written before URNs travelled) messages go to the stack's row, labelled", async () => {
  const engine = await startFakeEngine();
  const sink = new GrpcEngineSink(engine.address);
  const reporters = createReporterFactory({ sink, fallback: collector().fallback });
  reporters({ resourceName: "old", resourceUrn: "not-a-urn" }).status("deleting image-abc");
  await reporters.flush(5_000);
  assert.deepEqual(engine.received, [{ severity: Severity.Info, message: "CopiedImage old: deleting image-abc", urn: "", ephemeral: true }]);
  sink.close();
  await engine.stop();
});

test("no engine: the old log lines (labelled), status lines thinned out like the old progress lines", () => {
  let now = 0;
  const { lines, fallback } = collector();
  const reporters = createReporterFactory({ fallback, now: () => now });
  const r = reporters({ resourceName: "web-sh", resourceUrn: URN });
  r.info("copying image-src (cn-beijing) to cn-shanghai as image-abc");
  for (let p = 0; p <= 100; p++) {
    now += 1_000;
    r.status(`copying ${p}%, about ${100 - p}m left`);
  }
  r.status("deleting image-abc");
  r.warn("careful");
  const texts = lines.map((l) => l.message);
  assert.equal(texts[0], "CopiedImage web-sh: copying image-src (cn-beijing) to cn-shanghai as image-abc");
  const progress = texts.filter((t) => /copying \d+%/.test(t));
  // Every 10 points (the 30 s rule does not bite at 1 s per point): 0, 10, ..., 100.
  assert.equal(progress.length, 11, JSON.stringify(progress));
  assert.ok(texts.includes("CopiedImage web-sh: deleting image-abc"), "a new phase is always shown");
  assert.deepEqual(lines[lines.length - 1], { severity: "warning", message: "CopiedImage web-sh: careful" });
});

test("an engine that is not there: every message reaches the fallback, quickly, and nothing throws", async () => {
  const engine = await startFakeEngine();
  const address = engine.address;
  await engine.stop(); // the port is closed now
  const sink = new GrpcEngineSink(address, 1_000);
  const { lines, fallback } = collector();
  const reporters = createReporterFactory({ sink, fallback });
  const r = reporters({ resourceName: "web-sh", resourceUrn: URN });
  const started = Date.now();
  r.info("first");
  r.status("copying 5%");
  r.info("second");
  assert.ok(Date.now() - started < 50, "reporting returns at once");
  await reporters.flush(5_000);
  assert.ok(Date.now() - started < 3_000, `bounded: ${Date.now() - started} ms`);
  assert.equal(sink.usable, false);
  assert.deepEqual(
    lines.map((l) => l.message),
    ["CopiedImage web-sh: first", "CopiedImage web-sh: copying 5%", "CopiedImage web-sh: second"],
  );
  r.info("third");
  assert.equal(lines[lines.length - 1]!.message, "CopiedImage web-sh: third", "once broken, straight to the fallback");
});

test("an engine that never answers: the call deadline bounds it, then the fallback; flush gives up after its timeout", async () => {
  const engine = await startFakeEngine();
  engine.delayMs = Infinity;
  const sink = new GrpcEngineSink(engine.address, 300);
  const { lines, fallback } = collector();
  const reporters = createReporterFactory({ sink, fallback });
  const r = reporters({ resourceName: "web-sh", resourceUrn: URN });
  r.info("hello");
  const t0 = Date.now();
  await reporters.flush(100);
  assert.ok(Date.now() - t0 < 1_000, "flush is bounded by its own timeout");
  await reporters.flush(5_000);
  assert.deepEqual(
    lines.map((l) => l.message),
    ["CopiedImage web-sh: hello"],
  );
  sink.close();
  engine.delayMs = 0;
  await engine.stop().catch(() => undefined);
});

test("canary: credential values never reach the engine or the fallback", async () => {
  const engine = await startFakeEngine();
  const sink = new GrpcEngineSink(engine.address);
  const { lines, fallback } = collector();
  const secrets = () => [CANARY.accessKey, CANARY.secretKey, CANARY.sessionToken];
  const viaEngine = createReporterFactory({ sink, fallback, secrets });
  const viaLog = createReporterFactory({ fallback, secrets });
  for (const reporters of [viaEngine, viaLog]) {
    const r = reporters({ resourceName: "web-sh", resourceUrn: URN });
    r.status(`copying 1% with ${CANARY.accessKey}`);
    r.info(`error mentioning ${CANARY.secretKey}`);
    r.warn(`token ${CANARY.sessionToken}`);
    await reporters.flush(5_000);
  }
  const everything = JSON.stringify(engine.received) + JSON.stringify(lines);
  for (const v of CANARY_VALUES) assert.ok(!everything.includes(v), `canary ${v.slice(0, 6)}... leaked: ${everything}`);
  assert.ok(everything.includes("[redacted]"));
  assert.equal(engine.received.length, 3);
  sink.close();
  await engine.stop();
});

test("a throwing fallback or secrets function never throws out of a reporter", () => {
  const reporters = createReporterFactory({
    fallback: () => {
      throw new Error("stdout closed");
    },
    secrets: () => {
      throw new Error("config broken");
    },
  });
  const r = reporters({ resourceName: "x" });
  assert.doesNotThrow(() => {
    r.status("a");
    r.info("b");
    r.warn("c");
  });
});

// ------------------------------------------------------------------------------------------- status text

test("status text: phase and percent, and time left once the rate is known", () => {
  assert.equal(formatTimeLeft(30_000), "less than a minute left");
  assert.equal(formatTimeLeft(5 * 60_000 + 1), "about 6m left");
  assert.equal(formatTimeLeft(65 * 60_000), "about 1h05m left");
  assert.equal(copyStatusText({ imageId: "i", status: "Pending", process: 0, elapsedMs: 1_000 }), "copy queued 0%");
  // While the schedule cannot predict, no estimate.
  assert.equal(copyStatusText({ imageId: "i", status: "Running", process: 10, elapsedMs: 360_500 }), "copying 10%");
  // The estimate is the poll schedule's, from the rate of Process: a 60-minute copy (1% every 36 s) seen at 10% and 40%.
  const schedule = new PollSchedule(DEFAULT_WAIT_POLICY, 0);
  schedule.observe(360_500, 10);
  schedule.observe(1_440_500, 40);
  const remainingMs = schedule.remainingMs(1_440_500);
  assert.ok(remainingMs !== undefined, "a linear copy gives an estimate");
  const later = copyStatusText({ imageId: "i", status: "Running", process: 40, elapsedMs: 1_440_500, remainingMs });
  assert.match(later, /^copying 40%, about (35|36|37)m left$/);
  assert.equal(copyStatusText({ imageId: "i", status: "Succeeded", process: 100, elapsedMs: 3_600_000, remainingMs: 0 }), "copied 100%");
});

test("copyProgressReporter: a status for every report, one persistent line at success", () => {
  const calls: string[] = [];
  const reporter = {
    status: (t: string) => calls.push(`status ${t}`),
    info: (t: string) => calls.push(`info ${t}`),
    warn: (t: string) => calls.push(`warn ${t}`),
  };
  const on = copyProgressReporter(reporter, "image-abc");
  on({ imageId: "image-abc", status: "Running", process: 50, elapsedMs: 10_000, taskId: "t-1" });
  on({ imageId: "image-abc", status: "Succeeded", process: 100, elapsedMs: 20_000, taskId: "t-1" });
  assert.deepEqual(calls, ["status copying 50%", "status copied 100%", "info image-abc succeeded, 100% after 20s (task t-1)"]);
});

// ------------------------------------------------------------------------------------------- cancel

test("the engine's Cancel RPC to this process's gRPC server aborts the signal of operations running then, not later ones", async () => {
  watchEngineCancel();
  const server = new grpc.Server();
  servers.push(server);
  server.addService(providerGrpcPb.ResourceProviderService, {
    cancel(_call: unknown, cb: (e: null, r: unknown) => void) {
      cb(null, new emptyPb.Empty()); // what the SDK's plugin does: acknowledge, nothing else
    },
  } as never);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  const client = new providerGrpcPb.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const running = engineCancelSignal();
  assert.equal(running.aborted, false);
  const before = engineCancelCount();
  await new Promise<void>((resolve, reject) => client.cancel(new emptyPb.Empty(), (err) => (err ? reject(err) : resolve())));
  assert.equal(engineCancelCount(), before + 1);
  assert.equal(running.aborted, true, "the operation in flight sees the cancellation");
  assert.match(String((running.reason as Error).message), /cancelled/);
  assert.equal(engineCancelSignal().aborted, false, "a later operation starts with a fresh signal");
  client.close();
  server.forceShutdown();
});

// ------------------------------------------------------------------------------------------- engine gone

test("an engine that answered and now refuses connections is gone: onGone once; one never reached is not", async () => {
  const engine = await startFakeEngine();
  let gone = 0;
  const sink = new GrpcEngineSink(engine.address, 1_000, () => gone++);
  assert.equal(await sink.send({ severity: Severity.Info, message: "a", urn: URN, ephemeral: true }), true);
  await engine.stop();
  assert.equal(await sink.send({ severity: Severity.Info, message: "b", urn: URN, ephemeral: true }), false);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(gone, 1);
  assert.equal(await sink.send({ severity: Severity.Info, message: "c", urn: URN, ephemeral: true }), false);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(gone, 1, "once");

  let neverGone = 0;
  const never = new GrpcEngineSink(engine.address, 1_000, () => neverGone++);
  assert.equal(await never.send({ severity: Severity.Info, message: "x", urn: URN, ephemeral: true }), false);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(neverGone, 0, "an engine never reached is not declared gone (the harness, a wrong address)");
});

test("engineGone aborts the operations running now and ends the process after the grace", async () => {
  const running = engineCancelSignal();
  let exitCode: number | undefined;
  engineGone(50, (c) => (exitCode = c));
  assert.equal(running.aborted, true);
  assert.match(String((running.reason as Error).message), /engine is gone/);
  assert.equal(exitCode, undefined, "not at once: the operations answer first");
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(exitCode, 0);
});
