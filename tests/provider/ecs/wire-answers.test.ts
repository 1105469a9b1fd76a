// The wire against a gateway that answers badly (a local HTTP server standing in for it): what each
// bad answer becomes (an error that names action, region, HTTP status and what was wrong), that it is
// retried like a 5xx (never for CopyImage), and that the operation's deadline bounds the retries and
// aborts a request that gets no answer. Deadlines are measured on a scaled clock (60x).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WireClient } from "../../../provider/ecs/wire";
import { VolcengineError } from "../../../provider/ecs/volcengine-error";
import { describeTasksAnswer } from "../../../provider/ecs/result-checks";
import { TokenBucket } from "../../../provider/ecs/rate-limit";
import type { Clock } from "../../../provider/settings/clock";

const RAW = /Spread syntax|is not iterable|Cannot read properties|undefined is not|is not a function/;
const HTML_502 = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center></body>\r\n</html>\r\n";
const META = { RequestId: "req-42", Action: "DescribeTasks", Version: "2020-04-01", Service: "ecs", Region: "cn-shanghai" };

/** A server whose every answer is `answer(n)` (n = 1, 2, ...); "hang" never answers. */
async function gateway(answer: (n: number, res: ServerResponse) => "hang" | void) {
  let requests = 0;
  const closed: number[] = [];
  const server = createServer((req, res) => {
    requests++;
    res.on("close", () => closed.push(Date.now()));
    if (answer(requests, res) === "hang") return;
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    requests: () => requests,
    closed,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

const send = (res: ServerResponse, status: number, type: string, body: string) => {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
  res.end(body);
};

/** Simulated ms per real ms: the wire's deadline is on this clock, as with the life cycle's simulated clock. */
const SPEED = 60;
function scaledClock(): Clock {
  const start = Date.now();
  return {
    now: () => start + (Date.now() - start) * SPEED,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms / SPEED)),
    setTimer: (fn, ms) => {
      const t = setTimeout(fn, Math.max(0, ms / SPEED));
      return () => clearTimeout(t);
    },
  };
}

function wireFor(host: string, extra: Partial<ConstructorParameters<typeof WireClient>[0]> = {}) {
  return new WireClient({
    endpoint: { protocol: "http:", host },
    credentials: { accessKeyId: "AKLTsecretish", secretKey: "topsecretkey" },
    requestTimeoutMs: 5_000,
    retry: { retries: 3, minDelayMs: 5, maxDelayMs: 10, maxRetryTimeMs: 10_000 },
    ...extra,
  });
}

async function failure(p: Promise<unknown>): Promise<VolcengineError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof VolcengineError, `a VolcengineError, got ${String(e)}`);
    assert.doesNotMatch(e.message, RAW);
    assert.doesNotMatch(e.message, /AKLTsecretish|topsecretkey/, "no credential in the message");
    return e;
  }
  assert.fail("the call succeeded");
}

const tasksCall = (wire: WireClient, extra = {}) =>
  wire.call(
    "DescribeTasks",
    "cn-shanghai",
    { ResourceIds: ["image-a"] },
    { idempotent: true, check: describeTasksAnswer(new Set(["image-a"])), ...extra },
  );

test("an HTML 502 page: says so (not 'no response was received'), and is retried like a 5xx", async () => {
  const g = await gateway((_n, res) => send(res, 502, "text/html", HTML_502));
  try {
    const e = await failure(tasksCall(wireFor(g.host)));
    assert.match(e.message, /^DescribeTasks in cn-shanghai failed: HTTP 502 with an HTML page, not a Volcengine answer \(no request id\)\./);
    assert.doesNotMatch(e.message, /no response was received|Volcengine said/);
    assert.equal(e.code, "InvalidResponse");
    assert.equal(e.httpStatus, 502);
    assert.equal(g.requests(), 4, "first try and 3 retries");
  } finally {
    await g.stop();
  }
});

test("cut-off JSON, no Result, wrong types: each says what was wrong, is retried, and a good answer after it wins", async () => {
  const full = JSON.stringify({ ResponseMetadata: META, Result: { Tasks: [{ Id: "t-1", ResourceId: "image-a", Status: "Running", Process: 40 }] } });
  const bad: Record<string, string> = {
    truncated: full.slice(0, Math.floor(full.length / 2)),
    missingResult: JSON.stringify({ ResponseMetadata: META }),
    wrongTypes: JSON.stringify({ ResponseMetadata: META, Result: { Tasks: "none" } }),
  };
  const said: Record<string, RegExp> = {
    truncated: /failed: the answer was cut off \(not valid JSON\) \(HTTP 200, no request id\)/,
    missingResult: /failed: no Result in the answer \(HTTP 200, request id req-42\)/,
    wrongTypes: /failed: the answer's Result\.Tasks is a string \("none"\), expected a list \(HTTP 200, request id req-42\)/,
  };
  for (const kind of Object.keys(bad)) {
    const always = await gateway((_n, res) => send(res, 200, "application/json", bad[kind]));
    try {
      const e = await failure(tasksCall(wireFor(always.host)));
      assert.match(e.message, said[kind], kind);
      assert.equal(always.requests(), 4, `${kind}: retried`);
    } finally {
      await always.stop();
    }
    const once = await gateway((n, res) => send(res, 200, "application/json", n === 1 ? bad[kind] : full));
    try {
      const tasks = await tasksCall(wireFor(once.host));
      assert.equal(tasks.entries[0].Process, 40, `${kind}: the retry's good answer`);
    } finally {
      await once.stop();
    }
  }
});

