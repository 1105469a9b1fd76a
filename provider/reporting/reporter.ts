/**
 * Where the life cycle's messages go. Each operation gets its own `Reporter`, made by a factory
 * from the resource it works on, so that a later version can show progress on the resource's own
 * row of `pulumi up` (an ephemeral status through the engine's Log RPC). The default factory writes
 * log lines prefixed with `CopiedImage <name>`, as the plugin always did, and keeps routine progress
 * to a line every 10 percentage points or 30 s. A reporter never throws: logging must not fail an
 * operation.
 */
import type { Clock } from "../settings/clock";

export interface Reporter {
  /** Routine progress ("copying 57%, about 6m left"): shown and replaced, never kept after the run.
   * `progress`, when given, is what the text says in numbers; a writer that keeps lines uses it to
   * write fewer of them. */
  status(text: string, progress?: { percent: number; final: boolean }): void;
  /** A message that matters after the run (adopted an earlier copy, deleted a failed copy). */
  info(text: string): void;
  /** Something the user should act on. */
  warn(text: string): void;
}

/** The resource an operation works on. */
export interface ReportTarget {
  resourceName?: string;
  resourceUrn?: string;
}

export type ReporterFactory = (target: ReportTarget) => Reporter;

/** Where the default reporter writes a finished line. */
export type LineSink = (kind: "status" | "info" | "warn", line: string) => void;

/** `CopiedImage <name>`: how messages and errors name a resource. */
export function labelOf(target: ReportTarget): string {
  return `CopiedImage ${target.resourceName ?? ""}`.trim();
}

/** Progress lines at most every 10 percentage points or 30 s (final lines always). */
const PROGRESS_POINTS = 10;
const PROGRESS_MS = 30_000;

/** The default: log lines `CopiedImage <name>: <text>` (no prefix without a name). */
export function lineReporterFactory(sink: LineSink, clock: Clock): ReporterFactory {
  return (target) => {
    const prefix = target.resourceName !== undefined ? `${labelOf(target)}: ` : "";
    let lastPercent = -100;
    let lastAt = -Infinity;
    const write = (kind: "status" | "info" | "warn", text: string) => {
      try {
        sink(kind, prefix + text);
      } catch {
        // Logging must never fail an operation.
      }
    };
    return {
      status(text, progress) {
        if (progress) {
          const now = clock.now();
          if (!progress.final && progress.percent - lastPercent < PROGRESS_POINTS && now - lastAt < PROGRESS_MS) return;
          lastPercent = progress.percent;
          lastAt = now;
        }
        write("status", text);
      },
      info: (text) => write("info", text),
      warn: (text) => write("warn", text),
    };
  };
}

/** Says nothing. */
export const silentReporter: Reporter = { status: () => undefined, info: () => undefined, warn: () => undefined };

/** The factory's reporters, made so that neither the factory nor a reporter can fail an operation. */
export function safeFactory(factory: ReporterFactory): ReporterFactory {
  return (target) => {
    let r: Reporter;
    try {
      r = factory(target);
    } catch {
      return silentReporter;
    }
    const guard =
      <A extends unknown[]>(f: (...a: A) => void) =>
      (...a: A) => {
        try {
          f.apply(r, a);
        } catch {
          // Logging must never fail an operation.
        }
      };
    return { status: guard(r.status), info: guard(r.info), warn: guard(r.warn) };
  };
}

/** A duration for messages: 45s, 6m05s, 1h30m. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}
