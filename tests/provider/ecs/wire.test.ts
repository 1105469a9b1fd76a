// Unit tests of the pure parts of provider/ecs/wire.ts (flatten) and provider/ecs/retry-rules.ts (isTransient, isThrottling), of
// provider/ecs/volcengine-error.ts (VolcengineError messages, redact) and of provider/ecs/rate-limit.ts (TokenBucket,
// on a fake clock).
import { test } from "node:test";
import assert from "node:assert/strict";
import { flatten } from "../../../provider/ecs/wire";
import { RETRY_LATER, isThrottling, isTransient } from "../../../provider/ecs/retry-rules";
import { VolcengineError, adviceFor, redact } from "../../../provider/ecs/volcengine-error";
import { TokenBucket } from "../../../provider/ecs/rate-limit";
import { FakeClock, settle } from "../fake-clock";

test("flatten: 1-based lists, nested objects, booleans, numbers; undefined dropped", () => {
  assert.deepEqual(
    flatten({
      ImageId: "image-abc",
      ImageIds: ["image-a", "image-b"],
      Tags: [
        { Key: "env", Value: "prod" },
        { Key: "team", Value: undefined },
      ],
      CopyImageTags: true,
      DryRun: false,
      MaxResults: 100,
      Description: undefined,
      Empty: [],
      Filter: { Name: "x", Values: ["1", "2"] },
    }),
    {
      ImageId: "image-abc",
      "ImageIds.1": "image-a",
      "ImageIds.2": "image-b",
      "Tags.1.Key": "env",
      "Tags.1.Value": "prod",
      "Tags.2.Key": "team",
      CopyImageTags: "true",
      DryRun: "false",
      MaxResults: "100",
      "Filter.Name": "x",
      "Filter.Values.1": "1",
      "Filter.Values.2": "2",
    },
  );
  assert.deepEqual(flatten({ A: [undefined, "x"] }), { "A.2": "x" }, "positions are kept when an item is undefined");
  assert.deepEqual(flatten({ A: [["x", "y"]] }), { "A.1.1": "x", "A.1.2": "y" });
  assert.deepEqual(flatten({ Key: "a" }, "Tags.3"), { "Tags.3.Key": "a" });
  assert.deepEqual(flatten({ ImageName: "镜像 1" }), { ImageName: "镜像 1" }, "values are not encoded here");
  assert.deepEqual(flatten({}), {});
});

const err = (code: string, httpStatus?: number, extra: Partial<ConstructorParameters<typeof VolcengineError>[0]> = {}) =>
  new VolcengineError({ code, httpStatus, action: "DescribeTasks", region: "cn-shanghai", ...extra });

test("isTransient: throttling, 5xx, 429 and transport failures are transient; the rest is final", () => {
  for (const code of [
    "InternalError",
    "ServiceUnavailable",
    "FlowLimitExceeded",
    "AccountFlowLimitExceeded",
    "RequestTimeout",
    "ConnectionReset",
    "ConnectionRefused",
    "NetworkError",
    "OperationDenied.ResourceLocked",
  ]) {
    assert.equal(isTransient(err(code)), true, code);
  }
  assert.equal(isTransient(err("Whatever", 500)), true);
  assert.equal(isTransient(err("Whatever", 503)), true);
  assert.equal(isTransient(err("Whatever", 429)), true);
  for (const [code, status] of [
    ["AccessDenied", 403],
    ["InvalidImage.NotFound", 404],
    ["InvalidArgument", 400],
    ["SignatureDoesNotMatch", 401],
    ["InvalidImageStatus", undefined],
  ] as const) {
    assert.equal(isTransient(err(code, status)), false, code);
  }
  // Not a VolcengineError: final (a bug, or an abort).
  assert.equal(isTransient(new Error("InternalError")), false);
  assert.equal(isTransient(Object.assign(new Error("x"), { code: "InternalError", httpStatus: 500 })), false);
  assert.equal(isTransient(undefined), false);
  assert.equal(isTransient("InternalError"), false);
});

