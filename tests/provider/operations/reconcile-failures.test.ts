// reconcile.ts when a request fails: what the image looks like afterwards (`applied`), which tags are
// still missing, and what the message says (the right to grant for a refusal by permissions).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ReconcileError, describeReconcileFailure, ownerTagWarning, reconcile } from "../../../provider/operations/reconcile";
import { isAuthorizationError } from "../../../provider/ecs/volcengine-error";
import { VolcengineError } from "../../../provider/ecs/volcengine-error";
import type { DestinationRegionClient, Tag } from "../../../provider/ecs/client";

const denied = (action: string, code = "AccessDenied") =>
  new VolcengineError({ code, action, region: "cn-shanghai", httpStatus: 403, requestId: "req-1" });
const broken = (action: string) => new VolcengineError({ code: "ConnectionReset", action, region: "cn-shanghai", ambiguous: true });

/** A destination whose actions succeed unless `fail` says otherwise (by action, and for TagResources by call number). */
function fake(fail: { modify?: Error; untag?: Error; tag?: (call: number, tags: readonly Tag[]) => Error | undefined } = {}) {
  const calls: string[] = [];
  let tagCalls = 0;
  const client = {
    async modifyImageAttribute(_id: string, change: object) {
      calls.push(`modify ${JSON.stringify(change)}`);
      if (fail.modify) throw fail.modify;
    },
    async untagResources(_ids: readonly string[], keys: readonly string[]) {
      calls.push(`untag ${keys.join(",")}`);
      if (fail.untag) throw fail.untag;
    },
    async tagResources(_ids: readonly string[], tags: readonly Tag[]) {
      calls.push(`tag ${tags.length}`);
      const e = fail.tag?.(++tagCalls, tags);
      if (e) throw e;
    },
  };
  return { client: client as unknown as DestinationRegionClient, calls };
}

const tags = (o: Record<string, string>): Tag[] => Object.entries(o).map(([Key, Value]) => ({ Key, Value }));

async function failure(p: Promise<unknown>): Promise<ReconcileError> {
  const e = await p.then(
    () => assert.fail("reconcile succeeded"),
    (err: unknown) => err,
  );
  assert.ok(e instanceof ReconcileError, String(e));
  return e;
}

test("all goes through: applied is the desired picture, changed is true", async () => {
  const { client } = fake();
  const r = await reconcile(
    client,
    "image-1",
    { imageName: "new", tags: tags({ a: "1" }) },
    { imageName: "old", tags: { b: "2" }, managedKeys: ["b"] },
  );
  assert.deepEqual(r, { changed: true, tagged: true, applied: { imageName: "new", description: undefined, tags: { a: "1" } } });
  const none = await reconcile(client, "image-1", { tags: [] }, { tags: {}, managedKeys: [] });
  assert.equal(none.changed, false);
  assert.equal(none.tagged, false);
});

test("TagResources refused after a rename and an untag: the rename and the untag are applied, the tags are missing", async () => {
  const { client, calls } = fake({ tag: () => denied("TagResources") });
  const e = await failure(
    reconcile(
      client,
      "image-1",
      { imageName: "new", tags: tags({ team: "web2", env: "prod" }) },
      { imageName: "old", tags: { team: "web", tier: "base" }, managedKeys: ["team", "tier"] },
    ),
  );
  assert.deepEqual(calls, ['modify {"imageName":"new"}', "untag tier", "tag 2"]);
  assert.equal(e.action, "TagResources");
  assert.equal(e.applied.imageName, "new");
  assert.deepEqual(e.applied.tags, { team: "web" }, "a refused request changed nothing");
  assert.deepEqual(
    e.missingTags.map((t) => t.Key),
    ["team", "env"],
  );
  const m = describeReconcileFailure(e);
  assert.match(m, /^tagging failed: TagResources in cn-shanghai failed: AccessDenied/);
  assert.match(m, /lack the right ecs:TagResources/);
});

test("an ambiguous failure: the keys of that request are left out (they may or may not have changed); earlier batches count", async () => {
  const many = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`k${i}`, "v"]));
  const { client, calls } = fake({ tag: (n) => (n === 2 ? broken("TagResources") : undefined) });
  const e = await failure(reconcile(client, "image-1", { tags: tags(many) }, { tags: { k24: "old" }, managedKeys: [] }));
  assert.deepEqual(calls, ["tag 20", "tag 5"]);
  assert.equal(Object.keys(e.applied.tags).length, 20, "the first batch of 20 went through");
  assert.equal(e.applied.tags.k24, undefined, "k24 (in the failed batch) is not known any more");
  assert.doesNotMatch(describeReconcileFailure(e), /lack the right/, "no right to grant for a broken connection");
});

test("a refused rename: the old name stays; untag refused: the keys stay on the image", async () => {
  const r1 = await failure(
    reconcile(
      fake({ modify: denied("ModifyImageAttribute") }).client,
      "i",
      { imageName: "n", tags: [] },
      { imageName: "o", tags: {}, managedKeys: [] },
    ),
  );
  assert.equal(r1.applied.imageName, "o");
  assert.match(describeReconcileFailure(r1), /ecs:ModifyImageAttribute/);
  const r2 = await failure(
    reconcile(fake({ untag: denied("UntagResources", "LackPolicy") }).client, "i", { tags: [] }, { tags: { a: "1" }, managedKeys: ["a"] }),
  );
  assert.deepEqual(r2.applied.tags, { a: "1" });
  assert.match(describeReconcileFailure(r2), /^removing tags failed: .*LackPolicy.*ecs:UntagResources/s);
});

test("isAuthorizationError and the ownership-tag warning", () => {
  assert.equal(isAuthorizationError(denied("TagResources")), true);
  assert.equal(isAuthorizationError(denied("TagResources", "LackPolicy")), true);
  assert.equal(
    isAuthorizationError(new VolcengineError({ code: "Forbidden.RiskControl", action: "TagResources", region: "r", httpStatus: 403 })),
    true,
  );
  assert.equal(isAuthorizationError(new VolcengineError({ code: "InternalError", action: "TagResources", region: "r", httpStatus: 500 })), false);
  assert.equal(isAuthorizationError(new Error("AccessDenied")), false);
  const w = ownerTagWarning("image-1", new ReconcileError("TagResources", denied("TagResources"), { tags: {} }, []));
  assert.match(w, /ownership tag pulumi-copied-image:owner/);
  assert.match(w, /ecs:TagResources/);
  assert.match(w, /generated name only/);
  assert.match(w, /adoptImageId/);
});
