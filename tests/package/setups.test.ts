// The set-ups users have, each with the packed tarball (`npm pack`) and the real Pulumi CLI against the
// emulator, so that a change that breaks one of them fails here:
//
// - an ES module program (`"type": "module"`, plain JavaScript) installed by pnpm (isolated node_modules,
//   pnpm from the npm registry; one stack for both, to keep the suite short), whose copies outnumber the
//   engine's `--parallel` when it is 1 (one info message says so; none at the default);
// - the Automation API: examples/automation-inline (an inline program) and examples/automation-directory
//   (a program directory), installed by npm, compiled with the project's TypeScript; the inline driver from
//   a directory without node_modules, which CopiedImage stops with its own error before the engine's.
//
// Needs the CLI that scripts/install-pulumi-cli builds; without it the tests skip (fail under scripts/test).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findPulumiCli, isMissing, PulumiStack, REPO_ROOT, skipWithoutCli, type PulumiCli } from "../e2e/cli";
import { startTestEnv, assertNoCanary, CANARY, SOURCE_IMAGE, SOURCE_REGION, type TestEnv } from "../provider/env";
import { pluginStartProblem } from "../../provider/dynamic/program-checks";
import { driverEnv, npmInstall, ok, packageJson, packTarball, pnpmInstall, repoVersion, run, writeProject } from "./setups";

const found = findPulumiCli();
let work: string;
let env: TestEnv;
let installed: Promise<void>;
const dirs = { pnpm: "", automation: "", elsewhere: "" };
const credentials = {
  VOLCENGINE_ACCESS_KEY: CANARY.accessKey,
  VOLCENGINE_SECRET_KEY: CANARY.secretKey,
  VOLCENGINE_SESSION_TOKEN: CANARY.sessionToken!,
};

before(async () => {
  work = realpathSync(mkdtempSync(join(tmpdir(), "copied-image-setups-")));
  env = await startTestEnv();
  if (isMissing(found)) return;
  const tarball = packTarball(work);
  for (const k of Object.keys(dirs) as (keyof typeof dirs)[]) dirs[k] = join(work, k);
  writeProject(dirs.pnpm, {
    "package.json": packageJson("esm-program", tarball, { type: "module" }),
    "Pulumi.yaml": "name: esm-program\nruntime: nodejs\n",
    "index.js": ESM,
  });
  const typescript = { typescript: repoVersion("typescript"), "@types/node": repoVersion("@types/node") };
  writeProject(dirs.automation, { "package.json": packageJson("automation-examples", tarball, { dependencies: typescript }) });
  writeProject(dirs.elsewhere, { "README.md": "A directory without node_modules.\n" });
  // The two installs overlap (mostly waiting on the registry or the caches); each test awaits them.
  installed = Promise.all([npmInstall(dirs.automation), pnpmInstall(dirs.pnpm)]).then(() => undefined);
  installed.catch(() => undefined); // reported by the tests that await it
});

