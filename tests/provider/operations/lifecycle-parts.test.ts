// Unit tests of the life cycle's small parts: validated defaults, the session-cache key, the
// reporter, the reconcile plan and which side wins, and the one output table.
import { test } from "node:test";
import assert from "node:assert/strict";
import { OptionError, resolveTunables, DEFAULT_TUNABLES } from "../../../provider/settings/tunables";
import { SessionCache, sessionKey } from "../../../provider/ecs/session";
import { lineReporterFactory, safeFactory, labelOf, type Reporter } from "../../../provider/reporting/reporter";
import { planChanges, reported } from "../../../provider/operations/reconcile";
import { OUTPUT_FIELDS, OUTPUT_ONLY_KEYS, imageFields, recordedFields } from "../../../provider/operations/model";
import { OWNER_TAG_KEY, ownerTag, ownerTagValue } from "../../../provider/operations/naming";
import type { ProviderSettings } from "../../../provider/settings/config";
import { FakeClock } from "../fake-clock";

test("defaults: every value is checked, and a bad one names the option and the rule", () => {
  assert.deepEqual(resolveTunables({}), DEFAULT_TUNABLES);
  assert.throws(
    () => resolveTunables({ requestTimeoutMs: 0 }),
    (e) => e instanceof OptionError && /^requestTimeoutMs must be a positive finite number; got 0\.$/.test(e.message),
  );
  assert.throws(() => resolveTunables({ retry: { retries: 1.5 } }), /retry\.retries must be a whole number, 0 or more; got 1\.5/);
  assert.throws(
    () => resolveTunables({ retry: { minDelayMs: 500, maxDelayMs: 100 } }),
    /retry\.minDelayMs \(500\) must not be more than retry\.maxDelayMs \(100\)/,
  );
  assert.throws(() => resolveTunables({ waitPolicy: { backoff: 0.5 } }), /WaitPolicy\.backoff must be a finite number of at least 1 .*got 0\.5/);
  assert.throws(
    () => resolveTunables({ waitPolicy: { firstDelayMs: Number.NaN } }),
    /WaitPolicy\.firstDelayMs must be a finite number of milliseconds.*got NaN/,
  );
  assert.throws(
    () => resolveTunables({ deletePollMs: { min: 300, max: 200 } }),
    /deletePollMs \(min, max\)\.initialMs \(300\) must not be more than/,
  );
  const fast = resolveTunables({ deletePollMs: { min: 50, max: 200 } });
  assert.deepEqual(fast.confirmPoll, { initialMs: 50, maxMs: 200, factor: 2 });
});

const settings = (over: Partial<ProviderSettings["credentials"] & { rate: number }> = {}): ProviderSettings => ({
  endpoint: { protocol: "http:", host: "127.0.0.1:8787" },
  credentials: { accessKeyId: over.accessKeyId ?? "AKID", secretKey: over.secretKey ?? "secret-1", sessionToken: over.sessionToken },
  maxRequestsPerSecond: over.rate,
  preflight: false,
});

test("session cache: keyed by endpoint, every credential part and the rate; the key holds no credential", () => {
  const base = sessionKey(settings());
  for (const changed of [
    settings({ secretKey: "secret-2" }),
    settings({ sessionToken: "token" }),
    settings({ accessKeyId: "AKID2" }),
    settings({ rate: 5 }),
  ]) {
    assert.notEqual(sessionKey(changed), base);
  }
  assert.equal(sessionKey(settings()), base);
  for (const secret of ["AKID", "secret-1"]) assert.ok(!base.includes(secret), `the key shows ${secret}`);

  const cache = new SessionCache({ tunables: resolveTunables(), clock: new FakeClock(), log: () => undefined });
  const a = cache.for(settings());
  assert.equal(cache.for(settings()), a, "same settings, same session");
  const b = cache.for(settings({ secretKey: "rotated" }));
  assert.notEqual(b, a, "a rotated secret key gets its own wire");
  assert.notEqual(b.bucket, a.bucket);
  assert.equal(a.watcher("cn-shanghai"), a.watcher("cn-shanghai"), "one watcher per region");
  assert.notEqual(a.watcher("cn-shanghai"), a.watcher("cn-guangzhou"));
  const signal = new AbortController().signal;
  assert.equal(a.destination("cn-shanghai", signal).signal, signal, "a client bound to the operation's signal");
  assert.throws(() => cache.for({ ...settings(), credentials: undefined }), /No Volcengine credentials/);
});

