// The plugin's configuration (provider/plugin/config.ts): its own namespace from Configure and from
// PULUMI_CONFIG, secrets unwrapped, the environment as fallback, messages naming the plugin's keys;
// and the import id (provider/plugin/import-id.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { PluginConfig, pluginKeysIn } from "../../../provider/plugin/config";
import { formatImportId, parseImportId, ImportIdError } from "../../../provider/plugin/import-id";
import { metaOfUrn } from "../../../provider/plugin/resource";

const wrapped = (value: string) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });

test("Configure: `<pkg>:config:<key>` variables and secret-wrapped args become plain settings; other namespaces are ignored", () => {
  const config = new PluginConfig({});
  config.configure(
    [
      ["volcengine-copied-image:config:region", "cn-beijing"],
      ["volcengine-copied-image:config:endpoint", "http://127.0.0.1:9999"],
      ["volcengine:config:region", "cn-guangzhou"],
    ],
    { accessKey: wrapped("AKLTfromargs"), secretKey: wrapped("secret-from-args"), maxRequestsPerSecond: 7, preflight: true },
  );
  const s = config.settings();
  assert.equal(s.region, "cn-beijing");
  assert.deepEqual(s.endpoint, { protocol: "http:", host: "127.0.0.1:9999" });
  assert.deepEqual(s.credentials, { accessKeyId: "AKLTfromargs", secretKey: "secret-from-args", sessionToken: undefined });
  assert.equal(s.maxRequestsPerSecond, 7);
  assert.equal(s.preflight, true);
  assert.deepEqual(config.secrets(), ["AKLTfromargs", "secret-from-args", undefined]);
});

test("before Configure, PULUMI_CONFIG (the plugin's namespace, keys without it); each key falls back to the environment", () => {
  const env = {
    PULUMI_CONFIG: JSON.stringify({ region: "cn-shanghai", other: "x" }),
    VOLCENGINE_ACCESS_KEY: "AKLTenv",
    VOLCENGINE_SECRET_KEY: "envsecret",
  };
  const s = new PluginConfig(env).settings();
  assert.equal(s.region, "cn-shanghai");
  assert.equal(s.credentials?.accessKeyId, "AKLTenv");
  assert.equal(s.preflight, false);
  assert.equal(new PluginConfig({ PULUMI_CONFIG: "not json", VOLCENGINE_REGION: "cn-hongkong" }).settings().region, "cn-hongkong");
});

test("configuration errors and advice name the plugin's keys, not the dynamic provider's", () => {
  const config = new PluginConfig({});
  config.configure([["volcengine-copied-image:config:maxRequestsPerSecond", "-1"]], {});
  assert.throws(
    () => config.settings(),
    (e: Error) =>
      /stack config volcengine-copied-image:maxRequestsPerSecond is "-1".*must be a finite number above 0/.test(e.message) &&
      !/volcengine:/.test(e.message),
  );
  assert.equal(
    pluginKeysIn("set volcengine:accessKey or volcengine:copiedImagePreflight"),
    "set volcengine-copied-image:accessKey or volcengine-copied-image:preflight",
  );
});

test("import ids: the documented form round-trips; anything else is an ImportIdError naming the form", () => {
  const id = {
    imageId: "image-copy0000000000000001",
    destinationRegion: "cn-shanghai",
    sourceImageId: "image-src00000000000000001",
    sourceRegion: "cn-beijing",
  };
  assert.deepEqual(parseImportId(formatImportId(id)), id);
  assert.deepEqual(parseImportId(` ${formatImportId(id)} `), id, "surrounding blanks are forgiven");
  for (const bad of [
    "",
    "image-copy0000000000000001",
    "image-a@cn-shanghai,image-b@cn-beijing,x",
    "image-copy0000000000000001@CN SHANGHAI,image-src00000000000000001@cn-beijing",
  ]) {
    assert.throws(
      () => parseImportId(bad),
      (e: Error) => e instanceof ImportIdError && e.message.includes("<imageId>@<destinationRegion>,<sourceImageId>@<sourceRegion>"),
      bad,
    );
  }
});

test("the identity of a resource is project/stack/name from its URN, as the dynamic provider makes it; a child keeps its own name", () => {
  assert.deepEqual(metaOfUrn("urn:pulumi:dev::proj::volcengine-copied-image:index:CopiedImage::web"), {
    resourceName: "web",
    resourceUrn: "urn:pulumi:dev::proj::volcengine-copied-image:index:CopiedImage::web",
    identity: "proj/dev/web",
  });
  const child = metaOfUrn("urn:pulumi:prod::app::my:index:Set$volcengine-copied-image:index:CopiedImage::set-cn-shanghai");
  assert.equal(child.identity, "app/prod/set-cn-shanghai");
  assert.throws(() => metaOfUrn("web"), /not a resource URN/);
});
