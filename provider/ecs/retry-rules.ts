/**
 * Which failures are worth another try: the error classification behind every retry decision (the
 * wire's own retries, CopyImage's "never twice", delete's retry, the TaskWatcher's "try the poll
 * again"). Apart from `wire.ts` because it is a pure rule over `VolcengineError` that operations and
 * the watcher consult without needing the transport.
 */
import { VolcengineError } from "./volcengine-error";

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
