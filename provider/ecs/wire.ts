/**
 * The wire: one signed GET to the Volcengine OpenAPI gateway, through `@volcengine/openapi`
 * (its `Service` signs and sends), with what the SDK leaves to callers done here:
 *
 * - 1-based flattening of lists (`ImageIds.1`, `Tags.1.Key`): the node SDK does not flatten
 *   (reference §0);
 * - reading the error envelope on every HTTP status, with the HTTP status and request id of every
 *   answer, for `VolcengineError` (`envelope.ts`);
 * - retries of transient failures (`retry-rules.ts` says which) with `p-retry` (exponential backoff,
 *   jitter, bounded attempts and time), a client-side rate limit, and a per-request timeout;
 * - keeping credentials out of every error and log line.
 *
 * The region a request acts on is carried only by the signature's credential scope (reference §0),
 * so every call names the region it is signed for.
 */
import { Service } from "@volcengine/openapi";
import pRetry, { AbortError } from "p-retry";
import { VolcengineError, redact } from "./volcengine-error";
import { TokenBucket, type Ticket } from "./rate-limit";
import { DEFAULT_RETRY, validateRetry, type RetryPolicy } from "../settings/tunables";
import type { AnswerCheck } from "./result-checks";
import { isDefiniteRejection, isThrottling, isTransient } from "./retry-rules";
import { MARK, installSdkHooks, readAnswer } from "./envelope";
import { realClock, type Clock } from "../settings/clock";
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

export type { RetryPolicy } from "../settings/tunables";

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
  /** Reads the `Result` into the typed value (`result-checks.ts`); a malformed one is a retried `InvalidResponse`. */
  check?: AnswerCheck<T>;
  /** The first attempt's token, already taken (`takeToken`: a batch that gathered ids while it waited for it). */
  token?: Ticket;
}

/** The reason the deadline's controller aborts with (told apart from the owner's abort). */
const DEADLINE = Symbol("operation deadline");

export class WireClient {
  private readonly services = new Map<string, Service>();
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  /** The clock operation deadlines are measured on. */
  readonly clock: Clock;

  constructor(private readonly options: WireOptions) {
    installSdkHooks();
    this.retry = validateRetry({ ...DEFAULT_RETRY, ...options.retry });
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.clock = options.clock ?? realClock;
  }

  /** Waits for a token of the account's rate limit, for a request sent later with `token` (undefined: no limit). */
  async takeToken(signal?: AbortSignal): Promise<Ticket | undefined> {
    return this.options.rateLimiter?.take(signal);
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
      const attempt = (n: number) => this.once<T>(action, region, params, signal, opts.check, () => (sent = true), n === 1 ? opts.token : undefined);
      return await pRetry(attempt, {
        retries: this.retry.retries,
        factor: 2,
        minTimeout: this.retry.minDelayMs,
        maxTimeout: this.retry.maxDelayMs,
        maxRetryTime: this.retry.maxRetryTimeMs,
        randomize: true,
        signal,
        // A throttled attempt waits for the rate limiter instead (cut, drained, jittered): p-retry's
        // growing delay on top would leave the account idle, and it would count against `retries`.
        shouldConsumeRetry: ({ error }) => !(this.options.rateLimiter && isThrottling(error)),
        shouldRetry: ({ error }) => !bound?.signal.aborted && (opts.idempotent ? isTransient(error) : isDefiniteRejection(error)),
        onFailedAttempt: ({ error }) => {
          lastError = error;
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

  private async once<T>(
    action: string,
    region: string,
    params: Params,
    signal?: AbortSignal,
    check?: AnswerCheck<T>,
    sending?: () => void,
    taken?: Ticket,
  ): Promise<{ result: T; requestId?: string }> {
    if (signal?.aborted) throw new AbortError(String(signal.reason ?? "aborted"));
    const limiter = this.options.rateLimiter;
    const ticket = taken ?? (await limiter?.take(signal));
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
    // The limiter hears every answer that came back: a throttling one cuts its rate; any other went
    // through the account's limit (an error answer too) and may grow it back.
    let answer: ReturnType<typeof readAnswer>;
    try {
      answer = readAnswer(raw, action, region, (text) => this.clean(text));
    } catch (e) {
      if (limiter && ticket) {
        if (isThrottling(e)) limiter.penalize(ticket);
        else limiter.reward(ticket);
      }
      throw e;
    }
    if (limiter && ticket) limiter.reward(ticket);
    const { result, from } = answer;
    return { result: check ? check(result, from) : (result as T), requestId: from.requestId };
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
    const detail =
      code === "RequestTimeout" ? `RequestTimeout: no answer within ${this.timeoutMs} ms` : this.clean(`${code}: ${sysCode} ${message}`.trim());
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
