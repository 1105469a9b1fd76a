// Shared machinery of the fault suite: a simulated Pulumi state that records what the engine would
// save (results of create/update, the id and properties of partial-state errors), the check that
// the emulator holds exactly the private images that state says exist, and small waiting helpers.
//
// The point of the state book: a fault case is only "handled" if, afterwards, Pulumi's idea of the
// world and the world agree. An image the emulator holds but the state does not know is a leak
// (nobody will ever delete it); an id the state holds that the emulator does not is a loss.
import assert from "node:assert/strict";
import type { EmulatorHandle, EmulatorImage } from "../../emulator";
import type { CopiedImageLifecycle } from "../../provider/operations/lifecycle";
import { DEFAULT_RETRY, type RetryPolicy } from "../../provider/settings/tunables";
import { SOURCE_IMAGE, inputsFor, type TestEnv } from "../provider/env";

/** Every region the emulator knows by default: an image in any of them counts. */
export const REGIONS = ["cn-beijing", "cn-shanghai", "cn-guangzhou", "cn-hongkong", "ap-southeast-1", "ap-southeast-3"];

/** The production retry budget (attempt count), with delays scaled down to the test's fast clock. */
export const FAULT_RETRY: RetryPolicy = { retries: DEFAULT_RETRY.retries, minDelayMs: 20, maxDelayMs: 200, maxRetryTimeMs: 15_000 };

type Props = Record<string, unknown>;

export interface StateEntry {
  id: string;
  /** The outputs the engine would hold (what delete/update/diff receive as olds). */
  outs: Props;
  /** The checked inputs the engine would hold (olds of the next check). */
  inputs: Props;
  /** Set when the last create/update ended in a partial-state error (the engine marks an init error). */
  initError?: string;
}

export type Outcome = { ok: true; id: string; outs: Props } | { ok: false; error: Error; partial?: { id: string; properties: Props } };

/** The id and properties a partial-state error carries: the life cycle's `{id, properties}`, or the plugin's initFailure. */
export function partialOf(e: unknown): { id: string; properties: Props } | undefined {
  const x = e as { id?: unknown; properties?: unknown; initFailure?: { id: string; properties: Props } } | undefined;
  if (x?.initFailure && x.initFailure.id) return { id: x.initFailure.id, properties: x.initFailure.properties };
  if (typeof x?.id === "string" && x.id !== "" && x.properties && typeof x.properties === "object") {
    return { id: x.id, properties: x.properties as Props };
  }
  return undefined;
}

/** The message of an error from the life cycle (`message`) or from the plugin (`details`). */
export function messageOf(e: unknown): string {
  const x = e as { details?: string; message?: string };
  return String(x?.details ?? x?.message ?? e);
}

/**
 * What the engine would have in its state file, fed with the results of the operations a test
 * runs. Keys are resource names ("web", or "web~old" for the old half of a replacement).
 */
export class StateBook {
  readonly entries = new Map<string, StateEntry>();
  /** Snapshots that are not this book's to account for: those there before it, and those a delete kept on purpose (keepSnapshotsOnDelete). */
  private readonly notOurs: Set<string>;

  constructor(private readonly emulator: EmulatorHandle) {
    this.notOurs = new Set(emulator.snapshots().map((s) => s.SnapshotId));
  }

  get(name: string): StateEntry | undefined {
    return this.entries.get(name);
  }

  ids(): string[] {
    return [...this.entries.values()].map((e) => e.id);
  }

  /** Records a create as the engine does: success → the resource; partial-state error → the id and properties, with an init error. */
  async recordCreate(name: string, inputs: Props, op: Promise<{ id: string; outs?: object; properties?: object }>): Promise<Outcome> {
    try {
      const r = await op;
      const outs = (r.outs ?? r.properties)! as Props;
      this.entries.set(name, { id: r.id, outs, inputs });
      return { ok: true, id: r.id, outs };
    } catch (e) {
      const partial = partialOf(e);
      if (partial) this.entries.set(name, { id: partial.id, outs: partial.properties, inputs, initError: messageOf(e) });
      return { ok: false, error: e as Error, partial };
    }
  }

  /** Records an update: success → new outputs; partial-state error → its properties (init error); other errors leave the state as it was. */
  async recordUpdate(name: string, inputs: Props, op: Promise<{ outs?: object; properties?: object }>): Promise<Outcome> {
    const entry = this.entries.get(name);
    assert.ok(entry, `update of ${name}, which is not in the state`);
    try {
      const r = await op;
      const outs = (r.outs ?? r.properties)! as Props;
      this.entries.set(name, { id: entry.id, outs, inputs });
      return { ok: true, id: entry.id, outs };
    } catch (e) {
      const partial = partialOf(e);
      if (partial) this.entries.set(name, { id: partial.id, outs: partial.properties, inputs, initError: messageOf(e) });
      return { ok: false, error: e as Error, partial };
    }
  }

