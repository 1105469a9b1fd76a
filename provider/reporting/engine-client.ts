/**
 * The plugin's connection to the Pulumi engine, for Log calls (see engine-reporter.ts for why).
 *
 * The engine starts the dynamic-provider plugin with its own gRPC address as the first argument
 * (`process.argv[2]`); the SDK's plugin never connects to it. `GrpcEngineSink` does, lazily, and
 * delivers `pulumirpc.Engine/Log` calls, each bounded by a deadline; it never rejects, and once a
 * call fails it says so (`usable`), so that the reporters send everything to their fallback.
 */

/** pulumirpc.LogSeverity */
export const Severity = { Debug: 0, Info: 1, Warning: 2, Error: 3 } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

export interface LogEntry {
  severity: Severity;
  message: string;
  urn: string;
  ephemeral: boolean;
}

/** Something that delivers Log calls to the engine: resolves true when delivered, false when not (never rejects). */
export interface EngineLogSink {
  send(entry: LogEntry): Promise<boolean>;
  /** False once a call failed: everything goes to the fallback from then on. */
  readonly usable: boolean;
}

/** The engine address the SDK's plugin was started with, when it is one a client can reach (port 0 is the harness' "no engine"). */
export function engineAddressFromArgv(argv: readonly string[] = process.argv): string | undefined {
  const arg = argv[2];
  if (typeof arg !== "string") return undefined;
  const m = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/.exec(arg);
  if (!m) return undefined;
  const port = Number(m[1]);
  return port > 0 && port < 65536 ? arg : undefined;
}

/** Per-call deadline for Log calls. */
export const DEFAULT_CALL_TIMEOUT_MS = 2_000;

/** The parts of the SDK's generated engine gRPC code used here (loaded untyped, at run time). */
interface EngineClient {
  log(req: LogRequest, options: { deadline: number }, done: (err: { code?: number } | null) => void): void;
  close(): void;
}
interface LogRequest {
  setSeverity(severity: Severity): void;
  setMessage(message: string): void;
  setUrn(urn: string): void;
  setEphemeral(ephemeral: boolean): void;
}
interface EngineMessages {
  LogRequest: new () => LogRequest;
}

/**
 * A sink backed by a gRPC client to the engine, made on the first message (one per sink; the
 * runtime keeps one per plugin process). gRPC and the generated messages are loaded from
 * `@pulumi/pulumi`'s own directory, so they are the same copies the SDK uses.
 */
export class GrpcEngineSink implements EngineLogSink {
  private client?: EngineClient;
  private broken = false;
  private delivered = 0;
  private readonly pending = new Set<Promise<boolean>>();

  /**
   * @param onGone Called once when the engine is gone: it took messages before, and now its address
   *   refuses connections (the CLI was killed). Nothing will ever call this plugin again.
   */
  constructor(
    readonly address: string,
    private readonly callTimeoutMs = DEFAULT_CALL_TIMEOUT_MS,
    private readonly onGone?: () => void,
  ) {}

  get usable(): boolean {
    return !this.broken;
  }

  send(entry: LogEntry): Promise<boolean> {
    if (this.broken) return Promise.resolve(false);
    const p = new Promise<boolean>((resolve) => {
      try {
        const { client, engine } = this.connect();
        const req = new engine.LogRequest();
        req.setSeverity(entry.severity);
        req.setMessage(entry.message);
        req.setUrn(entry.urn);
        req.setEphemeral(entry.ephemeral);
        client.log(req, { deadline: Date.now() + this.callTimeoutMs }, (err: { code?: number } | null) => {
          if (err) {
            this.fail();
            if (err.code === 14 /* UNAVAILABLE */ && this.delivered > 0) void this.confirmGone();
          } else {
            this.delivered++;
          }
          resolve(!err);
        });
      } catch {
        this.fail();
        resolve(false);
      }
    });
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
    return p;
  }

  /** Resolves when the calls in flight have ended (each is bounded by the call timeout). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  close(): void {
    try {
      this.client?.close();
    } catch {
      /* nothing to do */
    }
    this.client = undefined;
  }

  /** The engine answered before; if its address now refuses a plain TCP connection, it is gone. */
  private async confirmGone(): Promise<void> {
    if (!this.onGone) return;
    const refused = await new Promise<boolean>((resolve) => {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const net = require("node:net") as typeof import("node:net");
        const i = this.address.lastIndexOf(":");
        const host = this.address.slice(0, i).replace(/^\[|\]$/g, "");
        const socket = net.connect({ host, port: Number(this.address.slice(i + 1)) });
        socket.setTimeout(this.callTimeoutMs);
        socket.once("connect", () => {
          socket.destroy();
          resolve(false);
        });
        socket.once("timeout", () => {
          socket.destroy();
          resolve(false);
        });
        socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ECONNREFUSED"));
      } catch {
        resolve(false);
      }
    });
    if (refused) {
      try {
        this.onGone();
      } catch {
        /* nothing to do */
      }
    }
  }

  private fail(): void {
    this.broken = true;
    this.close();
  }

  private connect(): { client: EngineClient; engine: EngineMessages } {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { dirname } = require("node:path") as typeof import("node:path");
    const pulumiDir = dirname(require.resolve("@pulumi/pulumi/package.json"));
    const load = (id: string) => require(require.resolve(id, { paths: [pulumiDir] }));
    const engine = load("@pulumi/pulumi/proto/engine_pb") as EngineMessages;
    if (!this.client) {
      const grpc = load("@grpc/grpc-js");
      const services = load("@pulumi/pulumi/proto/engine_grpc_pb");
      this.client = new services.EngineClient(this.address, grpc.credentials.createInsecure(), {
        // Fail fast instead of waiting for a connection that will not come.
        "grpc.enable_retries": 0,
      });
    }
    /* eslint-enable @typescript-eslint/no-require-imports */
    return { client: this.client as EngineClient, engine };
  }
}

let processSink: GrpcEngineSink | undefined;
let processSinkMade = false;

/** The one engine client of this plugin process (lazily made; undefined when there is no engine address). */
export function processEngineSink(argv: readonly string[] = process.argv, onGone?: () => void): GrpcEngineSink | undefined {
  if (!processSinkMade) {
    processSinkMade = true;
    const address = process.env.VOLCENGINE_COPIED_IMAGE_ENGINE_LOG === "off" ? undefined : engineAddressFromArgv(argv);
    processSink = address ? new GrpcEngineSink(address, DEFAULT_CALL_TIMEOUT_MS, onGone) : undefined;
  }
  return processSink;
}
