/**
 * Helpers for the progress and interrupted-run end-to-end tests: a `pulumi` command started in the
 * background (so a test can press Ctrl-C or kill it mid-copy), the processes and the lock a run left
 * behind, and the diagnostics of `pulumi up --json`.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describeFailure, parseJsonDocuments, type CliResult, type PulumiStack } from "./cli";

export interface BackgroundRun {
  child: ChildProcess;
  pid: number;
  /** Output so far. */
  output(): string;
  done: Promise<CliResult>;
}

/** The environment `PulumiStack.run` uses (its file backend, PULUMI_HOME, passphrase, credentials). */
function stackEnv(stack: PulumiStack): Record<string, string> {
  const env = (stack as unknown as { baseEnv?: Record<string, string> }).baseEnv;
  if (!env || !env.PULUMI_HOME) throw new Error("PulumiStack no longer keeps its environment in baseEnv; update tests/e2e/interrupt.ts");
  return env;
}

/**
 * Starts `pulumi <args> --non-interactive --color never` for the stack in the background, with the
 * environment `PulumiStack.run` uses. As there (and as a shell job), the CLI leads a process group of
 * its own, so `interrupt()` can send SIGINT to that group the way a terminal's Ctrl-C does, and a
 * test can SIGKILL the CLI alone by its pid.
 */
export function startInBackground(stack: PulumiStack, args: string[]): BackgroundRun {
  const fullArgs = [...args, "--non-interactive", "--color", "never"];
  const started = Date.now();
  const child = spawn(join(stack.cli.binDir, "pulumi"), fullArgs, {
    cwd: stack.projectDir,
    env: stackEnv(stack),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const result: CliResult = {
        code: code ?? (signal ? 128 : 1),
        stdout,
        stderr,
        command: `pulumi ${fullArgs.join(" ")}`,
        durationMs: Date.now() - started,
      };
      stack.history.push(result);
      resolve(result);
    });
  });
  return { child, pid: child.pid!, output: () => `${stdout}\n${stderr}`, done };
}

/**
 * After a suite: SIGKILL what is still running (each background run's process group, then what each
 * stack's runs left behind) and unlock the stacks, so that they can be destroyed.
 */
export async function stopRunsAndUnlock(runs: BackgroundRun[], stacks: PulumiStack[]): Promise<void> {
  for (const run of runs) {
    try {
      process.kill(-run.pid, "SIGKILL");
    } catch {
      /* ended */
    }
  }
  for (const s of stacks) {
    killProcesses(leftoverProcesses(s));
    await s.run(["cancel", "--yes", "--stack", s.stack]).catch(() => undefined);
  }
}

/** After a killed runner: the next `pulumi up` fails on the stack's lock and says so; `pulumi cancel` lifts it. */
export async function assertLockedThenCancel(s: PulumiStack): Promise<void> {
  const locked = await s.run(["up", "--yes", "--skip-preview", ...s.stackArgs()]);
  assert.notEqual(locked.code, 0, describeFailure(locked, "the stack should be locked"));
  assert.match(
    `${locked.stdout}\n${locked.stderr}`,
    /currently (being updated|locked)|pulumi cancel/i,
    describeFailure(locked, "the lock is explained"),
  );
  await s.ok(["cancel", "--yes", "--stack", s.stack]);
}

/** Ctrl-C in a terminal: SIGINT to the CLI's process group (the plugins have groups of their own). */
export function interrupt(run: BackgroundRun): void {
  process.kill(-run.pid, "SIGINT");
}

/**
 * Processes still running with this stack's PULUMI_HOME in their environment: what a killed CLI
 * leaves behind (its language host and plugins run in process groups of their own). Only processes
 * of this test's own stack match, because every stack has a fresh temp PULUMI_HOME.
 */
export function leftoverProcesses(stack: PulumiStack): { pid: number; command: string }[] {
  const marker = `PULUMI_HOME=${stackEnv(stack).PULUMI_HOME}\0`;
  const found: { pid: number; command: string }[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, "latin1");
      if (!`${environ}\0`.includes(marker)) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0").filter(Boolean).join(" ");
      found.push({ pid: Number(entry), command });
    } catch {
      /* gone, or not ours to read */
    }
  }
  return found;
}

/** SIGKILL each of these processes, by id. */
export function killProcesses(procs: { pid: number }[]): void {
  for (const p of procs) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
}

export interface Diagnostic {
  urn?: string;
  message: string;
  severity: string;
  ephemeral?: boolean;
}

/** The diagnostics of `pulumi up --json` / `destroy --json` (debug ones left out), with the engine's trailing newlines trimmed. */
export function diagnosticsOf(stdout: string): { events: Diagnostic[]; previewDiagnostics: Diagnostic[] } {
  const docs = parseJsonDocuments(stdout) as Record<string, any>[];
  const events = docs
    .map((d) => d.diagnosticEvent as Diagnostic | undefined)
    .filter((d): d is Diagnostic => d !== undefined && d.severity !== "debug")
    .map((d) => ({ ...d, message: String(d.message).replace(/\s+$/, "") }));
  const previewDiagnostics = ((docs[0]?.diagnostics as Diagnostic[] | undefined) ?? []).filter((d) => d.severity !== "debug");
  return { events, previewDiagnostics };
}

/** Whether a URN is that of a resource of this type (at the top level or under a parent). */
export function isUrnOfType(urn: string | undefined, type: string): boolean {
  return typeof urn === "string" && (urn.includes(`::${type}::`) || urn.includes(`$${type}::`));
}

/** Counts for a report: all, persistent, ephemeral, on URNs of the given type, without a URN. */
export function countDiagnostics(events: Diagnostic[], type: string): Record<string, number> {
  return {
    diagnostics: events.length,
    persistent: events.filter((e) => !e.ephemeral).length,
    ephemeral: events.filter((e) => e.ephemeral).length,
    persistentOnCopies: events.filter((e) => !e.ephemeral && isUrnOfType(e.urn, type)).length,
    ephemeralOnCopies: events.filter((e) => e.ephemeral && isUrnOfType(e.urn, type)).length,
    withoutUrn: events.filter((e) => !e.urn).length,
  };
}
