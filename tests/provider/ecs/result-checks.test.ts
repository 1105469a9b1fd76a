// provider/ecs/result-checks.ts: each action's Result is read in one place; a wrong type is an error naming the
// action and the field (never a raw TypeError, never "no task yet"); lookups by id keep only the ids
// asked; a listing larger than MaxResults is refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyImageAnswer, deleteImagesAnswer, describeImagesAnswer, describeTasksAnswer } from "../../../provider/ecs/result-checks";
import { VolcengineError } from "../../../provider/ecs/volcengine-error";
import { isTransient } from "../../../provider/ecs/retry-rules";

const from = { action: "DescribeTasks", region: "cn-shanghai", httpStatus: 200, requestId: "req-9" };
const RAW = /Spread syntax|is not iterable|Cannot read properties|undefined is not|is not a function/;

function refused(fn: () => unknown, field: RegExp, action = from.action): VolcengineError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof VolcengineError, `a VolcengineError, got ${String(caught)}`);
  const e = caught as VolcengineError;
  assert.equal(e.code, "InvalidResponse");
  assert.match(e.message, new RegExp(`^${action} in cn-shanghai failed: `));
  assert.match(e.message, field);
  assert.match(e.message, /request id req-9/);
  assert.doesNotMatch(e.message, RAW);
  assert.equal(isTransient(e), true, "retried like a 5xx");
  assert.equal(e.ambiguous, true, "the action may have run behind a bad answer");
  return e;
}

test("DescribeTasks: wrong types name the field; an absent list is empty; other images' tasks are dropped", () => {
  const check = describeTasksAnswer(new Set(["image-a"]));
  refused(() => check({ Tasks: "none" }, from), /Result\.Tasks is a string \("none"\), expected a list/);
  refused(
    () => check({ Tasks: [{ Id: 7, ResourceId: "image-a", Status: "Running" }] }, from),
    /Result\.Tasks\[0\]\.Id is a number \(7\), expected a string/,
  );
  refused(
    () => check({ Tasks: [{ Id: "t-1", ResourceId: "image-a", Status: "Running", Process: "40" }] }, from),
    /Result\.Tasks\[0\]\.Process is a string \("40"\), expected a number/,
  );
  refused(() => check({ Tasks: ["x"] }, from), /Result\.Tasks\[0\] is a string/);
  refused(() => check({ Tasks: [], NextToken: 0 }, from), /Result\.NextToken is a number \(0\), expected a string/);
  refused(() => check(null, from), /Result is null, expected an object/);
  assert.deepEqual(check({}, from), { entries: [], nextToken: undefined });
  assert.deepEqual(check({ Tasks: null, NextToken: "" }, from), { entries: [], nextToken: undefined });
  const filler = Array.from({ length: 200_000 }, (_, i) => ({ Id: `t-f${i}`, ResourceId: `image-f${i}`, Status: "Succeeded", Process: 100 }));
  const page = check(
    { Tasks: [...filler, { Id: "t-1", ResourceId: "image-a", Status: "Running", Process: 40, Extra: true }], NextToken: "n2" },
    from,
  );
  assert.equal(page.entries.length, 1, "only the task of the image asked for");
  assert.equal(page.entries[0].Id, "t-1");
  assert.equal(page.entries[0].Process, 40);
  assert.equal(page.nextToken, "n2");
});

test("DescribeImages: Images {} is an error; by ids only the ids asked; a listing larger than MaxResults is refused", () => {
  const f = { ...from, action: "DescribeImages" };
  const byId = describeImagesAnswer(new Set(["image-a"]), 100);
  refused(() => byId({ Images: {} }, f), /Result\.Images is an object, expected a list/, "DescribeImages");
  refused(
    () => byId({ Images: [{ ImageId: "image-a", Size: "40" }] }, f),
    /Result\.Images\[0\]\.Size is a string \("40"\), expected a number/,
    "DescribeImages",
  );
  refused(() => byId({ Images: [{ ImageId: "image-a", Tags: "none" }] }, f), /Result\.Images\[0\]\.Tags is a string/, "DescribeImages");
  const filler = Array.from({ length: 5000 }, (_, i) => ({
    ImageId: `image-f${i}`,
    ImageName: `filler-${i}`,
    Status: "available",
    Visibility: "private",
  }));
  const page = byId(
    { Images: [...filler, { ImageId: "image-a", ImageName: "mine", Status: "available", Size: 40, Tags: [{ Key: "k", Value: "v" }] }] },
    f,
  );
  assert.deepEqual(
    page.entries.map((i) => [i.ImageId, i.ImageName, i.Size, i.Tags]),
    [["image-a", "mine", 40, [{ Key: "k", Value: "v" }]]],
  );
  const listing = describeImagesAnswer(undefined, 100);
  refused(() => listing({ Images: filler }, f), /listed 5000 images for MaxResults 100/, "DescribeImages");
  assert.equal(listing({ Images: filler.slice(0, 3) }, f).entries.length, 3);
});

test("CopyImage and DeleteImages: their fields checked the same way", () => {
  const c = { ...from, action: "CopyImage" };
  assert.equal(copyImageAnswer({ ImageId: "image-new" }, c), "image-new");
  refused(() => copyImageAnswer({}, c), /Result\.ImageId is missing, expected a string/, "CopyImage");
  refused(() => copyImageAnswer({ ImageId: "" }, c), /Result\.ImageId is empty/, "CopyImage");
  const d = { ...from, action: "DeleteImages" };
  const answer = deleteImagesAnswer(["image-a"]);
  const del = (result: unknown, from: typeof d) => answer(result, from).get("image-a");
  assert.equal(del({}, d), undefined, "no details: deleted");
  assert.equal(del({ OperationDetails: [{ ImageId: "image-a" }] }, d), undefined, "listed without an error: deleted");
  assert.equal(answer({ OperationDetails: [{ ImageId: "image-b", Error: { Code: "X" } }] }, d).size, 0, "an id not asked for is dropped");
  assert.deepEqual(
    del(
      {
        OperationDetails: [
          { ImageId: "image-b", Error: { Code: "X" } },
          { ImageId: "image-a", Error: { Code: "InvalidImage.Shared", Message: "m" } },
        ],
      },
      d,
    ),
    {
      Code: "InvalidImage.Shared",
      Message: "m",
    },
  );
  refused(() => del({ OperationDetails: "none" }, d), /Result\.OperationDetails is a string/, "DeleteImages");
});
