// The region batcher through the life cycle, against the emulator, in each answer the docs allow
// (unknown ids: an empty list or a whole-request InvalidImage.NotFound; DeleteImages: successes left
// out or listed): many concurrent refreshes share a few DescribeImages, many concurrent deletes a few
// DeleteImages, and each copy still gets its own answer (a copy deleted in the console reads as gone).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestEnv, inputsFor, CANARY, SOURCE_REGION, type TestEnv } from "../env";
import type { World } from "../../../emulator";

const COPIES = 30;
const DEST = "cn-shanghai";

let env: TestEnv;
before(async () => {
  env = await startTestEnv({ copyDurationMs: 60_000 });
});
after(async () => {
  await env.stop();
});

/** A life cycle as production runs it: a fresh session with the default rate limit (10 a second, burst 20). */
function productionRate() {
  return env.newLifecycle({
    env: {
      VOLCENGINE_ACCESS_KEY: CANARY.accessKey,
      VOLCENGINE_SECRET_KEY: CANARY.secretKey,
      VOLCENGINE_SESSION_TOKEN: CANARY.sessionToken,
      VOLCENGINE_REGION: SOURCE_REGION,
      VOLCENGINE_ENDPOINT: env.endpoint,
    },
  });
}

function requests(action: string): { count: number; ids: number } {
  const entries = env.emulator.log().filter((e) => e.action === action);
  return { count: entries.length, ids: entries.reduce((n, e) => n + Object.keys(e.params).filter((k) => k.startsWith("ImageIds.")).length, 0) };
}

const WORLDS: { name: string; world: Partial<World> }[] = [
  { name: "unknown ids as an empty list, deleted ids left out", world: { describeImagesUnknownId: "empty", deleteImagesSuccesses: "omitted" } },
  {
    name: "unknown ids as a whole-request NotFound, deleted ids listed",
    world: { describeImagesUnknownId: "notFound", deleteImagesSuccesses: "listed" },
  },
];

for (const { name, world } of WORLDS) {
  test(`${name}: ${COPIES} concurrent refreshes and deletes share requests, each copy gets its own answer`, async () => {
    env.emulator.setWorld(world);
    const copies = await Promise.all(
      Array.from({ length: COPIES }, async (_, n) => {
        const checked = env.lifecycle.check({}, inputsFor(`batched-${world.describeImagesUnknownId}-${n}`, { destinationRegion: DEST }));
        assert.deepEqual(checked.failures, []);
        return env.lifecycle.create(checked.inputs);
      }),
    );
    const goneInConsole = copies[7]!.id;
    assert.equal(env.emulator.deleteImageOutOfBand(DEST, goneInConsole), true);

    const lifecycle = productionRate();
    env.emulator.clearLog();
    const reads = await Promise.all(copies.map((c) => lifecycle.read(c.id, c.outs)));
    for (const [n, r] of reads.entries()) {
      if (copies[n]!.id === goneInConsole) assert.deepEqual(r, {}, "the copy deleted in the console reads as gone");
      else assert.equal(r.props?.imageId, copies[n]!.id);
    }
    const described = requests("DescribeImages");
    const readBound = world.describeImagesUnknownId === "empty" ? COPIES / 3 : COPIES + 3; // "notFound": the unknown id is found out id by id
    assert.ok(described.count <= readBound, `${described.count} DescribeImages for ${COPIES} refreshes (at most ${readBound})`);
    assert.ok(described.ids <= COPIES + described.count, "no id asked more than it needs");

    env.emulator.clearLog();
    const alive = copies.filter((c) => c.id !== goneInConsole);
    await Promise.all(alive.map((c) => lifecycle.delete(c.id, c.outs)));
    for (const c of alive)
      assert.equal(
        env.emulator.images(DEST).some((i) => i.ImageId === c.id),
        false,
        `${c.id} is deleted`,
      );
    const deletes = requests("DeleteImages");
    assert.ok(deletes.count <= COPIES / 3, `${deletes.count} DeleteImages for ${alive.length} deletes`);
    assert.equal(deletes.ids, alive.length, "each image named once");
    const theirs = new Set(alive.flatMap((c) => (c.outs.snapshotIds as string[] | undefined) ?? []));
    assert.ok(theirs.size >= alive.length);
    const left = env.emulator.snapshots(DEST).filter((s) => theirs.has(s.SnapshotId));
    assert.deepEqual(left, [], "every copy's snapshots went with it (DeleteBindedSnapshots=true)");
    // Deleting one already gone (a retried destroy) still succeeds, next to deletes that do work.
    await lifecycle.delete(goneInConsole, copies[7]!.outs);
  });
}

/** DescribeImages requests that look images up by name or list them (no ImageIds). */
function lookups(): { ImageName?: string }[] {
  return env.emulator
    .log()
    .filter((e) => e.action === "DescribeImages" && !Object.keys(e.params).some((k) => k.startsWith("ImageIds.")))
    .map((e) => e.params);
}

test("concurrent creates look for their own copies in one listing, and still adopt the copy a lost run started; a lone create filters by its name", async () => {
  env.emulator.setWorld({});
  const checked = (n: number | string) => env.lifecycle.check({}, inputsFor(`lookup-${n}`, { destinationRegion: DEST })).inputs;
  // A run that died after CopyImage: the copy of lookup-3 is there, its state is not.
  const lost = await env.lifecycle.create(checked(3));

  env.emulator.clearLog();
  const created = await Promise.all(Array.from({ length: 10 }, (_, n) => env.lifecycle.create(checked(n))));
  assert.equal(created[3]!.id, lost.id, "the lost run's copy is adopted, not copied again");
  assert.equal(env.emulator.log().filter((e) => e.action === "CopyImage").length, 9);
  const shared = lookups();
  assert.ok(shared.length >= 1 && shared.length <= 2, `${shared.length} lookups for 10 creates (at most 2)`);
  assert.ok(
    shared.every((p) => p.ImageName === undefined),
    "the shared lookup lists the region instead of filtering by one name",
  );

  env.emulator.clearLog();
  const alone = checked("alone");
  await env.lifecycle.create(alone);
  assert.deepEqual(
    lookups().map((p) => p.ImageName),
    [alone.imageName],
    "a lone lookup is one request filtered by its name",
  );
});
