/**
 * What every end-to-end suite here had its own copy of: steps that skip once one failed, the emulator
 * seeded with the source image for the canary account, the canary credentials as the CLI's environment,
 * the request counts that failure messages print, the leak check on CLI output, the clean-up after a
 * suite, and an up held mid-copy in the background. One copy, so the suites cannot drift apart.
 */
import type { TestContext } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { startEmulator, type EmulatorHandle, type RequestLogEntry } from "../../emulator";
import { CANARY, CANARY_VALUES, SOURCE_IMAGE, SOURCE_REGION } from "../provider/env";
import type { PulumiStack } from "./cli";
import { startInBackground, type BackgroundRun } from "./interrupt";

/**
 * Steps that run in order on shared state, each as a subtest of `t`; after the first failed step the
 * rest skip (their failures would only echo it). `onEnd` hears each step's name and duration.
 */
export class SequentialSteps {
  /** The name of the step that failed, once one has. */
  failed: string | undefined;
  constructor(
    private readonly t: TestContext,
    private readonly onEnd?: (name: string, ms: number) => void,
  ) {}

  /** Skips `st` if an earlier step failed; says whether it did. */
  skippedAfterFailure(st: TestContext): boolean {
    if (!this.failed) return false;
    st.skip(`skipped: step "${this.failed}" failed`);
    return true;
  }

  readonly step = async (name: string, fn: () => Promise<void>): Promise<void> => {
    await this.t.test(name, async (st) => {
      if (this.skippedAfterFailure(st)) return;
      const started = Date.now();
      try {
        await fn();
      } catch (e) {
        this.failed = name;
        throw e;
      } finally {
        this.onEnd?.(name, Date.now() - started);
      }
    });
  };
}

/** Best effort after a suite: destroys and removes the stacks in order, deletes the temp dirs, stops the emulator. */
export async function cleanUp(
  stacks: (PulumiStack | undefined)[],
  dirs: (string | undefined)[],
  emulator: EmulatorHandle | undefined,
): Promise<void> {
  for (const s of stacks) await s?.dispose().catch(() => undefined);
  for (const dir of dirs) if (dir) rmSync(dir, { recursive: true, force: true });
  await emulator?.stop();
}

/** An emulator where the canary account sees the golden source image; a copy takes 20 simulated minutes. */
export function startSeededEmulator(clockSpeed: number): Promise<EmulatorHandle> {
  return startEmulator({
    clockSpeed,
    copyDurationMs: 20 * 60_000,
    seed: {
      accounts: [CANARY], // with a session token: every request must carry and sign it
      images: [{ region: SOURCE_REGION, imageId: SOURCE_IMAGE, imageName: "golden-base", description: "Golden base image", size: 40 }],
    },
  });
}

/** The canary credentials as the CLI's environment (and so the provider's): never in stack config. */
export function canaryCredentialsEnv(): Record<string, string> {
  return { VOLCENGINE_ACCESS_KEY: CANARY.accessKey, VOLCENGINE_SECRET_KEY: CANARY.secretKey, VOLCENGINE_SESSION_TOKEN: CANARY.sessionToken! };
}

/** The credentials, and only the program's `plugins.providers` entry (or a plugin next to pulumi) may serve the plugin. */
export function pluginStackEnv(): Record<string, string> {
  return { ...canaryCredentialsEnv(), PULUMI_IGNORE_AMBIENT_PLUGINS: "true" };
}

/** How many requests of this action are in the log. */
export function countOf(entries: RequestLogEntry[], action: string): number {
  return entries.filter((e) => e.action === action).length;
}

/** Requests counted by action (`{"CopyImage":1}`), or by action and region (`{"CopyImage@cn-shanghai":1}`), as JSON. */
export function countsText(entries: RequestLogEntry[], by: "action" | "action@region"): string {
  const c: Record<string, number> = {};
  for (const e of entries) {
    const key = by === "action" ? e.action : `${e.action}@${e.region}`;
    c[key] = (c[key] ?? 0) + 1;
  }
  return JSON.stringify(c);
}

/** Fails if any canary credential is in the text. */
export function assertNoCanaryIn(text: string, where: string): void {
  for (const v of CANARY_VALUES) assert.ok(!text.includes(v), `a canary credential (${v.slice(0, 8)}...) is in ${where}`);
}

/** Polls `cond` every 100 ms; on timeout fails with the emulator's request counts and the background run's output. */
export async function waitFor(emulator: EmulatorHandle, what: string, cond: () => boolean, timeoutMs: number, run?: BackgroundRun): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until)
      assert.fail(
        `timed out waiting for ${what}; emulator saw ${countsText(emulator.log(), "action")}${run ? `\n--- CLI output ---\n${run.output()}` : ""}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The program's `copies` copies (1 or 2) started and were looked at once after the last of them started (so they are mid-copy). */
async function waitUntilMidCopy(emulator: EmulatorHandle, run: BackgroundRun, copies: 1 | 2): Promise<void> {
  await waitFor(
    emulator,
    copies === 1 ? "a CopyImage and a DescribeTasks after it" : "two CopyImage calls and a DescribeTasks after them",
    () => {
      const log = emulator.log();
      const started = log.filter((e) => e.action === "CopyImage" && e.status === 200);
      return started.length >= copies && log.some((e) => e.action === "DescribeTasks" && e.seq > started[copies - 1]!.seq);
    },
    120_000,
    run,
  );
}

/**
 * Starts `pulumi up` of the stack in the background (kept in `runs`, for the clean-up) with its `copies`
 * copies held at 60 simulated minutes each (far longer than the CLI may take to stop after Ctrl-C or a
 * kill), and returns it once they are mid-copy, with the emulator's log holding only this run's requests.
 */
export async function startUpHeldMidCopy(emulator: EmulatorHandle, stack: PulumiStack, copies: 1 | 2, runs: BackgroundRun[]): Promise<BackgroundRun> {
  emulator.addFault({ kind: "copyDuration", ms: 60 * 60_000, count: copies });
  emulator.clearLog();
  const run = startInBackground(stack, ["up", "--yes", "--skip-preview", ...stack.stackArgs()]);
  runs.push(run);
  await waitUntilMidCopy(emulator, run, copies);
  return run;
}