  /** Records a delete: success removes the resource; a failure keeps it. */
  async recordDelete(name: string, op: Promise<void>): Promise<{ ok: true } | { ok: false; error: Error }> {
    assert.ok(this.entries.has(name), `delete of ${name}, which is not in the state`);
    try {
      await op;
      const outs = this.entries.get(name)!.outs;
      if (outs.keepSnapshotsOnDelete === true && Array.isArray(outs.snapshotIds)) for (const s of outs.snapshotIds) this.notOurs.add(String(s));
      this.entries.delete(name);
      return { ok: true };
    } catch (e) {
      return { ok: false, error: e as Error };
    }
  }

  /**
   * One `pulumi up` of one resource through a life cycle, in the engine's order: check against the
   * old inputs, then create (not in state), or diff and update (changes, or an init error from last
   * time), or create-before-delete (replacement).
   */
  async up(lc: CopiedImageLifecycle, name: string, raw: Props): Promise<Outcome> {
    const entry = this.entries.get(name);
    const checked = lc.check(entry?.inputs ?? {}, raw);
    assert.deepEqual(checked.failures, [], `check of ${name}`);
    const inputs = checked.inputs;
    if (!entry) return this.recordCreate(name, inputs, lc.create(inputs));
    const d = lc.diff(entry.id, entry.outs, inputs);
    if (d.replaces.length > 0) {
      // Create the replacement first; the old copy is deleted only once the new one exists.
      this.entries.set(`${name}~old`, entry);
      this.entries.delete(name);
      const created = await this.recordCreate(name, inputs, lc.create(inputs));
      if (!created.ok && !created.partial) {
        this.entries.set(name, entry);
        this.entries.delete(`${name}~old`);
        return created;
      }
      if (created.ok) {
        const del = await this.recordDelete(`${name}~old`, lc.delete(entry.id, entry.outs));
        if (!del.ok) return { ok: false, error: del.error };
      }
      return created;
    }
    if (d.changes || entry.initError) return this.recordUpdate(name, inputs, lc.update(entry.id, entry.outs, inputs));
    return { ok: true, id: entry.id, outs: entry.outs };
  }

