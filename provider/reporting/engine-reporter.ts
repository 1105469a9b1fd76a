/**
 * Progress and messages on each CopiedImage's own row of `pulumi up`, through the engine.
 *
 * The engine starts the dynamic-provider plugin with its own gRPC address as the first argument
 * (`process.argv[2]` inside the plugin). The SDK's plugin never connects to it, so `pulumi.log` in a
 * dynamic provider is plain stdout, which the engine shows as messages of the whole stack. This module
 * connects to that address itself and calls `pulumirpc.Engine/Log` with the resource's URN:
 * - `status(text)`: an ephemeral info message on that URN. The progress display shows it in the
 *   resource's row, replaced by the next one; it is not kept in the Diagnostics summary.
 * - `info(text)` / `warn(text)`: persistent messages attached to the resource (listed under it in
 *   the summary), for what matters after the run.
 *
 * Where there is no engine to talk to (the tests' plugin harness passes port 0, an engine that passes
 * no address, a failed connection or call), the messages go to the fallback, by default
 * `@pulumi/pulumi/log` (stdout, which the engine shows under the stack, as before), prefixed with
 * `CopiedImage <name>: `, with status lines thinned out as the old progress lines were.
 *
 * Reporting never fails or blocks an operation: the methods return at once; calls to the engine are
 * made in order per resource (a newer status replaces an unsent older one), each bounded by a
 * deadline; a failed call sends that message and every later one to the fallback.
 */

import { engineGone } from "../dynamic/engine-cancel";
import { DEFAULT_CALL_TIMEOUT_MS, Severity, processEngineSink, type EngineLogSink } from "./engine-client";
import { labelOf, type Reporter, type ReportTarget, type ReporterFactory } from "./reporter";

export type { Reporter, ReportTarget, ReporterFactory };

export type FallbackLog = (severity: "info" | "warning", message: string) => void;

/** The default fallback: `@pulumi/pulumi/log`, which in the plugin writes to stdout (shown under the stack). */
export const pulumiLogFallback: FallbackLog = (severity, message) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const log = require("@pulumi/pulumi/log") as { info(m: string): void; warn(m: string): void };
  if (severity === "warning") log.warn(message);
  else log.info(message);
};

export interface ReporterFactoryOptions {
  /** The engine; undefined: fallback only. */
  sink?: EngineLogSink;
  fallback?: FallbackLog;
  /** The prefix of persistent messages and of fallback lines. Default `CopiedImage <resourceName>`. */
  label?: (target: ReportTarget) => string;
  /** Values that must never appear in a message (credentials): replaced by `[redacted]`. */
  secrets?: () => readonly (string | undefined)[];
  /** Clock for thinning out fallback status lines. Default Date.now. */
  now?: () => number;
  /** Fallback status lines: at most one per this many ms for the same phase... Default 30 s. */
  fallbackStatusEveryMs?: number;
  /** ...unless the percent rose by this much. Default 10. */
  fallbackStatusEveryPercent?: number;
}

/** A reporter factory that also knows when what was reported has been delivered. */
export interface ReporterFactoryWithFlush extends ReporterFactory {
  /** Resolves when every queued message was sent (or after `timeoutMs`, whichever comes first). Never rejects. */
  flush(timeoutMs?: number): Promise<void>;
}

/**
 * Makes reporters. One reporter per target (same URN and name), kept for the life of the factory, so
 * that the messages of one resource are delivered in order whichever operation made them.
 */
export function createReporterFactory(opts: ReporterFactoryOptions = {}): ReporterFactoryWithFlush {
  const fallback = opts.fallback ?? pulumiLogFallback;
  const label = opts.label ?? labelOf;
  const now = opts.now ?? Date.now;
  const everyMs = opts.fallbackStatusEveryMs ?? 30_000;
  const everyPercent = opts.fallbackStatusEveryPercent ?? 10;
  const reporters = new Map<string, QueuedReporter>();

  const redact = (text: string): string => {
    let out = text;
    let secrets: readonly (string | undefined)[];
    try {
      secrets = opts.secrets?.() ?? [];
    } catch {
      secrets = [];
    }
    for (const s of secrets) if (typeof s === "string" && s.length >= 4) out = out.split(s).join("[redacted]");
    return out;
  };
  const safeFallback: FallbackLog = (severity, message) => {
    try {
      fallback(severity, message);
    } catch {
      /* a log line is never worth failing an operation */
    }
  };

  const make = (target: ReportTarget): Reporter => {
    const t: ReportTarget = {
      resourceName: typeof target?.resourceName === "string" ? target.resourceName : undefined,
      resourceUrn: typeof target?.resourceUrn === "string" && target.resourceUrn.startsWith("urn:pulumi:") ? target.resourceUrn : undefined,
    };
    const key = `${t.resourceUrn ?? ""}|${t.resourceName ?? ""}`;
    let r = reporters.get(key);
    if (!r) {
      r = new QueuedReporter(t, label(t), opts.sink, safeFallback, redact, now, everyMs, everyPercent);
      reporters.set(key, r);
    }
    return r;
  };

  const flush = async (timeoutMs = DEFAULT_CALL_TIMEOUT_MS): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref?.();
    });
    const all = Promise.all([...reporters.values()].map((r) => r.idle())).then(() => undefined);
    await Promise.race([all, limit]);
    if (timer) clearTimeout(timer);
  };
  return Object.assign(make, { flush });
}

