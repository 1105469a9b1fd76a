/**
 * The wire: one signed GET to the Volcengine OpenAPI gateway, through `@volcengine/openapi`
 * (its `Service` signs and sends), with what the SDK leaves to callers done here:
 *
 * - 1-based flattening of lists (`ImageIds.1`, `Tags.1.Key`): the node SDK does not flatten
 *   (reference §0);
 * - reading the error envelope on every HTTP status (the SDK returns the body for all statuses);
 * - the HTTP status and request id of every answer, for `VolcengineError`;
 * - retries of transient failures with `p-retry` (exponential backoff, jitter, bounded attempts and
 *   time), a client-side rate limit, and a per-request timeout;
 * - keeping credentials out of every error and log line.
 *
 * The region a request acts on is carried only by the signature's credential scope (reference §0),
 * so every call names the region it is signed for.
 */
import { createRequire } from "node:module";
import { Service } from "@volcengine/openapi";
import pRetry, { AbortError } from "p-retry";
import { VolcengineError, redact } from "./errors";
import { TokenBucket } from "./rate-limit";
import { DEFAULT_RETRY, validateRetry, type RetryPolicy } from "./defaults";

export const ECS_VERSION = "2020-04-01";
export const ECS_SERVICE = "ecs";

export interface Credentials {
  accessKeyId: string;
  secretKey: string;
  sessionToken?: string;
}

/** Where requests go: `https:` + `open.volcengineapi.com` by default, `http:` + `127.0.0.1:port` for the emulator. */
export interface Endpoint {
  protocol: "https:" | "http:";
  /** Host name with optional `:port`. */
  host: string;
}

export type { RetryPolicy } from "./defaults";

export interface WireOptions {
  endpoint: Endpoint;
  credentials: Credentials;
  /** Per-request timeout. Default 10 s (the SDK's own default). */
  requestTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Shared by all clients of one account (the session cache makes one per account and rate). */
  rateLimiter?: TokenBucket;
}

/** A query parameter value before flattening. */
export type ParamValue = string | number | boolean | undefined | readonly ParamValue[] | { readonly [key: string]: ParamValue };
export type Params = { readonly [key: string]: ParamValue };

/** Flattens nested lists and objects into Volcengine's 1-based query keys; drops undefined. */
export function flatten(params: Params, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (key: string, value: ParamValue) => {
    if (value === undefined) return;
    if (Array.isArray(value)) {
      value.forEach((v, i) => put(`${key}.${i + 1}`, v));
    } else if (typeof value === "object" && value !== null) {
      for (const [k, v] of Object.entries(value as Record<string, ParamValue>)) put(`${key}.${k}`, v);
    } else {
      out[key] = typeof value === "boolean" ? (value ? "true" : "false") : String(value);
    }
  };
  for (const [k, v] of Object.entries(params)) put(prefix ? `${prefix}.${k}` : k, v);
  return out;
}

/** The error codes that mean "try again later"; anything else is final. */
const TRANSIENT_CODES = new Set([
  "InternalError",
  "ServiceUnavailable",
  "FlowLimitExceeded",
  "AccountFlowLimitExceeded",
  "RequestLimitExceeded",
  "Throttling",
  "OperationDenied.ResourceLocked",
  "RequestTimeout",
  "ConnectionReset",
  "ConnectionRefused",
  "NetworkError",
]);
const THROTTLING_CODES = new Set(["FlowLimitExceeded", "AccountFlowLimitExceeded", "RequestLimitExceeded", "Throttling"]);

export function isTransient(e: unknown): boolean {
  if (!(e instanceof VolcengineError)) return false;
  if (TRANSIENT_CODES.has(e.code)) return true;
  return e.httpStatus !== undefined && (e.httpStatus === 429 || e.httpStatus >= 500);
}

/**
 * For actions that must not run twice (CopyImage): only answers that say the request was not carried
 * out are safe to repeat blindly: throttling and locks. A 5xx may come after the service acted, and
 * a broken connection or timeout leaves it unknown; the life cycle looks before it tries again.
 */
