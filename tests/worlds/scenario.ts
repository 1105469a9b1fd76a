// The focused scenario every world runs, as `pulumi up`, `pulumi refresh` and `pulumi destroy` would
// drive the life cycle (through the StateBook):
//   create   two copies at once, "tagged" (with tags) and "plain" (without);
//   failed   a third copy whose task fails (fault copyFails), which must be cleaned up;
//   refresh  read every copy;
//   update   rename both and change their tags;
//   destroy  delete everything.
// After each step the invariants (no image leaked or lost, no snapshot leaked, state and cloud
// agree), and the world's own expectations (see WorldSpec). Failures are collected, not thrown: the
// scenario goes on so that the table shows every failing check of a world, not only the first.
import assert from "node:assert/strict";
import { logged, messageOf, privateImages, raw, sweep, waitFor, within, type Outcome } from "../faults/helpers";
import { WorldBook } from "./book";
import { Checks, RAW_TYPE_ERROR, oneLine, type CheckResult } from "./checks";
import { COPY_MS, DEST, startWorld, terraformLooks, type WorldEnv, type WorldSpec } from "./sim";
import { C, STEP_MS, assertGatewayMessage, checksFor, describeTasksFor, destroyAll, errOf, idOf, invariants, show, tagsOn, type Seen } from "./steps";
import { consoleDelete, keepSnapshots, timeoutUnderBadGateway } from "./cases";

const A = "tagged";
const B = "plain";
const F = "doomed";
const TAGS_A = { team: "web", tier: "base" };
const UPDATE: Record<string, { imageName: string; tags: Record<string, string> }> = {
  [A]: { imageName: "tagged-renamed", tags: { team: "web2", env: "prod" } }, // one changed, one removed, one added
  [B]: { imageName: "plain-renamed", tags: { owner: "ops" } }, // first tags
};

const denialRe = (spec: WorldSpec) => new RegExp(spec.world.denial ?? "AccessDenied");

function assertNamesTagRight(spec: WorldSpec, message: string): void {
  assert.match(message, /TagResources/, `names the action TagResources: ${message}`);
  assert.match(message, denialRe(spec), `names the code ${spec.world.denial ?? "AccessDenied"}: ${message}`);
  assert.match(message, /ecs:TagResources/, `names the right to grant (ecs:TagResources): ${message}`);
}

export async function runWorld(spec: WorldSpec): Promise<CheckResult[]> {
  const checks = new Checks(checksFor(spec));
  const w = await startWorld(spec);
  const book = new WorldBook(w.emu);
  const seen: Seen = [];
  const note = (o: Outcome) => {
    if (!o.ok) seen.push(messageOf(o.error));
    return o;
  };
  try {
    await scenario(spec, w, book, checks, note, seen);
  } catch (e) {
    checks.fail(C.created, "scenario", `the scenario itself broke: ${(e as Error).stack ?? messageOf(e)}`);
  } finally {
    await checks.check(C.noTypeError, "whole run", () => {
      const raw = [...seen, ...w.logs].filter((m) => RAW_TYPE_ERROR.test(m));
      assert.deepEqual(
        raw.map((m) => oneLine(m, 300)),
        [],
        "raw TypeErrors in errors or log lines",
      );
    });
    await w.stop();
  }
  return checks.all().map((r) => (r.ran === 0 ? { ...r, failures: [`did not run (an earlier step failed before it)`] } : r));
}

