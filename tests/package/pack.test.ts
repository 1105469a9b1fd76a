// The published package: `npm pack`, installed into a fresh project outside the repository, must
// work on its own. The dynamic-provider plugin runs in that project, so the serialized shim's
// `require("volcengine-copied-image/runtime")` can only resolve from the installed tarball.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync, realpathSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { captureRegistration, startPlugin } from "../harness/plugin";
import { findPulumiCli, isMissing, PulumiStack, skipWithoutCli } from "../e2e/cli";
import { CopiedImage } from "../../provider";
import { startTestEnv, assertNoCanary, stackConfigFor, CANARY, SOURCE_IMAGE, type TestEnv } from "../provider/env";

const repoRoot = resolve(__dirname, "../../..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
let work: string;
let project: string;
let tarball: string;
let packedFiles: string[];
let env: TestEnv;

before(async () => {
  work = realpathSync(mkdtempSync(join(tmpdir(), "copied-image-pack-")));
  // --ignore-scripts: the test suite already built dist/, and a rebuild would race the other test files.
  const out = execFileSync(npm, ["pack", "--json", "--ignore-scripts", "--pack-destination", work], { cwd: repoRoot, encoding: "utf8" });
  const info = JSON.parse(out)[0] as { filename: string; files: { path: string }[] };
  tarball = join(work, info.filename);
  packedFiles = info.files.map((f) => f.path);

  project = join(work, "project");
  execFileSync("mkdir", ["-p", project]);
  const pulumiVersion = JSON.parse(readFileSync(join(repoRoot, "node_modules/@pulumi/pulumi/package.json"), "utf8")).version;
  // As in a real Pulumi TypeScript project (without it, the SDK falls back to its vendored TypeScript 3.8).
  const typescriptVersion = JSON.parse(readFileSync(join(repoRoot, "node_modules/typescript/package.json"), "utf8")).version;
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify(
      {
        name: "fresh-project",
        private: true,
        dependencies: { "volcengine-copied-image": `file:${tarball}`, "@pulumi/pulumi": pulumiVersion, typescript: typescriptVersion },
      },
      null,
      2,
    ),
  );
  const install = spawnSync(npm, ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], { cwd: project, encoding: "utf8" });
  assert.equal(install.status, 0, `npm install of the tarball failed:\n${install.stdout}\n${install.stderr}`);
  env = await startTestEnv();
});

after(async () => {
  await env?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test("the tarball holds the library, the emulator, types, README and CHANGELOG, and nothing of the tests", () => {
  for (const f of [
    "package.json",
    "README.md",
    "CHANGELOG.md",
    "dist/provider/index.js",
    "dist/provider/index.d.ts",
    "dist/provider/dynamic/runtime.js",
    "dist/provider/dynamic/shim.js",
    "dist/emulator/index.js",
    "dist/emulator/cli.js",
  ]) {
    assert.ok(packedFiles.includes(f), `${f} is packed`);
  }
  for (const f of packedFiles) assert.ok(!/^(dist\/)?(tests|scripts|examples)\//.test(f), `${f} must not be packed`);
  // The shim in the tarball is the one the repository's CopiedImage serializes.
  assert.equal(
    readFileSync(join(project, "node_modules/volcengine-copied-image/dist/provider/dynamic/shim.js"), "utf8"),
    readFileSync(join(repoRoot, "dist/provider/dynamic/shim.js"), "utf8"),
  );
});

test("importing the package loads no emulator or test code; the emulator has its own subpath and bin", () => {
  const probe = `
    require("volcengine-copied-image");
    const loaded = Object.keys(require.cache).filter((p) => p.includes("volcengine-copied-image"));
    console.log(JSON.stringify(loaded));`;
  const loaded = JSON.parse(execFileSync(process.execPath, ["-e", probe], { cwd: project, encoding: "utf8" })) as string[];
  assert.ok(loaded.length > 3);
  assert.deepEqual(
    loaded.filter((p) => /\/(emulator|tests)\//.test(p)),
    [],
  );
  const emulatorExports = execFileSync(process.execPath, ["-e", `console.log(typeof require("volcengine-copied-image/emulator").startEmulator)`], {
    cwd: project,
    encoding: "utf8",
  });
  assert.equal(emulatorExports.trim(), "function");
  const help = spawnSync(join(project, "node_modules/.bin/volcengine-ecs-emulator"), ["--help"], {
    encoding: "utf8",
    env: { ...process.env, PATH: `${process.execPath.replace(/\/node$/, "")}:${process.env.PATH}` },
  });
  assert.match(help.stdout + help.stderr, /usage: volcengine-ecs-emulator/);
});

test("the type declarations serve a TypeScript program in the fresh project", () => {
  writeFileSync(
    join(project, "index.ts"),
    `import { CopiedImage, CopiedImageSet } from "volcengine-copied-image";
const copy = new CopiedImage("c", { sourceImageId: "image-abc12345", destinationRegion: "cn-shanghai", tags: { a: "b" } });
const set = new CopiedImageSet("s", { sourceImageId: "image-abc12345", destinationRegions: ["cn-shanghai"] });
export const ids = [copy.imageId, set.imageIds];
`,
  );
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: "commonjs",
        target: "ES2022",
        moduleResolution: "node",
        esModuleInterop: true,
        skipLibCheck: true,
        noEmit: true,
      },
      files: ["index.ts"],
    }),
  );
  const tsc = spawnSync(process.execPath, [join(project, "node_modules/typescript/bin/tsc"), "-p", project], { encoding: "utf8" });
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
});

