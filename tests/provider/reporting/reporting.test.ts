// The life cycle's reporting and cancellation against the emulator: what each operation tells its
// reporter (routine progress as statuses, at most 3 persistent messages per copy, the resource's URN
// carried through __meta), and the engine's cancellation stopping a wait (the copy recorded) and a
// deletion that waits for Volcengine.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestEnv, inputsFor, assertNoCanary, type TestEnv } from "../env";
import type { Reporter, ReportTarget } from "../../../provider/reporting/reporter";

let env: TestEnv;
before(async () => {
  env = await startTestEnv();
});
after(async () => {
  await env?.stop();
});

interface Said {
  target: ReportTarget;
  kind: "status" | "info" | "warn";
  text: string;
}

function recordingReporter(): { said: Said[]; factory: (t: ReportTarget) => Reporter } {
  const said: Said[] = [];
  return {
    said,
    factory: (target) => ({
      status: (text) => said.push({ target, kind: "status", text }),
      info: (text) => said.push({ target, kind: "info", text }),
      warn: (text) => said.push({ target, kind: "warn", text }),
    }),
  };
}

const URN = "urn:pulumi:dev::proj::pulumi-nodejs:dynamic/volcengine:CopiedImage::web";

test("create reports on the resource's URN: statuses while copying, two persistent messages; delete shows as a status", async () => {
  const { said, factory } = recordingReporter();
  const lc = env.newLifecycle({ reporter: factory });
  const { inputs } = lc.check({}, inputsFor("web", { __meta: { resourceName: "web", identity: "proj/dev/web", resourceUrn: URN } }));
  assert.equal((inputs.__meta as { resourceUrn?: string }).resourceUrn, URN, "check keeps the URN");
  const { id, outs } = await lc.create(inputs);
  assert.equal((outs.__meta as { resourceUrn?: string }).resourceUrn, URN, "outputs keep it, so delete can report on the row too");
  assert.ok(
    said.every((s) => s.target.resourceUrn === URN && s.target.resourceName === "web"),
    JSON.stringify(said),
  );
  const persistent = said.filter((s) => s.kind !== "status").map((s) => s.text);
  assert.equal(persistent.length, 2, JSON.stringify(persistent));
  assert.match(persistent[0]!, new RegExp(`^copying image-\\w+ \\(cn-beijing\\) to cn-shanghai as ${id}$`));
  assert.match(persistent[1]!, new RegExp(`^${id} succeeded, 100% after \\d+s \\(task t-\\w+\\)$`));
  const statuses = said.filter((s) => s.kind === "status").map((s) => s.text);
  assert.equal(statuses[0], "starting the copy to cn-shanghai");
  assert.ok(
    statuses.some((s) => /^copying \d+%/.test(s)),
    JSON.stringify(statuses),
  );
  assert.equal(statuses[statuses.length - 1], "copied 100%");

  said.length = 0;
  await lc.delete(id, outs);
  assert.deepEqual(
    said.map((s) => [s.kind, s.text, s.target.resourceUrn]),
    [["status", `deleting ${id}`, URN]],
  );
  assertNoCanary(JSON.stringify(said), "reports");
});

test("the engine's cancellation ends a wait at once: the copy is recorded as unfinished, with the reason", async () => {
  env.emulator.addFault({ kind: "copyDuration", ms: 2 * 60 * 60_000, count: 1 }); // 6 s here
  let cancel = new AbortController();
  const lc = env.newLifecycle({ cancelSignal: () => cancel.signal, reporter: recordingReporter().factory });
  const { inputs } = lc.check({}, inputsFor("cancelled"));
  const started = Date.now();
  const pending = lc.create(inputs);
  await new Promise((r) => setTimeout(r, 500));
  cancel.abort(new Error("engine cancelled"));
  const e = (await pending.then(
    () => assert.fail("create should stop"),
    (err: unknown) => err,
  )) as Error & { id: string; properties: Record<string, unknown> };
  assert.ok(Date.now() - started < 3_000, `stopped long before the copy ends (${Date.now() - started} ms)`);
  assert.match(e.message, /Interrupted after \d+s waiting for the copy into image-\w+ in cn-shanghai/);
  assert.match(e.message, /recorded in the state: the next `pulumi up` waits for it again/);
  assert.equal(e.properties.status, "creating");
  assert.equal(env.emulator.images("cn-shanghai").find((i) => i.ImageId === e.id)?.Status, "creating", "the copy goes on");

  // A deletion waiting for Volcengine (the image is still being copied) stops at its next try.
  cancel = new AbortController();
  const deleting = lc.delete(e.id, e.properties);
  await new Promise((r) => setTimeout(r, 300));
  cancel.abort(new Error("engine cancelled"));
  await assert.rejects(deleting, /interrupted while waiting to delete image-\w+ in cn-shanghai; it still exists \(OperationDenied\.ImageIsCopying\)/);

  // Later operations get a fresh signal: the same deletion now waits until it can delete.
  cancel = new AbortController();
  const lcFast = env.newLifecycle({ cancelSignal: () => cancel.signal });
  await lcFast.delete(e.id, e.properties);
  assert.equal(
    env.emulator.images("cn-shanghai").find((i) => i.ImageId === e.id),
    undefined,
    "deleted once the copy let it",
  );
});
