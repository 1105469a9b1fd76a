// What the scenario and the world-specific cases share: the check names, the invariants after every
// step, destroy, and small helpers on outcomes and the emulator.
import assert from "node:assert/strict";
import { logged, messageOf, privateImages, within, type Outcome } from "../faults/helpers";
import { SOURCE_IMAGE } from "../provider/env";
import type { WorldBook } from "./book";
import { RAW_TYPE_ERROR, type Checks } from "./checks";
import type { WorldEnv, WorldSpec } from "./sim";

export const C = {
  created: "create: both copies succeed",
  recorded: "a started copy is always recorded (ok or partial state)",
  images: "invariant: no image leaked or lost; each in the region and with the name the state says (every step)",
  snapshots: "invariant: no snapshot leaked (every step)",
  agree: "invariant: state and cloud agree on names and tags (every step)",
  snapshotIds: "output snapshotIds = the image's snapshots",
  failedCopy: "failed copy (copyFails): clear error, copy and snapshots cleaned up",
  refresh: "refresh reads every copy",
  update: "update (rename + change tags) succeeds",
  destroy: "destroy: nothing of ours remains (images, snapshots)",
  deleteParam: "DeleteImages sends DeleteBindedSnapshots=true explicitly",
  noTypeError: "no raw TypeError in any error or log line",
  detection: "progress: copy seen finished <= 10 s (simulated) after its task ends",
  cadence: "progress: DescribeTasks calls <= Terraform cadence for the same copy",
  plainWarn: "TagResources denied: copy without tags succeeds, at most one warning naming ecs:TagResources (exactly one if its tag could not be set)",
  taggedDenied: "TagResources denied: copy with tags -> error naming TagResources, code, right; recorded with only the real tags",
  updateDenied: "TagResources denied: tag update -> error naming TagResources, code, right",
  granted: "TagResources granted again: next up puts the tags on",
  createTimeout: "bad gateway: create timeout bounds the whole create (simulated)",
  gatewayMessage: "bad gateway: a wait ended by the gateway says what it answered, the action and for how long",
  resumed: "bad gateway: the next up completes the same copy (one CopyImage)",
  keep: "keepSnapshotsOnDelete: true leaves the snapshots and says so",
  consoleDelete: "refresh drops a copy deleted out of band",
} as const;

export function checksFor(spec: WorldSpec): string[] {
  const names: string[] = [
    C.created,
    C.recorded,
    C.images,
    C.snapshots,
    C.agree,
    C.snapshotIds,
    C.failedCopy,
    C.refresh,
    C.update,
    C.destroy,
    C.deleteParam,
    C.noTypeError,
  ];
  if (spec.progressChecks) names.push(C.detection, C.cadence);
  if (spec.tagDenied) names.push(C.plainWarn, C.taggedDenied, C.updateDenied, C.granted);
  if (spec.badGateway) names.push(C.createTimeout, C.gatewayMessage, C.resumed);
  if (spec.keepSnapshotsCase) names.push(C.keep);
  if (spec.consoleDeleteCase) names.push(C.consoleDelete);
  return names;
}

/** Real-time bound of one step, so that a hang fails its checks instead of the whole suite. */
export const STEP_MS = 45_000;
/** Errors and log lines seen in the run, for the raw-TypeError check. */
export type Seen = string[];

export const errOf = (o: Outcome) => (o.ok ? "" : messageOf(o.error));
export const idOf = (o: Outcome) => (o.ok ? o.id : o.partial?.id);
export const show = (o: Outcome) => (o.ok ? `ok ${o.id}` : `${o.partial ? `partial ${o.partial.id}` : "plain error"}: ${errOf(o)}`);

/** DescribeTasks calls so far whose ResourceIds name `imageId`. */
export function describeTasksFor(w: WorldEnv, imageId: string): number {
  return logged(w.emu, "DescribeTasks").filter((e) => Object.entries(e.params).some(([k, v]) => k.startsWith("ResourceIds.") && v === imageId))
    .length;
}

export function tagsOn(w: WorldEnv, imageId: string): Record<string, string> {
  const image = privateImages(w.emu).find((i) => i.ImageId === imageId);
  return Object.fromEntries((image?.Tags ?? []).filter((t) => t.Key !== "pulumi-copied-image:owner").map((t) => [t.Key, t.Value]));
}

export async function invariants(checks: Checks, book: WorldBook, step: string, keptSnapshots?: Set<string>): Promise<void> {
  await checks.check(C.images, step, () => book.assertMatchesEmulator(step));
  await checks.check(C.snapshots, step, () => book.assertNoSnapshotLeak(step, keptSnapshots));
  await checks.check(C.agree, step, () => book.assertTagsAgree(step));
}

export async function destroyAll(w: WorldEnv, book: WorldBook, checks: Checks, step: string, seen: Seen, keptSnapshots?: Set<string>): Promise<void> {
  const errors: string[] = [];
  for (const [key, e] of [...book.entries]) {
    const r = await within(STEP_MS, book.recordDelete(key, w.lc.delete(e.id, e.outs)), `delete of ${key}`).catch((err) => ({
      ok: false as const,
      error: err as Error,
    }));
    if (!r.ok) errors.push(`${key} (${e.id}): ${messageOf(r.error)}`);
  }
  seen.push(...errors);
  await checks.check(C.destroy, step, () => {
    assert.deepEqual(errors, [], "delete errors");
    assert.deepEqual(
      privateImages(w.emu).map((i) => `${i.ImageId} (${i.ImageName}, ${i.Status})`),
      [],
      "images of ours left",
    );
    const left = w.emu.snapshots().filter((s) => s.ImageId !== SOURCE_IMAGE && !keptSnapshots?.has(s.SnapshotId));
    assert.deepEqual(
      left.map((s) => `${s.SnapshotId} (${s.Region}, ${s.ImageId ?? "bound to no image"})`),
      [],
      "snapshots of ours left",
    );
  });
  await invariants(checks, book, step, keptSnapshots);
}

/** What an error from a wait that the gateway ended must say: the gateway's answer, the action, for how long. */
export function assertGatewayMessage(bg: NonNullable<WorldSpec["badGateway"]>, m: string): void {
  assert.doesNotMatch(m, RAW_TYPE_ERROR, "a raw TypeError");
  assert.match(m, bg.answered, `says what the gateway answered (${bg.answered}): ${m}`);
  assert.match(m, /DescribeTasks|DescribeImages/, `names the action: ${m}`);
  assert.match(m, /\b(for|over|during|since)\b[^.]{0,40}?\d+(\.\d+)?\s?(ms|s|m|h|sec|seconds|min|minutes)\b|\d+m\d+s/i, `says for how long: ${m}`);
}
