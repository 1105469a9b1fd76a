// Fault cases 6, 7, 8 and 10: trouble with the copy itself rather than the wire — a task that
// DescribeTasks does not show for a while, a task that fails, a copy slower than its timeout, an
// image deleted in the console while the provider waits for it. Each case ends with the stack
// converged or a clear error, and the state naming exactly the copies that exist.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startTestEnv, type TestEnv } from "../provider/env";
import { StateBook, FAULT_RETRY, logged, messageOf, privateImages, raw, sweep, waitFor, within } from "./helpers";

const DEST = "cn-shanghai";
let env: TestEnv;
let lc: ReturnType<TestEnv["newLifecycle"]>;
before(async () => {
  env = await startTestEnv(); // a 20-minute copy takes 1 s; env.ts's invisibleGraceMs is 3 s
  lc = env.newLifecycle({ retry: FAULT_RETRY });
});
after(async () => {
  await env?.stop();
});
beforeEach(() => {
  env.emulator.clearFaults();
  sweep(env.emulator); // only a failed earlier case leaves copies
  env.emulator.clearLog();
});

const taskOf = (imageId: string) => env.emulator.tasks(DEST).find((t) => t.ResourceId === imageId);

// ------------------------------------------------------------------ case 6: invisible tasks

test("a task invisible for less than the grace period (1.5 s < 3 s): the copy completes and its task is recorded", async () => {
  const book = new StateBook(env.emulator);
  env.emulator.addFault({ kind: "taskInvisible", ms: 1_500, count: 1 });
  const r = await within(20_000, book.up(lc, "shy", raw("shy")), "create");
  assert.ok(r.ok, r.ok ? "" : messageOf(r.error));
  const e = book.assertConverged("shy", "after create");
  assert.equal(e.outs.taskId, taskOf(e.id)?.Id, "the task was seen once it became visible");
  await book.destroy(lc, "shy");
  book.assertMatchesEmulator("after delete");
});

test("a task invisible for longer than the grace period: the copy completes from DescribeImages while its task is still hidden", async () => {
  const book = new StateBook(env.emulator);
  env.emulator.addFault({ kind: "taskInvisible", ms: 10_000, count: 1 });
  const r = await within(9_000, book.up(lc, "hidden", raw("hidden")), "create");
  assert.ok(r.ok, r.ok ? "" : messageOf(r.error));
  assert.equal(taskOf(r.id)?.Invisible, true, "completed without waiting for the task to show");
  book.assertConverged("hidden", "after create");
  assert.equal(logged(env.emulator, "CopyImage").length, 1);
  await book.destroy(lc, "hidden");
  book.assertMatchesEmulator("after delete");
});

test("a hidden task whose copy fails: a clear error naming the copy, which is deleted; nothing leaks", async () => {
  const book = new StateBook(env.emulator);
  env.emulator.addFault({ kind: "taskInvisible", ms: 10_000, count: 1 });
  env.emulator.addFault({ kind: "copyFails", atPercent: 30, count: 1 });
  const r = await within(9_000, book.up(lc, "hidden-doomed", raw("hidden-doomed")), "create");
  assert.ok(!r.ok && !r.partial, "a plain error: nothing is left to record");
  const [copy] = logged(env.emulator, "CopyImage", { status: 200 });
  assert.ok(copy);
  const imageId = env.emulator.tasks(DEST).at(-1)?.ResourceId; // tasks outlive their images; the newest is this one
  assert.ok(imageId);
  assert.match(messageOf(r.error), new RegExp(`The copy into ${imageId} in ${DEST} failed .*The failed copy ${imageId} was deleted`, "s"));
  book.assertMatchesEmulator("after the failed copy");
  assert.deepEqual(privateImages(env.emulator), []);
});

test("a hidden task whose copy outlives the timeout: partial state after the grace (no false 'vanished'), then update completes it", async () => {
  const book = new StateBook(env.emulator);
  env.emulator.addFault({ kind: "taskInvisible", ms: 5_000, count: 1 });
  env.emulator.addFault({ kind: "copyDuration", ms: 90 * 60_000, count: 1 }); // 4.5 s here
  const first = await within(15_000, book.up(lc, "hidden-slow", raw("hidden-slow", {}, { create: "3500ms", update: "30s" })), "create");
  assert.ok(!first.ok && first.partial, `partial state, not a vanished copy: ${first.ok ? "" : messageOf(first.error)}`);
  assert.equal(first.partial.properties.status, "creating");
  assert.match(messageOf(first.error), /Timed out after .* waiting for the copy into image-\w+ .*task not seen yet/s);
  book.assertMatchesEmulator("after the timeout");

  const second = await within(20_000, book.up(lc, "hidden-slow", raw("hidden-slow", {}, { create: "3500ms", update: "30s" })), "update");
  assert.ok(second.ok, second.ok ? "" : messageOf(second.error));
  assert.equal(second.id, first.partial.id);
  book.assertConverged("hidden-slow", "after update");
  assert.equal(logged(env.emulator, "CopyImage").length, 1, "no second copy");
  await book.destroy(lc, "hidden-slow");
  book.assertMatchesEmulator("after delete");
});

// ------------------------------------------------------------------ case 7: failing tasks

