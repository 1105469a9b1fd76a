/**
 * Runs the real `pulumi` CLI for the end-to-end tests, the pack test and the demo.
 *
 * The CLI is the one `scripts/install-pulumi-cli` builds and caches, found by `find-pulumi-cli.ts`
 * (re-exported here, so callers import one module).
 *
 * Every `PulumiStack` has its own temp dir holding a file backend (`PULUMI_BACKEND_URL=file://...`),
 * a `PULUMI_HOME` and the stack's config file (`--config-file`), so nothing is written into the
 * project directory (which may be the repository root) and nothing leaks between runs. Node 22
 * (the dir of `process.execPath`) comes first on PATH after the CLI's bin dir, so the language host
 * and the dynamic-provider plugin run the same Node as the caller. Credentials and endpoints go in
 * through `env` (the provider reads VOLCENGINE_* in the plugin process) or stack config.
 *
 * Calls are asynchronous on purpose: the emulator usually lives in the caller's process, and a
 * synchronous spawn would stop it from answering.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, renameSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

import { parseJsonDocuments, type Deployment, type PreviewJson } from "./pulumi-json";

export { REPO_ROOT, CLI_REQUIRED, findPulumiCli, isMissing, skipWithoutCli, type FindResult, type PulumiCli } from "./find-pulumi-cli";
import type { PulumiCli } from "./find-pulumi-cli";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The command line, for messages. */
  command: string;
  durationMs: number;
}

export interface RunOptions {
  /** Extra environment for this call (undefined removes a variable). */
  env?: Record<string, string | undefined>;
  /** Also copy the output to this process's stdout/stderr as it comes. */
  stream?: boolean;
  /** Called with each line of output as it comes (without its newline), e.g. to show a filtered copy. */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  /** Kill the CLI after this long (default 180 s). */
  timeoutMs?: number;
  /** Working directory (default: the stack's project dir). */
  cwd?: string;
}

export interface StackOptions {
  /** The Pulumi project directory (holds Pulumi.yaml); the CLI runs there. */
  projectDir: string;
  /** The stack name; default `e2e-<random>`. */
  stack?: string;
  /** Environment for every call: credentials, VOLCENGINE_ENDPOINT, ... */
  env?: Record<string, string | undefined>;
  /** Prefix of the temp dir. */
  tempPrefix?: string;
}

/** Variables of the caller that must not reach the CLI: they would point it at other backends, accounts or clouds. */
const SCRUBBED = /^(PULUMI_|VOLCENGINE_|VOLC_)/;

/** One stack of one project, with its own file backend, PULUMI_HOME and config file in a temp dir. */
export class PulumiStack {
  readonly stack: string;
  readonly projectDir: string;
  readonly tempDir: string;
  readonly configFile: string;
  private readonly baseEnv: Record<string, string>;
  /** Every call made, in order (for failure messages and leak checks). */
  readonly history: CliResult[] = [];

