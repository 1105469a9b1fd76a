/**
 * The implementation behind the serialized `__provider` shim: loaded by package name
 * (`volcengine-copied-image/runtime`) inside the dynamic-provider plugin, at call time, so that
 * `delete` and `read` always run the installed version of the package, not code frozen into state.
 *
 * Module state here is real (this file is required, not serialized): the stack config that the
 * plugin passes to `configure` is kept in memory, never in state.
 */
import type * as pulumi from "@pulumi/pulumi";
import { CopiedImageLifecycle } from "./lifecycle";
import { resolveSettings, type ConfigSource } from "./config";

let stackConfig: ConfigSource | undefined;

function log(message: string): void {
  // In the plugin there is no engine connection: @pulumi/pulumi's log writes to stdout, which
  // the engine shows as info lines of the update.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pulumiLog = require("@pulumi/pulumi/log") as typeof pulumi.log;
  pulumiLog.info(message);
}

/** The life cycle used by the plugin (one per process, so copies share their polling). */
const lifecycle = new CopiedImageLifecycle({ settings: () => resolveSettings(stackConfig), log });

/** The `pulumi.dynamic.ResourceProvider` that does the work. `CopiedImage` serializes a thin shim that calls this.
 * It is this module's whole export, so the shim's calls are as short as they can be. */
const copiedImageProvider: pulumi.dynamic.ResourceProvider = {
  async configure(req: pulumi.dynamic.ConfigureRequest) {
    stackConfig = req.config;
  },
  async check(olds: any, news: any) {
    const result = lifecycle.check(olds ?? {}, news ?? {});
    if (result.failures.length === 0) result.failures.push(...(await lifecycle.preflight(olds ?? {}, result.inputs)));
    return result;
  },
  async diff(id: string, olds: any, news: any) {
    return lifecycle.diff(id, olds ?? {}, news ?? {});
  },
  async create(inputs: any) {
    return lifecycle.create(inputs);
  },
  async read(id: string, props: any) {
    return lifecycle.read(id, props ?? {});
  },
  async update(id: string, olds: any, news: any) {
    return lifecycle.update(id, olds ?? {}, news ?? {});
  },
  async delete(id: string, props: any) {
    return lifecycle.delete(id, props ?? {});
  },
};

export = copiedImageProvider;
