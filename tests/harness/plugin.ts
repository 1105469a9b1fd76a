// Engine-path test harness: runs the SDK's own dynamic-provider plugin
// (`@pulumi/pulumi/cmd/dynamic-provider`) as a child process and talks to it over gRPC the way the
// Pulumi engine does, without the Pulumi CLI.
//
//   const reg = await captureRegistration(() => new MyResource("r", args));   // what the SDK sends
//   const plugin = await startPlugin({ cwd: repoRoot });
//   try {
//     await plugin.configure({ "volcengine:region": "cn-beijing", "volcengine:secretKey": { secret: "s" } });
//     const checked = await plugin.check(urn, {}, reg.inputs);
//     const created = await plugin.create(urn, checked.inputs);
//   } finally {
//     await plugin.stop();
//   }
//
// The request fields mirror pkg/resource/plugin/provider_plugin.go for a provider that answered
// Configure with acceptSecrets=false (which the dynamic plugin always does): property values are
// plain (no secret envelopes) except in Configure, unknowns are the UNKNOWN sentinel string.
import { spawn, type ChildProcess } from "node:child_process";

import type * as pulumiTypes from "@pulumi/pulumi";

import type * as PluginPb from "@pulumi/pulumi/proto/plugin_pb";
import type * as ProviderPb from "@pulumi/pulumi/proto/provider_pb";
import type * as EmptyPb from "google-protobuf/google/protobuf/empty_pb";

import {
  emptyPb,
  grpc,
  pluginPb,
  providerGrpcPb,
  providerPb,
  statusPb,
  structPb,
  type ResourceProviderClient,
  type ServiceError,
  type Struct,
} from "./protos";

/** The value the engine sends in place of an unknown (computed) property. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** Key and value of the SDK/engine secret envelope: `{[SECRET_SIG_KEY]: SECRET_SIG, value}`. */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export interface PluginLogLine {
  stream: "stdout" | "stderr";
  text: string;
}

export interface InitFailure {
  id: string;
  properties: Record<string, unknown>;
  reasons: string[];
}

/** A failed RPC. `message` is "<method>: <details>"; `details` is the provider's error message. */
export class PluginCallError extends Error {
  readonly grpcCode: number;
  readonly details: string;
  readonly initFailure?: InitFailure;
  readonly method: string;

  constructor(method: string, grpcCode: number, details: string, initFailure?: InitFailure) {
    super(`${method}: ${details} (grpc code ${grpcCode})`);
    this.name = "PluginCallError";
    this.method = method;
    this.grpcCode = grpcCode;
    this.details = details;
    if (initFailure) this.initFailure = initFailure;
  }
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

export interface PluginProcess {
  port: number;
  pid: number;
  /** Every line the plugin printed after the port line, in arrival order per stream. */
  logs: PluginLogLine[];
  /** Settles when the plugin process has exited. */
  exited: Promise<PluginExit>;
  getPluginInfo(): Promise<{ version: string }>;
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
  /** Cancel, close the client, SIGTERM the process group (SIGKILL after 5 s), wait for exit. Idempotent. */
  stop(): Promise<void>;
  /** Abrupt kill of the whole process group, like a crash. Does not wait; await `exited` if needed. */
  kill(signal?: NodeJS.Signals): void;
  /** Wait until a log line matches (or reject after timeoutMs). */
  waitForLog(match: RegExp | ((line: PluginLogLine) => boolean), timeoutMs?: number): Promise<PluginLogLine>;
}

// ---------------------------------------------------------------------------------------------
// Orphan protection: every live plugin's process group is killed when this process goes away.

const liveGroups = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is already gone
  }
}

function installExitHooks(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const pid of liveGroups) killGroup(pid, "SIGKILL");
  });
  // A signal to the test process would otherwise skip the "exit" event. Kill the plugins, then let
  // the signal take its default course (re-raised once our handler is gone).
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const handler = (): void => {
      for (const pid of liveGroups) killGroup(pid, "SIGKILL");
      liveGroups.clear();
      process.removeListener(sig, handler);
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.on(sig, handler);
  }
}

// ---------------------------------------------------------------------------------------------
// Value conversion.

type JsValue = Parameters<typeof structPb.Value.fromJavaScript>[0];

