// Resource ids and API times as Volcengine writes them.
import { createHash, randomBytes } from "node:crypto";

const ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

/** A prefix and 20 lowercase letters or digits, like image-ybvz29l3da4ljkdu0tlz. */
export function randomId(prefix: string): string {
  const bytes = randomBytes(20);
  let s = "";
  for (const b of bytes) s += ALNUM[b % ALNUM.length];
  return prefix + s;
}

/** Stable id for built-in public images, so they are the same in every run. */
export function stableId(prefix: string, key: string): string {
  const h = createHash("sha256").update(key).digest();
  let s = "";
  for (let i = 0; i < 20; i++) s += ALNUM[h[i]! % ALNUM.length];
  return prefix + s;
}

/** RFC 3339 with the +08:00 offset (Beijing time), as in the DescribeTasks doc examples. [INFERRED for images] */
export function formatTime(ms: number): string {
  const d = new Date(ms + 8 * 3600_000);
  return d.toISOString().replace(/\.\d{3}Z$/, "+08:00");
}
