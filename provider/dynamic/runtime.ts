/**
 * The implementation behind the serialized `__provider` shim: loaded by package name
 * (`volcengine-copied-image/runtime`) inside the dynamic-provider plugin, at call time, so that
 * `delete` and `read` always run the installed version of the package, not code frozen into state.
 *
 * Module state here is real (this file is required, not serialized): the stack config that the
 * plugin passes to `configure` is kept in memory, never in state.
 *
 * This module also owns the plugin process's signals: SIGINT/SIGTERM (the engine stopping the
 * plugin) abort every operation in flight, which then answer the engine with their partial state;
 * the process exits a moment later (at once when nothing is in flight).
 */
import type * as pulumi from "@pulumi/pulumi";
import { CopiedImageLifecycle } from "../operations/lifecycle";
import { resolveSettings, type ConfigSource } from "../settings/config";
import type { CopiedImageInputs, CopiedImageState } from "../operations/model";
import { SHUTDOWN_GRACE_MS } from "../settings/tunables";
import { pluginReporterFactory } from "../reporting/engine-reporter";
import { engineCancelSignal, watchEngineCancel } from "./engine-cancel";

let stackConfig: ConfigSource | undefined;

const shutdown = new AbortController();
/** Operations running now: with none, a signal ends the process at once. */
let inFlight = 0;
let signalsInstalled = false;
/** Installed at the first call, so that merely loading this module changes nothing in the process. */
function installSignalHandlers(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  const onSignal = (sig: NodeJS.Signals) => {
    shutdown.abort(new Error(`received ${sig}`));
    if (inFlight === 0) process.exit(130);
    // Give in-flight operations a moment to answer the engine with their partial state, then go.
    setTimeout(() => process.exit(130), SHUTDOWN_GRACE_MS).unref();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
}

/** Runs one operation, counted as in flight. */
async function operation<T>(run: () => Promise<T>): Promise<T> {
  installSignalHandlers();
  inFlight++;
  try {
    return await run();
  } finally {
    inFlight--;
  }
}

/** Progress on each resource's own row through the engine (log lines where there is none); the
 * credentials in use are redacted from every message, as a last line of defence. */
const reporter = pluginReporterFactory(() => {
  const c = resolveSettings(stackConfig).credentials;
  return [c?.accessKeyId, c?.secretKey, c?.sessionToken];
});

/** The life cycle used by the plugin (one per process, so copies share their polling). A first
 * Ctrl-C reaches the plugin only as the engine's Cancel RPC, which the SDK ignores: watch for it. */
watchEngineCancel();
const lifecycle = new CopiedImageLifecycle({
  settings: () => resolveSettings(stackConfig),
  reporter,
  signal: shutdown.signal,
  cancelSignal: engineCancelSignal,
});

/** Runs an operation that reports, then gives its last messages up to 1 s to reach the engine. */
function reporting<T>(run: () => Promise<T>): Promise<T> {
  return operation(async () => {
    try {
      return await run();
    } finally {
      await reporter.flush(1_000);
    }
  });
}

/** The `pulumi.dynamic.ResourceProvider` that does the work. `CopiedImage` serializes a thin shim that calls this.
 * It is this module's whole export, so the shim's calls are as short as they can be. The engine's
 * values arrive untyped; each method names what they are. */
const copiedImageProvider: pulumi.dynamic.ResourceProvider = {
  async configure(req: pulumi.dynamic.ConfigureRequest) {
    stackConfig = req.config;
  },
  async check(olds: Record<string, unknown> | undefined, news: Record<string, unknown> | undefined): Promise<pulumi.dynamic.CheckResult> {
    return operation(async () => {
      const result = lifecycle.check(olds ?? {}, news ?? {});
      if (result.failures.length === 0) result.failures.push(...(await lifecycle.preflight(olds ?? {}, result.inputs)));
      return result;
    });
  },
  async diff(id: string, olds: CopiedImageState | undefined, news: CopiedImageInputs | undefined): Promise<pulumi.dynamic.DiffResult> {
    return lifecycle.diff(id, { ...olds }, { ...news });
  },
  async create(inputs: CopiedImageInputs): Promise<pulumi.dynamic.CreateResult> {
    return reporting(() => lifecycle.create({ ...inputs }));
  },
  async read(id: string, state: CopiedImageState | undefined): Promise<pulumi.dynamic.ReadResult> {
    return operation(() => lifecycle.read(id, { ...state }));
  },
  async update(id: string, olds: CopiedImageState | undefined, news: CopiedImageInputs | undefined): Promise<pulumi.dynamic.UpdateResult> {
    return reporting(() => lifecycle.update(id, { ...olds }, { ...news }));
  },
  async delete(id: string, state: CopiedImageState | undefined): Promise<void> {
    return reporting(() => lifecycle.delete(id, { ...state }));
  },
};

export = copiedImageProvider;