test("isTransient: every code of RETRY_LATER, for the actions it names (final for the others)", () => {
  for (const [code, rule] of Object.entries(RETRY_LATER)) {
    for (const action of rule.onlyFor ?? ["DescribeTasks", "DeleteImages", "ModifyImageAttribute"]) {
      assert.equal(isTransient(err(code, undefined, { action })), true, `${code} on ${action}`);
    }
    if (rule.onlyFor) assert.equal(isTransient(err(code, 400, { action: "CopyImage" })), false, `${code} on CopyImage`);
  }
});

test("isThrottling: only throttling codes and HTTP 429", () => {
  for (const code of ["FlowLimitExceeded", "AccountFlowLimitExceeded", "RequestLimitExceeded", "Throttling"])
    assert.equal(isThrottling(err(code)), true, code);
  assert.equal(isThrottling(err("Whatever", 429)), true);
  assert.equal(isThrottling(err("InternalError", 500)), false);
  assert.equal(isThrottling(err("ConnectionReset")), false);
  assert.equal(isThrottling(new Error("FlowLimitExceeded")), false);
});

test("VolcengineError message: action, region, code, CodeN, HTTP status, request id, service message, advice", () => {
  const e = new VolcengineError({
    code: "AccessDenied",
    codeN: 100010,
    httpStatus: 403,
    requestId: "20240101abcdef",
    action: "CopyImage",
    region: "cn-beijing",
    serviceMessage: "User is not authorized",
  });
  assert.equal(e.name, "VolcengineError");
  assert.ok(e instanceof Error);
  for (const part of [
    "CopyImage",
    "cn-beijing",
    "AccessDenied",
    "100010",
    "HTTP 403",
    "request id 20240101abcdef",
    "User is not authorized",
    "Grant these credentials the permission ecs:CopyImage",
  ]) {
    assert.ok(e.message.includes(part), `missing ${part} in: ${e.message}`);
  }
  assert.equal(e.code, "AccessDenied");
  assert.equal(e.codeN, 100010);
  assert.equal(e.httpStatus, 403);
  assert.equal(e.requestId, "20240101abcdef");
  assert.equal(e.ambiguous, false);

  const t = new VolcengineError({ code: "RequestTimeout", action: "DescribeTasks", region: "cn-shanghai", ambiguous: true });
  assert.match(t.message, /DescribeTasks in cn-shanghai failed: RequestTimeout/);
  assert.match(t.message, /no response was received/);
  assert.ok(!t.message.includes("HTTP"), "no status when no response arrived");
  assert.equal(t.ambiguous, true);

  const unknown = new VolcengineError({ code: "Some.NewCode", httpStatus: 400, action: "DeleteImages", region: "cn-guangzhou" });
  assert.equal(
    unknown.message,
    "DeleteImages in cn-guangzhou failed: Some.NewCode (HTTP 400, no request id).",
    "an answer came: not 'no response was received'",
  );
});

test("every advice sentence is one plain sentence", () => {
  for (const code of [
    "InvalidAccessKey",
    "SignatureDoesNotMatch",
    "FlowLimitExceeded",
    "LimitExceeded.MaximumImageCount",
    "InvalidImageName.Malformed",
    "InvalidImage.NotFound",
  ]) {
    const a = adviceFor(code);
    assert.ok(a && /^[A-Za-z].*[.)]$/.test(a), `${code}: ${a}`);
  }
  assert.equal(adviceFor("NoSuchCode"), undefined);
  assert.equal(adviceFor("__proto__"), undefined, "not an inherited Object member");
  assert.equal(adviceFor("constructor"), undefined, "not an inherited Object member");
});

test("redact replaces every occurrence of each secret of 4+ characters", () => {
  assert.equal(redact("key AKLTabc and AKLTabc; sk SECRETxyz", ["AKLTabc", "SECRETxyz", undefined]), "key [redacted] and [redacted]; sk [redacted]");
  assert.equal(redact("nothing here", ["AKLTabc"]), "nothing here");
  assert.equal(redact("a.b*c+d", ["b*c+"]), "a.[redacted]d", "secrets are literal text, not patterns");
  assert.equal(redact("abc", ["", undefined, "ab"]), "abc", "short or empty secrets are not redacted (they would mangle the text)");
});

