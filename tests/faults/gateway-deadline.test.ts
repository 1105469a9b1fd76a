// The create timeout bounds the WHOLE create while the gateway stays bad (HTTP 502 pages, or no
// answer at all) on DescribeTasks and DescribeImages: with customTimeouts.create 1m the create ends
// within the minute (plus one poll's slack), records the copy (partial state), and its error says what
// the gateway answered, which action and for how long. Everything on the emulator's simulated clock,
// with the production wait policy and the wire's production budgets scaled to it (tests/worlds/sim.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { StateBook, logged, messageOf, raw, waitFor } from "./helpers";
import { startWorld } from "../worlds/sim";

const RAW = /Spread syntax|is not iterable|Cannot read properties|undefined is not|is not a function|Maximum call stack/;

for (const [fault, said] of [
  ["htmlBadGateway", /DescribeTasks has failed for the last \d+s: HTTP 502 with an HTML page, not a Volcengine answer/],
  ["hang", /(DescribeTasks|DescribeImages) has (failed for the last \d+s: RequestTimeout: no answer|not answered for the last \d+s)/],
  ["truncatedJson", /DescribeTasks has failed for the last \d+s: the answer was cut off \(not valid JSON\)/],
  ["missingResult", /DescribeTasks has failed for the last \d+s: no Result in the answer/],
  ["wrongTypes", /DescribeTasks has failed for the last \d+s: the answer's Result\.Tasks is a string \("none"\), expected a list/],
] as const) {
  test(`create timeout 1m under a bad gateway (${fault}): bounded, recorded, and says what the gateway answered`, async (t) => {
    const w = await startWorld({ name: fault, world: {} });
    try {
      const book = new StateBook(w.emu);
      const start = w.emu.now().getTime();
      const run = book.up(w.lc, "gated", raw("gated", {}, { create: "1m" }));
      await waitFor(() => logged(w.emu, "CopyImage", { status: 200 }).length > 0, "its CopyImage", 15_000);
      for (const action of ["DescribeTasks", "DescribeImages"]) w.emu.addFault({ kind: fault, action, count: 500 } as never);
      const o = await run;
      const took = w.emu.now().getTime() - start;
      assert.ok(!o.ok, "a 3-minute copy cannot finish in 1 minute");
      const m = messageOf(o.error);
      assert.ok(took <= 70_000, `took ${Math.round(took / 1000)} s simulated with customTimeouts.create 1m: ${m}`);
      assert.ok(o.partial, `the copy is recorded: ${m}`);
      assert.match(m, said);
      assert.doesNotMatch(m, RAW);
      assert.doesNotMatch(m, /not seen yet, 0% done/);
      t.diagnostic(`after ${Math.round(took / 1000)} s simulated: ${m}`);
    } finally {
      w.emu.clearFaults();
      await w.stop();
    }
  });
}
