// `npm run test:live` refuses without credentials and never targets Volcengine from CI; pointed at
// the emulator (a loopback endpoint), its scenario and its clean-up are exercised here.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { startTestEnv, CANARY, SOURCE_IMAGE, SOURCE_REGION, assertNoCanary, type TestEnv } from "../provider/env";

const script = resolve(__dirname, "../../scripts/live.js");
let env: TestEnv;
before(async () => {
  env = await startTestEnv();
});
after(async () => {
  await env.stop();
});

/** Runs the script; `whileRunning` gets the child (e.g. to signal it) once it has started. */
function run(
  vars: Record<string, string | undefined>,
  whileRunning?: (child: ReturnType<typeof spawn>, output: () => string) => Promise<void>,
): Promise<{ code: number | null; out: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VOLC")));
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [script], { env: { ...clean, ...vars } });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => res({ code, out }));
    whileRunning?.(child, () => out).catch((e) => {
      child.kill("SIGKILL");
      rej(e);
    });
  });
}

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const liveVars = () => ({
  VOLCENGINE_ACCESS_KEY: CANARY.accessKey,
  VOLCENGINE_SECRET_KEY: CANARY.secretKey,
  VOLCENGINE_SESSION_TOKEN: CANARY.sessionToken,
  VOLCENGINE_ENDPOINT: env.endpoint,
  VOLCENGINE_MAX_REQUESTS_PER_SECOND: "1000",
  VOLCENGINE_LIVE_SOURCE_REGION: SOURCE_REGION,
  VOLCENGINE_LIVE_SOURCE_IMAGE_ID: SOURCE_IMAGE,
  VOLCENGINE_LIVE_DESTINATION_REGIONS: "cn-shanghai,cn-guangzhou",
});

const privateCopies = () => ["cn-shanghai", "cn-guangzhou"].flatMap((r) => env.emulator.images(r).filter((i) => i.Visibility === "private"));

test("refuses to start without credentials and image settings, naming what is missing", async () => {
  const r = await run({ CI: undefined });
  assert.equal(r.code, 2);
  assert.match(r.out, /refuses to start: set VOLCENGINE_ACCESS_KEY, VOLCENGINE_SECRET_KEY, VOLCENGINE_LIVE_SOURCE_REGION/);
});

test("refuses to run against Volcengine in CI", async () => {
  const r = await run({ ...liveVars(), VOLCENGINE_ENDPOINT: "open.volcengineapi.com", CI: "true" });
  assert.equal(r.code, 2);
  assert.match(r.out, /refuses to run against Volcengine in CI/);
});

test("the scenario passes against the emulator and deletes everything it made", async () => {
  env.emulator.clearLog();
  const r = await run(liveVars());
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /scenario passed/);
  assert.match(r.out, /cleaned up: image-\w+ \(cn-shanghai\), image-\w+ \(cn-guangzhou\)/);
  assert.deepEqual(privateCopies(), []);
  assert.ok(env.emulator.log().some((e) => e.action === "ModifyImageAttribute"));
  assertNoCanary(r.out, "live script output");
});

test("a failure halfway still deletes everything, and says what it cleaned", async () => {
  env.emulator.addFault({ kind: "copyDuration", ms: 3 * 60 * 60_000, region: "cn-guangzhou", count: 1 });
  const r = await run({ ...liveVars(), VOLCENGINE_LIVE_TIMEOUT: "2s" });
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /FAILED: .*Timed out/);
  assert.match(r.out, /cleaned up: .*\(cn-guangzhou\)/);
  assert.deepEqual(privateCopies(), []);
});

test("Ctrl-C while the copies run: it stops waiting, deletes what it made, and exits 130", async () => {
  // Two-hour copies: 6 s on the test's emulator clock, so they are still running when the signal comes.
  env.emulator.addFault({ kind: "copyDuration", ms: 2 * 60 * 60_000, count: 2 });
  const r = await run(liveVars(), async (child, output) => {
    await until(
      "both copies to start",
      () => privateCopies().length === 2 && /copying .*cn-guangzhou/.test(output()) && /copying .*cn-shanghai/.test(output()),
    );
    assert.ok(
      privateCopies().every((i) => i.Status === "creating"),
      "the copies are still running",
    );
    child.kill("SIGINT");
  });
  assert.equal(r.code, 130, r.out);
  assert.match(r.out, /SIGINT: stopping/);
  assert.match(r.out, /Interrupted after/);
  assert.match(r.out, /cleaned up: image-\w+ \((cn-shanghai|cn-guangzhou)\), image-\w+ \((cn-shanghai|cn-guangzhou)\)/);
  assert.deepEqual(privateCopies(), [], "nothing it made is left behind");
  assertNoCanary(r.out, "live script output");
});