test("the plugin, running in the fresh project, loads the implementation from the installed package and copies", async () => {
  const reg = await captureRegistration(() => new CopiedImage("packed", { sourceImageId: SOURCE_IMAGE, destinationRegion: "cn-shanghai" }), {
    project: "fresh",
    stack: "dev",
  });
  const plugin = await startPlugin({ cwd: project, project: "fresh", env: { VOLCENGINE_ACCESS_KEY: undefined, VOLCENGINE_SECRET_KEY: undefined } });
  try {
    await plugin.configure(stackConfigFor(env, { unlimitedRate: false }));
    const checked = await plugin.check(reg.urn, {}, reg.inputs);
    assert.deepEqual(checked.failures, []);
    const created = await plugin.create(reg.urn, checked.inputs);
    assert.equal(created.properties.status, "available");
    assert.ok(env.emulator.images("cn-shanghai").some((i) => i.ImageId === created.id));
    const read = await plugin.read(created.id, reg.urn, created.properties, checked.inputs);
    assert.equal(read.id, created.id);
    await plugin.delete(created.id, reg.urn, created.properties);
    assert.ok(!env.emulator.images("cn-shanghai").some((i) => i.ImageId === created.id));
    for (const line of plugin.logs) assertNoCanary(line.text, "plugin log");
    assertNoCanary(JSON.stringify(created), "outputs");
  } finally {
    await plugin.stop();
  }
});

test("the packed provider plugin: an executable bin in the fresh project that serves its schema and copies", async () => {
  const bin = join(project, "node_modules/.bin/pulumi-resource-volcengine-copied-image");
  assert.ok(statSync(bin).mode & 0o111, "the bin is executable");
  assert.match(readFileSync(bin, "utf8"), /^#!\/usr\/bin\/env node\n/);
  assert.ok(packedFiles.includes("provider/plugin/schema.json"), "the schema is packed");
  const plugin = await startPlugin({ cwd: project, project: "fresh", frontEnd: "plugin", env: { VOLCENGINE_ACCESS_KEY: undefined } });
  try {
    assert.equal(await plugin.getSchema(), readFileSync(join(repoRoot, "provider/plugin/schema.json"), "utf8"));
    await plugin.configure(stackConfigFor(env, { unlimitedRate: false }));
    const urn = "urn:pulumi:dev::fresh::volcengine-copied-image:index:CopiedImage::packed-plugin";
    const checked = await plugin.check(urn, {}, { sourceImageId: SOURCE_IMAGE, destinationRegion: "cn-hongkong" });
    assert.deepEqual(checked.failures, []);
    const created = await plugin.create(urn, checked.inputs);
    assert.equal(created.properties.status, "available");
    await plugin.delete(created.id, urn, created.properties);
    assert.ok(!env.emulator.images("cn-hongkong").some((i) => i.ImageId === created.id));
    assertNoCanary(JSON.stringify(created), "outputs");
  } finally {
    await plugin.stop();
  }
});

test("the real Pulumi CLI runs a program in the fresh project: up copies, preview sees no change, destroy deletes", async (t) => {
  const cli = findPulumiCli();
  if (isMissing(cli)) {
    skipWithoutCli(t, cli.missing);
    return;
  }
  writeFileSync(join(project, "Pulumi.yaml"), "name: fresh-project\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n");
  writeFileSync(
    join(project, "index.ts"),
    `import { CopiedImage } from "volcengine-copied-image";
const copy = new CopiedImage("packed-copy", { sourceImageId: "${SOURCE_IMAGE}", destinationRegion: "cn-guangzhou" });
export const imageId = copy.imageId;
`,
  );
  const stack = new PulumiStack(cli, {
    projectDir: project,
    tempPrefix: "copied-image-pack-cli-",
    env: { VOLCENGINE_ACCESS_KEY: CANARY.accessKey, VOLCENGINE_SECRET_KEY: CANARY.secretKey, VOLCENGINE_SESSION_TOKEN: CANARY.sessionToken },
  });
  try {
    await stack.init();
    await stack.setConfig("volcengine:region", "cn-beijing");
    await stack.setConfig("volcengine:endpoint", env.endpoint);
    await stack.ok(["up", "--yes", ...stack.stackArgs()]);
    const { imageId } = (await stack.outputs()) as { imageId: string };
    assert.ok(env.emulator.images("cn-guangzhou").some((i) => i.ImageId === imageId && i.Status === "available"));
    const exported = await stack.exportState();
    assertNoCanary(exported.text, "state");
    await stack.ok(["preview", "--expect-no-changes", ...stack.stackArgs()]);
    await stack.ok(["destroy", "--yes", ...stack.stackArgs()]);
    assert.ok(!env.emulator.images("cn-guangzhou").some((i) => i.ImageId === imageId));
  } finally {
    await stack.dispose();
  }
});
