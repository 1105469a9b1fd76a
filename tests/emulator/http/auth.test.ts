// Gateway behaviour: what gets through the signature check and what is rejected with which code.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { DEFAULT_ACCOUNT, startEmulator, type EmulatorHandle } from "../../../emulator";
import { call, errorOf, rawSign, sdk, sdkCall, send, VERSION } from "../helpers";

const STS = { accessKey: "AKLTstsKey", secretKey: "stsSecret==", sessionToken: "sts-token-123", accountId: "2100000001" };

describe("auth and gateway", () => {
  let emu: EmulatorHandle;
  let host: string;
  before(async () => {
    emu = await startEmulator({ seed: { accounts: [DEFAULT_ACCOUNT, STS] } });
    host = `${emu.host}:${emu.port}`;
  });
  after(() => emu.stop());

  test("the official @volcengine/openapi client (GET) is accepted, with the scope region echoed", async () => {
    const r = await sdkCall(sdk(emu, "cn-shanghai"), "DescribeImages", { MaxResults: 5, Description: "a*b(c)" });
    assert.equal(r.ResponseMetadata.Error, undefined, JSON.stringify(r));
    assert.equal(r.ResponseMetadata.Region, "cn-shanghai");
    assert.equal(r.ResponseMetadata.Service, "ecs");
    assert.equal(r.ResponseMetadata.Action, "DescribeImages");
    assert.equal(r.ResponseMetadata.Version, VERSION);
    assert.ok(Array.isArray(r.Result.Images));
    const last = emu.log().at(-1)!;
    assert.equal(last.signatureVerified, true);
    assert.equal(last.region, "cn-shanghai");
  });

  test("the official client's POST form-urlencoded requests are accepted (body hash signed)", async () => {
    const r = await sdkCall(sdk(emu, "cn-beijing"), "DescribeImages", { MaxResults: 3, Visibility: "public" }, "POST");
    assert.equal(r.ResponseMetadata.Error, undefined, JSON.stringify(r));
    assert.equal(r.Result.Images.length, 3);
  });

  test("go-sdk style: host, content-type, x-content-sha256 and x-date signed", async () => {
    const body = "MaxResults=2";
    const s = rawSign(host, {
      method: "POST",
      query: { Action: "DescribeImages", Version: VERSION },
      body,
      headers: { "X-Content-Sha256": createHash("sha256").update(body).digest("hex") },
      signHeaders: ["host", "content-type", "x-content-sha256"],
    });
    const r = await send(emu, s.path, { method: "POST", headers: s.headers, body });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.Result.Images.length, 2);
    // The same request with the body changed after signing is rejected.
    const bad = await send(emu, s.path, { method: "POST", headers: s.headers, body: "MaxResults=3" });
    assert.equal(bad.body.ResponseMetadata.Error?.Code, "SignatureDoesNotMatch");
  });

  test("a parameter changed after signing: SignatureDoesNotMatch 401 / 100010", async () => {
    const s = rawSign(host, { query: { Action: "DescribeImages", Version: VERSION, MaxResults: "2" } });
    const good = await send(emu, s.path, { headers: s.headers });
    assert.equal(good.status, 200);
    const r = await send(emu, s.path.replace("MaxResults=2", "MaxResults=3"), { headers: s.headers });
    assert.equal(r.status, 401);
    assert.equal(r.body.ResponseMetadata.Error?.Code, "SignatureDoesNotMatch");
    assert.equal(r.body.ResponseMetadata.Error?.CodeN, 100010);
    assert.equal(r.body.Result, undefined);
  });

  test("the wire encoding may differ from the canonical one (decoded and re-canonicalised)", async () => {
    const s = rawSign(host, { query: { Action: "DescribeImages", Version: VERSION, ImageName: "a*b(c) d" } });
    // node querystring style: * ( ) unescaped, space as %20
    const r = await send(emu, `/?Action=DescribeImages&Version=${VERSION}&ImageName=a*b(c)%20d`, { headers: s.headers });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    // go style: space as +
    const r2 = await send(emu, `/?ImageName=a%2Ab%28c%29+d&Version=${VERSION}&Action=DescribeImages`, { headers: s.headers });
    assert.equal(r2.status, 200, JSON.stringify(r2.body));
  });

  test("a wrong secret: SignatureDoesNotMatch", async () => {
    assert.deepEqual(await errorOf(emu, "cn-beijing", "DescribeImages", {}, { secretKey: "wrong==" }), {
      status: 401,
      code: "SignatureDoesNotMatch",
      codeN: 100010,
    });
  });

  test("an expired X-Date (older than 900 s) and a future one: InvalidTimestamp 400 / 100006", async () => {
    const old = new Date(Date.now() - 16 * 60_000);
    assert.deepEqual(await errorOf(emu, "cn-beijing", "DescribeImages", {}, { date: old }), { status: 400, code: "InvalidTimestamp", codeN: 100006 });
    const future = new Date(Date.now() + 16 * 60_000);
    assert.equal((await errorOf(emu, "cn-beijing", "DescribeImages", {}, { date: future })).code, "InvalidTimestamp");
    // 10 minutes old is still fine
    assert.equal((await call(emu, "cn-beijing", "DescribeImages", {}, { date: new Date(Date.now() - 10 * 60_000) })).status, 200);
  });

  test("the scope date differs from X-Date: InvalidTimestamp", async () => {
    const s = rawSign(host, { query: { Action: "DescribeImages", Version: VERSION } });
    const d = s.headers["X-Date"]!.slice(0, 8);
    const other = d === "20200101" ? "20200102" : "20200101";
    const r = await send(emu, s.path, { headers: { ...s.headers, Authorization: s.headers["Authorization"]!.replace(`/${d}/`, `/${other}/`) } });
    assert.equal(r.body.ResponseMetadata.Error?.Code, "InvalidTimestamp");
  });

  test("signed for one region, scope changed to another: SignatureDoesNotMatch", async () => {
    const s = rawSign(host, { region: "cn-beijing", query: { Action: "DescribeImages", Version: VERSION } });
    const r = await send(emu, s.path, {
      headers: { ...s.headers, Authorization: s.headers["Authorization"]!.replace("/cn-beijing/", "/cn-shanghai/") },
    });
    assert.equal(r.status, 401);
    assert.equal(r.body.ResponseMetadata.Error?.Code, "SignatureDoesNotMatch");
  });

  test("unknown access key: InvalidAccessKey 401 / 100009", async () => {
    assert.deepEqual(await errorOf(emu, "cn-beijing", "DescribeImages", {}, { accessKey: "AKLTnobody" }), {
      status: 401,
      code: "InvalidAccessKey",
      codeN: 100009,
    });
  });

  test("no Authorization header: MissingAuthenticationToken 401 / 100003", async () => {
    const r = await send(emu, `/?Action=DescribeImages&Version=${VERSION}`);
    assert.equal(r.status, 401);
    assert.equal(r.body.ResponseMetadata.Error?.Code, "MissingAuthenticationToken");
    assert.equal(r.body.ResponseMetadata.Error?.CodeN, 100003);
  });

  test("a signed header missing from the request, or a header tampered with: SignatureDoesNotMatch", async () => {
    const s = rawSign(host, { query: { Action: "DescribeImages", Version: VERSION }, headers: { "X-Custom": "1" }, signHeaders: ["x-custom"] });
    assert.equal((await send(emu, s.path, { headers: s.headers })).status, 200);
    const { ["X-Custom"]: _drop, ...without } = s.headers;
    assert.equal((await send(emu, s.path, { headers: without })).body.ResponseMetadata.Error?.Code, "SignatureDoesNotMatch");
    assert.equal(
      (await send(emu, s.path, { headers: { ...s.headers, "X-Custom": "2" } })).body.ResponseMetadata.Error?.Code,
      "SignatureDoesNotMatch",
    );
  });

  test("Action or Version missing: MissingParameter 400 / 100002", async () => {
    const r = await send(emu, `/?Version=${VERSION}`);
    assert.equal(r.status, 400);
    assert.equal(r.body.ResponseMetadata.Error?.Code, "MissingParameter");
    assert.equal(r.body.ResponseMetadata.Error?.CodeN, 100002);
    const s = rawSign(host, { query: { Action: "DescribeImages" } });
    assert.equal((await send(emu, s.path, { headers: s.headers })).body.ResponseMetadata.Error?.Code, "MissingParameter");
  });

  test("unknown action or wrong version: InvalidActionOrVersion 404 / 100008", async () => {
    assert.deepEqual(await errorOf(emu, "cn-beijing", "RunInstances"), { status: 404, code: "InvalidActionOrVersion", codeN: 100008 });
    const s = rawSign(host, { query: { Action: "DescribeImages", Version: "2022-06-15" } });
    const r = await send(emu, s.path, { headers: s.headers });
    assert.equal(r.status, 404);
    assert.equal(r.body.ResponseMetadata.Error?.Code, "InvalidActionOrVersion");
  });

  test("another service or an unknown region in the scope: ServiceNotFound 404 / 100007", async () => {
    assert.deepEqual(await errorOf(emu, "cn-beijing", "DescribeImages", {}, { service: "storage_ebs" }), {
      status: 404,
      code: "ServiceNotFound",
      codeN: 100007,
    });
    assert.deepEqual(await errorOf(emu, "mars-north-1", "DescribeImages"), { status: 404, code: "ServiceNotFound", codeN: 100007 });
  });

  test("session token: required, must match, must be signed; the SDK with a token is accepted", async () => {
    const base = { accessKey: STS.accessKey, secretKey: STS.secretKey };
    assert.equal((await errorOf(emu, "cn-beijing", "DescribeImages", {}, base)).code, "InvalidSecurityToken");
    assert.equal((await errorOf(emu, "cn-beijing", "DescribeImages", {}, { ...base, sessionToken: "other" })).code, "InvalidSecurityToken");
    assert.equal((await call(emu, "cn-beijing", "DescribeImages", {}, { ...base, sessionToken: STS.sessionToken })).status, 200);
    // present but not in SignedHeaders
    const s = rawSign(host, { ...base, query: { Action: "DescribeImages", Version: VERSION } });
    const r = await send(emu, s.path, { headers: { ...s.headers, "X-Security-Token": STS.sessionToken } });
    assert.equal(r.body.ResponseMetadata.Error?.Code, "InvalidSecurityToken");
    // a token sent with a permanent key
    assert.equal((await errorOf(emu, "cn-beijing", "DescribeImages", {}, { sessionToken: "x" })).code, "InvalidSecurityToken");
    const viaSdk = await sdkCall(
      sdk(emu, "cn-beijing", { accessKeyId: STS.accessKey, secretKey: STS.secretKey, sessionToken: STS.sessionToken }),
      "DescribeImages",
      {},
    );
    assert.equal(viaSdk.ResponseMetadata.Error, undefined, JSON.stringify(viaSdk));
  });

  test("RequestIds are unique; the log records rejected requests without token or signature", async () => {
    emu.clearLog();
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await call(emu, "cn-beijing", "DescribeImages")).body.ResponseMetadata.RequestId);
    assert.equal(ids.size, 5);
    await call(emu, "cn-beijing", "DescribeImages", {}, { accessKey: STS.accessKey, secretKey: STS.secretKey, sessionToken: STS.sessionToken });
    await call(emu, "cn-beijing", "DescribeImages", {}, { secretKey: "bad" });
    const log = emu.log();
    assert.equal(log.length, 7);
    assert.deepEqual(
      log.map((e) => e.seq),
      [...log.map((e) => e.seq)].sort((a, b) => a - b),
    );
    const bad = log.at(-1)!;
    assert.equal(bad.status, 401);
    assert.equal(bad.errorCode, "SignatureDoesNotMatch");
    assert.equal(bad.signatureVerified, false);
    assert.equal(bad.accessKey, DEFAULT_ACCOUNT.accessKey);
    const text = JSON.stringify(log);
    assert.ok(!text.includes(STS.sessionToken));
    assert.ok(!text.includes("Signature="));
    assert.ok(!text.includes(DEFAULT_ACCOUNT.secretKey));
  });
});

describe("verifySignatures: false", () => {
  let emu: EmulatorHandle;
  before(async () => {
    emu = await startEmulator({ verifySignatures: false });
  });
  after(() => emu.stop());
  test("a badly signed request is served and logged as unverified", async () => {
    const r = await call(emu, "cn-guangzhou", "DescribeImages", {}, { secretKey: "wrong" });
    assert.equal(r.status, 200);
    assert.equal(r.body.ResponseMetadata.Region, "cn-guangzhou");
    assert.equal(emu.log().at(-1)!.signatureVerified, false);
  });
});