test("CopyImage behind an HTML 502: not repeated (it may have run), marked ambiguous", async () => {
  const g = await gateway((_n, res) => send(res, 502, "text/html", HTML_502));
  try {
    const e = await failure(wireFor(g.host).call("CopyImage", "cn-beijing", { ImageId: "image-src" }, { idempotent: false }));
    assert.equal(g.requests(), 1, "never twice");
    assert.equal(e.ambiguous, true);
    assert.match(e.message, /CopyImage in cn-beijing failed: HTTP 502 with an HTML page/);
  } finally {
    await g.stop();
  }
});

test("an HTML page with HTTP 200 is the wrong endpoint: final, and says where to look", async () => {
  const g = await gateway((_n, res) => send(res, 200, "text/html", "<html>welcome</html>"));
  try {
    const e = await failure(tasksCall(wireFor(g.host)));
    assert.equal(g.requests(), 1);
    assert.match(e.message, /HTTP 200 with an HTML page, not a Volcengine answer .*volcengine:endpoint/);
  } finally {
    await g.stop();
  }
});

test("deadline: a gateway that never answers; the request is aborted at the operation's deadline, not after the retry budget", async () => {
  const g = await gateway(() => "hang");
  const clock = scaledClock();
  try {
    // Production budgets in simulated time: 10 s per request, retries for up to 180 s.
    const wire = wireFor(g.host, {
      clock,
      requestTimeoutMs: 10_000 / SPEED,
      retry: { retries: 8, minDelayMs: 500 / SPEED, maxDelayMs: 20_000 / SPEED, maxRetryTimeMs: 180_000 / SPEED },
    });
    const start = clock.now();
    const e = await failure(tasksCall(wire, { deadline: start + 25_000 }));
    const took = clock.now() - start;
    assert.ok(took >= 24_000 && took <= 32_000, `ended at the 25 s deadline, took ${Math.round(took / 1000)} s simulated`);
    assert.equal(e.code, "DeadlineExceeded");
    assert.equal(e.ambiguous, true);
    assert.match(
      e.message,
      /DescribeTasks in cn-shanghai failed: no answer that settled it before the operation's deadline; the last attempt: RequestTimeout: no answer within/,
    );
    assert.ok(g.requests() >= 2 && g.requests() <= 4, `a few 10 s attempts, got ${g.requests()}`);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(g.closed.length, g.requests(), "every request was closed by the client");
  } finally {
    await g.stop();
  }
});

test("deadline: HTTP 502 all along; the retries stop at the deadline and the error says what the gateway answered", async () => {
  const g = await gateway((_n, res) => send(res, 502, "text/html", HTML_502));
  const clock = scaledClock();
  try {
    const wire = wireFor(g.host, {
      clock,
      retry: { retries: 8, minDelayMs: 500 / SPEED, maxDelayMs: 20_000 / SPEED, maxRetryTimeMs: 180_000 / SPEED },
    });
    const start = clock.now();
    const e = await failure(tasksCall(wire, { deadline: start + 20_000 }));
    const took = clock.now() - start;
    assert.ok(took <= 24_000, `stopped at the 20 s deadline, took ${Math.round(took / 1000)} s simulated`);
    assert.match(e.message, /the last attempt: HTTP 502 with an HTML page, not a Volcengine answer/);
    const past = await failure(tasksCall(wire, { deadline: clock.now() - 1 }));
    assert.equal(past.code, "DeadlineExceeded", "no request once the deadline has passed");
    assert.equal(past.ambiguous, false, "nothing was sent: a CopyImage would not be in doubt");
    assert.match(past.message, /not sent: the operation's deadline had passed/);
  } finally {
    await g.stop();
  }
});

test("deadline: the wait for a token of the rate limit stops at the deadline too", async () => {
  const g = await gateway((_n, res) => send(res, 200, "application/json", JSON.stringify({ ResponseMetadata: META, Result: { Tasks: [] } })));
  const clock = scaledClock();
  try {
    // One token, then one every 1000 s: the second call would wait far past its deadline.
    const bucket = new TokenBucket({ perSecond: 0.001, burst: 1 });
    const wire = wireFor(g.host, { clock, rateLimiter: bucket });
    await tasksCall(wire);
    const startReal = Date.now();
    const e = await failure(tasksCall(wire, { deadline: clock.now() + 6_000 }));
    assert.equal(e.code, "DeadlineExceeded");
    assert.equal(e.ambiguous, false, "never sent");
    assert.ok(Date.now() - startReal < 2_000, "not stuck waiting for a token");
    assert.equal(g.requests(), 1);
  } finally {
    await g.stop();
  }
});

test("an attempt observer hears every failed attempt", async () => {
  const g = await gateway((n, res) =>
    n < 3 ? send(res, 502, "text/html", HTML_502) : send(res, 200, "application/json", JSON.stringify({ ResponseMetadata: META, Result: {} })),
  );
  try {
    const heard: string[] = [];
    await tasksCall(wireFor(g.host), { onAttemptFailed: (e: unknown) => heard.push((e as VolcengineError).summary) });
    assert.equal(heard.length, 2);
    assert.match(heard[0], /^HTTP 502 with an HTML page/);
  } finally {
    await g.stop();
  }
});
