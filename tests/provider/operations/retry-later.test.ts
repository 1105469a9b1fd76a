// The one "retry later" list (provider/ecs/retry-rules.ts): every code on it, answered over HTTP by the
// emulator's `error` fault for DeleteImages, is waited out by delete, whether the whole request is refused
// with it (the wire retries, then delete's own loop) or only the image's entry in OperationDetails.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { RETRY_LATER } from "../../../provider/ecs/retry-rules";
import { startTestEnv, type TestEnv } from "../env";

let env: TestEnv;
before(async () => {
  env = await startTestEnv();
});
after(() => env?.stop());
beforeEach(() => {
  env.emulator.clearFaults();
  env.emulator.clearLog();
});

const DESTINATION = "cn-shanghai";
const forDeleteImages = Object.entries(RETRY_LATER)
  .filter(([, rule]) => rule.onlyFor === undefined || rule.onlyFor.includes("DeleteImages"))
  .map(([code]) => code);

/** A copy of ours in the destination region, as delete finds it. */
function aCopy(): string {
  return env.emulator.seedImage({ region: DESTINATION, imageName: "a-copy", size: 20 });
}

const refusals = (code: string) => env.emulator.log().filter((e) => e.action === "DeleteImages" && e.errorCode === code).length;
const exists = (id: string) => env.emulator.images(DESTINATION).some((i) => i.ImageId === id);

test("the list holds the documented 'not now' answers of DeleteImages, and nothing final", () => {
  for (const code of ["OperationDenied.ImageIsCopying", "OperationDenied.ImageIsExporting", "InvalidImageStatus", "OperationDenied.ResourceLocked"]) {
    assert.ok(forDeleteImages.includes(code), code);
  }
  for (const code of ["InvalidImage.NotFound", "InvalidImage.Shared", "AccessDenied", "InvalidArgument"])
    assert.equal(RETRY_LATER[code], undefined, code);
});

for (const code of forDeleteImages) {
  test(`${code} for the whole DeleteImages request: retried by the wire, then waited out by delete`, async () => {
    const id = aCopy();
    // More refusals than the wire's 1 + 4 attempts (tests/provider/env.ts): delete's own loop must carry on.
    env.emulator.addFault({ kind: "error", code, action: "DeleteImages", count: 7 });
    await env.lifecycle.delete(id, { destinationRegion: DESTINATION });
    assert.equal(exists(id), false, "deleted in the end");
    assert.equal(refusals(code), 7, "every refusal was met, none ended the delete");
  });

  test(`${code} for the image in OperationDetails: waited out by delete`, async () => {
    const id = aCopy();
    env.emulator.addFault({ kind: "error", code, imageId: id, count: 3 });
    await env.lifecycle.delete(id, { destinationRegion: DESTINATION });
    assert.equal(exists(id), false, "deleted in the end");
    assert.equal(env.emulator.log().filter((e) => e.action === "DeleteImages").length, 4, "three refused answers, then the delete");
  });
}

test("a code not on the list ends the delete with the code's message, the image left in place", async () => {
  const id = aCopy();
  env.emulator.addFault({ kind: "error", code: "InvalidImage.Deleting", imageId: id, count: 1 });
  await assert.rejects(env.lifecycle.delete(id, { destinationRegion: DESTINATION }), /cannot delete .*InvalidImage\.Deleting/);
  assert.equal(exists(id), true);
});