test("TokenBucket: the first burst goes as answers come back (slow start), then a burst at once after calm, and the steady rate", async () => {
  const clock = new FakeClock(0);
  const bucket = new TokenBucket({ perSecond: 4, burst: 10, clock });
  const times: number[] = [];
  const all = Array.from({ length: 18 }, () =>
    bucket.take().then((ticket) => {
      times.push(clock.now());
      return ticket;
    }),
  );
  await settle();
  assert.deepEqual(times, [0], "one request before any answer");
  // The first answer that went through releases one more of the burst, each later one two: 1 request,
  // then 1, then 2, then 4, then the last 2 of 10.
  let answered = 0;
  for (const expected of [2, 4, 8, 10]) {
    const sent = times.length;
    for (; answered < sent; answered++) bucket.reward(await all[answered]);
    await settle();
    assert.equal(times.length, expected, `${expected} requests sent once ${sent} were answered`);
    assert.equal(clock.now(), 0, "at once, not after an interval");
  }
  await clock.advance(2_000);
  assert.equal(times.length, 18, "8 more within 2 s at 4/s");
  await Promise.all(all);
  const steady = times.slice(10);
  for (let i = 1; i < steady.length; i++) {
    const gap = steady[i] - steady[i - 1];
    assert.ok(gap >= 240 && gap <= 260, `gap ${gap} ms at 4/s`);
  }
  // Calm refills the bucket up to the burst, not beyond.
  await clock.advance(60_000);
  const later: number[] = [];
  const again = Array.from({ length: 11 }, () => bucket.take().then(() => later.push(clock.now())));
  await settle();
  assert.equal(later.length, 10);
  await clock.advance(250);
  await Promise.all(again);
  assert.equal(later.length, 11);
});

test("TokenBucket: an aborted take rejects and does not block the callers behind it", async () => {
  const clock = new FakeClock(0);
  const bucket = new TokenBucket({ perSecond: 1, burst: 1, clock });
  await bucket.take();
  const ac = new AbortController();
  const aborted = bucket.take(ac.signal);
  let next = false;
  const behind = bucket.take().then(() => (next = true));
  await settle();
  ac.abort(new Error("stop"));
  await assert.rejects(aborted, /stop/);
  await clock.advance(1_000);
  await behind;
  assert.equal(next, true);
});

test("TokenBucket: a throttling answer cuts the rate and drains the bucket; answers that go through to requests it held back bring it back", async () => {
  const clock = new FakeClock(0);
  const bucket = new TokenBucket({ perSecond: 4, burst: 1, clock, throttling: { cut: 0.5, growth: 1, floorPerSecond: 0.2 } });
  const first = await bucket.take();
  // A request takes a while; its answer is a throttling error.
  await clock.advance(3_000);
  bucket.penalize(first);
  assert.equal(bucket.currentRate(), 2);
  // The bucket is drained: the next request waits for a token at the cut rate.
  let sent = false;
  const p = bucket.take().then(() => (sent = true));
  await settle();
  assert.equal(sent, false, "no token right after a throttling answer");
  await clock.advance(750); // at most one and a half intervals at the cut rate (2 per second)
  await p;
  // Repeated throttling (each answer to a request sent after the last cut) cuts again, but never below the floor.
  for (let i = 0; i < 10; i++) bucket.penalize(await Promise.all([bucket.take(), clock.advance(10_000)]).then(([t]) => t));
  assert.equal(bucket.currentRate(), 0.2);
  // Calm alone does not bring the rate back (the account's limit is unknown)...
  await clock.advance(30_000);
  const calm = await bucket.take();
  assert.equal(calm.waited, false, "after calm the token was there");
  bucket.reward(calm);
  assert.equal(bucket.currentRate(), 0.2, "an answer to a request the rate did not hold back says nothing about the rate");
  // ...answers that go through to requests that waited for their token do, back to the ceiling and no further.
  for (let i = 0; i < 20; i++) {
    const [ticket] = await Promise.all([bucket.take(), clock.advance(Math.ceil(1000 / bucket.currentRate()))]);
    assert.equal(ticket.waited, true);
    bucket.reward(ticket);
  }
  assert.equal(bucket.currentRate(), 4);
});