export function isDefiniteRejection(e: unknown): boolean {
  if (!(e instanceof VolcengineError) || e.ambiguous) return false;
  return isThrottling(e) || e.code === "OperationDenied.ResourceLocked" || e.code === "ConnectionRefused";
}

export function isThrottling(e: unknown): boolean {
  return e instanceof VolcengineError && (THROTTLING_CODES.has(e.code) || e.httpStatus === 429);
}

/** Marks requests of ours, so the response interceptor below touches nothing else. */
const MARK = "volcengineCopiedImageWire";
interface WrappedResponse {
  [MARK]: true;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

let interceptorInstalled = false;
/**
 * `@volcengine/openapi` hands back only the body; the HTTP status is needed for errors and
 * retries. Its axios copy gets one response interceptor that wraps the body of our own
 * requests (marked in their config) with the status and headers.
 * It also switches off the SDK's `debug` logging of requests, which prints the headers,
 * session token included, when DEBUG matches `@volcengine/openapi:*`.
 */
function installSdkHooks(): void {
  if (interceptorInstalled) return;
  interceptorInstalled = true;
  const sdkRequire = createRequire(require.resolve("@volcengine/openapi"));
  const axios = sdkRequire("axios");
  axios.interceptors.response.use((response: { config: Record<string, unknown>; status: number; headers: Record<string, string>; data: unknown }) => {
    if (response.config?.[MARK]) {
      const wrapped: WrappedResponse = { [MARK]: true, status: response.status, headers: response.headers ?? {}, body: response.data };
      response.data = wrapped;
    }
    return response;
  });
  try {
    const debug = sdkRequire("debug");
    if (debug.enabled("@volcengine/openapi:fetch")) {
      debug.enable(`${process.env.DEBUG ?? ""},-@volcengine/openapi:*`);
    }
  } catch {
    // No debug module: nothing to silence.
  }
}

interface Envelope {
  ResponseMetadata?: {
    RequestId?: string;
    Region?: string;
    Error?: { Code?: string; Message?: string; CodeN?: number };
  };
  Result?: unknown;
}

export interface CallOptions {
  /** False for actions that must not be repeated blindly (CopyImage): those are retried only after a
   * definite rejection (an error envelope), never after a broken connection or a timeout. */
  idempotent: boolean;
  /** Cancels the request and its retries. */
  signal?: AbortSignal;
}

export class WireClient {
  private readonly services = new Map<string, Service>();
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;

