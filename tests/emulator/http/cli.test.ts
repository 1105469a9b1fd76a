// The CLI starts, prints its URL and credentials, answers the API, and stops on SIGTERM.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ok } from "../helpers";
import { parseArgs, parseDuration } from "../../../emulator/cli";
import { call } from "../helpers";
import { startEmulatorCli } from "../emulator-cli";

const root = join(__dirname, "..", "..", "..", "..");

test("parseDuration", () => {
  assert.equal(parseDuration("20m"), 1_200_000);
  assert.equal(parseDuration("90s"), 90_000);
  assert.equal(parseDuration("1200000"), 1_200_000);
  assert.equal(parseDuration("250ms"), 250);
  assert.throws(() => parseDuration("soon"));
});

test("volcengine-ecs-emulator CLI", async () => {
  const cli = await startEmulatorCli(
    ["--port", "0", "--clock-speed", "600", "--copy-duration", "90s", "--seed", join(root, "emulator", "seed.example.json")],
    "SecretKey=",
  );
  try {
    const { emu } = cli;
    assert.match(cli.out, /AccessKey=AKLTemulatorDefaultAccessKey SecretKey=emulatorDefaultSecretKey==/);
    const seeded = await ok(emu, "cn-beijing", "DescribeImages", { "ImageIds.1": "image-seedbeijingbase00001" });
    assert.equal(seeded.Images[0].ImageName, "base-ubuntu-2204");
    // 90 simulated seconds at 600x: a copy finishes in ~150 ms real
    const { ImageId } = await ok(emu, "cn-beijing", "CopyImage", {
      ImageId: "image-seedbeijingbase00001",
      DestinationRegion: "cn-shanghai",
      ImageName: "from-cli",
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await ok(emu, "cn-shanghai", "DescribeTasks", { "ResourceIds.1": ImageId })).Tasks[0].Status, "Succeeded");
    cli.child.kill("SIGTERM");
    assert.equal(await cli.exited, 0);
  } finally {
    cli.kill();
  }
});

test("the CLI refuses unknown arguments", async () => {
  const child = spawn(process.execPath, [join(root, "dist", "emulator", "cli.js"), "--bogus"], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  assert.equal(code, 2);
  assert.match(err, /unknown argument --bogus/);
});

test("world flags map onto the world switches", () => {
  assert.equal(parseArgs([]).world, undefined);
  assert.deepEqual(
    parseArgs([
      "--progress",
      "stall",
      "--progress-jitter",
      "0.25",
      "--progress-seed=9",
      "--tags-on-copy",
      "ignored",
      "--deny",
      "CopyImage,DeleteImages",
      "--deny",
      "TagResources",
      "--deny-as",
      "LackPolicy",
      "--delete-binded-snapshots-default",
      "false",
      "--delete-successes",
      "listed",
      "--unknown-image-id",
      "notFound",
    ]).world,
    {
      progressProfile: "stall",
      progressJitter: 0.25,
      progressSeed: 9,
      tagsOnCopyImage: "ignored",
      deniedActions: ["CopyImage", "DeleteImages", "TagResources"],
      denial: "LackPolicy",
      deleteBindedSnapshotsDefault: false,
      deleteImagesSuccesses: "listed",
      describeImagesUnknownId: "notFound",
    },
  );
  assert.throws(() => parseArgs(["--progress", "zigzag"]), /progressProfile must be one of/);
  assert.throws(() => parseArgs(["--deny", "Nothing"]), /unknown action "Nothing"/);
  assert.throws(() => parseArgs(["--delete-binded-snapshots-default", "yes"]), /true or false/);
  assert.throws(() => parseArgs(["--progress-jitter", "lots"]), /progressJitter/);
});

test("the CLI runs in the world its flags name", async () => {
  const cli = await startEmulatorCli(["--port", "0", "--deny", "CopyImage", "--unknown-image-id", "notFound"], "World:");
  try {
    const { emu } = cli;
    assert.equal((await call(emu, "cn-beijing", "CopyImage", { ImageId: "image-x", DestinationRegion: "cn-shanghai", ImageName: "x" })).status, 403);
    assert.equal((await call(emu, "cn-beijing", "DescribeImages", { "ImageIds.1": "image-x" })).status, 404);
    cli.child.kill("SIGTERM");
    assert.equal(await cli.exited, 0);
  } finally {
    cli.kill();
  }
});

test("the CLI refuses a bad world value with the usage code", async () => {
  const child = spawn(process.execPath, [join(root, "dist", "emulator", "cli.js"), "--tags-on-copy", "maybe"], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  assert.equal(code, 2);
  assert.match(err, /tagsOnCopyImage must be one of applied, ignored/);
});
