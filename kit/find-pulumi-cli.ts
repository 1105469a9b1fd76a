/**
 * Finds the pinned `pulumi` CLI that `scripts/install-pulumi-cli` builds and caches (Pulumi v3.276.0
 * plus this project's Node.js language host): `findPulumiCli()` asks that script whether the cache is
 * complete (`--check`, builds nothing) and, if it is, takes the bin dir and the environment from
 * `--print-env`. When it is not installed, callers get `{ missing: message }` naming the script, so
 * tests skip (never fail, never pass silently) and the demo explains how to get it.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/** The repository root (this file runs as dist/kit/pulumi-cli.js). */
export const REPO_ROOT = resolve(__dirname, "../..");
const INSTALL_SCRIPT = join(REPO_ROOT, "scripts", "install-pulumi-cli");

export interface PulumiCli {
  /** The dir holding `pulumi`, `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs`. */
  binDir: string;
  /** Variables `--print-env` sets, besides PATH (PULUMI_SKIP_UPDATE_CHECK, ...). */
  env: Record<string, string>;
}

export type FindResult = PulumiCli | { missing: string };

export function isMissing(r: FindResult): r is { missing: string } {
  return (r as { missing?: string }).missing !== undefined;
}

/** Set by scripts/test (so in CI too): a missing CLI fails the suites that need it instead of skipping them. */
export const CLI_REQUIRED = process.env.VOLCENGINE_COPIED_IMAGE_REQUIRE_CLI === "1";

/** Skips the test, saying why; or fails it when the CLI is required (CLI_REQUIRED). */
export function skipWithoutCli(t: { skip(message?: string): void }, missing: string): void {
  if (CLI_REQUIRED) throw new Error(`${missing} (VOLCENGINE_COPIED_IMAGE_REQUIRE_CLI=1, as scripts/test sets it, makes that a failure)`);
  t.skip(missing);
}

/** Locates the cached CLI; never builds it (that takes minutes: run the script yourself). */
export function findPulumiCli(): FindResult {
  const howTo =
    "the Pulumi CLI is not installed; run `scripts/install-pulumi-cli` once (it builds Pulumi v3.276.0 from " +
    "Go modules into a cache: about 4 minutes on 2 cores), or run `scripts/test`, which builds it when missing";
  if (!existsSync(INSTALL_SCRIPT)) return { missing: `${howTo} (${INSTALL_SCRIPT} not found)` };
  const check = spawnSync("bash", [INSTALL_SCRIPT, "--check"], { encoding: "utf8" });
  if (check.status !== 0) return { missing: howTo };
  // Evaluate the printed exports in a shell and compare its environment with ours.
  const marker = "__E2E_ENV_BEGIN__";
  const probe = spawnSync("bash", ["-c", `eval "$("$1" --print-env)" && printf '%s\\0' "${marker}" && env -0`, "bash", INSTALL_SCRIPT], {
    encoding: "utf8",
    env: { ...process.env, PULUMI_CONFIG_PASSPHRASE: undefined },
  });
  if (probe.status !== 0) return { missing: `${howTo} (\`install-pulumi-cli --print-env\` failed: ${probe.stderr.trim()})` };
  const after = probe.stdout.slice(probe.stdout.indexOf(`${marker}\0`) + marker.length + 1);
  const env: Record<string, string> = {};
  let path = "";
  for (const entry of after.split("\0")) {
    const eq = entry.indexOf("=");
    if (eq <= 0) continue;
    const key = entry.slice(0, eq);
    const value = entry.slice(eq + 1);
    if (key === "PATH") path = value;
    else if (key.startsWith("PULUMI_") && process.env[key] !== value) env[key] = value;
  }
  const oldPath = process.env.PATH ?? "";
  const binDir = path.endsWith(oldPath) ? path.slice(0, path.length - oldPath.length).replace(/:$/, "") : path.split(":")[0]!;
  if (!binDir || !existsSync(join(binDir, "pulumi"))) return { missing: `${howTo} (no pulumi binary in "${binDir}")` };
  delete env.PULUMI_CONFIG_PASSPHRASE; // each stack sets its own
  return { binDir, env };
}
