// Worlds: where the Volcengine docs leave a behaviour open, the emulator offers every answer they allow
// as a switch. The defaults are the emulator's original answers, so code that sets no world sees no
// change. emulator/README.md gives, for each switch, the doc text that leaves it open.
import { ACTIONS } from "../actions/image-actions";
import { PROGRESS_PROFILES } from "../state/progress";
import type { World } from "../types";

export const DEFAULT_WORLD: Readonly<World> = Object.freeze({
  progressProfile: "linear",
  progressJitter: 0,
  progressSeed: 1,
  tagsOnCopyImage: "applied",
  deniedActions: Object.freeze([]) as unknown as string[], // frozen too: callers spread DEFAULT_WORLD to reset
  denial: "AccessDenied",
  deleteBindedSnapshotsDefault: true,
  deleteImagesSuccesses: "omitted",
  describeImagesUnknownId: "empty",
}) as World;

const CHOICES: { [K in keyof World]?: readonly string[] } = {
  progressProfile: PROGRESS_PROFILES,
  tagsOnCopyImage: ["applied", "ignored"],
  denial: ["AccessDenied", "LackPolicy"],
  deleteImagesSuccesses: ["omitted", "listed"],
  describeImagesUnknownId: ["empty", "notFound"],
};

/** Checks a partial world (from code, the CLI or the control endpoint); throws an Error naming the problem. */
export function validateWorldPatch(patch: unknown): Partial<World> {
  if (!patch || typeof patch !== "object" || Array.isArray(patch)) throw new Error("world must be an object");
  const o = patch as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) {
    if (!(k in DEFAULT_WORLD)) throw new Error(`unknown world switch ${JSON.stringify(k)} (known: ${Object.keys(DEFAULT_WORLD).join(", ")})`);
    const choices = CHOICES[k as keyof World];
    if (choices && !choices.includes(v as string)) throw new Error(`${k} must be one of ${choices.join(", ")}`);
  }
  if (o.progressJitter !== undefined && !(typeof o.progressJitter === "number" && o.progressJitter >= 0 && o.progressJitter < 1)) {
    throw new Error("progressJitter must be a number in [0, 1)");
  }
  if (o.progressSeed !== undefined && !Number.isInteger(o.progressSeed)) throw new Error("progressSeed must be an integer");
  if (o.deleteBindedSnapshotsDefault !== undefined && typeof o.deleteBindedSnapshotsDefault !== "boolean") {
    throw new Error("deleteBindedSnapshotsDefault must be true or false");
  }
  if (o.deniedActions !== undefined) {
    if (!Array.isArray(o.deniedActions)) throw new Error("deniedActions must be an array of action names");
    for (const a of o.deniedActions) {
      // "*" denies everything; anything else must be an action the emulator serves, so a typo fails loudly.
      if (a !== "*" && !(ACTIONS as readonly string[]).includes(a as string)) throw new Error(`deniedActions: unknown action ${JSON.stringify(a)}`);
    }
  }
  return o as Partial<World>;
}

/** The live world of one emulator: read by the gateway and the actions on every request. */
export class WorldState {
  private current: World;

  constructor(initial: Partial<World> = {}) {
    this.current = { ...DEFAULT_WORLD, deniedActions: [] };
    this.set(initial);
  }

  get(): World {
    return { ...this.current, deniedActions: [...this.current.deniedActions] };
  }

  /** Changes only the switches named in `patch`; returns the whole world afterwards. */
  set(patch: Partial<World>): World {
    const p = validateWorldPatch(patch);
    this.current = { ...this.current, ...p, deniedActions: [...new Set(p.deniedActions ?? this.current.deniedActions)] };
    return this.get();
  }

  /** Back to the defaults. */
  reset(): World {
    this.current = { ...DEFAULT_WORLD, deniedActions: [] };
    return this.get();
  }

  /** The world itself (read-only by contract), for the per-request hot path that must not copy it. */
  get live(): Readonly<World> {
    return this.current;
  }

  isDenied(action: string): boolean {
    return this.current.deniedActions.includes("*") || this.current.deniedActions.includes(action);
  }
}