/** Drop `undefined` object members (the SDK never sends them; Struct.fromJavaScript would throw). */
function dropUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : dropUndefined(v)));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined) out[k] = dropUndefined(v);
    }
    return out;
  }
  return value;
}

export function toStruct(obj: Record<string, unknown>): Struct {
  return structPb.Struct.fromJavaScript(dropUndefined(obj) as Record<string, JsValue>);
}

function fromStruct(s: Struct | undefined): Record<string, unknown> {
  return s ? (s.toJavaScript() as Record<string, unknown>) : {};
}

/** Is `v` the secret envelope `{4dabf…: 1b470…, value}`? */
export function isSecretEnvelope(v: unknown): v is { value: unknown } {
  return (
    v !== null && typeof v === "object" && !Array.isArray(v) && (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG
  );
}

/** Remove secret envelopes at any depth, the way the engine strips them for acceptSecrets=false providers. */
export function stripSecrets(value: unknown): unknown {
  if (isSecretEnvelope(value)) return stripSecrets(value.value);
  if (Array.isArray(value)) return value.map(stripSecrets);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = stripSecrets(v);
    return out;
  }
  return value;
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>`, as the engine builds it for a resource without parent. */
export function urnFor(type: string, name: string, project = "test", stack = "test"): string {
  return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

function urnParts(urn: string): { type: string; name: string } {
  const parts = urn.split("::");
  if (parts.length < 4) return { type: "", name: "" };
  return { type: (parts[2] ?? "").split("$").pop() ?? "", name: parts.slice(3).join("::") };
}

// ---------------------------------------------------------------------------------------------
// Errors.

function decodeInitFailure(err: ServiceError): InitFailure | undefined {
  const raw = err.metadata?.get("grpc-status-details-bin") ?? [];
  for (const entry of raw) {
    const bytes = typeof entry === "string" ? Buffer.from(entry, "base64") : entry;
    const status = statusPb.Status.deserializeBinary(new Uint8Array(bytes));
    for (const detail of status.getDetailsList()) {
      if (detail.getTypeName() !== "pulumirpc.ErrorResourceInitFailed") continue;
      const f = detail.unpack(
        providerPb.ErrorResourceInitFailed.deserializeBinary,
        "pulumirpc.ErrorResourceInitFailed",
      );
      if (!f) continue;
      return { id: f.getId(), properties: fromStruct(f.getProperties()), reasons: f.getReasonsList() };
    }
  }
  return undefined;
}

function toCallError(method: string, err: ServiceError): PluginCallError {
  return new PluginCallError(method, err.code, err.details ?? err.message, decodeInitFailure(err));
}

// ---------------------------------------------------------------------------------------------
// Process start.

/**
 * Start `node @pulumi/pulumi/cmd/dynamic-provider 127.0.0.1:0` as the engine does.
 * `cwd` must be a directory whose node_modules holds @pulumi/pulumi: serialized `require`s inside
 * `__provider` resolve from there. `env` is merged over process.env (`undefined` removes a variable).
 */
export async function startPlugin(opts: {
  cwd: string;
  env?: Record<string, string | undefined>;
  project?: string;
  /** Max wait for the port line. Default 30 s. */
  startTimeoutMs?: number;
}): Promise<PluginProcess> {
  installExitHooks();
  const project = opts.project ?? "test";
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({
    ...process.env,
    PULUMI_NODEJS_PROJECT: project,
    PULUMI_PROJECT: project,
    ...opts.env,
  })) {
    if (v !== undefined) env[k] = v;
  }
  const entry = require.resolve("@pulumi/pulumi/cmd/dynamic-provider", { paths: [opts.cwd] });
  const child = spawn(process.execPath, [entry, "127.0.0.1:0"], {
    cwd: opts.cwd,
    env,
    detached: true, // own process group, so stop()/kill() reach everything it spawns
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) {
    await new Promise<void>((resolve) => child.once("error", () => resolve()));
    throw new Error(`startPlugin: could not spawn ${process.execPath}`);
  }
  liveGroups.add(pid);

  const exited = new Promise<PluginExit>((resolve) => {
    child.once("exit", (code, signal) => {
      resolve({ code, signal });
    });
  });
  // Once the leader is gone, sweep anything left in its group and forget it.
  void exited.then(() => {
    killGroup(pid, "SIGKILL");
    liveGroups.delete(pid);
  });

  const logs: PluginLogLine[] = [];
  const preStart: string[] = [];
  const waiters = new Set<(line: PluginLogLine) => void>();
  let portResolve!: (port: number) => void;
  let portReject!: (err: Error) => void;
  const portPromise = new Promise<number>((res, rej) => {
    portResolve = res;
    portReject = rej;
  });
  let sawPort = false;

  const push = (line: PluginLogLine): void => {
    logs.push(line);
    for (const w of [...waiters]) w(line);
  };
  const lineReader = (stream: "stdout" | "stderr", source: NodeJS.ReadableStream): void => {
    let buf = "";
    source.setEncoding("utf8");
    const onLine = (text: string): void => {
      if (stream === "stdout" && !sawPort) {
        sawPort = true;
        const port = Number.parseInt(text.trim(), 10);
        if (Number.isInteger(port) && port > 0 && String(port) === text.trim()) portResolve(port);
        else portReject(new Error(`startPlugin: first stdout line is not a port: ${JSON.stringify(text)}`));
        return;
      }
      if (!sawPort) preStart.push(text);
      push({ stream, text });
    };
    source.on("data", (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        onLine(buf.slice(0, nl).replace(/\r$/, ""));
        buf = buf.slice(nl + 1);
      }
    });
    source.on("end", () => {
      if (buf.length > 0) onLine(buf);
      buf = "";
    });
  };
  lineReader("stdout", child.stdout!);
  lineReader("stderr", child.stderr!);

  void exited.then(({ code, signal }) => {
    if (!sawPort) {
      portReject(
        new Error(
          `startPlugin: plugin exited (code ${code}, signal ${signal}) before printing its port; stderr:\n${preStart.join("\n")}`,
        ),
      );
    }
  });
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  const timer = setTimeout(
    () => portReject(new Error(`startPlugin: no port line within ${startTimeoutMs} ms; stderr:\n${preStart.join("\n")}`)),
    startTimeoutMs,
  );

  let port: number;
  try {
    port = await portPromise;
  } catch (e) {
    killGroup(pid, "SIGKILL");
    await exited;
    throw e;
  } finally {
    clearTimeout(timer);
  }

  // Do not let a forgotten plugin keep the test process alive (the exit hook kills it): neither the
  // process handle nor its pipes hold the event loop. In-flight gRPC calls keep the loop alive by
  // themselves; `exited`, stop() and waitForLog() re-ref while someone waits.
  child.unref();
  for (const s of [child.stdout, child.stderr]) (s as unknown as { unref?: () => void } | null)?.unref?.();

  const client: ResourceProviderClient = new providerGrpcPb.ResourceProviderClient(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
    { "grpc.max_receive_message_length": 400 * 1024 * 1024, "grpc.max_send_message_length": 400 * 1024 * 1024 },
  );

  return makeProcess({ child, pid, port, logs, exited, client, waiters });
}

interface Internals {
  child: ChildProcess;
  pid: number;
  port: number;
  logs: PluginLogLine[];
  exited: Promise<PluginExit>;
  client: ResourceProviderClient;
  waiters: Set<(line: PluginLogLine) => void>;
}

type Callback<Res> = (err: ServiceError | null, res: Res) => void;

function makeProcess({ child, pid, port, logs, exited, client, waiters }: Internals): PluginProcess {
  const call = <Res>(method: string, start: (cb: Callback<Res>) => unknown): Promise<Res> =>
    new Promise<Res>((resolve, reject) => {
      try {
        start((err, res) => {
          if (err) reject(toCallError(method, err));
          else resolve(res);
        });
      } catch (e) {
        // grpc-js throws synchronously once the client was closed (after stop()).
        reject(new PluginCallError(method, grpc.status.UNAVAILABLE, e instanceof Error ? e.message : String(e)));
      }
    });

  const named = <T extends { setUrn(v: string): unknown; setName(v: string): unknown; setType(v: string): unknown }>(
    req: T,
    urn: string,
  ): T => {
    const { type, name } = urnParts(urn);
    req.setUrn(urn);
    req.setName(name);
    req.setType(type);
    return req;
  };

  let stopping: Promise<void> | undefined;

  const proc: PluginProcess = {
    port,
    pid,
    logs,
    get exited() {
      child.ref(); // whoever awaits the exit keeps the loop alive until it happens
      return exited;
    },

    async getPluginInfo() {
      const res = await call<PluginPb.PluginInfo>("GetPluginInfo", (cb) => client.getPluginInfo(new emptyPb.Empty(), cb));
      return { version: res.getVersion() };
    },

    async handshake() {
      await call<ProviderPb.ProviderHandshakeResponse>("Handshake", (cb) => client.handshake(new providerPb.ProviderHandshakeRequest(), cb));
    },

    async configure(config) {
      // For the pulumi-nodejs provider the engine sends the whole stack config with namespaced keys;
      // secret values (decrypted) wrapped in the secret envelope, since Configure uses KeepSecrets.
      const args: Record<string, unknown> = {};
      const req = new providerPb.ConfigureRequest();
      const vars = req.getVariablesMap();
      for (const [k, v] of Object.entries(config)) {
        if (typeof v === "string") {
          args[k] = v;
          vars.set(k, v);
        } else {
          args[k] = { [SECRET_SIG_KEY]: SECRET_SIG, value: v.secret };
          vars.set(k, v.secret);
        }
      }
      req.setArgs(toStruct(args));
      req.setAcceptsecrets(true);
      req.setAcceptresources(true);
      req.setSendsOldInputs(true);
      req.setSendsOldInputsToDelete(true);
      const res = await call<ProviderPb.ConfigureResponse>("Configure", (cb) => client.configure(req, cb));
      return { acceptSecrets: res.getAcceptsecrets() };
    },

    async check(urn, olds, news) {
      const req = named(new providerPb.CheckRequest(), urn);
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
      const res = await call<ProviderPb.CheckResponse>("Check", (cb) => client.check(req, cb));
      return {
        inputs: fromStruct(res.getInputs()),
        failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
      };
    },

    async diff(id, urn, olds, news, oldInputs) {
      const req = named(new providerPb.DiffRequest(), urn);
      req.setId(id);
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
      if (oldInputs) req.setOldInputs(toStruct(oldInputs));
      const res = await call<ProviderPb.DiffResponse>("Diff", (cb) => client.diff(req, cb));
      const C = providerPb.DiffResponse.DiffChanges;
      const changes = res.getChanges();
      const result: DiffResult = {
        changes: changes === C.DIFF_SOME ? "some" : changes === C.DIFF_NONE ? "none" : "unknown",
        replaces: res.getReplacesList(),
        stables: res.getStablesList(),
        deleteBeforeReplace: res.getDeletebeforereplace(),
        diffs: res.getDiffsList(),
      };
      if (res.getHasdetaileddiff()) {
        const kinds = ["add", "add-replace", "delete", "delete-replace", "update", "update-replace"];
        const detailed: Record<string, unknown> = {};
        res.getDetaileddiffMap().forEach((pd, key) => {
          detailed[key] = { kind: kinds[pd.getKind()] ?? pd.getKind(), inputDiff: pd.getInputdiff() };
        });
        result.detailedDiff = detailed;
      }
      return result;
    },

    async create(urn, properties, opts) {
      const req = named(new providerPb.CreateRequest(), urn);
      req.setProperties(toStruct(properties));
      req.setTimeout(opts?.timeoutSeconds ?? 0);
      req.setPreview(opts?.preview ?? false);
      const res = await call<ProviderPb.CreateResponse>("Create", (cb) => client.create(req, cb));
      return { id: res.getId(), properties: fromStruct(res.getProperties()) };
    },

    async read(id, urn, properties, inputs) {
      const req = named(new providerPb.ReadRequest(), urn);
      req.setId(id);
      req.setProperties(toStruct(properties));
      if (inputs) req.setInputs(toStruct(inputs));
      const res = await call<ProviderPb.ReadResponse>("Read", (cb) => client.read(req, cb));
      return { id: res.getId(), properties: fromStruct(res.getProperties()), inputs: fromStruct(res.getInputs()) };
    },

    async update(id, urn, olds, news, opts) {
      const req = named(new providerPb.UpdateRequest(), urn);
      req.setId(id);
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
      if (opts?.oldInputs) req.setOldInputs(toStruct(opts.oldInputs));
      req.setTimeout(opts?.timeoutSeconds ?? 0);
      req.setPreview(opts?.preview ?? false);
      const res = await call<ProviderPb.UpdateResponse>("Update", (cb) => client.update(req, cb));
      return { properties: fromStruct(res.getProperties()) };
    },

    async delete(id, urn, properties, opts) {
      const req = named(new providerPb.DeleteRequest(), urn);
      req.setId(id);
      req.setProperties(toStruct(properties));
      if (opts?.oldInputs) req.setOldInputs(toStruct(opts.oldInputs));
      req.setTimeout(opts?.timeoutSeconds ?? 0);
      await call<EmptyPb.Empty>("Delete", (cb) => client.delete(req, cb));
    },

    async cancel() {
      await call<EmptyPb.Empty>("Cancel", (cb) => client.cancel(new emptyPb.Empty(), cb));
    },

    stop() {
      stopping ??= (async () => {
        child.ref(); // keep the loop alive until the exit is observed
        if (child.exitCode === null && child.signalCode === null) {
          await Promise.race([proc.cancel().catch(() => undefined), exited, delay(2_000)]);
        }
        client.close();
        killGroup(pid, "SIGTERM");
        const hard = setTimeout(() => killGroup(pid, "SIGKILL"), 5_000);
        try {
          await exited;
        } finally {
          clearTimeout(hard);
        }
      })();
      return stopping;
    },

    kill(signal = "SIGKILL") {
      // The client stays open: later calls fail with UNAVAILABLE, as the engine would see a crash.
      killGroup(pid, signal);
    },

    waitForLog(match, timeoutMs = 10_000) {
      const test = typeof match === "function" ? match : (l: PluginLogLine) => match.test(l.text);
      const found = logs.find(test);
      if (found) return Promise.resolve(found);
      return new Promise<PluginLogLine>((resolve, reject) => {
        const w = (line: PluginLogLine): void => {
          if (!test(line)) return;
          clearTimeout(t);
          waiters.delete(w);
          resolve(line);
        };
        const t = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`waitForLog: no line matching ${String(match)} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
  };
  return proc;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