after(async () => {
  await env?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const ESM = `import { CopiedImage } from "volcengine-copied-image";
const regions = ["cn-shanghai", "cn-hongkong"];
const copies = regions.map((region) => new CopiedImage(\`esm-\${region}\`, { sourceImageId: "${SOURCE_IMAGE}", destinationRegion: region }));
export const imageIds = copies.map((copy) => copy.imageId);
`;
const PARALLEL_NOTE = /declares more CopiedImage copies than the engine runs operations at once \(--parallel (\d+)\)/;

/** The CLI, or undefined after skipping (failing under scripts/test) the test. */
async function ready(t: { skip(m?: string): void }): Promise<PulumiCli | undefined> {
  if (isMissing(found)) {
    skipWithoutCli(t, found.missing);
    return undefined;
  }
  await installed;
  return found;
}

/** up, every copy available; then destroy, every copy gone. Returns up's output. */
async function upAndDestroy(cli: PulumiCli, projectDir: string, afterUp?: (stack: PulumiStack) => Promise<void>): Promise<string> {
  const stack = new PulumiStack(cli, { projectDir, tempPrefix: "copied-image-setups-stack-", env: credentials });
  try {
    await stack.init();
    await stack.setConfig("volcengine:region", SOURCE_REGION);
    await stack.setConfig("volcengine:endpoint", env.endpoint);
    const up = await stack.ok(["up", "--yes", "--skip-preview", ...stack.stackArgs()]);
    const { imageIds } = (await stack.outputs()) as { imageIds: string[] };
    assert.ok(imageIds.length > 0);
    for (const id of imageIds) assert.ok(imageAvailable(id), `${id} is made and available`);
    assertNoCanary((await stack.exportState()).text, "state");
    await afterUp?.(stack);
    await stack.ok(["destroy", "--yes", ...stack.stackArgs()]);
    for (const id of imageIds) assert.ok(!imageExists(id), `${id} is deleted`);
    return up.stdout + up.stderr;
  } finally {
    await stack.dispose();
  }
}

const REGIONS = ["cn-shanghai", "cn-guangzhou", "cn-hongkong", "ap-southeast-1"];
function imageExists(id: string): boolean {
  return REGIONS.some((r) => env.emulator.images(r).some((i) => i.ImageId === id));
}
function imageAvailable(id: string): boolean {
  return REGIONS.some((r) => env.emulator.images(r).some((i) => i.ImageId === id && i.Status === "available"));
}

test("an ES module program installed by pnpm: up and destroy; at --parallel 1 its 2 copies get one info message naming the setting", async (t) => {
  const cli = await ready(t);
  if (!cli) return;
  const output = await upAndDestroy(cli, dirs.pnpm, async (stack) => {
    const preview = await stack.ok(["preview", "--expect-no-changes", "--parallel", "1", ...stack.stackArgs()]);
    const diagnostics = (preview.stdout + preview.stderr).match(new RegExp(`^\\s+This program ${PARALLEL_NOTE.source}`, "gm")) ?? [];
    assert.equal(diagnostics.length, 1, `one info message:\n${preview.stdout}`);
    assert.equal(PARALLEL_NOTE.exec(diagnostics[0]!)![1], "1", "it names the engine's setting");
  });
  assert.doesNotMatch(output, PARALLEL_NOTE, "2 copies do not exceed the default (4 per CPU)");
});

/** Copies an example into the fresh project and compiles its driver with the project's TypeScript. */
async function exampleDriver(name: string): Promise<string> {
  const dir = join(dirs.automation, name);
  cpSync(join(REPO_ROOT, "examples", name), dir, { recursive: true, filter: (src) => !/node_modules|package(-lock)?\.json$/.test(src) });
  ok(await run(process.execPath, [join(dirs.automation, "node_modules/typescript/bin/tsc"), "-p", dir], { cwd: dir }), `tsc -p examples/${name}`);
  return join(dir, "index.js");
}

async function drive(driver: string, action: "up" | "destroy", cwd: string, stateDir: string, extra: Record<string, string> = {}) {
  const cli = found as PulumiCli;
  const variables = {
    ...credentials,
    VOLCENGINE_REGION: SOURCE_REGION,
    VOLCENGINE_ENDPOINT: env.endpoint,
    SOURCE_IMAGE_ID: SOURCE_IMAGE,
    DESTINATION_REGION: "cn-guangzhou",
    ...extra,
  };
  const r = await run(process.execPath, [driver, action], { cwd, env: driverEnv(cli, stateDir, variables) });
  assertNoCanary(r.output, `the driver's output (${action})`);
  return r;
}

/** up prints `imageId: ...`, the copy is there; destroy deletes it. */
async function driveUpAndDestroy(driver: string, cwd: string): Promise<void> {
  const stateDir = mkdtempSync(join(work, "automation-state-"));
  const up = ok(await drive(driver, "up", cwd, stateDir), "the driver's up");
  const id = /imageId: (image-\w+)/.exec(up.output)?.[1];
  assert.ok(id && imageAvailable(id), `up made a copy:\n${up.output}`);
  ok(await drive(driver, "destroy", cwd, stateDir), "the driver's destroy");
  assert.ok(!imageExists(id), `destroy deleted ${id}`);
}

test("the Automation API with an inline program (examples/automation-inline), run from the project: up and destroy", async (t) => {
  if (!(await ready(t))) return;
  const driver = await exampleDriver("automation-inline");
  await driveUpAndDestroy(driver, join(dirs.automation, "automation-inline"));
});

test("the inline driver run from a directory without node_modules: CopiedImage's error names the fix, before the engine's; nothing copied", async (t) => {
  if (!(await ready(t))) return;
  const driver = join(dirs.automation, "automation-inline", "index.js"); // compiled by the test above
  env.emulator.clearLog();
  const r = await drive(driver, "up", dirs.elsewhere, mkdtempSync(join(work, "automation-state-")));
  assert.notEqual(r.code, 0, r.output);
  assert.match(r.output, /would start the dynamic-provider plugin of CopiedImage in \S*elsewhere, the directory this Automation API driver runs in/);
  assert.match(r.output, /cannot resolve @pulumi\/pulumi\/cmd\/dynamic-provider and volcengine-copied-image\/runtime/);
  assert.match(r.output, /Run the driver from the project directory .* workDir/);
  assert.doesNotMatch(r.output, /could not read plugin|Cannot find module/, "the engine never tried to start the plugin");
  assert.deepEqual(
    env.emulator.log().filter((e) => e.action === "CopyImage"),
    [],
  );
});

test("the Automation API with a program directory (examples/automation-directory), driven from elsewhere: up and destroy", async (t) => {
  if (!(await ready(t))) return;
  const driver = await exampleDriver("automation-directory");
  await driveUpAndDestroy(driver, dirs.elsewhere);
});

test("pluginStartProblem: none from a project that resolves both modules; from an empty directory, both named", () => {
  assert.equal(pluginStartProblem(REPO_ROOT), undefined);
  const empty = mkdtempSync(join(tmpdir(), "copied-image-setups-empty-"));
  try {
    writeFileSync(join(empty, "package.json"), "{}");
    assert.match(pluginStartProblem(empty)!, /cannot resolve @pulumi\/pulumi\/cmd\/dynamic-provider and volcengine-copied-image\/runtime/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