test("reporter: today's lines, prefixed with the resource; progress every 10 points or 30 s; never throws", async () => {
  const clock = new FakeClock();
  const lines: [string, string][] = [];
  const r = lineReporterFactory((kind, line) => lines.push([kind, line]), clock)({ resourceName: "web" });
  for (const p of [0, 3, 9, 10, 15, 21]) r.status(`copying ${p}%`, { percent: p, final: false });
  await clock.advance(30_000);
  r.status("copying 24%", { percent: 24, final: false });
  r.status("succeeded, 100%", { percent: 100, final: true });
  r.status("image-x cannot be deleted yet (OperationDenied.ImageIsCopying); trying again in 2s");
  r.info("adopting image-x");
  r.warn("act on this");
  assert.deepEqual(lines, [
    ["status", "CopiedImage web: copying 0%"],
    ["status", "CopiedImage web: copying 10%"],
    ["status", "CopiedImage web: copying 21%"],
    ["status", "CopiedImage web: copying 24%"],
    ["status", "CopiedImage web: succeeded, 100%"],
    ["status", "CopiedImage web: image-x cannot be deleted yet (OperationDenied.ImageIsCopying); trying again in 2s"],
    ["info", "CopiedImage web: adopting image-x"],
    ["warn", "CopiedImage web: act on this"],
  ]);
  assert.equal(labelOf({}), "CopiedImage");

  const throwing = lineReporterFactory(() => {
    throw new Error("stdout closed");
  }, clock)({ resourceName: "web" });
  assert.doesNotThrow(() => throwing.info("x"));
  const bad = safeFactory(
    () =>
      ({
        status: () => {
          throw new Error("a");
        },
        info: () => {
          throw new Error("b");
        },
        warn: () => {
          throw new Error("c");
        },
      }) as Reporter,
  );
  const r2 = bad({ resourceName: "web" });
  assert.doesNotThrow(() => (r2.status("s"), r2.info("i"), r2.warn("w")));
  assert.doesNotThrow(() =>
    safeFactory(() => {
      throw new Error("factory");
    })({}).info("x"),
  );
});

test("reconcile: only what differs is changed; removed keys are the ones managed before; which side wins", () => {
  const tags = [{ Key: "team", Value: "web" }, ownerTag({ identity: "p/s/web" })];
  assert.deepEqual(
    planChanges({ imageName: "a", tags }, { imageName: "a", tags: { team: "web", [OWNER_TAG_KEY]: ownerTagValue("p/s/web") }, managedKeys: [] }),
    { modify: undefined, untag: [], tag: [] },
  );
  assert.deepEqual(
    planChanges(
      { imageName: "b", description: "", tags: [{ Key: "team", Value: "api" }] },
      { imageName: "a", description: "old", tags: { team: "web", env: "dev", copied: "x" }, managedKeys: ["team", "env"] },
    ),
    { modify: { imageName: "b", description: "" }, untag: ["env"], tag: [{ Key: "team", Value: "api" }] },
  );
  assert.equal(reported("write", "program", "image", "recorded"), "program");
  assert.equal(reported("write", undefined, "image", "recorded"), "image");
  assert.equal(reported("read", "program", "image", "recorded"), "image");
  assert.equal(reported("read", undefined, undefined, "recorded"), "recorded");
});

test("the output table: image fields come from DescribeImages, the resource class passes every output-only key", () => {
  assert.deepEqual(OUTPUT_ONLY_KEYS, [
    "imageId",
    "taskId",
    "status",
    "progress",
    "size",
    "osName",
    "osType",
    "platform",
    "platformVersion",
    "architecture",
    "bootMode",
    "visibility",
    "createdAt",
    "snapshotIds",
  ]);
  const f = imageFields({
    ImageId: "image-1",
    ImageName: "n",
    Description: "d",
    Status: "available",
    Size: 40,
    OsName: "Ubuntu",
    CreatedAt: "2026-01-01T00:00:00Z",
    Snapshots: [
      { SnapshotId: "snap-1", Size: 40, VolumeKind: "system" },
      { SnapshotId: "snap-2", Size: 100, VolumeKind: "data" },
    ],
  });
  assert.deepEqual(f.snapshotIds, ["snap-1", "snap-2"], "snapshotIds maps Snapshots[].SnapshotId");
  assert.equal(imageFields({ ImageId: "image-2" }).snapshotIds, undefined, "no Snapshots in the answer: no snapshotIds");
  assert.equal(f.imageName, "n");
  assert.equal(f.description, "d");
  assert.equal(f.size, 40);
  assert.equal(f.createdAt, "2026-01-01T00:00:00Z");
  assert.ok(!("imageId" in f) && !("taskId" in f));
  const r = recordedFields({ imageName: "n", progress: 57, taskId: "t-1", status: "creating", sourceImageId: "image-s" } as never);
  assert.deepEqual(r, { imageName: "n", taskId: "t-1", status: "creating", progress: 57 });
  assert.equal(Object.keys(OUTPUT_FIELDS).length, 23);
});
