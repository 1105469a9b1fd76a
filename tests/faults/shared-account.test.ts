// Several pipelines on one account: four life cycles (each with its own session and rate limiter, as
// separate processes would have) run three copies each at once against one emulator whose account limit
// (4 requests per second, burst 4) none of them knows. With the client's default rate (10 per second
// each) they ask for ten times too much; the adaptive rate must bring them down to a share of the limit
// so that few requests are wasted: every copy made, once, and at most a third of the requests throttled
// (the rate that halved and came back within seconds, as before, had about half of them throttled here).
// `npm run shared-account` measures the same with separate processes; this is its fast, asserted kin.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestEnv, CANARY, SOURCE_REGION, type TestEnv } from "../provider/env";
import { DEFAULT_RETRY } from "../../provider/settings/tunables";
import { StateBook, logged, raw, messageOf, privateImages } from "./helpers";

let env: TestEnv;
before(async () => {
  env = await startTestEnv();
});
after(async () => {
  await env?.stop();
});

test("4 life cycles x 3 copies on one account limited to 4/s: all made once, at most a third of the requests throttled", async (t) => {
  const vars = {
    VOLCENGINE_ACCESS_KEY: CANARY.accessKey,
    VOLCENGINE_SECRET_KEY: CANARY.secretKey,
    VOLCENGINE_SESSION_TOKEN: CANARY.sessionToken,
    VOLCENGINE_REGION: SOURCE_REGION,
    VOLCENGINE_ENDPOINT: env.endpoint,
    // No VOLCENGINE_MAX_REQUESTS_PER_SECOND: the default ceiling, as a user has it.
  };
  const pipelines = Array.from({ length: 4 }, () => env.newLifecycle({ env: vars, retry: DEFAULT_RETRY }));
  const book = new StateBook(env.emulator);
  env.emulator.addFault({ kind: "rateLimit", perSecond: 4, burst: 4 });

  const started = Date.now();
  const names = pipelines.flatMap((_, p) => [0, 1, 2].map((c) => `shared-${p}-${c}`));
  const outcomes = await Promise.all(names.map((n, i) => book.up(pipelines[Math.floor(i / 3)], n, raw(n))));
  const log = env.emulator.log();
  const throttled = log.filter((e) => e.status === 429 && e.errorCode === "AccountFlowLimitExceeded").length;
  t.diagnostic(`${log.length} requests, ${throttled} throttled, ${Date.now() - started} ms`);

  const failed = outcomes.map((o, i) => (o.ok ? undefined : `${names[i]}: ${messageOf(o.error)}`)).filter(Boolean);
  assert.deepEqual(failed, [], "every copy completed");
  assert.equal(logged(env.emulator, "CopyImage", { status: 200 }).length, 12, "twelve copies started, each once");
  assert.equal(privateImages(env.emulator).length, 12, "twelve copies exist");
  assert.ok(throttled > 0, "the limit really throttled");
  assert.ok(throttled / log.length <= 1 / 3, `throttled share ${throttled}/${log.length} is at most a third`);
  env.emulator.clearFaults();
});
