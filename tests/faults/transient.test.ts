// Fault cases 2-5: transient trouble on the wire — InternalError bursts, dropped connections,
// answers slower than the client's timeout, locked resources — on every action the provider uses,
// across create, update and delete. After each run the simulated state and the emulator must agree
// (no leaked copy, no lost one), and the stack must converge: in the same run when the fault fits
// the retry budget, in a later run when it does not, never with a second copy.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startTestEnv, type TestEnv } from "../provider/env";
import { StateBook, FAULT_RETRY, activeFaults, logged, messageOf, privateImages, raw, sweep, waitFor } from "./helpers";

let env: TestEnv;
before(async () => {
  env = await startTestEnv();
});
after(async () => {
  await env?.stop();
});
beforeEach(() => {
  env.emulator.clearFaults();
  sweep(env.emulator); // only a failed earlier case leaves copies
  env.emulator.clearLog();
});

type Phase = "create" | "update" | "delete";
/** The phases of a resource's life that call each action (a burst is injected only where it will be met). */
const PHASES: Record<string, Phase[]> = {
  CopyImage: ["create"],
  DescribeTasks: ["create"],
  DescribeImages: ["create", "update", "delete"],
  ModifyImageAttribute: ["update"],
  DeleteImages: ["delete"],
};

/** Runs create, rename + redescribe, delete of one resource, with `inject` called before each phase; asserts the state after each. */
async function lifeCycleUnder(
  name: string,
  lc: ReturnType<TestEnv["newLifecycle"]>,
  inject: (phase: Phase) => void,
  afterPhase: (phase: Phase) => void | Promise<void> = () => undefined,
): Promise<void> {
  const book = new StateBook(env.emulator);
  inject("create");
  const created = await book.up(lc, name, raw(name));
  assert.ok(created.ok, `create under faults: ${created.ok ? "" : messageOf(created.error)}`);
  book.assertConverged(name, "after create");
  await afterPhase("create");

  inject("update");
  const renamed = raw(name, { imageName: `${name}-v2`, description: "Second edition" });
  const updated = await book.up(lc, name, renamed);
  assert.ok(updated.ok, `update under faults: ${updated.ok ? "" : messageOf(updated.error)}`);
  const e = book.assertConverged(name, "after update");
  assert.equal(e.outs.imageName, `${name}-v2`);
  assert.equal(e.outs.description, "Second edition");
  await afterPhase("update");

  inject("delete");
  await book.destroy(lc, name);
  assert.equal(book.entries.size, 0);
  book.assertMatchesEmulator("after delete");
  await afterPhase("delete");
  assert.equal(logged(env.emulator, "CopyImage", { status: 200 }).length, 1, "exactly one copy was ever started");
}

// ------------------------------------------------------------------ case 2: InternalError bursts

for (const action of Object.keys(PHASES)) {
  test(`InternalError x5 on ${action} (within the production retry budget): create, update and delete each succeed in one run`, async () => {
    const lc = env.newLifecycle({ retry: FAULT_RETRY });
    let served = 0;
    await lifeCycleUnder(
      `ie-${action.toLowerCase()}`,
      lc,
      (phase) => {
        if (PHASES[action].includes(phase)) env.emulator.addFault({ kind: "internalError", action, count: 5 });
      },
      async (phase) => {
        if (!PHASES[action].includes(phase)) return;
        served += 5;
        assert.equal(logged(env.emulator, action, { errorCode: "InternalError", status: 500 }).length, served, `the whole burst met ${phase}`);
        assert.deepEqual(await activeFaults(env), []);
      },
    );
  });
}