  constructor(private readonly options: WireOptions) {
    installSdkHooks();
    this.retry = validateRetry({ ...DEFAULT_RETRY, ...options.retry });
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  /** One action, signed for `region`, with retries of transient failures. Returns `Result`. */
  async call<T>(action: string, region: string, params: Params, opts: CallOptions): Promise<T> {
    return (await this.callWithMeta<T>(action, region, params, opts)).result;
  }

  /** As `call`, with the request id of the answer. */
  async callWithMeta<T>(action: string, region: string, params: Params, opts: CallOptions): Promise<{ result: T; requestId?: string }> {
    return pRetry(() => this.once<T>(action, region, params, opts.signal), {
      retries: this.retry.retries,
      factor: 2,
      minTimeout: this.retry.minDelayMs,
      maxTimeout: this.retry.maxDelayMs,
      maxRetryTime: this.retry.maxRetryTimeMs,
      randomize: true,
      signal: opts.signal,
      shouldRetry: ({ error }) => (opts.idempotent ? isTransient(error) : isDefiniteRejection(error)),
      onFailedAttempt: ({ error }) => {
        if (isThrottling(error)) this.options.rateLimiter?.penalize();
      },
    });
  }

  private service(region: string): Service {
    let s = this.services.get(region);
    if (!s) {
      const { credentials, endpoint } = this.options;
      s = new Service({
        serviceName: ECS_SERVICE,
        region,
        host: endpoint.host,
        protocol: endpoint.protocol,
        defaultVersion: ECS_VERSION,
        accessKeyId: credentials.accessKeyId,
        secretKey: credentials.secretKey,
        sessionToken: credentials.sessionToken,
      });
      this.services.set(region, s);
    }
    return s;
  }

  private async once<T>(action: string, region: string, params: Params, signal?: AbortSignal): Promise<{ result: T; requestId?: string }> {
    if (signal?.aborted) throw new AbortError(String(signal.reason ?? "aborted"));
    await this.options.rateLimiter?.take(signal);
    const api = this.service(region).createAPI<Record<string, string>, T>(action, { method: "GET", Version: ECS_VERSION });
    let raw: unknown;
    try {
      // The second argument reaches axios's request config: the signal cancels the request itself.
      raw = await api(flatten(params), { timeout: this.timeoutMs, signal, [MARK]: true } as never);
    } catch (e) {
      if (signal?.aborted) throw new AbortError(String(signal.reason ?? "aborted"));
      throw this.transportError(e, action, region);
    }
    return this.unwrap<T>(raw, action, region);
  }

  private unwrap<T>(raw: unknown, action: string, region: string): { result: T; requestId?: string } {
    const wrapped = raw as Partial<WrappedResponse> | undefined;
    const status = wrapped?.[MARK] ? wrapped.status : undefined;
    const body = (wrapped?.[MARK] ? wrapped.body : raw) as Envelope | string | undefined;
    const envelope = typeof body === "object" && body !== null ? body : undefined;
    const meta = envelope?.ResponseMetadata;
    const requestId = meta?.RequestId ?? wrapped?.headers?.["x-tt-logid"];
    if (meta?.Error?.Code) {
      throw new VolcengineError({
        code: meta.Error.Code,
        codeN: meta.Error.CodeN,
        httpStatus: status,
        requestId,
        action,
        region,
        serviceMessage: this.clean(meta.Error.Message),
      });
    }
    if (status !== undefined && (status < 200 || status >= 300)) {
      // No envelope: a proxy or load balancer answered. Treated like the service's own 5xx/429.
      throw new VolcengineError({
        code: status === 429 ? "FlowLimitExceeded" : status >= 500 ? "ServiceUnavailable" : `HTTP${status}`,
        httpStatus: status,
        requestId,
        action,
        region,
        serviceMessage: typeof body === "string" ? this.clean(body.slice(0, 200)) : undefined,
      });
    }
    if (!envelope || !("Result" in envelope)) {
      throw new VolcengineError({
        code: "InvalidResponse",
        httpStatus: status,
        requestId,
        action,
        region,
        serviceMessage: "the answer was not a Volcengine OpenAPI envelope; check volcengine:endpoint / VOLCENGINE_ENDPOINT",
      });
    }
    return { result: envelope.Result as T, requestId };
  }

  /** Connection failures and timeouts; `ambiguous` when the request may have reached the service. */
  private transportError(e: unknown, action: string, region: string): VolcengineError {
    const err = e as { code?: string; message?: string };
    const sysCode = err?.code ?? "";
    const message = String(err?.message ?? e);
    let code = "NetworkError";
    let ambiguous = true;
    if (sysCode === "ECONNABORTED" || /timeout/i.test(message)) code = "RequestTimeout";
    else if (sysCode === "ECONNRESET" || /socket hang up/i.test(message)) code = "ConnectionReset";
    else if (sysCode === "ECONNREFUSED" || sysCode === "ENOTFOUND" || sysCode === "EAI_AGAIN") {
      code = "ConnectionRefused";
      ambiguous = false; // the request never left this machine
    }
    const detail = code === "RequestTimeout" ? `no answer within ${this.timeoutMs} ms` : this.clean(`${sysCode} ${message}`.trim());
    return new VolcengineError({ code, action, region, serviceMessage: detail, ambiguous });
  }

  /** Service and transport texts are not ours: make sure no credential can travel inside them. */
  private clean(text: string | undefined): string | undefined {
    if (text === undefined) return undefined;
    // Volcengine quotes the access key in InvalidAccessKey; the guide counts it as a credential too.
    const { accessKeyId, secretKey, sessionToken } = this.options.credentials;
    return redact(text, [accessKeyId, secretKey, sessionToken]);
  }
}
