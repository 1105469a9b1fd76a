// The world matrix's own state book: tests/faults/helpers.ts's StateBook (unchanged, extended here
// rather than edited, since that file belongs to the fault suite) plus what the matrix needs on top:
// - `refresh`, as `pulumi refresh` calls read for every resource and drops the ones read as gone;
// - the snapshot leak check (every snapshot belongs to an image in the state, or to the source);
// - the tag agreement check (the recorded outputs hold only tags really on the image; a resource
//   without an init error records exactly the image's managed tags);
// - the snapshotIds output check.
import assert from "node:assert/strict";
import type { EmulatorHandle, EmulatorImage } from "../../emulator";
import { StateBook, messageOf, privateImages } from "../faults/helpers";
import { SOURCE_IMAGE } from "../provider/env";
import type { Lifecycle } from "./sim";

/** The provider's ownership tag (lifecycle.ts's OWNER_TAG_KEY; repeated here to import nothing from provider/). */
export const OWNER_TAG_KEY = "pulumi-copied-image:owner";

type Props = Record<string, unknown>;

export class WorldBook extends StateBook {
  constructor(private readonly emu: EmulatorHandle) {
    super(emu);
  }

  /** `pulumi refresh`: read every resource; a resource read as gone leaves the state; an error leaves it as it was (and is returned). */
  async refresh(lc: Lifecycle): Promise<Error[]> {
    const errors: Error[] = [];
    for (const [key, e] of [...this.entries]) {
      try {
        const r = await lc.read(e.id, e.outs);
        if (!r.id) this.entries.delete(key);
        else this.entries.set(key, { ...e, id: r.id, outs: (r.props as Props | undefined) ?? e.outs });
      } catch (err) {
        errors.push(new Error(`read of ${key} (${e.id}) failed: ${messageOf(err)}`));
      }
    }
    return errors;
  }

  image(id: string): EmulatorImage | undefined {
    return privateImages(this.emu).find((i) => i.ImageId === id);
  }

  /** No snapshot is bound to nothing, and every bound snapshot belongs to an image in the state or to the source. */
  assertNoSnapshotLeak(context: string, allowed: Set<string> = new Set()): void {
    const ids = new Set([...this.ids(), SOURCE_IMAGE]);
    const bad = this.emu
      .snapshots()
      .filter((s) => !allowed.has(s.SnapshotId))
      .filter((s) => s.ImageId === null || !ids.has(s.ImageId))
      .map(
        (s) => `${s.SnapshotId} (${s.Region}, ${s.VolumeKind}, ${s.ImageId === null ? "bound to no image" : `of ${s.ImageId}, not in the state`})`,
      );
    assert.deepEqual(bad, [], `${context}: snapshots leaked`);
  }

  /** Names and tags: the state says what the cloud has. */
  assertTagsAgree(context: string): void {
    for (const [key, e] of this.entries) {
      const image = this.image(e.id);
      if (!image) continue; // a loss; assertMatchesEmulator reports it
      const real = Object.fromEntries(image.Tags.filter((t) => t.Key !== OWNER_TAG_KEY).map((t) => [t.Key, t.Value]));
      const recorded = (e.outs.tags ?? {}) as Record<string, string>;
      const notReal = Object.entries(recorded)
        .filter(([k, v]) => real[k] !== v)
        .map(([k, v]) => `${k}=${v}`);
      assert.deepEqual(notReal, [], `${context}: ${key}'s recorded outputs hold tags that are not on ${e.id} (real tags: ${JSON.stringify(real)})`);
      if (e.initError === undefined) {
        assert.deepEqual(real, recorded, `${context}: ${key} (no init error) records exactly the tags on ${e.id}`);
      }
    }
  }

  /** Every available resource in the state has `snapshotIds` = the ids of its image's snapshots. */
  assertSnapshotIds(context: string): void {
    for (const [key, e] of this.entries) {
      const image = this.image(e.id);
      if (!image || e.outs.status !== "available") continue;
      const want = image.Snapshots.map((s) => s.SnapshotId);
      assert.ok(want.length > 0, `${context}: ${e.id} has snapshots in the emulator`);
      assert.deepEqual(e.outs.snapshotIds, want, `${context}: ${key}'s output snapshotIds names its image's snapshots`);
    }
  }

  /** The state's outputs for a resource (for world-specific checks). */
  outs(name: string): Props | undefined {
    return this.get(name)?.outs;
  }
}
