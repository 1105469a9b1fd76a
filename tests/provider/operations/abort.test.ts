// The owner's abort signal (the plugin's SIGINT/SIGTERM, the live script's Ctrl-C) reaches every
// operation: waits end with a partial state, and HTTP requests in flight are cancelled.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestEnv, inputsFor, type TestEnv } from "../env";

let env: TestEnv;
before(async () => {
  env = await startTestEnv();
});
after(async () => {
  env.emulator.clearFaults();
  await env.stop();
});

test("an abort cancels the HTTP request in flight instead of waiting for its answer", async () => {
  const made = await env.lifecycle.create(env.lifecycle.check({}, inputsFor("slow-read")).inputs);
  const ac = new AbortController();
  const lc = env.newLifecycle({ signal: ac.signal });
  env.emulator.addFault({ kind: "latency", ms: 8_000, action: "DescribeImages", count: 1 });
  const started = Date.now();
  const reading = lc.read(made.id, made.outs);
  setTimeout(() => ac.abort(new Error("received SIGINT")), 300);
  await assert.rejects(reading);
  assert.ok(Date.now() - started < 3_000, `the read answered ${Date.now() - started} ms after it started, not when the abort came`);
  env.emulator.clearFaults();
  await env.lifecycle.delete(made.id, made.outs);
});

test("an abort during the wait records the copy as creating (partial state), and the next update finishes it", async () => {
  env.emulator.addFault({ kind: "copyDuration", ms: 2 * 60 * 60_000, count: 1 }); // 6 s here
  const ac = new AbortController();
  const lc = env.newLifecycle({ signal: ac.signal });
  const inputs = env.lifecycle.check({}, inputsFor("stopped")).inputs;
  const creating = lc.create(inputs);
  setTimeout(() => ac.abort(new Error("received SIGTERM")), 500);
  const e = (await creating.then(
    () => assert.fail("the create should have been interrupted"),
    (x: unknown) => x,
  )) as Error & { id: string; properties: Record<string, unknown> };
  assert.match(e.message, /Interrupted after .* the copy goes on in Volcengine\. It is recorded in the state/);
  assert.equal(e.properties.status, "creating");
  assert.ok(e.properties.__provider, "the partial state keeps __provider");
  const { outs } = await env.lifecycle.update(e.id, e.properties, inputs);
  assert.equal(outs.status, "available");
  await env.lifecycle.delete(e.id, outs);
});

test("an abort while DeleteImages is in flight says the deletion was interrupted and to run the command again, not the bare abort reason", async () => {
  const made = await env.lifecycle.create(env.lifecycle.check({}, inputsFor("cut-delete")).inputs);
  const ac = new AbortController();
  const lc = env.newLifecycle({ signal: ac.signal });
  env.emulator.addFault({ kind: "latency", ms: 8_000, action: "DeleteImages", count: 1 });
  const deleting = lc.delete(made.id, made.outs);
  setTimeout(() => ac.abort(new Error("received SIGINT")), 300);
  await assert.rejects(deleting, (e: Error) => {
    assert.match(e.message, new RegExp(`deleting ${made.id} in cn-shanghai was interrupted; run the command again\\.`));
    assert.doesNotMatch(e.message, /received SIGINT/);
    return true;
  });
  env.emulator.clearFaults();
  await env.lifecycle.delete(made.id, made.outs); // whether the cut-off request deleted it or not, a new delete ends it
  assert.equal(
    env.emulator.images("cn-shanghai").find((i) => i.ImageId === made.id),
    undefined,
  );
});
