/**
 * Which failures are worth another try: the error classification behind every retry decision (the
 * wire's own retries, CopyImage's "never twice", delete's waiting, the TaskWatcher's "try the poll
 * again"). Apart from `wire.ts` because it is a pure rule over `VolcengineError` that operations and
 * the watcher consult without needing the transport.
 */
import { VolcengineError } from "./volcengine-error";

/** Where a "retry later" code comes from, and the actions it means "later" for (all when absent). */
export interface RetryLaterCode {
  /** The section of the API reference (`volcengine-ecs-api.md`) or the reasoning that puts it here. */
  source: string;
  /** For other actions the same code is final. */
  onlyFor?: readonly string[];
  /** Throttling: the account's rate limit spoke (the client-side limiter slows down too). */
  throttling?: true;
}

/**
 * THE list of answers that mean "not now, the same request will work later"; anything else is final.
 * The wire retries a request that gets one (idempotent actions), delete waits while DeleteImages answers
 * one (for the whole request or for its image), the TaskWatcher polls again. A code added here is retried
 * by all of them.
 */
export const RETRY_LATER: Readonly<Record<string, RetryLaterCode>> = {
  InternalError: { source: "§4 DeleteImages and §5 error tables (HTTP 500, 'Please retry your request')" },
  FlowLimitExceeded: { source: "§7 flow control: Volcengine's own flow-limit codes (cello, terraform-provider-volcengine)", throttling: true },
  AccountFlowLimitExceeded: { source: "§7 flow control: Volcengine's own flow-limit codes (cello)", throttling: true },
  RequestLimitExceeded: { source: "§7: in the go-sdk's AWS-derived throttle list; [INFERRED] that Volcengine may send it", throttling: true },
  Throttling: { source: "§7: in the go-sdk's AWS-derived throttle list; [INFERRED] that Volcengine may send it", throttling: true },
  ServiceUnavailable: { source: "[INFERRED] not in the reference: the usual code of a 503, which is retried as a 5xx anyway" },
  "OperationDenied.ResourceLocked": {
    source: "[INFERRED] not in the reference: the OperationDenied family of §4, for an image another operation holds",
  },
  "OperationDenied.ImageIsCopying": { source: "§4 DeleteImages per-image table: the image is still being copied" },
  "OperationDenied.ImageIsExporting": { source: "§4 DeleteImages per-image table: the image is being exported" },
  InvalidImageStatus: {
    source:
      "§4 DeleteImages per-image table: an image of ours not yet available is a copy still running. Final elsewhere " +
      "(a CopyImage source that is not available, §1 [INFERRED])",
    onlyFor: ["DeleteImages"],
  },
  // Our own codes for transport failures (`wire.ts`): no answer came.
  RequestTimeout: { source: "ours: no answer within the request timeout" },
  ConnectionReset: { source: "ours: the connection broke" },
  ConnectionRefused: { source: "ours: nothing listened" },
  NetworkError: { source: "ours: another network failure" },
  // Not Volcengine's answer (an HTML error page, a cut-off body, no Result, wrong types): a gateway or
  // proxy spoke, or the answer broke on the way. Retried like a 5xx.
  InvalidResponse: { source: "ours: an answer that was not the service's" },
};
const THROTTLING_CODES = new Set(Object.keys(RETRY_LATER).filter((code) => RETRY_LATER[code]!.throttling));

/** Whether `e` says "retry later" (a code of RETRY_LATER for its action, HTTP 429 or a 5xx). */
export function isTransient(e: unknown): boolean {
  if (!(e instanceof VolcengineError)) return false;
  const rule = Object.hasOwn(RETRY_LATER, e.code) ? RETRY_LATER[e.code] : undefined;
  if (rule && (rule.onlyFor === undefined || rule.onlyFor.includes(e.action))) return true;
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
