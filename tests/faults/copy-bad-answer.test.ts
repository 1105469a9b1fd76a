// CopyImage behind a bad gateway answer: the copy may have started, so it is never sent twice. When
// it ran (the gateway answered badly after the service acted) the copy is found and adopted; when it
// did not, the create stops with an error that says what came and how the next run avoids a second copy.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startTestEnv, inputsFor, type TestEnv } from "../provider/env";
import { logged, messageOf } from "./helpers";

let env: TestEnv;
before(async () => {
  env = await startTestEnv({ copyDurationMs: 60_000 });
});
after(async () => {
  await env.stop();
});
beforeEach(() => {
  env.emulator.clearFaults();
  env.emulator.clearLog();
});

async function checked(name: string) {
  const r = env.lifecycle.check({}, inputsFor(name));
  assert.deepEqual(r.failures, []);
  return r.inputs;
}

for (const fault of ["htmlBadGateway", "truncatedJson", "missingResult"] as const) {
  test(`CopyImage answered by ${fault} after it ran: one CopyImage, the copy is adopted and finished`, async () => {
    env.emulator.addFault({ kind: fault, action: "CopyImage", count: 1, ...(fault === "htmlBadGateway" ? { actionRuns: true } : {}) } as never);
    const { id, outs } = await env.lifecycle.create(await checked(`ran-${fault}`));
    assert.equal(outs.status, "available");
    assert.equal(logged(env.emulator, "CopyImage").length, 1, "never twice");
    await env.lifecycle.delete(id, outs);
  });
}

test("CopyImage answered by an HTML 502 that did not run: one CopyImage, and an error that says what came and what the next run does", async () => {
  env.emulator.addFault({ kind: "htmlBadGateway", action: "CopyImage", count: 1 } as never);
  const before = env.emulator.images("cn-shanghai").length;
  await assert.rejects(env.lifecycle.create(await checked("notran")), (e: Error) => {
    const m = messageOf(e);
    assert.match(m, /CopyImage in cn-beijing failed: HTTP 502 with an HTML page, not a Volcengine answer/);
    assert.match(m, /may or may not have started; run `pulumi up` again/);
    assert.doesNotMatch(m, /no response was received/);
    return true;
  });
  assert.equal(logged(env.emulator, "CopyImage").length, 1, "never twice");
  assert.equal(env.emulator.images("cn-shanghai").length, before, "nothing was copied");
});
