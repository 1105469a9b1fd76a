#!/usr/bin/env node
/**
 * `pulumi-resource-volcengine-copied-image`: the provider plugin the engine starts (argument 1: the
 * engine's address). It serves `volcengine-copied-image:index:CopiedImage` on the same life cycle as
 * the dynamic provider, prints its port, and lives until the engine stops it.
 *
 * Stopping: the engine's Cancel (a first Ctrl-C) aborts the operations in flight, which answer with
 * their partial state; SIGINT/SIGTERM do the same and end the process a moment later (at once when
 * nothing is in flight); an engine that is gone (its address refuses connections) ends it too.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CopiedImageLifecycle } from "../operations/lifecycle";
import { SHUTDOWN_GRACE_MS } from "../settings/tunables";
import { pluginReporterFactory } from "../reporting/engine-reporter";
import { grpc, providerGrpcPb } from "./grpc";
import { PluginConfig } from "./config";
import { CopiedImageResource } from "./resource";
import { providerService } from "./server";

/** The package root: dist/provider/plugin/main.js is three levels down. */
const root = join(__dirname, "../../..");

/** Aborted by each Cancel; operations that start later get a fresh signal. */
let cancelled = new AbortController();
function cancelOperations(reason: string): void {
  const previous = cancelled;
  cancelled = new AbortController();
  previous.abort(new Error(reason));
}
const shutdown = new AbortController();
let inFlight = 0;

function stop(why: string, code: number): void {
  shutdown.abort(new Error(why));
  if (inFlight === 0) process.exit(code);
  setTimeout(() => process.exit(code), SHUTDOWN_GRACE_MS).unref();
}

async function main(): Promise<void> {
  const config = new PluginConfig();
  const reporter = pluginReporterFactory(
    () => config.secrets(),
    () => stop("the Pulumi engine is gone", 0),
  );
  const lifecycle = new CopiedImageLifecycle({
    settings: () => config.settings(),
    reporter,
    signal: shutdown.signal,
    cancelSignal: () => cancelled.signal,
  });
  const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
  let schema: string | undefined;

  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024, "grpc.max_send_message_length": 400 * 1024 * 1024 });
  server.addService(
    providerGrpcPb.ResourceProviderService,
    providerService({
      resource: new CopiedImageResource(lifecycle),
      config,
      version,
      schema: () => (schema ??= readFileSync(join(root, "provider/plugin/schema.json"), "utf8")),
      cancel: () => cancelOperations("the Pulumi engine cancelled the operation (Ctrl-C)"),
      operation: async (run) => {
        inFlight++;
        try {
          return await run();
        } finally {
          inFlight--;
          await reporter.flush(1_000);
        }
      },
    }) as import("@grpc/grpc-js").UntypedServiceImplementation,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  process.once("SIGINT", () => stop("received SIGINT", 130));
  process.once("SIGTERM", () => stop("received SIGTERM", 130));
  process.stdout.write(`${port}\n`);
}

main().catch((e: unknown) => {
  console.error(`pulumi-resource-volcengine-copied-image: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
