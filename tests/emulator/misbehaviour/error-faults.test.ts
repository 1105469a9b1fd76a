// The `error` fault: any error code for any action, from code, from the control endpoint and from the CLI.
import { after, afterEach, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle } from "../../../emulator";
import { parseArgs } from "../../../emulator/cli";
import { call, control, errorOf, ok, seedPrivate } from "../helpers";
import { startEmulatorCli } from "../emulator-cli";

describe("error faults", () => {
  let emu: EmulatorHandle;
  before(async () => {
    emu = await startEmulator();
  });
  afterEach(() => emu.clearFaults());
  after(() => emu.stop());

  test("from code: a documented code gets its documented status, message and CodeN; the action does not run", async () => {
    const src = seedPrivate(emu);
    emu.addFault({ kind: "error", code: "InvalidImage.NotFound", action: "DeleteImages", count: 1 });
    const r = await call(emu, "cn-beijing", "DeleteImages", { "ImageIds.1": src });
    assert.equal(r.status, 404);
    assert.deepEqual(r.body.ResponseMetadata.Error, { Code: "InvalidImage.NotFound", Message: "The specified image does not exist." });
    assert.ok(
      emu.images("cn-beijing").some((i) => i.ImageId === src),
      "the refused DeleteImages deleted nothing",
    );
    emu.addFault({ kind: "error", code: "AccessDenied", count: 1 });
    assert.deepEqual(await errorOf(emu, "cn-beijing", "DescribeImages"), { status: 403, code: "AccessDenied", codeN: 100013 });
    emu.addFault({ kind: "error", code: "AccountFlowLimitExceeded", count: 1 });
    assert.deepEqual(await errorOf(emu, "cn-beijing", "DescribeTasks"), { status: 429, code: "AccountFlowLimitExceeded" });
    // count 1 each: all used up.
    assert.equal((await call(emu, "cn-beijing", "DescribeImages")).status, 200);
  });

  test("from code: an undocumented code is a 400 unless status says; status, message and count as given", async () => {
    emu.addFault({ kind: "error", code: "InvalidImage.Deleting", action: "DescribeImages", count: 2 });
    assert.deepEqual(await errorOf(emu, "cn-beijing", "DescribeImages"), { status: 400, code: "InvalidImage.Deleting" });
    assert.deepEqual(await errorOf(emu, "cn-beijing", "DescribeTasks"), { status: 200 }, "another action is not refused");
    assert.deepEqual(await errorOf(emu, "cn-beijing", "DescribeImages"), { status: 400, code: "InvalidImage.Deleting" });
    assert.equal((await call(emu, "cn-beijing", "DescribeImages")).status, 200, "used twice, then gone");
    emu.addFault({ kind: "error", code: "InvalidImage.Deleting", status: 409, message: "being deleted", count: 1 });
    const r = await call(emu, "cn-beijing", "ModifyImageAttribute", { ImageId: seedPrivate(emu), ImageName: "x" });
    assert.equal(r.status, 409);
    assert.deepEqual(r.body.ResponseMetadata.Error, { Code: "InvalidImage.Deleting", Message: "being deleted" });
    assert.deepEqual(emu.log().at(-1)!.errorCode, "InvalidImage.Deleting");
  });

  test("imageId: DeleteImages answers that image's entry with the code and deletes the others; other actions refuse requests naming it", async () => {
    const [a, b] = [seedPrivate(emu), seedPrivate(emu)];
    emu.addFault({ kind: "error", code: "InvalidImage.Deleting", imageId: a, count: 1 });
    const r = await ok(emu, "cn-beijing", "DeleteImages", { "ImageIds.1": a, "ImageIds.2": b, DeleteBindedSnapshots: true });
    assert.deepEqual(r.OperationDetails, [
      { ImageId: a, Error: { Code: "InvalidImage.Deleting", Message: "The request was refused with InvalidImage.Deleting." } },
    ]);
    assert.deepEqual(
      emu
        .images("cn-beijing")
        .filter((i) => i.ImageId === a || i.ImageId === b)
        .map((i) => i.ImageId),
      [a],
    );
    emu.addFault({ kind: "error", code: "InternalError", imageId: a, action: "DescribeImages", count: 1 });
    assert.equal((await call(emu, "cn-beijing", "DescribeImages", { "ImageIds.1": b })).status, 200, "a request not naming it passes");
    assert.deepEqual(await errorOf(emu, "cn-beijing", "DescribeImages", { "ImageIds.1": a }), { status: 500, code: "InternalError" });
  });

  test("from the control endpoint: POST /_emulator/faults takes the same fault; a bad one is a 400 with the reason", async () => {
    const src = seedPrivate(emu);
    const added = await control(emu, "POST", "/faults", {
      kind: "error",
      code: "OperationDenied.ImageIsCopying",
      action: "DeleteImages",
      imageId: src,
      count: 1,
    });
    assert.equal(added.status, 200);
    assert.deepEqual((await control(emu, "GET", "/faults")).json, [
      { kind: "error", code: "OperationDenied.ImageIsCopying", action: "DeleteImages", imageId: src, count: 1, id: added.json.id, remaining: 1 },
    ]);
    const r = await ok(emu, "cn-beijing", "DeleteImages", { "ImageIds.1": src });
    assert.equal(r.OperationDetails[0].Error.Code, "OperationDenied.ImageIsCopying");
    assert.ok(emu.images("cn-beijing").some((i) => i.ImageId === src));
    for (const [bad, reason] of [
      [{ kind: "error" }, /code must be an error code/],
      [{ kind: "error", code: "X", status: 200 }, /status must be an HTTP error status/],
      [{ kind: "error", code: "X", imageId: 7 }, /imageId must be a string/],
    ] as const) {
      const answer = await control(emu, "POST", "/faults", bad);
      assert.equal(answer.status, 400);
      assert.match(JSON.stringify(answer.json), reason);
    }
  });
});

describe("error faults from the CLI", () => {
  test("parseArgs: each --fault is one fault, checked; a bad one is a usage error", () => {
    const opts = parseArgs([
      "--fault",
      '{"kind":"error","code":"InvalidImage.Deleting","action":"DeleteImages","count":2}',
      '--fault={"kind":"throttle"}',
    ]);
    assert.deepEqual(opts.faults, [{ kind: "error", code: "InvalidImage.Deleting", action: "DeleteImages", count: 2 }, { kind: "throttle" }]);
    assert.throws(() => parseArgs(["--fault", "{kind:error}"]), /--fault must be a fault as JSON/);
    assert.throws(() => parseArgs(["--fault", '{"kind":"error","code":"X","status":99}']), /status must be an HTTP error status/);
  });

  test("volcengine-ecs-emulator --fault: the emulator answers with it from its first request", async () => {
    const fault = { kind: "error", code: "InvalidImage.Deleting", action: "DescribeImages", count: 1 };
    const cli = await startEmulatorCli(["--port", "0", "--fault", JSON.stringify(fault)], "Faults:");
    try {
      assert.deepEqual(await errorOf(cli.emu, "cn-beijing", "DescribeImages"), { status: 400, code: "InvalidImage.Deleting" });
      assert.equal((await call(cli.emu, "cn-beijing", "DescribeImages")).status, 200);
    } finally {
      cli.child.kill("SIGTERM");
      assert.equal(await cli.exited, 0);
    }
  });
});