test("InternalError bursts longer than the retry budget fail a run cleanly; the next run converges, with one copy", async () => {
  const lc = env.lifecycle; // env.ts: 4 retries, so 5 consecutive InternalErrors exhaust one call
  for (const action of Object.keys(PHASES)) {
    const name = `iex-${action.toLowerCase()}`;
    const book = new StateBook(env.emulator);
    const copiesBefore = logged(env.emulator, "CopyImage", { status: 200 }).length;
    for (const phase of ["create", "update"] as const) {
      if (PHASES[action].includes(phase)) env.emulator.addFault({ kind: "internalError", action, count: 5 });
      const desired = phase === "create" ? raw(name) : raw(name, { description: "Second edition" });
      const runs = await book.upUntilConverged(lc, name, desired, 3);
      for (const r of runs.slice(0, -1)) {
        assert.ok(!r.ok);
        assert.match(
          messageOf(r.error),
          new RegExp(`${action} in \\S+ failed: InternalError \\(HTTP 500, request id \\S+\\)`),
          `${action} ${phase}: a clear error`,
        );
        book.assertMatchesEmulator(`${action}: after a failed ${phase} run`);
      }
      book.assertMatchesEmulator(`${action}: after ${phase} (${runs.length} run(s))`);
      assert.equal(book.get(name)?.outs.status, "available");
    }
    assert.deepEqual(await activeFaults(env), [], `${action}: every burst was met`);
    assert.equal(logged(env.emulator, "CopyImage", { status: 200 }).length - copiesBefore, 1, `${action}: one copy`);
    if (action === "DeleteImages") {
      // A refused DeleteImages is waited out by delete's own loop, until customTimeouts.delete.
      env.emulator.addFault({ kind: "internalError", action, count: 5 });
      env.emulator.addFault({ kind: "internalError", action, count: 5 });
    }
    await book.destroy(lc, name);
    book.assertMatchesEmulator(`${action}: after delete`);
  }
});

test("delete: a DescribeImages failure while confirming the deletion does not fail a delete that happened", async () => {
  const lc = env.lifecycle; // 4 retries
  const book = new StateBook(env.emulator);
  const name = "confirm-gone";
  assert.ok((await book.up(lc, name, raw(name))).ok);
  const id = book.get(name)!.id;
  env.emulator.addFault({ kind: "internalError", action: "DescribeImages", count: 5 });
  const first = await book.recordDelete(name, lc.delete(id, book.get(name)!.outs));
  assert.equal(privateImages(env.emulator).length, 0, "DeleteImages did delete the copy");
  // Delete waits out refusals of DeleteImages until its deadline; the read that only confirms the
  // deletion should be waited out the same way instead of failing `pulumi destroy` for an image
  // that is gone (the state would keep an id that no longer exists until the next run).
  assert.ok(first.ok, `delete failed after deleting: ${first.ok ? "" : messageOf(first.error)}`);
  book.assertMatchesEmulator("after delete");
});

test("DescribeImages failing right after the copy finished: partial state, then the next run fills in the image's outputs", async () => {
  const lc = env.lifecycle; // 4 retries: a burst of 5 exhausts the final read
  const book = new StateBook(env.emulator);
  const name = "late-read";
  // The copy takes 1 s; the watcher asks DescribeTasks only. Arm the burst once CopyImage has run, so
  // that it meets the read of the finished image.
  const run = book.up(lc, name, raw(name));
  await waitFor(() => logged(env.emulator, "CopyImage", { status: 200 }).length > 0, "CopyImage");
  // Two reads follow the finish: the watcher's batched one (its failure is tolerated) and the life
  // cycle's own; 10 errors exhaust both (4 retries each), so the copy's outputs cannot be read.
  env.emulator.addFault({ kind: "internalError", action: "DescribeImages", count: 10 });
  const first = await run;
  assert.ok(!first.ok && first.partial, "a partial-state error: the copy is recorded");
  assert.match(messageOf(first.error), /finished but reading it failed: DescribeImages .*InternalError/);
  book.assertMatchesEmulator("after the failed read");

  const second = await book.up(lc, name, raw(name)); // the engine updates a resource with an init error
  assert.ok(second.ok, second.ok ? "" : messageOf(second.error));
  book.assertConverged(name, "after the next run");
  assert.equal(logged(env.emulator, "CopyImage").length, 1);
  await book.destroy(lc, name);
  book.assertMatchesEmulator("after delete");
});

// ------------------------------------------------------------------ case 3: dropped connections

test("dropped connections on DescribeTasks and DescribeImages are retried; create, update and delete converge in one run", async () => {
  const lc = env.newLifecycle({ retry: FAULT_RETRY });
  await lifeCycleUnder(
    "dropped-reads",
    lc,
    (phase) => {
      if (phase === "create") env.emulator.addFault({ kind: "drop", action: "DescribeTasks", count: 3 });
      env.emulator.addFault({ kind: "drop", action: "DescribeImages", count: 3 });
    },
    async () => assert.deepEqual(await activeFaults(env), [], "the drops were met"),
  );
  assert.equal(logged(env.emulator, "DescribeTasks", { status: 0 }).length, 3);
  assert.equal(logged(env.emulator, "DescribeImages", { status: 0 }).length, 9);
});

