// What a started plugin offers: the engine-facing calls (calls.ts) and the process around them
// (process.ts). Request fields mirror pkg/resource/plugin/provider_plugin.go.

export interface PluginLogLine {
  stream: "stdout" | "stderr";
  text: string;
}

export interface InitFailure {
  id: string;
  properties: Record<string, unknown>;
  reasons: string[];
}

export interface CheckResult {
  inputs: Record<string, unknown>;
  failures: { property: string; reason: string }[];
}

export interface DiffResult {
  changes: "unknown" | "none" | "some";
  replaces: string[];
  stables: string[];
  deleteBeforeReplace: boolean;
  diffs: string[];
  /** Only present when the provider set hasDetailedDiff (the dynamic plugin never does). */
  detailedDiff?: Record<string, unknown>;
}

export interface PluginExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The ResourceProvider calls the engine makes, one method per RPC. */
export interface EngineCalls {
  getPluginInfo(): Promise<{ version: string }>;
  /** The package schema (JSON text); the dynamic plugin answers UNIMPLEMENTED. */
  getSchema(): Promise<string>;
  configure(config: Record<string, string | { secret: string }>): Promise<{ acceptSecrets: boolean }>;
  check(urn: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<CheckResult>;
  diff(
    id: string,
    urn: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
    oldInputs?: Record<string, unknown>,
  ): Promise<DiffResult>;
  create(
    urn: string,
    properties: Record<string, unknown>,
    opts?: { timeoutSeconds?: number; preview?: boolean },
  ): Promise<{ id: string; properties: Record<string, unknown> }>;
  read(
    id: string,
    urn: string,
    properties: Record<string, unknown>,
    inputs?: Record<string, unknown>,
  ): Promise<{ id: string; properties: Record<string, unknown>; inputs: Record<string, unknown> }>;
  update(
    id: string,
    urn: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
    opts?: { timeoutSeconds?: number; oldInputs?: Record<string, unknown>; preview?: boolean },
  ): Promise<{ properties: Record<string, unknown> }>;
  delete(
    id: string,
    urn: string,
    properties: Record<string, unknown>,
    opts?: { timeoutSeconds?: number; oldInputs?: Record<string, unknown> },
  ): Promise<void>;
  /** Handshake; the dynamic plugin answers UNIMPLEMENTED (the engine then falls back to Configure). */
  handshake(): Promise<void>;
  cancel(): Promise<void>;
}

/** A running plugin process and a gRPC client connected to it. */
export interface PluginProcess extends EngineCalls {
  port: number;
  pid: number;
  /** Every line the plugin printed after the port line, in arrival order per stream. */
  logs: PluginLogLine[];
  /** Settles when the plugin process has exited. */
  exited: Promise<PluginExit>;
  /** Cancel, close the client, SIGTERM the process group (SIGKILL after 5 s), wait for exit. Idempotent. */
  stop(): Promise<void>;
  /** Abrupt kill of the whole process group, like a crash. Does not wait; await `exited` if needed. */
  kill(signal?: NodeJS.Signals): void;
  /** Wait until a log line matches (or reject after timeoutMs). */
  waitForLog(match: RegExp | ((line: PluginLogLine) => boolean), timeoutMs?: number): Promise<PluginLogLine>;
}
