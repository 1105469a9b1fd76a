/**
 * Two things a program can see before the engine acts, said once per program run:
 *
 * - `checkPluginCanStart`: the engine starts the dynamic-provider plugin in the program's directory.
 *   For an Automation API inline program that is, by default, the driver's working directory
 *   (the SDK's default project settings say `main: process.cwd()`), and from a directory that
 *   cannot resolve `@pulumi/pulumi/cmd/dynamic-provider` and this package the plugin dies with
 *   `Cannot find module ...` (pulumi/pulumi#5578). Checked only for inline programs: a program the
 *   CLI runs has that directory as its own working directory and resolved this package from it.
 *   The program cannot see a workspace that names another directory (a `workDir` with its own
 *   Pulumi.yaml, or `projectSettings.main`); such a driver, run from elsewhere, is stopped too, and
 *   the fix the error names (run it from the project directory) still holds.
 * - `noteCopyDeclared`: each CopiedImage holds one of the engine's `--parallel` slots for its whole
 *   copy, so copies beyond that many wait for a slot; one info message says so.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";

/** What the plugin's launcher and the serialized shim `require`. */
const PLUGIN_MODULES = ["@pulumi/pulumi/cmd/dynamic-provider", "volcengine-copied-image/runtime"];

/**
 * The CLI's Node.js runner sets PULUMI_NODEJS_MONITOR in the program's environment; an inline
 * program runs inside the driver, which the Automation API's language server connects without it.
 */
function isInlineProgram(): boolean {
  const monitor = runtimeOptions()?.monitorAddr;
  // "mock": unit tests with `pulumi.runtime.setMocks`, which start no plugin at all.
  return process.env.PULUMI_NODEJS_MONITOR === undefined && typeof monitor === "string" && monitor !== "" && monitor !== "mock";
}

/** The SDK's run options (internal to @pulumi/pulumi: read defensively, `undefined` when its shape changes). */
function runtimeOptions(): { parallel?: number; monitorAddr?: string } | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an internal module of the SDK, without types
    const state = require("@pulumi/pulumi/runtime/state") as { getStore?: () => { settings?: { options?: object } } };
    return state.getStore?.()?.settings?.options as { parallel?: number; monitorAddr?: string } | undefined;
  } catch {
    return undefined;
  }
}

const checkedDirs = new Map<string, string | undefined>();

/** The error an inline program gets when its plugin could not start, or `undefined`. */
export function pluginStartProblem(dir: string = process.cwd()): string | undefined {
  if (!checkedDirs.has(dir)) {
    // A require of a file in `dir`, as the plugin's launcher and shim resolve (this module's own
    // `require.resolve` would find this package by self-reference, from anywhere).
    const requireFromDir = createRequire(join(dir, "noop.js"));
    const missing = PLUGIN_MODULES.filter((m) => {
      try {
        requireFromDir.resolve(m);
        return false;
      } catch {
        return true;
      }
    });
    checkedDirs.set(
      dir,
      missing.length === 0
        ? undefined
        : `The engine would start the dynamic-provider plugin of CopiedImage in ${dir}, the directory this Automation API ` +
            `driver runs in, and from there Node.js cannot resolve ${missing.join(" and ")} (pulumi/pulumi#5578). ` +
            `Run the driver from the project directory (the one whose node_modules holds @pulumi/pulumi and ` +
            `volcengine-copied-image), or give the program a project directory: LocalWorkspace.createOrSelectStack({ stackName, ` +
            `workDir: projectDir }) with a Pulumi.yaml there.`,
    );
  }
  return checkedDirs.get(dir);
}

/** Throws the clear error before the engine's, for an inline program whose plugin cannot start. */
export function checkPluginCanStart(): void {
  if (!isInlineProgram()) return;
  const problem = pluginStartProblem();
  if (problem) throw new pulumi.RunError(problem);
}

/**
 * The engine's `--parallel` as the program sees it: PULUMI_NODEJS_PARALLEL from the CLI's Node.js
 * runner, or the run options of an inline program. `undefined` when unknown (mocks, an older CLI).
 */
export function engineParallelism(): number | undefined {
  const fromEnv = Number(process.env.PULUMI_NODEJS_PARALLEL);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  const fromRun = runtimeOptions()?.parallel;
  return typeof fromRun === "number" && Number.isInteger(fromRun) && fromRun > 0 ? fromRun : undefined;
}

/** Copies declared so far, per run: a driver process can run several inline programs, each with its own run options. */
const declaredPerRun = new WeakMap<object, { declared: number; told: boolean }>();
const outsideAnyRun = {};

/** Counts a declared copy; the first time the count passes the engine's parallelism, says so once. */
export function noteCopyDeclared(): void {
  const run = runtimeOptions() ?? outsideAnyRun;
  const count = declaredPerRun.get(run) ?? { declared: 0, told: false };
  declaredPerRun.set(run, count);
  count.declared += 1;
  const parallel = engineParallelism();
  if (count.told || parallel === undefined || count.declared <= parallel) return;
  count.told = true;
  void pulumi.log.info(
    `This program declares more CopiedImage copies than the engine runs operations at once (--parallel ${parallel}). ` +
      `Each copy being made holds one of those slots for its whole copy (often 20 minutes or more), so the others wait ` +
      `for a slot, in waves. To run them all at once: pulumi up --parallel N, PULUMI_PARALLEL=N, or the Automation API's ` +
      `up({ parallel: N }), with N at least the number of copies (see "Many copies: the engine's parallelism" in the README).`,
  );
}
