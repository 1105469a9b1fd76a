// The abort signal reaches the HTTP request itself: the connection is closed when the owner stops,
// not left open until the server answers or the request times out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WireClient } from "../../../provider/ecs/wire";

test("WireClient: aborting closes the request in flight and stops the retries", async () => {
  let closedAt = 0;
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    res.on("close", () => (closedAt = Date.now())); // never answered: only the client can close it
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const { port } = server.address() as AddressInfo;
    const wire = new WireClient({
      endpoint: { protocol: "http:", host: `127.0.0.1:${port}` },
      credentials: { accessKeyId: "AKID", secretKey: "secret" },
      requestTimeoutMs: 30_000,
      retry: { retries: 5, minDelayMs: 10, maxDelayMs: 20, maxRetryTimeMs: 60_000 },
    });
    const ac = new AbortController();
    const call = wire.call("DescribeImages", "cn-shanghai", {}, { idempotent: true, signal: ac.signal });
    while (requests === 0) await new Promise((r) => setTimeout(r, 10));
    const abortedAt = Date.now();
    ac.abort(new Error("received SIGINT"));
    await assert.rejects(call);
    while (closedAt === 0 && Date.now() - abortedAt < 3_000) await new Promise((r) => setTimeout(r, 10));
    assert.ok(closedAt > 0 && closedAt - abortedAt < 1_000, "the connection was closed by the abort");
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(requests, 1, "no retry after the abort");
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
