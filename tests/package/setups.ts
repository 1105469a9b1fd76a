// Helpers for setups.test.ts: the packed tarball, fresh projects that install it (npm or pnpm), and
// Node.js drivers of the Automation API run with the environment a PulumiStack gives the CLI.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { REPO_ROOT, type PulumiCli } from "../e2e/cli";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";
/** pnpm, from the npm registry (npx caches it after the first run). 10.x: the line that runs on Node 20 and 22. */
export const PNPM = "pnpm@10.34.9";

/** `npm pack` of the repository into `dir`; returns the tarball's path. */
export function packTarball(dir: string): string {
  // --ignore-scripts: the test suite already built dist/, and a rebuild would race the other test files.
  const out = execFileSync(npm, ["pack", "--json", "--ignore-scripts", "--pack-destination", dir], { cwd: REPO_ROOT, encoding: "utf8" });
  return join(dir, (JSON.parse(out)[0] as { filename: string }).filename);
}

/** The version of a package installed in the repository (so the fresh projects use the same ones). */
export function repoVersion(name: string): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
}

export interface Run {
  code: number;
  output: string;
  durationMs: number;
}

/** Runs a command without blocking this process (the emulator lives here); never throws on a non-zero exit. */
export function run(command: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[setups] killed after ${opts.timeoutMs ?? 240_000} ms`;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* ended */
      }
    }, opts.timeoutMs ?? 240_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output, durationMs: Date.now() - started });
    });
  });
}

/** Throws with the command's output unless it exited with 0. */
export function ok(r: Run, what: string): Run {
  if (r.code !== 0) throw new Error(`${what} exited with ${r.code} after ${(r.durationMs / 1000).toFixed(1)} s:\n${r.output.slice(-12_000)}`);
  return r;
}

/** Writes `files` (path relative to `dir` -> text) into `dir`. */
export function writeProject(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** package.json of a fresh project depending on the tarball and the repository's @pulumi/pulumi (and more). */
export function packageJson(name: string, tarball: string, extra: { type?: "module"; dependencies?: Record<string, string> } = {}): string {
  return JSON.stringify(
    {
      name,
      private: true,
      ...(extra.type ? { type: extra.type } : {}),
      dependencies: { "volcengine-copied-image": `file:${tarball}`, "@pulumi/pulumi": repoVersion("@pulumi/pulumi"), ...extra.dependencies },
    },
    null,
    2,
  );
}

/** `npm install` in a fresh project (packages come from npm's cache when it has them). */
export async function npmInstall(dir: string): Promise<void> {
  ok(await run(npm, ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], { cwd: dir }), "npm install");
}

/** `pnpm install` with the pinned pnpm from the npm registry (its own store; no lockfile kept). */
export async function pnpmInstall(dir: string): Promise<void> {
  const args = ["--yes", PNPM, "install", "--prefer-offline", "--reporter=append-only", "--config.lockfile=false"];
  ok(await run(npx, args, { cwd: dir, timeoutMs: 300_000 }), `npx ${PNPM} install`);
}

/** Variables of this process that must not reach a driver: other backends, accounts or clouds. */
const SCRUBBED = /^(PULUMI_|VOLCENGINE_|VOLC_)/;

/**
 * The environment of an Automation API driver: the CLI first on PATH (the Automation API runs
 * `pulumi` from there), a file backend and PULUMI_HOME in `tempDir`, then `extra`.
 */
export function driverEnv(cli: PulumiCli, tempDir: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !SCRUBBED.test(k)) env[k] = v;
  mkdirSync(join(tempDir, "state"), { recursive: true });
  mkdirSync(join(tempDir, "home"), { recursive: true });
  return {
    ...env,
    ...cli.env,
    PATH: [cli.binDir, dirname(process.execPath), process.env.PATH ?? ""].join(":"),
    PULUMI_BACKEND_URL: `file://${join(tempDir, "state")}`,
    PULUMI_HOME: join(tempDir, "home"),
    PULUMI_CONFIG_PASSPHRASE: "setups-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    NO_COLOR: "1",
    ...extra,
  };
}