test("a dropped CopyImage is never retried blindly: a clear 'may or may not have started' error, then exactly one copy", async () => {
  const lc = env.newLifecycle({ retry: FAULT_RETRY });
  const book = new StateBook(env.emulator);
  env.emulator.addFault({ kind: "drop", action: "CopyImage", count: 1 });
  const first = await book.up(lc, "dropped-copy", raw("dropped-copy"));
  assert.ok(!first.ok && !first.partial, "no id to record: the dropped request started nothing");
  assert.match(messageOf(first.error), /CopyImage .*ConnectionReset.*The copy may or may not have started; run `pulumi up` again/s);
  assert.deepEqual(
    logged(env.emulator, "CopyImage").map((e) => e.status),
    [0],
    "one CopyImage, dropped (the emulator did not run it), and not retried",
  );
  book.assertMatchesEmulator("after the dropped CopyImage");

  const second = await book.up(lc, "dropped-copy", raw("dropped-copy"));
  assert.ok(second.ok, second.ok ? "" : messageOf(second.error));
  book.assertConverged("dropped-copy", "after the second run");
  assert.deepEqual(
    logged(env.emulator, "CopyImage").map((e) => e.status),
    [0, 200],
    "exactly one copy started",
  );
  await book.destroy(lc, "dropped-copy");
  book.assertMatchesEmulator("after delete");
});

// ------------------------------------------------------------------ case 4: answers slower than the client timeout

test("DescribeTasks answers slower than requestTimeoutMs are retried; the copy completes", async () => {
  const lc = env.newLifecycle({ requestTimeoutMs: 500, retry: FAULT_RETRY });
  const book = new StateBook(env.emulator);
  env.emulator.addFault({ kind: "latency", ms: 1_500, action: "DescribeTasks", count: 3 });
  const r = await book.up(lc, "slow-tasks", raw("slow-tasks"));
  assert.ok(r.ok, r.ok ? "" : messageOf(r.error));
  assert.deepEqual(await activeFaults(env), [], "three slow answers were met");
  assert.ok(logged(env.emulator, "DescribeTasks").length >= 4, "timed-out polls were repeated");
  book.assertConverged("slow-tasks", "after create");
  await book.destroy(lc, "slow-tasks");
  book.assertMatchesEmulator("after delete");
});

test("a CopyImage answer slower than requestTimeoutMs (the copy did start): the life cycle adopts it, no second copy", async () => {
  const lc = env.newLifecycle({ requestTimeoutMs: 500, retry: FAULT_RETRY });
  const book = new StateBook(env.emulator);
  env.emulator.addFault({ kind: "latency", ms: 1_500, action: "CopyImage", count: 1 });
  const r = await book.up(lc, "slow-copy", raw("slow-copy"));
  const copies = privateImages(env.emulator);
  assert.equal(copies.length, 1, "the timed-out CopyImage did run in the emulator");
  assert.equal(logged(env.emulator, "CopyImage").length, 1, "CopyImage was not repeated after the timeout");
  assert.ok(r.ok, `the copy that started is adopted, not reported as maybe-started: ${r.ok ? "" : messageOf(r.error)}`);
  assert.equal(r.id, copies[0].ImageId);
  book.assertConverged("slow-copy", "after create");
  await book.destroy(lc, "slow-copy");
  book.assertMatchesEmulator("after delete");
});

// ------------------------------------------------------------------ case 5: locked resources

test("OperationDenied.ResourceLocked on ModifyImageAttribute and DeleteImages is waited out; update and delete converge", async () => {
  const lc = env.newLifecycle({ retry: FAULT_RETRY });
  await lifeCycleUnder(
    "locked",
    lc,
    (phase) => {
      if (phase === "update") env.emulator.addFault({ kind: "resourceLocked", action: "ModifyImageAttribute", count: 3 });
      // More refusals than the wire's retries: delete's own wait loop must carry on.
      if (phase === "delete") env.emulator.addFault({ kind: "resourceLocked", action: "DeleteImages", count: 12 });
    },
    async () => assert.deepEqual(await activeFaults(env), [], "the locks were met"),
  );
  assert.equal(logged(env.emulator, "ModifyImageAttribute", { errorCode: "OperationDenied.ResourceLocked", status: 412 }).length, 3);
  assert.equal(logged(env.emulator, "DeleteImages", { errorCode: "OperationDenied.ResourceLocked", status: 412 }).length, 12);
});