  constructor(
    readonly cli: PulumiCli,
    opts: StackOptions,
  ) {
    this.projectDir = opts.projectDir;
    this.stack = opts.stack ?? `e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    this.tempDir = mkdtempSync(join(tmpdir(), opts.tempPrefix ?? "pulumi-e2e-"));
    mkdirSync(join(this.tempDir, "state"));
    mkdirSync(join(this.tempDir, "home"));
    this.configFile = join(this.tempDir, `Pulumi.${this.stack}.yaml`);
    const inherited: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !SCRUBBED.test(k)) inherited[k] = v;
    const env: Record<string, string> = {
      ...inherited,
      ...cli.env,
      PATH: [cli.binDir, dirname(process.execPath), process.env.PATH ?? ""].join(":"),
      PULUMI_BACKEND_URL: `file://${join(this.tempDir, "state")}`,
      PULUMI_HOME: join(this.tempDir, "home"),
      PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      NO_COLOR: "1",
    };
    for (const [k, v] of Object.entries(opts.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    this.baseEnv = env;
  }

  /** Runs `pulumi <args> --non-interactive --color never`. Never throws on a non-zero exit: check `code`. */
  run(args: string[], opts: RunOptions = {}): Promise<CliResult> {
    const env = { ...this.baseEnv };
    for (const [k, v] of Object.entries(opts.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    const globals = ["--non-interactive", "--color", "never"];
    const dashes = args.indexOf("--");
    const fullArgs = dashes < 0 ? [...args, ...globals] : [...args.slice(0, dashes), ...globals, ...args.slice(dashes)];
    const command = `pulumi ${fullArgs.map(shellQuote).join(" ")}`;
    const started = Date.now();
    return new Promise((resolvePromise, reject) => {
      const child = spawn(join(this.cli.binDir, "pulumi"), fullArgs, {
        cwd: opts.cwd ?? this.projectDir,
        env,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true, // own process group: a timeout kills the language host and plugins too
      });
      let stdout = "";
      let stderr = "";
      const partial = { stdout: "", stderr: "" };
      const lines = (which: "stdout" | "stderr", d: string, end = false): void => {
        if (!opts.onLine) return;
        const parts = (partial[which] + d).split("\n");
        partial[which] = end ? "" : parts.pop()!;
        for (const line of parts) if (!end || line !== "") opts.onLine(line, which);
      };
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        stdout += d;
        if (opts.stream) process.stdout.write(d);
        lines("stdout", d);
      });
      child.stderr.setEncoding("utf8").on("data", (d: string) => {
        stderr += d;
        if (opts.stream) process.stderr.write(d);
        lines("stderr", d);
      });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          /* already gone */
        }
      }, opts.timeoutMs ?? 180_000);
      child.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        lines("stdout", "", true);
        lines("stderr", "", true);
        if (timedOut) stderr += `\n[e2e] killed after ${opts.timeoutMs ?? 180_000} ms`;
        const result: CliResult = { code: code ?? (signal ? 128 : 1), stdout, stderr, command, durationMs: Date.now() - started };
        this.history.push(result);
        resolvePromise(result);
      });
    });
  }

  /** Like `run`, but throws a readable error (command, exit code, stdout and stderr) unless the exit code is 0. */
  async ok(args: string[], opts: RunOptions = {}): Promise<CliResult> {
    const r = await this.run(args, opts);
    if (r.code !== 0) throw new Error(describeFailure(r, "expected exit code 0"));
    return r;
  }

  /** Like `run`, but throws unless the command failed. */
  async fails(args: string[], opts: RunOptions = {}): Promise<CliResult> {
    const r = await this.run(args, opts);
    if (r.code === 0) throw new Error(describeFailure(r, "expected a non-zero exit code"));
    return r;
  }

  /** `pulumi stack init`, then moves the stack's config file out of the project dir into the temp dir. */
  async init(): Promise<void> {
    await this.ok(["stack", "init", this.stack]);
    const written = join(this.projectDir, `Pulumi.${this.stack}.yaml`);
    if (existsSync(written)) renameSync(written, this.configFile);
  }

  /** Flags that select this stack and its config file, for the commands that take them. */
  stackArgs(): string[] {
    return ["--stack", this.stack, "--config-file", this.configFile];
  }

  async setConfig(key: string, value: string, opts: { path?: boolean; secret?: boolean } = {}): Promise<void> {
    const flags = [...(opts.path ? ["--path"] : []), ...(opts.secret ? ["--secret"] : [])];
    // After "--", a value starting with "-" is not taken for a flag.
    await this.ok(["config", "set", ...flags, ...this.stackArgs(), "--", key, value]);
  }

  async removeConfig(key: string, opts: { path?: boolean } = {}): Promise<void> {
    await this.ok(["config", "rm", ...(opts.path ? ["--path"] : []), key, ...this.stackArgs()]);
  }

  /** Runs `pulumi <cmd...>` for this stack (adds --stack and --config-file). */
  cmd(cmd: string[], opts?: RunOptions): Promise<CliResult> {
    return this.run([...cmd, ...this.stackArgs()], opts);
  }

  /** `pulumi preview --json`, parsed. */
  async previewJson(extra: string[] = [], opts?: RunOptions): Promise<{ result: CliResult; json: PreviewJson }> {
    const result = await this.run(["preview", "--json", ...extra, ...this.stackArgs()], opts);
    let json: PreviewJson;
    try {
      json = parseJsonDocuments(result.stdout)[0] as PreviewJson;
    } catch (e) {
      throw new Error(describeFailure(result, `stdout is not JSON (${(e as Error).message})`), { cause: e });
    }
    return { result, json };
  }

  /** `pulumi stack output --json`. */
  async outputs(): Promise<Record<string, unknown>> {
    const r = await this.ok(["stack", "output", "--json", "--show-secrets", "--stack", this.stack]);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  }

  /** `pulumi stack export` (the raw text too, for leak checks). */
  async exportState(): Promise<{ text: string; deployment: Deployment }> {
    const r = await this.ok(["stack", "export", "--stack", this.stack]);
    const parsed = JSON.parse(r.stdout) as { deployment: Deployment };
    return { text: r.stdout, deployment: parsed.deployment };
  }

  private removed = false;

  /** `pulumi stack rm` (the stack must be empty). */
  async remove(): Promise<void> {
    await this.ok(["stack", "rm", "--yes", "--preserve-config", "--stack", this.stack]);
    this.removed = true;
  }

  /** Unless removed already: destroys what is left (best effort) and removes the stack. Then deletes the temp dir. */
  async dispose(): Promise<void> {
    try {
      if (!this.removed) {
        await this.run(["destroy", "--yes", "--skip-preview", ...this.stackArgs()]);
        await this.run(["stack", "rm", "--yes", "--force", "--preserve-config", "--stack", this.stack]);
        this.removed = true;
      }
    } finally {
      const stray = join(this.projectDir, `Pulumi.${this.stack}.yaml`);
      if (existsSync(stray)) rmSync(stray, { force: true });
      rmSync(this.tempDir, { recursive: true, force: true });
    }
  }
}

/** A readable message for a CLI call that did not do what was expected: the command, its code and all output. */
export function describeFailure(r: CliResult, why: string): string {
  const tail = (s: string, n = 12_000) => (s.length > n ? `...${s.slice(-n)}` : s);
  return (
    `${why}: \`${r.command}\` exited with ${r.code} after ${(r.durationMs / 1000).toFixed(1)} s\n` +
    `--- stdout ---\n${tail(r.stdout) || "(empty)"}\n--- stderr ---\n${tail(r.stderr) || "(empty)"}\n--------------`
  );
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