  /** Runs `up` until it succeeds, at most `runs` times (each run is a new `pulumi up`); returns every outcome. */
  async upUntilConverged(lc: CopiedImageLifecycle, name: string, raw: Props, runs = 3): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (let i = 0; i < runs; i++) {
      const o = await this.up(lc, name, raw);
      outcomes.push(o);
      if (o.ok) return outcomes;
    }
    assert.fail(`${name} did not converge in ${runs} runs: ${outcomes.map((o) => (o.ok ? "ok" : messageOf(o.error))).join(" | ")}`);
  }

  /** `pulumi destroy` of one resource (and the old half of an unfinished replacement). */
  async destroy(lc: CopiedImageLifecycle, name: string): Promise<void> {
    for (const key of [name, `${name}~old`]) {
      const entry = this.entries.get(key);
      if (!entry) continue;
      const r = await this.recordDelete(key, lc.delete(entry.id, entry.outs));
      if (!r.ok) throw r.error;
    }
  }

  async destroyAll(lc: CopiedImageLifecycle): Promise<void> {
    for (const key of [...this.entries.keys()]) {
      const entry = this.entries.get(key)!;
      const r = await this.recordDelete(key, lc.delete(entry.id, entry.outs));
      if (!r.ok) throw r.error;
    }
  }

  /**
   * The emulator holds exactly the private images the state says exist (no leak, no loss), each in
   * the region the state says, and a resource the state calls `available` is an available image with
   * the name the state records. Snapshots are what a copy is billed as, so they count too: a
   * snapshot bound to no image, or to an image the state does not hold, is leaked (except the
   * source's, those there before the book, and those a delete kept on purpose).
   */
  assertMatchesEmulator(context: string): void {
    const actual = privateImages(this.emulator);
    const byId = new Map(actual.map((i) => [i.ImageId, i]));
    const stateIds = new Set(this.ids());
    const leaked = actual.filter((i) => !stateIds.has(i.ImageId)).map((i) => `${i.ImageId} (${i.Region}, ${i.ImageName}, ${i.Status})`);
    const lost = [...this.entries.entries()].filter(([, e]) => !byId.has(e.id)).map(([k, e]) => `${k}=${e.id}`);
    const leakedSnapshots = this.emulator
      .snapshots()
      .filter((s) => !this.notOurs.has(s.SnapshotId) && s.ImageId !== SOURCE_IMAGE && (s.ImageId === null || !stateIds.has(s.ImageId)))
      .map((s) => `${s.SnapshotId} (${s.Region}, ${s.VolumeKind}, ${s.ImageId === null ? "bound to no image" : `of ${s.ImageId}`})`);
    assert.deepEqual(
      { leaked, lost, leakedSnapshots },
      { leaked: [], lost: [], leakedSnapshots: [] },
      `${context}: the emulator and the state disagree`,
    );
    for (const [key, e] of this.entries) {
      const image = byId.get(e.id)!;
      assert.equal(image.Region, e.outs.destinationRegion, `${context}: ${key} is in the region the state says`);
      assert.equal(e.outs.imageId, e.id, `${context}: ${key}'s outputs name its id`);
      if (e.outs.status === "available") {
        assert.equal(image.Status, "available", `${context}: ${key} is available as the state says`);
        assert.equal(image.ImageName, e.outs.imageName, `${context}: ${key}'s name is what the state says`);
      }
    }
  }

  /** The resource is in the state with no init error, `available`, and the emulator agrees with the whole state. */
  assertConverged(name: string, context: string): StateEntry {
    const e = this.entries.get(name);
    assert.ok(e, `${context}: ${name} is in the state`);
    assert.equal(e.initError, undefined, `${context}: ${name} has no init error`);
    assert.equal(e.outs.status, "available", `${context}: ${name} is available in the state`);
    assert.equal(e.outs.progress, 100, `${context}: ${name} shows 100%`);
    this.assertMatchesEmulator(context);
    // The outputs describe the real image, not a stale or partial picture of it.
    const image = privateImages(this.emulator).find((i) => i.ImageId === e.id)!;
    const described = {
      size: e.outs.size,
      osName: e.outs.osName,
      osType: e.outs.osType,
      architecture: e.outs.architecture,
      bootMode: e.outs.bootMode,
      visibility: e.outs.visibility,
      createdAt: e.outs.createdAt,
      description: e.outs.description,
    };
    const real = {
      size: image.Size,
      osName: image.OsName,
      osType: image.OsType,
      architecture: image.Architecture,
      bootMode: image.BootMode,
      visibility: image.Visibility,
      createdAt: image.CreatedAt,
      description: image.Description,
    };
    assert.deepEqual(described, real, `${context}: ${name}'s outputs describe the real image ${e.id}`);
    return e;
  }
}

/** The caller's custom images in every region, except the seeded source image. */
export function privateImages(emulator: EmulatorHandle): EmulatorImage[] {
  return REGIONS.flatMap((r) => emulator.images(r)).filter((i) => i.Visibility === "private" && i.ImageId !== SOURCE_IMAGE);
}

/** Removes every copy a previous (failed) case left behind, so one failure does not cascade into the next case. */
export function sweep(emulator: EmulatorHandle): string[] {
  const left = privateImages(emulator);
  for (const i of left) emulator.deleteImageOutOfBand(i.Region, i.ImageId);
  return left.map((i) => i.ImageId);
}

/** Logged requests of one action (optionally with one error code / HTTP status). */
export function logged(emulator: EmulatorHandle, action: string, filter: { errorCode?: string; status?: number } = {}) {
  return emulator
    .log()
    .filter((e) => e.action === action)
    .filter((e) => filter.errorCode === undefined || e.errorCode === filter.errorCode)
    .filter((e) => filter.status === undefined || e.status === filter.status);
}

/** The faults still active in the emulator (from its control endpoint): a fault with `count` disappears once used up. */
export async function activeFaults(env: TestEnv): Promise<{ id: string; kind: string; action?: string; remaining: number | null }[]> {
  const r = await fetch(`${env.endpoint}/_emulator/faults`);
  assert.equal(r.status, 200);
  return (await r.json()) as { id: string; kind: string; action?: string; remaining: number | null }[];
}

/** Polls `pred` every 10 ms until it returns a truthy value; fails after `timeoutMs`. */
export async function waitFor<T>(pred: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > until) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Fails (instead of hanging the suite) when `p` does not settle within `ms`. */
export async function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms (a hang)`)), ms);
  });
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Raw inputs of a resource, with optional customTimeouts (forwarded in __meta as the resource class does). */
export function raw(name: string, extra: Props = {}, timeouts?: { create?: string; update?: string; delete?: string }): Props {
  const base = inputsFor(name, extra);
  if (timeouts) base.__meta = { ...(base.__meta as Props), timeouts };
  return base;
}
