// The world-specific cases, each on a fresh state book after the scenario: a create timeout while
// the gateway stays bad, a copy deleted in the console then refreshed, keepSnapshotsOnDelete.
import assert from "node:assert/strict";
import { logged, messageOf, raw, waitFor, within, type Outcome } from "../faults/helpers";
import type { WorldBook } from "./book";
import type { Checks } from "./checks";
import { DEST, type WorldEnv, type WorldSpec } from "./sim";
import { C, STEP_MS, assertGatewayMessage, destroyAll, errOf, idOf, invariants, show, type Seen } from "./steps";

export interface Fresh {
  book: WorldBook;
  /** Snapshots that existed before the case (left by an earlier failure): not this case's leaks. */
  baseline: Set<string>;
}

/** A copy whose create timeout (1 min) ends while DescribeTasks and DescribeImages answer badly. */
export async function timeoutUnderBadGateway(
  spec: WorldSpec,
  w: WorldEnv,
  { book, baseline }: Fresh,
  checks: Checks,
  note: (o: Outcome) => Outcome,
  seen: Seen,
): Promise<void> {
  const { emu, lc } = w;
  const step = "create timeout (1m) under a bad gateway";
  const name = "gated";
  const bg = spec.badGateway!;
  const copies = logged(emu, "CopyImage", { status: 200 }).length;
  const start = emu.now().getTime();
  const run = within(STEP_MS, book.up(lc, name, raw(name, {}, { create: "1m" })), step).catch((e) => ({ ok: false as const, error: e as Error }));
  await waitFor(() => logged(emu, "CopyImage", { status: 200 }).length > copies, "its CopyImage", 15_000).catch(() => undefined);
  for (const action of ["DescribeTasks", "DescribeImages"]) emu.addFault({ kind: bg.fault, action, count: 500 } as never);
  const o = note(await run);
  const took = emu.now().getTime() - start;
  emu.clearFaults();
  await checks.check(C.createTimeout, step, () => {
    assert.ok(took <= 60_000 + 15_000, `the create with customTimeouts.create 1m took ${Math.round(took / 1000)} s simulated: ${show(o)}`);
  });
  await checks.check(C.recorded, step, () => assert.ok(o.ok || o.partial, `the copy is not recorded: ${show(o)}`));
  await checks.check(C.gatewayMessage, step, () => {
    assert.ok(!o.ok, "a 3-minute copy finished within a 1-minute timeout?");
    const m = errOf(o);
    if (bg.fault === "oversizedPage" && /Timed out after .*\(task [\w-]+, [1-9]\d*% done\)/s.test(m)) return; // the real entries came through: a plain timeout is right
    assertGatewayMessage(bg, m);
  });
  await invariants(checks, book, step, baseline);
  if (o.ok || !o.partial) return;
  const again = note(
    await within(STEP_MS, book.up(lc, name, raw(name, {}, { create: "1m", update: "10m" })), "resume").catch((e) => ({
      ok: false as const,
      error: e as Error,
    })),
  );
  await checks.check(C.resumed, `${step}: next up`, () => {
    assert.ok(again.ok, show(again));
    assert.equal(again.id, o.partial!.id, "the same copy");
    assert.equal(logged(emu, "CopyImage", { status: 200 }).length, copies + 1, "one CopyImage for it");
  });
  await invariants(checks, book, `${step}: next up`, baseline);
  await destroyAll(w, book, checks, `${step}: destroy`, seen, baseline);
}

/** keepSnapshotsOnDelete: true: destroy leaves the copy's snapshots and says so. */
export async function keepSnapshots(w: WorldEnv, { book, baseline }: Fresh, checks: Checks, note: (o: Outcome) => Outcome): Promise<void> {
  const { emu, lc } = w;
  const step = "keepSnapshotsOnDelete";
  const name = "keeper";
  const o = note(
    await within(STEP_MS, book.up(lc, name, raw(name, { keepSnapshotsOnDelete: true })), step).catch((e) => ({
      ok: false as const,
      error: e as Error,
    })),
  );
  const id = idOf(o);
  const snaps = id
    ? emu
        .snapshots(DEST)
        .filter((s) => s.ImageId === id)
        .map((s) => s.SnapshotId)
    : [];
  const logsBefore = w.logs.length;
  const del = book.get(name)
    ? await within(STEP_MS, book.recordDelete(name, lc.delete(book.get(name)!.id, book.get(name)!.outs)), "delete").catch((e) => ({
        ok: false as const,
        error: e as Error,
      }))
    : undefined;
  await checks.check(C.keep, step, () => {
    assert.ok(o.ok, show(o));
    assert.ok(del?.ok, `delete: ${del && !del.ok ? messageOf(del.error) : "not run"}`);
    assert.ok(snaps.length > 0, "the copy had snapshots");
    const left = emu
      .snapshots(DEST)
      .filter((s) => snaps.includes(s.SnapshotId))
      .map((s) => s.SnapshotId);
    assert.deepEqual(left, snaps, "its snapshots are still there");
    const said = w.logs.slice(logsBefore).filter((l) => /snapshot/i.test(l) && /kept|keep|left|retain|not deleted/i.test(l));
    assert.ok(said.length > 0, `no log line says the snapshots were kept; lines: ${w.logs.slice(logsBefore).join(" | ") || "(none)"}`);
    assert.ok(
      snaps.every((s) => said.some((l) => l.includes(s))),
      `the line names the snapshots ${snaps.join(", ")}: ${said.join(" | ")}`,
    );
  });
  await invariants(checks, book, step, new Set([...baseline, ...snaps]));
}

/** A copy deleted in the console, then refresh: it leaves the state, with no error. */
export async function consoleDelete(
  w: WorldEnv,
  { book, baseline }: Fresh,
  checks: Checks,
  note: (o: Outcome) => Outcome,
  seen: Seen,
): Promise<void> {
  const { emu, lc } = w;
  const step = "out-of-band delete + refresh";
  const name = "console";
  const o = note(await within(STEP_MS, book.up(lc, name, raw(name)), step).catch((e) => ({ ok: false as const, error: e as Error })));
  const id = idOf(o);
  if (id) emu.deleteImageOutOfBand(DEST, id);
  const errors = await within(STEP_MS, book.refresh(lc), "refresh");
  seen.push(...errors.map((e) => e.message));
  await checks.check(C.consoleDelete, step, () => {
    assert.ok(o.ok, show(o));
    assert.deepEqual(
      errors.map((e) => e.message),
      [],
      "refresh errors",
    );
    assert.equal(book.get(name), undefined, "the deleted copy left the state");
  });
  await invariants(checks, book, step, baseline);
}
