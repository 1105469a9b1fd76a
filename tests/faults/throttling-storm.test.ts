// Fault case 1, a throttling storm: the account's server-side limit (2 requests/s, burst 2) is far
// below what ten concurrent copies ask for, and the client-side limit is out of the way (1000/s),
// so only the provider's handling of 429s stands between the stack and failure. All ten copies
// must finish, each exactly once (a 429 on CopyImage is a definite rejection, so retrying it cannot
// copy twice), and the state must describe exactly the ten images the emulator holds.
// Its own file (own process): the client's token bucket is shared per process and is penalised here.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestEnv, type TestEnv } from "../provider/env";
import { DEFAULT_RETRY } from "../../provider/settings/tunables";
import { StateBook, logged, raw, messageOf, privateImages } from "./helpers";

let env: TestEnv;
before(async () => {
  env = await startTestEnv();
});
after(async () => {
  await env?.stop();
});

test("10 concurrent copies under a 2/s server rate limit all complete, once each; 429s were really served", async (t) => {
  // The production retry policy (8 retries, 0.5-20 s backoff, 3 min): a storm is exactly what it is for.
  const lc = env.newLifecycle({ retry: DEFAULT_RETRY }); // VOLCENGINE_MAX_REQUESTS_PER_SECOND is 1000 in env.ts
  const book = new StateBook(env.emulator);
  env.emulator.addFault({ kind: "rateLimit", perSecond: 2, burst: 2 });
  // The client paces itself once throttled, so the storm may spare the waiting: make sure it does not.
  env.emulator.addFault({ kind: "throttle", action: "DescribeTasks", count: 5 });

  const names = Array.from({ length: 10 }, (_, i) => `storm-${i}`);
  const started = Date.now();
  const outcomes = await Promise.all(names.map((n) => book.up(lc, n, raw(n))));
  t.diagnostic(`10 creates under the storm took ${Date.now() - started} ms`);

  const failed = outcomes.map((o, i) => (o.ok ? undefined : `${names[i]}: ${messageOf(o.error)}`)).filter(Boolean);
  assert.deepEqual(failed, [], "every copy completed in one run");
  const throttled = env.emulator.log().filter((e) => e.status === 429 && e.errorCode === "AccountFlowLimitExceeded");
  // 429s must reach both starting (CopyImage) and waiting (DescribeTasks): what counts is where they
  // were served, not how many (fewer requests meet the storm as the client improves).
  const hit = new Set(throttled.map((e) => e.action));
  assert.ok(
    hit.has("CopyImage") && hit.has("DescribeTasks"),
    `both starting and waiting were throttled (429s: ${throttled.map((e) => e.action).join(", ")})`,
  );
  assert.ok(logged(env.emulator, "CopyImage", { status: 429 }).length > 0, "CopyImage itself was throttled and retried");
  assert.equal(logged(env.emulator, "CopyImage", { status: 200 }).length, 10, "exactly ten copies were started");
  assert.equal(privateImages(env.emulator).length, 10, "exactly ten copies exist");
  for (const n of names) book.assertConverged(n, "after the storm");
  assert.equal(new Set(book.ids()).size, 10, "ten distinct images");

  // Tear down (after the storm, to keep the suite short: delete's own retry loop is covered elsewhere).
  env.emulator.clearFaults();
  await Promise.all(names.map((n) => book.destroy(lc, n)));
  assert.equal(book.entries.size, 0);
  book.assertMatchesEmulator("after destroying");
});