async function scenario(spec: WorldSpec, w: WorldEnv, book: WorldBook, checks: Checks, note: (o: Outcome) => Outcome, seen: Seen): Promise<void> {
  const { emu, lc } = w;
  const timeouts = spec.badGateway ? { create: "10m" } : undefined;
  const tagsIgnored = spec.world.tagsOnCopyImage === "ignored";

  // ------------------------------------------------------------------ create: two copies at once
  let step = "create";
  const createStart = emu.now().getTime();
  const resolved: Record<string, { at: number; describeTasks: number }> = {};
  const createOne = async (name: string, input: Record<string, unknown>) => {
    const o = note(await within(STEP_MS, book.up(lc, name, input), `create of ${name}`).catch((e) => ({ ok: false as const, error: e as Error })));
    const id = idOf(o);
    resolved[name] = { at: emu.now().getTime(), describeTasks: id ? describeTasksFor(w, id) : 0 };
    return o;
  };
  const gateway = spec.badGateway
    ? waitFor(() => logged(emu, "CopyImage", { status: 200 }).length >= 2, "both CopyImage calls", 15_000)
        .catch(() => undefined)
        .then(() => {
          for (const action of ["DescribeTasks", "DescribeImages"])
            emu.addFault({ kind: spec.badGateway!.fault, action, count: spec.badGateway!.count } as never);
        })
    : Promise.resolve();
  const logsBefore = w.logs.length;
  const [oA, oB] = await Promise.all([createOne(A, raw(A, { tags: TAGS_A }, timeouts)), createOne(B, raw(B, {}, timeouts)), gateway]);
  const createLogs = w.logs.slice(logsBefore);

  await checks.check(C.created, step, () => {
    const expectOk =
      spec.tagDenied && tagsIgnored
        ? [[B, oB]]
        : [
            [A, oA],
            [B, oB],
          ];
    for (const [name, o] of expectOk as [string, Outcome][]) assert.ok(o.ok, `${name}: ${show(o)}`);
  });
  await checks.check(C.recorded, step, () => {
    for (const [name, o] of [
      [A, oA],
      [B, oB],
    ] as [string, Outcome][])
      assert.ok(o.ok || o.partial, `${name} started a copy but is not recorded: ${show(o)}`);
  });
  await invariants(checks, book, step);
  await checks.check(C.snapshotIds, step, () => book.assertSnapshotIds(step));

  if (spec.badGateway) {
    await checks.check(C.createTimeout, step, () => {
      for (const name of [A, B]) {
        const took = resolved[name].at - createStart;
        assert.ok(took <= 10 * 60_000 + 15_000, `${name}'s create took ${Math.round(took / 1000)} s simulated, past its 10m timeout`);
      }
    });
  }

  if (spec.badGateway) {
    // A create that the bad answers ended (rather than finished) must say what the gateway did.
    for (const [name, o] of [
      [A, oA],
      [B, oB],
    ] as [string, Outcome][]) {
      if (!o.ok) await checks.check(C.gatewayMessage, `${step} ${name}`, () => assertGatewayMessage(spec.badGateway!, errOf(o)));
    }
  }

  if (spec.progressChecks) {
    for (const [name, o] of [
      [A, oA],
      [B, oB],
    ] as [string, Outcome][]) {
      const id = idOf(o);
      const task = id ? emu.tasks(DEST).find((t) => t.ResourceId === id) : undefined;
      await checks.check(C.detection, `${step} ${name}`, () => {
        assert.ok(o.ok && task, `${name} did not finish: ${show(o)}`);
        const lag = resolved[name].at - task.EndsAtMs;
        checks.info(C.detection, `${name} ${(lag / 1000).toFixed(1)} s`);
        assert.ok(
          lag >= 0 && lag <= 10_000,
          `${name} (${id}) seen finished ${(lag / 1000).toFixed(1)} s after its task ended (profile ${spec.world.progressProfile ?? "linear"})`,
        );
      });
      await checks.check(C.cadence, `${step} ${name}`, () => {
        assert.ok(o.ok && task, `${name} did not finish: ${show(o)}`);
        const calls = resolved[name].describeTasks;
        const budget = terraformLooks(COPY_MS);
        checks.info(C.cadence, `${name} ${calls}/${budget}`);
        assert.ok(
          calls <= budget,
          `${name} (${id}): ${calls} DescribeTasks calls, Terraform's cadence makes ${budget} for a ${COPY_MS / 1000} s copy`,
        );
      });
    }
  }

  if (spec.tagDenied) {
    await checks.check(C.plainWarn, step, () => {
      assert.ok(oB.ok, `the copy without tags failed: ${show(oB)}`);
      const warnings = createLogs.filter((l) => l.includes(`CopiedImage ${B}`) && /ecs:TagResources/.test(l));
      const ownerTagSet = privateImages(emu)
        .find((i) => i.ImageId === oB.id)
        ?.Tags.some((t) => t.Key === "pulumi-copied-image:owner");
      assert.ok(warnings.length <= 1, `more than one warning: ${warnings.join(" | ")}`);
      if (!ownerTagSet) {
        assert.equal(
          warnings.length,
          1,
          `its ownership tag could not be set (TagResources denied) and no warning names ecs:TagResources; its log lines: ${createLogs.filter((l) => l.includes(`CopiedImage ${B}`)).join(" | ") || "(none)"}`,
        );
      }
    });
    await checks.check(C.taggedDenied, step, () => {
      if (!tagsIgnored) {
        // Tags.N on CopyImage is applied in this world: the tags need no TagResources; the copy succeeds with them.
        assert.ok(oA.ok, `tags applied by CopyImage, yet: ${show(oA)}`);
        assert.deepEqual(tagsOn(w, oA.id), TAGS_A);
        return;
      }
      assert.ok(
        !oA.ok,
        `the copy with tags succeeded although its tags could not be set: tags on the image ${JSON.stringify(oA.ok ? tagsOn(w, oA.id) : {})}`,
      );
      assert.ok(oA.partial, `the copy with tags is not recorded: ${show(oA)}`);
      assertNamesTagRight(spec, errOf(oA));
      const recorded = (book.outs(A)?.tags ?? {}) as Record<string, string>;
      assert.deepEqual(recorded, tagsOn(w, oA.partial.id), "the recorded outputs hold only the tags really on the image");
    });
  }

  if (spec.badGateway) {
    // The faults were bounded; whatever did not converge is completed by the next `pulumi up`.
    emu.clearFaults();
    for (const [name, o, input] of [
      [A, oA, raw(A, { tags: TAGS_A }, timeouts)],
      [B, oB, raw(B, {}, timeouts)],
    ] as [string, Outcome, Record<string, unknown>][]) {
      if (o.ok || !o.partial) continue;
      const copies = logged(emu, "CopyImage", { status: 200 }).length;
      const again = note(await within(STEP_MS, book.up(lc, name, input), `second up of ${name}`));
      await checks.check(C.resumed, `${step}: second up of ${name}`, () => {
        assert.ok(again.ok, show(again));
        assert.equal(again.id, o.partial!.id, "the same copy");
        assert.equal(logged(emu, "CopyImage", { status: 200 }).length, copies, "no second CopyImage");
      });
      await invariants(checks, book, `${step}: second up of ${name}`);
    }
  }

  // ------------------------------------------------------------------ a failed copy, cleaned up
  step = "failed copy";
  emu.clearFaults();
  emu.addFault({ kind: "copyFails", atPercent: 40, count: 1 });
  const oF = note(await within(STEP_MS, book.up(lc, F, raw(F)), "failed copy").catch((e) => ({ ok: false as const, error: e as Error })));
  emu.clearFaults();
  await checks.check(C.failedCopy, step, () => {
    assert.ok(!oF.ok, `the failing copy succeeded: ${show(oF)}`);
    const task = emu.tasks(DEST).at(-1);
    assert.equal(task?.Status, "Failed", "the newest task is the failed copy's");
    assert.match(errOf(oF), new RegExp(`${task!.ResourceId}.*failed`, "s"), "the error names the failed copy");
    assert.equal(oF.partial, undefined, `the failed copy should be deleted, not recorded: ${errOf(oF)}`);
    assert.equal(
      privateImages(emu).some((i) => i.ImageId === task!.ResourceId),
      false,
      "the failed copy's image is gone",
    );
    const left = emu.snapshots(DEST).filter((s) => s.ImageId === task!.ResourceId || s.ImageId === null);
    assert.deepEqual(
      left.map((s) => `${s.SnapshotId} (${s.ImageId ?? "bound to no image"})`),
      [],
      "the failed copy's snapshots are gone",
    );
  });
  await invariants(checks, book, step);

  // ------------------------------------------------------------------ refresh
  step = "refresh";
  const before = book.ids().sort();
  const refreshErrors = await within(STEP_MS, book.refresh(lc), "refresh");
  seen.push(...refreshErrors.map((e) => e.message));
  await checks.check(C.refresh, step, () => {
    assert.deepEqual(
      refreshErrors.map((e) => e.message),
      [],
      "read errors",
    );
    assert.deepEqual(book.ids().sort(), before, "refresh dropped or changed a copy that exists");
  });
  await invariants(checks, book, step);
  await checks.check(C.snapshotIds, step, () => book.assertSnapshotIds(step));

  // ------------------------------------------------------------------ update: rename + change tags
  step = "update";
  const upInputs = (name: string) => raw(name, { ...UPDATE[name] }, timeouts);
  const inState = [A, B].filter((n) => book.get(n));
  const updates = await Promise.all(
    inState.map(
      async (n) =>
        [
          n,
          note(await within(STEP_MS, book.up(lc, n, upInputs(n)), `update of ${n}`).catch((e) => ({ ok: false as const, error: e as Error }))),
        ] as const,
    ),
  );
  if (spec.tagDenied) {
    await checks.check(C.updateDenied, step, () => {
      for (const [n, o] of updates) {
        assert.ok(!o.ok, `${n}'s tag update succeeded although TagResources is denied (tags now ${JSON.stringify(tagsOn(w, idOf(o) ?? ""))})`);
        assertNamesTagRight(spec, errOf(o));
      }
    });
  } else {
    await checks.check(C.update, step, () => {
      assert.deepEqual(inState, [A, B], "both copies are in the state to update");
      for (const [n, o] of updates) {
        assert.ok(o.ok, `${n}: ${show(o)}`);
        const image = privateImages(emu).find((i) => i.ImageId === o.id);
        assert.equal(image?.ImageName, UPDATE[n].imageName, `${n} renamed`);
        assert.deepEqual(tagsOn(w, o.id), UPDATE[n].tags, `${n}'s tags changed`);
      }
    });
  }
  await invariants(checks, book, step);
  await checks.check(C.snapshotIds, step, () => book.assertSnapshotIds(step));

  if (spec.tagDenied) {
    step = "update after the grant";
    emu.setWorld({ deniedActions: [] });
    const again = await Promise.all(
      inState.map(
        async (n) =>
          [
            n,
            note(await within(STEP_MS, book.up(lc, n, upInputs(n)), `up of ${n}`).catch((e) => ({ ok: false as const, error: e as Error }))),
          ] as const,
      ),
    );
    await checks.check(C.granted, step, () => {
      assert.deepEqual(inState, [A, B], "both copies are in the state");
      for (const [n, o] of again) {
        assert.ok(o.ok, `${n}: ${show(o)}`);
        assert.deepEqual(tagsOn(w, o.id), UPDATE[n].tags, `${n}'s tags are on the image`);
        assert.equal(privateImages(emu).find((i) => i.ImageId === o.id)?.ImageName, UPDATE[n].imageName, `${n} renamed`);
      }
    });
    await invariants(checks, book, step);
    // The update step's check stays in the table for these worlds too.
    await checks.check(C.update, step, () => {
      for (const [n, o] of again) assert.ok(o.ok, `${n}: ${show(o)}`);
    });
  }

  // ------------------------------------------------------------------ destroy
  step = "destroy";
  await destroyAll(w, book, checks, step, seen);
  await checks.check(C.deleteParam, step, () => {
    const sent = logged(emu, "DeleteImages").map(
      (e) => `${e.params["ImageIds.1"]}: DeleteBindedSnapshots=${e.params.DeleteBindedSnapshots ?? "(absent)"}`,
    );
    assert.ok(sent.length > 0, "no DeleteImages call");
    assert.deepEqual(
      sent.filter((s) => !s.endsWith("=true")),
      [],
      "DeleteImages calls without DeleteBindedSnapshots=true",
    );
  });

  // ------------------------------------------------------------------ world-specific cases
  // Each case starts from a clean cloud and an empty state, so that a failure above (e.g. a destroy
  // that left copies) is reported once, there, and does not cascade into these cases' checks.
  const fresh = () => {
    sweep(emu);
    emu.clearFaults();
    return { book: new WorldBook(emu), baseline: new Set(emu.snapshots().map((s) => s.SnapshotId)) };
  };
  if (spec.badGateway) await timeoutUnderBadGateway(spec, w, fresh(), checks, note, seen);
  if (spec.consoleDeleteCase) await consoleDelete(w, fresh(), checks, note, seen);
  if (spec.keepSnapshotsCase) await keepSnapshots(w, fresh(), checks, note);
}
