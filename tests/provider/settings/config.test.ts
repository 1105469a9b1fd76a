// Unit tests of provider/settings/config.ts: where settings come from, endpoint parsing, and that no error
// ever carries the secret key.
import { test } from "node:test";
import assert from "node:assert/strict";
import { check } from "../../../provider/operations/check";
import {
  ConfigError,
  ConfigErrors,
  DEFAULT_ENDPOINT,
  missingCredentialsMessage,
  parseEndpoint,
  resolveSettings,
  type ConfigSource,
} from "../../../provider/settings/config";

const SECRET = "sk-VERY-secret-value-0123456789";

function config(values: Record<string, string>): ConfigSource {
  return { get: (key) => values[key] };
}

test("stack config beats environment variables", () => {
  const s = resolveSettings(
    config({
      "volcengine:accessKey": "AK-config",
      "volcengine:secretKey": "SK-config",
      "volcengine:region": "cn-beijing",
      "volcengine:sessionToken": "tok-config",
    }),
    { VOLCENGINE_ACCESS_KEY: "AK-env", VOLCENGINE_SECRET_KEY: "SK-env", VOLCENGINE_REGION: "cn-shanghai", VOLCENGINE_SESSION_TOKEN: "tok-env" },
  );
  assert.deepEqual(s.credentials, { accessKeyId: "AK-config", secretKey: "SK-config", sessionToken: "tok-config" });
  assert.equal(s.region, "cn-beijing");
});

test("VOLCENGINE_* environment variables when config is absent", () => {
  const s = resolveSettings(undefined, {
    VOLCENGINE_ACCESS_KEY: "AK-env",
    VOLCENGINE_SECRET_KEY: "SK-env",
    VOLCENGINE_SESSION_TOKEN: "tok",
    VOLCENGINE_REGION: "cn-shanghai",
    VOLCENGINE_ENDPOINT: "http://127.0.0.1:8787",
    VOLCENGINE_MAX_REQUESTS_PER_SECOND: "2.5",
    VOLCENGINE_COPIED_IMAGE_PREFLIGHT: "true",
  });
  assert.deepEqual(s.credentials, { accessKeyId: "AK-env", secretKey: "SK-env", sessionToken: "tok" });
  assert.equal(s.region, "cn-shanghai");
  assert.deepEqual(s.endpoint, { protocol: "http:", host: "127.0.0.1:8787" });
  assert.equal(s.maxRequestsPerSecond, 2.5);
  assert.equal(s.preflight, true);
});

test("VOLC_ACCESSKEY / VOLC_SECRETKEY (the SDK's names) are the last fallback", () => {
  let s = resolveSettings(config({}), { VOLC_ACCESSKEY: "AK-sdk", VOLC_SECRETKEY: "SK-sdk" });
  assert.deepEqual(s.credentials, { accessKeyId: "AK-sdk", secretKey: "SK-sdk", sessionToken: undefined });
  s = resolveSettings(config({}), {
    VOLC_ACCESSKEY: "AK-sdk",
    VOLC_SECRETKEY: "SK-sdk",
    VOLCENGINE_ACCESS_KEY: "AK-env",
    VOLCENGINE_SECRET_KEY: "SK-env",
  });
  assert.deepEqual(s.credentials, { accessKeyId: "AK-env", secretKey: "SK-env", sessionToken: undefined });
  // Mixed sources are combined key by key.
  s = resolveSettings(config({ "volcengine:accessKey": "AK-config" }), { VOLC_SECRETKEY: "SK-sdk" });
  assert.deepEqual(s.credentials, { accessKeyId: "AK-config", secretKey: "SK-sdk", sessionToken: undefined });
});

test("blank values count as unset and values are trimmed", () => {
  const s = resolveSettings(
    config({ "volcengine:accessKey": "   ", "volcengine:secretKey": "", "volcengine:region": "\t", "volcengine:endpoint": " " }),
    { VOLCENGINE_ACCESS_KEY: "", VOLC_ACCESSKEY: " AK-sdk ", VOLCENGINE_SECRET_KEY: " SK-env\n", VOLCENGINE_REGION: " cn-shanghai " },
  );
  assert.deepEqual(s.credentials, { accessKeyId: "AK-sdk", secretKey: "SK-env", sessionToken: undefined });
  assert.equal(s.region, "cn-shanghai");
  assert.deepEqual(s.endpoint, DEFAULT_ENDPOINT);
});

