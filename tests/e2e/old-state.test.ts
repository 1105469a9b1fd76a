// A state written by volcengine-copied-image 0.1.0 (fixtures/state-0.1.0.json, see fixtures/README.md)
// still works with today's package: imported into a stack, it refreshes with no change, previews with no
// change (so the `__provider` in it is byte for byte the one the resource class serializes now: any
// other text would show as a diff), and destroy deletes the copy and its snapshot.
//
// Needs the CLI that scripts/install-pulumi-cli builds; without it the test SKIPS with a message, or
// FAILS under scripts/test (and so in CI).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_ACCOUNT, startEmulator, type EmulatorHandle } from "../../emulator";
import { CANARY, CANARY_VALUES } from "../provider/env";
import { REPO_ROOT, PulumiStack, describeFailure, findPulumiCli, isMissing, resourcesOfType, skipWithoutCli } from "./cli";
import { canaryCredentialsEnv, cleanUp } from "./steps";

const FIXTURE = join(REPO_ROOT, "tests", "e2e", "fixtures", "state-0.1.0.json");
const TYPE = "pulumi-nodejs:dynamic/volcengine:CopiedImage";
// What the fixture's copy is (its outputs), and the program that made it.
const COPY = { imageId: "image-5xahm6qhbuokjc3n0qux", snapshotId: "snap-rhhiwqids2dw49t3kxmc", imageName: "web-c4a183b", owner: "d82adb665f909b15" };
const PROGRAM = [
  `import { CopiedImage } from "volcengine-copied-image";`,
  `const copy = new CopiedImage("web", { sourceImageId: "image-sourcebeijing000001", sourceRegion: "cn-beijing", destinationRegion: "cn-shanghai", description: "web image", tags: { team: "web" } });`,
  `export const imageId = copy.imageId;`,
  ``,
].join("\n");

let emulator: EmulatorHandle | undefined;
let stack: PulumiStack | undefined;
let projectDir: string | undefined;
after(() => cleanUp([stack], [projectDir], emulator));

test("a state written by 0.1.0 refreshes, previews with no change and destroys with today's package", async (t) => {
  const cli = findPulumiCli();
  if (isMissing(cli)) return skipWithoutCli(t, cli.missing);
  const fixture = readFileSync(FIXTURE, "utf8");
  const stored = resourcesOfType(JSON.parse(fixture).deployment, TYPE)[0];
  assert.equal(stored?.id, COPY.imageId, "the fixture holds the copy this test seeds");

  const image = {
    osName: "Ubuntu 22.04 64 bit",
    osType: "Linux",
    platform: "Ubuntu",
    platformVersion: "22.04",
    architecture: "amd64",
    bootMode: "UEFI",
    size: 40,
  };
  emulator = await startEmulator({
    seed: {
      accounts: [DEFAULT_ACCOUNT, CANARY],
      projects: ["default"],
      images: [
        { region: "cn-beijing", imageId: "image-sourcebeijing000001", imageName: "golden-base", description: "Golden base image", ...image },
        {
          region: "cn-shanghai",
          imageId: COPY.imageId,
          imageName: COPY.imageName,
          description: "web image",
          ownerAccountId: CANARY.accountId,
          projectName: "default",
          tags: [
            { key: "team", value: "web" },
            { key: "pulumi-copied-image:owner", value: COPY.owner },
          ],
          snapshots: [{ snapshotId: COPY.snapshotId, size: 40, volumeKind: "system" }],
          ...image,
        },
      ],
    },
  });

  projectDir = mkdtempSync(join(tmpdir(), "copied-image-old-state-"));
  writeFileSync(join(projectDir, "Pulumi.yaml"), "name: copied-image-old-state\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n");
  const compilerOptions = { strict: true, target: "ES2022", module: "commonjs", moduleResolution: "node", esModuleInterop: true, skipLibCheck: true };
  writeFileSync(join(projectDir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["index.ts"] }));
  writeFileSync(join(projectDir, "package.json"), JSON.stringify({ name: "copied-image-old-state", private: true, main: "index.ts" }));
  writeFileSync(join(projectDir, "index.ts"), PROGRAM);
  symlinkSync(join(REPO_ROOT, "node_modules"), join(projectDir, "node_modules"), "dir");
  const stateFile = join(projectDir, "state-0.1.0.json");
  writeFileSync(stateFile, fixture);

  stack = new PulumiStack(cli, {
    projectDir,
    stack: "old-state",
    tempPrefix: "copied-image-old-state-stack-",
    env: {
      ...canaryCredentialsEnv(),
      VOLCENGINE_REGION: "cn-beijing",
      VOLCENGINE_ENDPOINT: emulator.url,
    },
  });
  await stack.init();
  await stack.ok(["stack", "import", "--file", stateFile, "--stack", stack.stack]);

  const refresh = await stack.ok(["refresh", "--yes", "--expect-no-changes", ...stack.stackArgs()]);
  assert.ok(
    emulator.log().some((e) => e.action === "DescribeImages"),
    describeFailure(refresh, "refresh read the copy"),
  );
  const { result, json } = await stack.previewJson(["--expect-no-changes"]);
  if (result.code !== 0) assert.fail(describeFailure(result, "preview --expect-no-changes failed: the stored state no longer matches the program"));
  assert.deepEqual(json.changeSummary, { same: 2 }); // the stack and the copy
  const after = resourcesOfType((await stack.exportState()).deployment, TYPE)[0];
  assert.equal(after?.outputs?.__provider, stored?.outputs?.__provider, "the stored __provider is unchanged");
  assert.equal(emulator.log().filter((e) => e.action !== "DescribeImages").length, 0, "refresh and preview only read");

  const destroy = await stack.ok(["destroy", "--yes", ...stack.stackArgs()]);
  const left = emulator.images("cn-shanghai").filter((i) => i.ImageId === COPY.imageId);
  assert.deepEqual(left, [], describeFailure(destroy, "destroy deleted the copy"));
  assert.deepEqual(
    emulator.snapshots("cn-shanghai").filter((s) => s.SnapshotId === COPY.snapshotId),
    [],
    "destroy deleted the copy's snapshot",
  );
  for (const r of stack.history) for (const v of CANARY_VALUES) assert.ok(!`${r.stdout}${r.stderr}`.includes(v), "no credential in the CLI's output");
});
