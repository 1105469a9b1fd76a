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
import { badAnswer, type AnswerCheck, type AnswerSource } from "./answers";
import { realClock, type Clock } from "./clock";
import { atDeadline } from "./deadline";

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
  /** The clock operation deadlines are measured on (the life cycle's). Default: the real clock. */
  clock?: Clock;
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
  // Not Volcengine's answer (an HTML error page, a cut-off body, no Result, wrong types): a gateway or
  // proxy spoke, or the answer broke on the way. Retried like a 5xx.
  "InvalidResponse",
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

/** What bounds one call besides the abort signal; what the operations hand down to the wire. */
export interface CallBounds {
  /** Absolute time on the wire's clock (the operation's deadline): no request, retry or wait for a
   * token goes past it, and a request still running then is aborted. Default: none. */
  deadline?: number;
  /** Told of each failed attempt (before any retry), e.g. so a waiter can say what the gateway answers. */
  onAttemptFailed?: (error: unknown) => void;
}

export interface CallOptions<T = unknown> extends CallBounds {
  /** False for actions that must not be repeated blindly (CopyImage): those are retried only after a
   * definite rejection (an error envelope), never after a broken connection or a timeout. */
  idempotent: boolean;
  /** Cancels the request and its retries. */
  signal?: AbortSignal;
  /** Reads the `Result` into the typed value (`answers.ts`); a malformed one is a retried `InvalidResponse`. */
  check?: AnswerCheck<T>;
}

/** The reason the deadline's controller aborts with (told apart from the owner's abort). */
const DEADLINE = Symbol("operation deadline");

export class WireClient {
  private readonly services = new Map<string, Service>();
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly clock: Clock;

  constructor(private readonly options: WireOptions) {
    installSdkHooks();
    this.retry = validateRetry({ ...DEFAULT_RETRY, ...options.retry });
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.clock = options.clock ?? realClock;
  }

  /** One action, signed for `region`, with retries of transient failures. Returns `Result` (checked by `opts.check`). */
  async call<T>(action: string, region: string, params: Params, opts: CallOptions<T>): Promise<T> {
    return (await this.callWithMeta<T>(action, region, params, opts)).result;
  }

  /**
   * As `call`, with the request id of the answer.
   *
   * The operation's deadline bounds everything here: the retry budget (`maxRetryTimeMs`), each
   * request's timeout and the wait for a token are all cut short when it passes, by one timer on the
   * operation's clock that aborts the call (the request in flight is closed). The per-request timeout
   * and retry budget stay on real time (they are about the network); the deadline is on the
   * operation's clock, so a test on a simulated clock sees the same bound as production.
   */
  async callWithMeta<T>(action: string, region: string, params: Params, opts: CallOptions<T>): Promise<{ result: T; requestId?: string }> {
    const deadline = opts.deadline ?? Infinity;
    let lastError: unknown;
    if (this.clock.now() >= deadline) throw this.deadlineError(action, region, lastError, false);
    let sent = false;
    const bound = Number.isFinite(deadline) ? new AbortController() : undefined;
    const cancelTimer = bound ? atDeadline(this.clock, deadline, () => bound.abort(DEADLINE)) : undefined;
    const signal = bound ? (opts.signal ? AbortSignal.any([opts.signal, bound.signal]) : bound.signal) : opts.signal;
    try {
      return await pRetry(() => this.once<T>(action, region, params, signal, opts.check, () => (sent = true)), {
        retries: this.retry.retries,
        factor: 2,
        minTimeout: this.retry.minDelayMs,
        maxTimeout: this.retry.maxDelayMs,
        maxRetryTime: this.retry.maxRetryTimeMs,
        randomize: true,
        signal,
        shouldRetry: ({ error }) => !bound?.signal.aborted && (opts.idempotent ? isTransient(error) : isDefiniteRejection(error)),
        onFailedAttempt: ({ error }) => {
          lastError = error;
          if (isThrottling(error)) this.options.rateLimiter?.penalize();
          try {
            opts.onAttemptFailed?.(error);
          } catch {
            // An observer must not change the call's outcome.
          }
        },
      });
    } catch (e) {
      if (bound?.signal.aborted && !opts.signal?.aborted) throw this.deadlineError(action, region, lastError, sent);
      throw e;
    } finally {
      cancelTimer?.();
    }
  }