// ---------------------------------------------------------------------------------------------
// Capturing what the SDK sends for a dynamic resource, under pulumi.runtime.setMocks.

export interface Registration<T> {
  /** e.g. `pulumi-nodejs:dynamic/harness:Counter`. */
  type: string;
  name: string;
  urn: string;
  /**
   * Inputs as the engine would pass them to the plugin (acceptSecrets=false): every secret envelope
   * unwrapped, `__provider` = the serialized provider text. Feed this to check()/create().
   */
  inputs: Record<string, unknown>;
  /** Inputs exactly as the mock monitor saw them (secret envelopes kept). */
  rawInputs: Record<string, unknown>;
  /** Top-level input keys whose value was secret. */
  secretKeys: string[];
  providerText: string;
  providerIsSecret: boolean;
  resource: T;
}

let captureChain: Promise<unknown> = Promise.resolve();

/**
 * Build dynamic resource(s) under `pulumi.runtime.setMocks` and return exactly what the SDK sent the
 * (mock) engine for the dynamic resource `build` returned (or the single dynamic resource it created).
 *
 * Pulumi's runtime settings are process-global: every call installs fresh mocks (and resets the
 * runtime's project/stack). Calls made through this function are queued, so they are safe even
 * when started concurrently, but do not mix them with your own setMocks() in the same process
 * while one is pending. Default project/stack are "test"/"test" (same as urnFor/startPlugin).
 */
