/**
 * What comes back from the gateway, read into a `Result` or a `VolcengineError`: the hook into the
 * SDK's axios that keeps each answer's HTTP status and headers, and the reading of Volcengine's
 * envelope (`ResponseMetadata.Error`, `Result`) on every status, including answers that are not
 * Volcengine's at all (a proxy's HTML page, cut-off JSON). Apart from `wire.ts` (which sends, signs
 * and retries) because deciding what an answer *is* needs no transport: it is a pure reading of the
 * body, status and headers, plus one process-wide hook.
 */
import { createRequire } from "node:module";
import { VolcengineError } from "./volcengine-error";
import { badAnswer, type AnswerSource } from "./result-checks";

/** Marks requests of ours, so the response interceptor below touches nothing else. */
export const MARK = "volcengineCopiedImageWire";
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
export function installSdkHooks(): void {
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

/**
 * The `Result` of an answer (as the SDK handed it back, wrapped by the hook), and where it came
 * from; throws the `VolcengineError` the answer means. `clean` scrubs credentials from the
 * service's own message.
 */
export function readAnswer(
  raw: unknown,
  action: string,
  region: string,
  clean: (text: string) => string | undefined,
): { result: unknown; from: AnswerSource } {
  const wrapped = raw as Partial<WrappedResponse> | undefined;
  const status = wrapped?.[MARK] ? wrapped.status : undefined;
  const body = (wrapped?.[MARK] ? wrapped.body : raw) as Envelope | string | undefined;
  const envelope = typeof body === "object" && body !== null && !Array.isArray(body) ? body : undefined;
  const meta = typeof envelope?.ResponseMetadata === "object" && envelope.ResponseMetadata !== null ? envelope.ResponseMetadata : undefined;
  const headerId = wrapped?.headers?.["x-tt-logid"];
  const requestId = typeof meta?.RequestId === "string" && meta.RequestId ? meta.RequestId : typeof headerId === "string" ? headerId : undefined;
  const from: AnswerSource = { action, region, httpStatus: status, requestId };
  if (!envelope) throw notAnAnswer(body, from, wrapped?.headers?.["content-type"]);
  if (typeof meta?.Error?.Code === "string" && meta.Error.Code) {
    throw new VolcengineError({
      code: meta.Error.Code,
      codeN: typeof meta.Error.CodeN === "number" ? meta.Error.CodeN : undefined,
      httpStatus: status,
      requestId,
      action,
      region,
      serviceMessage: typeof meta.Error.Message === "string" ? clean(meta.Error.Message) : undefined,
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
function notAnAnswer(body: unknown, from: AnswerSource, contentType: unknown): VolcengineError {
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
