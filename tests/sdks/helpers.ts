// Shared by the SDK suites: where things are, running a tool, and the "twin" of a sample program, a
// copy with one deliberate type error that the language's checker must reject.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

export const repoRoot = resolve(__dirname, "../../..");
export const sdkDir = resolve(repoRoot, "sdk");
export const examplesDir = resolve(repoRoot, "examples");

export interface Run {
  status: number | null;
  /** Standard output alone: what a tool prints for its caller (a path, say), without its progress on standard error. */
  stdout: string;
  output: string;
}

/** Runs a command to its end (no shell); its standard output and error, together, for messages. */
export function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Run {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
}

/** Asserts that a check passed, showing what it printed when it did not. */
export function assertPassed(what: string, result: Run): void {
  assert.equal(result.status, 0, `${what} failed (exit ${result.status}):\n${result.output}`);
}

/**
 * The sample's text with `good` replaced by `bad`. The sample must contain `good` exactly once, so a
 * sample rewritten without updating its twin fails here instead of making a twin that is the sample.
 */
export function twinOf(samplePath: string, good: string, bad: string): string {
  const text = readFileSync(samplePath, "utf8");
  assert.equal(text.split(good).length - 1, 1, `${samplePath} must contain ${JSON.stringify(good)} exactly once (the twin replaces it)`);
  return text.replace(good, bad);
}

/** Asserts that a check rejected the twin, and for the reason planted (each `expected` in its output). */
export function assertRejected(what: string, result: Run, expected: RegExp[]): void {
  assert.notEqual(result.status, 0, `${what} accepted the twin with a deliberate type error:\n${result.output}`);
  for (const pattern of expected) assert.match(result.output, pattern, `${what} failed, but not for the planted error:\n${result.output}`);
}