test("no credentials unless both keys are set; defaults", () => {
  assert.equal(resolveSettings(undefined, {}).credentials, undefined);
  assert.equal(resolveSettings(undefined, { VOLCENGINE_ACCESS_KEY: "AK" }).credentials, undefined);
  assert.equal(resolveSettings(undefined, { VOLCENGINE_SECRET_KEY: SECRET }).credentials, undefined);
  const s = resolveSettings(undefined, {});
  assert.deepEqual(s.endpoint, { protocol: "https:", host: "open.volcengineapi.com" });
  assert.equal(s.region, undefined);
  assert.equal(s.preflight, false);
  assert.equal(s.maxRequestsPerSecond, undefined);
  for (const off of ["false", "0", "no", "off", "maybe"])
    assert.equal(resolveSettings(undefined, { VOLCENGINE_COPIED_IMAGE_PREFLIGHT: off }).preflight, false, off);
  for (const on of ["1", "TRUE", "yes", "On"])
    assert.equal(resolveSettings(config({ "volcengine:copiedImagePreflight": on }), {}).preflight, true, on);
});

test("maxRequestsPerSecond must be a positive number", () => {
  for (const bad of ["0", "-1", "abc", "Infinity", "NaN"]) {
    assert.throws(
      () => resolveSettings(undefined, { VOLCENGINE_MAX_REQUESTS_PER_SECOND: bad }),
      (e: Error) => e instanceof ConfigError && /volcengine:maxRequestsPerSecond/.test(e.message),
    );
  }
});

test("endpoint: a bare host means https; URL forms keep their scheme and port", () => {
  assert.deepEqual(parseEndpoint("open.volcengineapi.com"), { protocol: "https:", host: "open.volcengineapi.com" });
  assert.deepEqual(parseEndpoint("ecs.cn-beijing-autodriving.volcengineapi.com"), {
    protocol: "https:",
    host: "ecs.cn-beijing-autodriving.volcengineapi.com",
  });
  assert.deepEqual(parseEndpoint("open.volcengineapi.com:8443"), { protocol: "https:", host: "open.volcengineapi.com:8443" });
  assert.deepEqual(parseEndpoint("https://open.volcengineapi.com"), { protocol: "https:", host: "open.volcengineapi.com" });
  assert.deepEqual(parseEndpoint("https://open.volcengineapi.com/"), { protocol: "https:", host: "open.volcengineapi.com" });
  assert.deepEqual(parseEndpoint("HTTPS://Open.VolcengineAPI.com"), { protocol: "https:", host: "open.volcengineapi.com" });
  assert.deepEqual(parseEndpoint("https://open.volcengineapi.com:443"), { protocol: "https:", host: "open.volcengineapi.com" });
});

test("endpoint: plain http only for loopback hosts", () => {
  assert.deepEqual(parseEndpoint("http://127.0.0.1:8787"), { protocol: "http:", host: "127.0.0.1:8787" });
  assert.deepEqual(parseEndpoint("http://localhost:1"), { protocol: "http:", host: "localhost:1" });
  assert.deepEqual(parseEndpoint("http://[::1]:2"), { protocol: "http:", host: "[::1]:2" });
  assert.deepEqual(parseEndpoint("http://127.8.9.10"), { protocol: "http:", host: "127.8.9.10" });
  for (const remote of [
    "http://example.com",
    "http://open.volcengineapi.com",
    "http://10.0.0.1:8787",
    "http://localhost.example.com",
    "http://127.0.0.1.nip.io",
    "http://[::2]:1",
  ]) {
    assert.throws(
      () => parseEndpoint(remote),
      (e: Error) => e instanceof ConfigError && e.message.includes("volcengine:endpoint") && /http is accepted only for loopback/.test(e.message),
      remote,
    );
  }
});

test("endpoint: paths, queries, user info and other schemes rejected, naming volcengine:endpoint", () => {
  for (const bad of [
    "https://open.volcengineapi.com/path",
    "open.volcengineapi.com/path",
    "https://open.volcengineapi.com/?Action=CopyImage",
    "https://open.volcengineapi.com?x=1",
    "https://user@open.volcengineapi.com",
    "https://user:pw@open.volcengineapi.com",
    "http://user:pw@127.0.0.1:8787",
    "ftp://open.volcengineapi.com",
    "ws://127.0.0.1:1",
    "https://",
    "http://exa mple.com",
  ]) {
    assert.throws(
      () => parseEndpoint(bad),
      (e: Error) => e instanceof ConfigError && e.message.includes("volcengine:endpoint"),
      bad,
    );
  }
  assert.throws(() => resolveSettings(config({ "volcengine:endpoint": "http://example.com" }), {}), /volcengine:endpoint.*loopback/);
  assert.throws(() => resolveSettings(undefined, { VOLCENGINE_ENDPOINT: "https://x/y" }), /volcengine:endpoint/);
});