test("a copy task that fails: an error with the task id and progress, and no image left", async () => {
  const book = new StateBook(env.emulator);
  env.emulator.addFault({ kind: "copyFails", atPercent: 40, count: 1 });
  const r = await within(15_000, book.up(lc, "doomed", raw("doomed")), "create");
  assert.ok(!r.ok && !r.partial);
  const task = env.emulator.tasks(DEST).at(-1)!; // tasks outlive their images; the newest is this one
  assert.equal(task?.Status, "Failed");
  assert.match(
    messageOf(r.error),
    new RegExp(
      `The copy into ${task.ResourceId} in ${DEST} failed \\(task ${task.Id}, last progress \\d+%\\)\\. The failed copy ${task.ResourceId} was deleted`,
    ),
  );
  book.assertMatchesEmulator("after the failed copy");
  assert.deepEqual(privateImages(env.emulator), []);
});

test("a failed copy that cannot be deleted is recorded with status error; the next run replaces it", async () => {
  const book = new StateBook(env.emulator);
  env.emulator.addFault({ kind: "copyFails", atPercent: 40, count: 1 });
  const run = book.up(lc, "stuck", raw("stuck"));
  await waitFor(() => logged(env.emulator, "CopyImage", { status: 200 }).length > 0, "CopyImage");
  // More refusals than the wire retries (FAULT_RETRY: 8): the clean-up of the failed copy gives up.
  env.emulator.addFault({ kind: "internalError", action: "DeleteImages", count: 9 });
  const first = await within(15_000, run, "create");
  assert.ok(!first.ok && first.partial, `the undeletable failed copy is recorded: ${first.ok ? "" : messageOf(first.error)}`);
  assert.equal(first.partial.properties.status, "error");
  assert.match(messageOf(first.error), /could not be deleted yet; it is recorded in the state and the next `pulumi up` replaces it/);
  book.assertMatchesEmulator("after the failed copy");

  env.emulator.clearFaults();
  const second = await within(15_000, book.up(lc, "stuck", raw("stuck")), "replacement");
  assert.ok(second.ok, second.ok ? "" : messageOf(second.error));
  assert.notEqual(second.id, first.partial.id, "a new copy replaced the failed one");
  book.assertConverged("stuck", "after the replacement");
  assert.equal(logged(env.emulator, "CopyImage", { status: 200 }).length, 2);
  await book.destroy(lc, "stuck");
  book.assertMatchesEmulator("after delete");
});

// ------------------------------------------------------------------ case 8: a copy slower than its timeout

test("a copy slower than its timeout is partial state each run (same id, progress never going back) until it completes; one CopyImage", async () => {
  const book = new StateBook(env.emulator);
  env.emulator.addFault({ kind: "copyDuration", ms: 60 * 60_000, count: 1 }); // 3 s here
  const desired = raw("slow", {}, { create: "1s" }); // update defaults to the create timeout: each run waits 1 s
  const runs = await within(30_000, book.upUntilConverged(lc, "slow", desired, 8), "runs");
  assert.ok(runs.length >= 2, "the first run timed out");
  const partials = runs.slice(0, -1).map((r) => {
    assert.ok(!r.ok && r.partial, "every unfinished run records the copy");
    assert.match(messageOf(r.error), /Timed out after .* waiting for the copy into image-\w+.*next `pulumi up` waits for it again/s);
    return r.partial;
  });
  const ids = new Set([...partials.map((p) => p.id), book.get("slow")!.id]);
  assert.equal(ids.size, 1, "always the same copy");
  const progress = partials.map((p) => Number(p.properties.progress));
  assert.deepEqual(
    progress,
    [...progress].sort((a, b) => a - b),
    `progress never goes back: ${progress}`,
  );
  assert.ok(partials.every((p) => p.properties.status === "creating"));
  book.assertConverged("slow", "after the last run");
  assert.equal(logged(env.emulator, "CopyImage").length, 1, "one CopyImage in all runs");
  await book.destroy(lc, "slow");
  book.assertMatchesEmulator("after delete");
});

// ------------------------------------------------------------------ case 10: deleted out of band while waiting

test("an image deleted in the console while create waits: a clear error, no hang, nothing leaked; the next create makes a new copy", async (t) => {
  const book = new StateBook(env.emulator);
  env.emulator.addFault({ kind: "copyDuration", ms: 2 * 60 * 60_000, count: 1 }); // 6 s here
  const run = book.up(lc, "console", raw("console"));
  const imageId = await waitFor(() => privateImages(env.emulator)[0]?.ImageId, "the copy to exist");
  await waitFor(() => logged(env.emulator, "DescribeTasks", { status: 200 }).length > 0, "the wait to start");
  assert.equal(env.emulator.deleteImageOutOfBand(DEST, imageId), true);
  const first = await within(5_000, run, "create after the out-of-band delete");
  assert.ok(!first.ok && !first.partial, "a plain error: there is nothing to record");
  t.diagnostic(`create's error: ${messageOf(first.error)}`);
  assert.ok(messageOf(first.error).includes(imageId), `the error names the copy: ${messageOf(first.error)}`);
  assert.match(messageOf(first.error), /failed|no longer exists|deleted/);
  book.assertMatchesEmulator("after the failed create");
  assert.deepEqual(privateImages(env.emulator), []);

  const second = await within(15_000, book.up(lc, "console", raw("console")), "second create");
  assert.ok(second.ok, second.ok ? "" : messageOf(second.error));
  assert.notEqual(second.id, imageId);
  book.assertConverged("console", "after the second create");
  assert.equal(logged(env.emulator, "CopyImage", { status: 200 }).length, 2, "a new copy");
  await book.destroy(lc, "console");
  book.assertMatchesEmulator("after delete");
});