export function captureRegistration<T>(
  build: () => T,
  opts?: { project?: string; stack?: string; timeoutMs?: number },
): Promise<Registration<T>> {
  const run = captureChain.then(() => captureOnce(build, opts));
  captureChain = run.catch(() => undefined);
  return run;
}

/**
 * Serialize a provider object exactly as `pulumi.dynamic.Resource` does (`serializeFunction(() =>
 * provider, {allowSecrets: true})`), without registering a resource. Use this to assert on
 * serialization *failures*: a failing serialization inside captureRegistration rejects with the
 * serializer's message, but the SDK's resource machinery also leaves several unhandled promise
 * rejections behind, which `node --test` reports as failures.
 */
export async function serializeProviderText(provider: object): Promise<{ text: string; containsSecrets: boolean }> {
  const pulumi = require("@pulumi/pulumi") as typeof pulumiTypes;
  const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  return { text: sf.text, containsSecrets: sf.containsSecrets };
}

/** Wait (bounded) for the runtime's outstanding RPCs; waitForRPCs is exported at run time but untyped. */
async function drainRpcs(pulumi: typeof pulumiTypes): Promise<void> {
  const wait = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
  if (wait) await Promise.race([wait().catch(() => undefined), delay(10_000)]);
}

interface SeenRegistration {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

async function captureOnce<T>(
  build: () => T,
  opts?: { project?: string; stack?: string; timeoutMs?: number },
): Promise<Registration<T>> {
  // Loaded lazily: importing @pulumi/pulumi is slow and only captures need it.
  const pulumi = require("@pulumi/pulumi") as typeof pulumiTypes;
  const project = opts?.project ?? "test";
  const stack = opts?.stack ?? "test";
  const seen: SeenRegistration[] = [];
  const notify = new Set<() => void>();

  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        seen.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
        for (const n of notify) n();
        return { id: `${args.name}-mock-id`, state: args.inputs };
      },
      call(args) {
        return args.inputs;
      },
    },
    project,
    stack,
    false,
  );

  const resource = build();

  // Which registration are we after? A CustomResource returned by build() is matched by its URN
  // (resolved by the mock monitor); otherwise build() must have created exactly one dynamic resource.
  let target: { type: string; name: string } | undefined;
  const timeoutMs = opts?.timeoutMs ?? 60_000;
  const deadline = delay(timeoutMs).then(() => {
    throw new Error(`captureRegistration: no registration within ${timeoutMs} ms (seen: ${seen.map((s) => s.type + "::" + s.name).join(", ") || "none"})`);
  });
  if (pulumi.CustomResource.isInstance(resource)) {
    // Output.promise() is internal but stable; it rejects if registration failed (e.g. serialization).
    const urnOutput = resource.urn as unknown as { promise(): Promise<string> };
    const urn = await Promise.race([urnOutput.promise(), deadline]);
    target = urnParts(urn);
  } else {
    await Promise.race([
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (seen.some((s) => s.type.startsWith("pulumi-nodejs:dynamic"))) {
            notify.delete(check);
            resolve();
          }
        };
        notify.add(check);
        check();
      }),
      deadline,
    ]);
    // Let sibling registrations started by the same build arrive before deciding.
    await drainRpcs(pulumi);
    const dyn = seen.filter((s) => s.type.startsWith("pulumi-nodejs:dynamic"));
    if (dyn.length !== 1) {
      throw new Error(
        `captureRegistration: build() did not return a CustomResource and created ${dyn.length} dynamic resources; return the one to capture`,
      );
    }
    target = { type: dyn[0]!.type, name: dyn[0]!.name };
  }

  // Leave no registration of this build in flight when the next capture resets the mocks.
  await drainRpcs(pulumi);

  const reg = seen.find((s) => s.name === target!.name && s.type.split("$").pop() === target!.type);
  if (!reg) throw new Error(`captureRegistration: resource ${target.type}::${target.name} was not registered`);

  const rawInputs = reg.inputs;
  const rawProvider = rawInputs["__provider"];
  const providerIsSecret = isSecretEnvelope(rawProvider);
  const providerText = providerIsSecret ? rawProvider.value : rawProvider;
  if (typeof providerText !== "string") {
    throw new Error(`captureRegistration: ${reg.type}::${reg.name} has no string __provider (got ${typeof providerText})`);
  }
  return {
    type: reg.type,
    name: reg.name,
    urn: urnFor(reg.type, reg.name, project, stack),
    inputs: stripSecrets(rawInputs) as Record<string, unknown>,
    rawInputs,
    secretKeys: Object.keys(rawInputs).filter((k) => isSecretEnvelope(rawInputs[k])),
    providerText,
    providerIsSecret,
    resource,
  };
}