test("missingCredentialsMessage names the config keys and the environment variables", () => {
  const m = missingCredentialsMessage(resolveSettings(undefined, {}));
  for (const name of ["volcengine:accessKey", "volcengine:secretKey", "VOLCENGINE_ACCESS_KEY", "VOLCENGINE_SECRET_KEY"])
    assert.ok(m.includes(name), name);
});

test("no error message ever contains the secret key", () => {
  const env = { VOLCENGINE_ACCESS_KEY: "AKLT-access", VOLCENGINE_SECRET_KEY: SECRET };
  const endpoints = [
    "http://example.com",
    "https://x/y?z",
    `https://AKLT-access:${SECRET}@open.volcengineapi.com`,
    `http://AKLT-access:${SECRET}@127.0.0.1:8787`,
    `https://open.volcengineapi.com/?secret=${SECRET}`,
    "ftp://x",
    "::::",
  ];
  const messages: string[] = [];
  for (const endpoint of endpoints) {
    try {
      resolveSettings(config({ "volcengine:endpoint": endpoint, "volcengine:secretKey": SECRET }), env);
      assert.fail(`accepted ${endpoint}`);
    } catch (e) {
      assert.ok(e instanceof ConfigError, String(e));
      messages.push(e.message);
    }
  }
  try {
    resolveSettings(undefined, { ...env, VOLCENGINE_MAX_REQUESTS_PER_SECOND: "fast" });
  } catch (e) {
    messages.push((e as Error).message);
  }
  messages.push(missingCredentialsMessage(resolveSettings(undefined, { VOLCENGINE_SECRET_KEY: SECRET })));
  assert.equal(messages.length, endpoints.length + 2);
  for (const m of messages) assert.ok(!m.includes(SECRET), `secret key in: ${m}`);
});

// ------------------------------------------------------------------ a bad setting names itself, and only itself

test("a bad setting is named with where it came from and its whole rule; the other settings still resolve", () => {
  const env = { VOLCENGINE_REGION: "cn-beijing", VOLCENGINE_MAX_REQUESTS_PER_SECOND: "abc", VOLCENGINE_ENDPOINT: "http://example.com" };
  let caught: unknown;
  try {
    resolveSettings(undefined, env);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ConfigErrors, String(caught));
  assert.deepEqual(
    caught.problems.map((p) => p.setting),
    ["volcengine:endpoint", "volcengine:maxRequestsPerSecond"],
  );
  const [endpoint, rate] = caught.problems.map((p) => p.message);
  assert.match(rate!, /environment variable VOLCENGINE_MAX_REQUESTS_PER_SECOND is "abc"/);
  assert.match(rate!, /must be a finite number above 0, such as 5 or 2\.5/);
  assert.match(endpoint!, /loopback.*set by the environment variable VOLCENGINE_ENDPOINT/);
  assert.equal(caught.resolved.region, "cn-beijing", "the configured region is kept");
  assert.equal(caught.resolved.maxRequestsPerSecond, undefined);
  // From the stack config, the message says so.
  assert.throws(
    () => resolveSettings(config({ "volcengine:maxRequestsPerSecond": "-2" }), {}),
    /stack config volcengine:maxRequestsPerSecond is "-2"/,
  );
});

test("check: a bad setting is a failure of that setting, not of an input, and the configured region still counts", () => {
  const env = { VOLCENGINE_REGION: "cn-beijing", VOLCENGINE_MAX_REQUESTS_PER_SECOND: "abc" };
  const { inputs, failures } = check({}, { sourceImageId: "image-abcd1234", destinationRegion: "cn-shanghai" }, () =>
    resolveSettings(undefined, env),
  );
  assert.deepEqual(
    failures.map((f) => f.property),
    ["volcengine:maxRequestsPerSecond"],
  );
  assert.match(failures[0]!.reason, /VOLCENGINE_MAX_REQUESTS_PER_SECOND is "abc"/);
  assert.ok(!failures.some((f) => /sourceRegion is required/.test(f.reason)));
  assert.equal(inputs.sourceRegion, "cn-beijing");
});
