// Operation timeouts: update has no default of its own; it takes the create timeout (given, else the create default).
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_TUNABLES, operationTimeout } from "../../../provider/settings/tunables";
import { timeoutFor } from "../../../provider/operations/check";

const H = 3_600_000;
const defaults = DEFAULT_TUNABLES.timeouts;

test("customTimeouts.create 2h and no update timeout: the update deadline is 2h", () => {
  assert.equal(timeoutFor({ timeouts: { create: "2h" } }, "update", defaults), 2 * H);
  assert.equal(timeoutFor({ timeouts: { create: "2h" } }, "create", defaults), 2 * H);
  assert.equal(timeoutFor({ timeouts: { create: "2h" } }, "delete", defaults), defaults.deleteMs);
});

test("neither create nor update given: update takes the create default, whatever it is", () => {
  assert.equal(timeoutFor({}, "update", defaults), defaults.createMs);
  assert.equal(timeoutFor(undefined, "update", defaults), defaults.createMs);
  const longer = { ...defaults, createMs: 3 * H };
  assert.equal(timeoutFor({}, "update", longer), 3 * H, "derived from the create default, not a number of its own");
  assert.equal(operationTimeout({}, "update", longer), 3 * H);
});

test("an update timeout given wins over the create timeout; unparseable ones count as not given", () => {
  assert.equal(timeoutFor({ timeouts: { create: "2h", update: "15m" } }, "update", defaults), 15 * 60_000);
  assert.equal(timeoutFor({ timeouts: { create: "2h", update: "soon" } }, "update", defaults), 2 * H);
  assert.equal(timeoutFor({ timeouts: { delete: "5m" } }, "delete", defaults), 5 * 60_000);
});