  /** The deadline passed before an answer that ended the call: ambiguous when a request was sent (it may have run), with the last attempt's answer. */
  private deadlineError(action: string, region: string, last: unknown, sent: boolean): VolcengineError {
    const lastSaid = last instanceof VolcengineError ? `; the last attempt: ${last.summary.replace(/\.$/, "")}` : "";
    return new VolcengineError({
      code: "DeadlineExceeded",
      action,
      region,
      ambiguous: sent,
      detail: sent ? `no answer that settled it before the operation's deadline${lastSaid}` : "not sent: the operation's deadline had passed",
      requestId: last instanceof VolcengineError ? last.requestId : undefined,
      httpStatus: last instanceof VolcengineError ? last.httpStatus : undefined,
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

  private async once<T>(action: string, region: string, params: Params, signal?: AbortSignal, check?: AnswerCheck<T>, sending?: () => void): Promise<{ result: T; requestId?: string }> {
    if (signal?.aborted) throw new AbortError(String(signal.reason ?? "aborted"));
    await this.options.rateLimiter?.take(signal);
    const api = this.service(region).createAPI<Record<string, string>, T>(action, { method: "GET", Version: ECS_VERSION });
    let raw: unknown;
    try {
      // The second argument reaches axios's request config: the signal cancels the request itself.
      sending?.();
      raw = await api(flatten(params), { timeout: this.timeoutMs, signal, [MARK]: true } as never);
    } catch (e) {
      if (signal?.aborted) throw new AbortError(String(signal.reason ?? "aborted"));
      throw this.transportError(e, action, region);
    }
    const { result, from } = this.unwrap(raw, action, region);
    return { result: check ? check(result, from) : (result as T), requestId: from.requestId };
  }

  private unwrap(raw: unknown, action: string, region: string): { result: unknown; from: AnswerSource } {
    const wrapped = raw as Partial<WrappedResponse> | undefined;
    const status = wrapped?.[MARK] ? wrapped.status : undefined;
    const body = (wrapped?.[MARK] ? wrapped.body : raw) as Envelope | string | undefined;
    const envelope = typeof body === "object" && body !== null && !Array.isArray(body) ? body : undefined;
    const meta = typeof envelope?.ResponseMetadata === "object" && envelope.ResponseMetadata !== null ? envelope.ResponseMetadata : undefined;
    const headerId = wrapped?.headers?.["x-tt-logid"];
    const requestId = typeof meta?.RequestId === "string" && meta.RequestId ? meta.RequestId : typeof headerId === "string" ? headerId : undefined;
    const from: AnswerSource = { action, region, httpStatus: status, requestId };
    if (!envelope) throw this.notAnAnswer(body, from, wrapped?.headers?.["content-type"]);
    if (typeof meta?.Error?.Code === "string" && meta.Error.Code) {
      throw new VolcengineError({
        code: meta.Error.Code,
        codeN: typeof meta.Error.CodeN === "number" ? meta.Error.CodeN : undefined,
        httpStatus: status,
        requestId,
        action,
        region,
        serviceMessage: typeof meta.Error.Message === "string" ? this.clean(meta.Error.Message) : undefined,
      });
    }
    if (status !== undefined && (status < 200 || status >= 300)) {
      // JSON, but no error envelope: a proxy or load balancer answered. Treated like the service's own 5xx/429.
      throw new VolcengineError({
        code: status === 429 ? "FlowLimitExceeded" : status >= 500 ? "ServiceUnavailable" : `HTTP${status}`,
        httpStatus: status,
        requestId,
        action,
        region,
        detail: `HTTP ${status} with JSON that is not a Volcengine error answer`,
      });
    }
    if (!("Result" in envelope) || envelope.Result === undefined) throw badAnswer(from, "no Result in the answer");
    return { result: envelope.Result, from };
  }

  /**
   * A body that is not a JSON object: cut-off JSON (a proxy cut it; axios hands back the text when it
   * cannot parse it), or a gateway's own page (HTML 502). Cut-off JSON and an error status are
   * transient and ambiguous (the action may have run behind it). A non-JSON answer with a success or
   * client-error status is not a passing fault but the wrong server: final, and it says where to look.
   */
  private notAnAnswer(body: unknown, from: AnswerSource, contentType: unknown): VolcengineError {
    const text = typeof body === "string" ? body : body === undefined || body === null ? "" : JSON.stringify(body);
    const status = from.httpStatus;
    const at = status !== undefined ? `HTTP ${status}` : "An answer";
    if (/^\s*[{[]/.test(text) && typeof body === "string") return badAnswer(from, "the answer was cut off (not valid JSON)");
    const html = /html/i.test(String(contentType ?? "")) || /^\s*</.test(text);
    const what = html ? "an HTML page" : text.trim() === "" ? "an empty body" : "a body that is not JSON";
    const detail = `${at} with ${what}, not a Volcengine answer`;
    if (status === undefined || status >= 500 || status === 429 || status === 408) return badAnswer(from, detail);
    return new VolcengineError({
      code: "NotAVolcengineEndpoint",
      detail,
      action: from.action,
      region: from.region,
      httpStatus: status,
      requestId: from.requestId,
    });
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
    const detail = code === "RequestTimeout" ? `RequestTimeout: no answer within ${this.timeoutMs} ms` : this.clean(`${code}: ${sysCode} ${message}`.trim());
    return new VolcengineError({ code, action, region, detail, ambiguous });
  }

  /** Service and transport texts are not ours: make sure no credential can travel inside them. */
  private clean(text: string | undefined): string | undefined {
    if (text === undefined) return undefined;
    // Volcengine quotes the access key in InvalidAccessKey; the guide counts it as a credential too.
    const { accessKeyId, secretKey, sessionToken } = this.options.credentials;
    return redact(text, [accessKeyId, secretKey, sessionToken]);
  }
}
