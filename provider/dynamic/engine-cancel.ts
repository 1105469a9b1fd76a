/**
 * Noticing the engine's cancellation (a first Ctrl-C) inside the dynamic-provider plugin.
 *
 * On a first Ctrl-C the engine calls the provider's `Cancel` RPC ("gracefully shut down and abort
 * any ongoing operations; aborted Create and Update calls return an initialization error"). The SDK's
 * dynamic-provider plugin answers it and tells the provider nothing, and plugins run in their own
 * process group, so no signal arrives either. Without help, a Ctrl-C waits for every copy in flight.
 *
 * The plugin's gRPC server is @grpc/grpc-js on Node's http2 server, and Node publishes every server
 * stream that starts on the `http2.server.stream.start` diagnostics channel, with its headers
 * (verified on Node 22.23; the package needs Node 22 or newer). A stream whose `:path` is
 * `/pulumirpc.ResourceProvider/Cancel` is the engine's Cancel. That is a public Node API, needs no
 * change to the SDK, and only observes: the SDK still answers the call. On a Node without that
 * channel nothing fires and Ctrl-C behaves as before (it waits for the copies).
 *
 * `engineCancelSignal()` is aborted by the next Cancel. Only operations running at that moment see
 * it: each Cancel aborts the current signal and a fresh one serves later operations, so a Cancel at
 * a normal end of a deployment cannot affect anything.
 */
import * as diagnosticsChannel from "node:diagnostics_channel";

export const CANCEL_PATH = "/pulumirpc.ResourceProvider/Cancel";
export const STREAM_START_CHANNEL = "http2.server.stream.start";

let current = new AbortController();
let watching = false;
let cancels = 0;

function onStreamStart(message: unknown): void {
  try {
    const headers = (message as { headers?: Record<string, unknown> } | undefined)?.headers;
    if (headers?.[":path"] !== CANCEL_PATH) return;
    cancels++;
    abortEngineOperations(new Error("the Pulumi engine cancelled the operation (Ctrl-C)"));
  } catch {
    /* observing must never break the server */
  }
}

/** Aborts the signal of the operations running now (as a Cancel does); later ones get a fresh signal. */
export function abortEngineOperations(reason: Error): void {
  const previous = current;
  current = new AbortController();
  previous.abort(reason);
}

/**
 * The engine is gone (the CLI was killed): nobody will call this plugin again, and the SDK's plugin
 * never exits by itself. Stop the waits (the copies go on in Volcengine; the next `pulumi up` adopts
 * them) and end the process after a short grace, instead of polling for up to an hour for nobody.
 */
export function engineGone(graceMs = 2_000, exit: (code: number) => void = (c) => process.exit(c)): void {
  abortEngineOperations(new Error("the Pulumi engine is gone"));
  setTimeout(() => exit(0), graceMs);
}

/** Starts watching for the engine's Cancel calls (idempotent). */
export function watchEngineCancel(): void {
  if (!watching) {
    watching = true;
    diagnosticsChannel.subscribe(STREAM_START_CHANNEL, onStreamStart);
  }
}

/** Aborted by the engine's next Cancel call. Call it when an operation starts waiting. */
export function engineCancelSignal(): AbortSignal {
  watchEngineCancel();
  return current.signal;
}

/** How many Cancel calls were seen (for tests). */
export function engineCancelCount(): number {
  return cancels;
}