interface Item {
  severity: Severity;
  text: string;
  ephemeral: boolean;
}

class QueuedReporter implements Reporter {
  private queue: Item[] = [];
  private sending = false;
  private waiters: (() => void)[] = [];
  private lastStatus: string | undefined;
  private lastFallbackStatus: { at: number; phase: string; percent: number } | undefined;

  constructor(
    private readonly target: ReportTarget,
    private readonly label: string,
    private readonly sink: EngineLogSink | undefined,
    private readonly fallback: FallbackLog,
    private readonly redact: (s: string) => string,
    private readonly now: () => number,
    private readonly everyMs: number,
    private readonly everyPercent: number,
  ) {}

  status(text: string): void {
    this.safely(() => {
      const t = oneLine(this.redact(String(text)));
      if (t === this.lastStatus) return;
      this.lastStatus = t;
      // A newer status replaces one not sent yet: the row shows only the latest anyway.
      this.queue = this.queue.filter((i) => !i.ephemeral);
      this.enqueue({ severity: Severity.Info, text: t, ephemeral: true });
    });
  }

  info(text: string): void {
    this.safely(() => this.enqueue({ severity: Severity.Info, text: this.redact(String(text)), ephemeral: false }));
  }

  warn(text: string): void {
    this.safely(() => this.enqueue({ severity: Severity.Warning, text: this.redact(String(text)), ephemeral: false }));
  }

  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void> {
    if (!this.sending && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch {
      /* never let reporting break an operation */
    }
  }

  private enqueue(item: Item): void {
    if (!this.sink || !this.sink.usable) {
      this.toFallback(item);
      return;
    }
    // Bound the queue: if the engine is slow, drop the oldest persistent messages to the fallback.
    if (this.queue.length >= 100) this.toFallback(this.queue.shift()!);
    this.queue.push(item);
    this.pump();
  }

  private pump(): void {
    if (this.sending) return;
    const item = this.queue.shift();
    if (!item) {
      const w = this.waiters;
      this.waiters = [];
      for (const resolve of w) resolve();
      return;
    }
    this.sending = true;
    const sink = this.sink!;
    // A status sits in the resource's own row: no label. Persistent messages keep it (they are read
    // out of context, in the summary or a CI log, like the provider's errors); so does anything sent
    // without a URN, which lands on the stack's row.
    const labeled = this.label ? `${this.label}: ${item.text}` : item.text;
    const text = item.ephemeral && this.target.resourceUrn ? item.text : labeled;
    sink
      .send({ severity: item.severity, message: text, urn: this.target.resourceUrn ?? "", ephemeral: item.ephemeral })
      .catch(() => false)
      .then((delivered) => {
        if (!delivered) this.toFallback(item);
        if (!sink.usable) {
          // Everything still queued goes to the fallback, in order.
          const rest = this.queue;
          this.queue = [];
          for (const i of rest) this.toFallback(i);
        }
      })
      .finally(() => {
        this.sending = false;
        this.pump();
      });
  }

  private toFallback(item: Item): void {
    const line = this.label ? `${this.label}: ${item.text}` : item.text;
    if (!item.ephemeral) {
      this.fallback(item.severity === Severity.Warning ? "warning" : "info", line);
      return;
    }
    // Status lines on the stack's row are permanent there: keep them as sparse as the old progress
    // lines (a new phase, 10 more percent, or 30 s).
    const now = this.now();
    const percentMatch = /(\d{1,3})%/.exec(item.text);
    const percent = percentMatch ? Number(percentMatch[1]) : -1;
    const phase = item.text.replace(/\d+(\.\d+)?/g, "#").split(",")[0]!;
    const last = this.lastFallbackStatus;
    if (last && last.phase === phase && now - last.at < this.everyMs && percent - last.percent < this.everyPercent) return;
    this.lastFallbackStatus = { at: now, phase, percent };
    this.fallback("info", line);
  }
}

function oneLine(text: string): string {
  const t = text.replace(/\s*\n\s*/g, " ").trim();
  return t.length > 200 ? `${t.slice(0, 197)}...` : t;
}

/**
 * The reporter factory of the plugin process: the engine when the plugin was given its address,
 * `@pulumi/pulumi/log` otherwise. `secrets` returns the credential values in use, which are redacted
 * from every message (the messages are not meant to hold any; this is the last line of defence).
 * When the engine turns out to be gone (the CLI was killed), `onEngineGone` runs: by default it stops
 * the waits and ends the plugin process (`engineGone`, engine-cancel.ts).
 */
export function pluginReporterFactory(
  secrets?: () => readonly (string | undefined)[],
  onEngineGone: () => void = () => engineGone(),
): ReporterFactoryWithFlush {
  return createReporterFactory({ sink: processEngineSink(process.argv, onEngineGone), fallback: pulumiLogFallback, secrets });
}
