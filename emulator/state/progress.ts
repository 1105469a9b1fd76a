// How a copy task's Process moves over its duration. The docs give Process as an integer percent and
// nothing about its shape, so the shape is a world switch (see worlds.ts). Every profile ends at the
// same moment: the task is Succeeded with Process 100 exactly at createdAt + durationMs; only the
// values in between differ. Everything here is a pure function of the simulated clock.

import type { ProgressProfile } from "../types";

export type { ProgressProfile };
export const PROGRESS_PROFILES: readonly ProgressProfile[] = ["linear", "step", "staircase", "stall", "front-loaded"];

/** Seeded jitter of the pace: `amount` in [0, 1) is how much each tenth of the run may be sped up or slowed down. */
export interface ProgressJitter {
  amount: number;
  seed: number;
}

/** What a task needs to know about its own progress, fixed when it is created. */
export interface ProgressShape {
  profile: ProgressProfile;
  jitter?: ProgressJitter;
}

/** Share of a copy spent in Pending before it starts Running: 5% of the duration, at most 30 s. [INFERRED] */
export function pendingMs(durationMs: number): number {
  return Math.min(durationMs * 0.05, 30_000);
}

/**
 * The profile's curve: the share of the work done (0..1) after a share `x` (0..1) of the Running phase.
 * Non-decreasing in every profile, so Process never goes back.
 */
export function profileCurve(profile: ProgressProfile, x: number): number {
  const t = Math.max(0, Math.min(1, x));
  switch (profile) {
    case "linear":
      return t;
    case "step":
      return t < 1 ? 0 : 1;
    case "staircase":
      return Math.floor(t * 4) / 4; // 0, 25, 50, 75 %, then 100 at the end
    case "stall":
      // 90% in the first tenth of the run, the last 10% over the other nine tenths.
      return t < 0.1 ? (0.9 * t) / 0.1 : 0.9 + (0.1 * (t - 0.1)) / 0.9;
    case "front-loaded":
      return 1 - (1 - t) ** 3;
  }
}

const SEGMENTS = 10;

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so a seed gives the same run every time. */
function random01(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Jitter warps time, not Process: the run is cut into ten pieces whose lengths vary by up to ±amount
 * (renormalised to the same total). A warp is monotonic and maps 0→0 and 1→1, so jitter can neither
 * make Process go back nor move the end of the task.
 */
function warp(x: number, jitter: ProgressJitter | undefined): number {
  if (!jitter || jitter.amount <= 0) return x;
  const rnd = random01(jitter.seed);
  const amount = Math.min(0.99, jitter.amount);
  const lengths = Array.from({ length: SEGMENTS }, () => 1 + amount * (2 * rnd() - 1));
  const total = lengths.reduce((s, l) => s + l, 0);
  let at = 0;
  for (let i = 0; i < SEGMENTS; i++) {
    const len = lengths[i]! / total;
    if (x <= at + len || i === SEGMENTS - 1) return Math.min(1, (i + Math.max(0, x - at) / len) / SEGMENTS);
    at += len;
  }
  return 1;
}

/**
 * Process (integer percent) of a task `elapsedMs` after it was created, before it ends. It is 0 while
 * Pending and at most 99 while Running: 100 belongs to the moment the task has Succeeded, which is
 * always `durationMs` after creation.
 */
export function processAt(shape: ProgressShape, elapsedMs: number, durationMs: number): number {
  const p = pendingMs(durationMs);
  if (elapsedMs < p) return 0;
  if (elapsedMs >= durationMs) return 100;
  if (shape.profile === "linear" && !shape.jitter) {
    // Closed form kept from the original emulator so existing expectations hold to the millisecond.
    return Math.min(99, Math.max(0, Math.floor((100 * (elapsedMs - p)) / (durationMs - p))));
  }
  const x = warp((elapsedMs - p) / (durationMs - p), shape.jitter);
  return Math.min(99, Math.max(0, Math.floor(100 * profileCurve(shape.profile, x) + 1e-9)));
}

/**
 * The first elapsed time at which Process reaches `percent`, or `durationMs` when the profile does not
 * reach it before the end (a `step` task only shows progress by ending). Used for copyFails faults and
 * by benchmarks that need exact moments.
 */
export function elapsedWhenProcessReaches(shape: ProgressShape, percent: number, durationMs: number): number {
  const p = pendingMs(durationMs);
  const target = Math.max(0, Math.min(100, percent));
  if (target <= 0) return Math.min(p, durationMs);
  if (durationMs - p <= 0) return durationMs;
  if (shape.profile === "linear" && !shape.jitter) return p + ((durationMs - p) * target) / 100;
  if (processAt(shape, durationMs - 1e-6, durationMs) < target) return durationMs;
  let lo = p;
  let hi = durationMs;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (processAt(shape, mid, durationMs) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}
