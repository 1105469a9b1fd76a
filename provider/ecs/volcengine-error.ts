/**
 * Errors that carry structure (code, request id, action, region) until the last moment, where
 * they become one sentence a person can act on.
 *
 * No error built here ever holds a credential: messages are composed from the Volcengine error
 * envelope, the action, the region and our own sentences only, never from request headers.
 */

/** What to do about a Volcengine error code, in one plain sentence. Codes from the CopyImage seed page
 * (`shared/seeds/`), the sibling actions' tables and the gateway's common error codes. */
const ADVICE: Record<string, string> = {
  // Gateway and authentication.
  MissingAuthenticationToken:
    "The request carried no credentials; set volcengine:accessKey and volcengine:secretKey (or VOLCENGINE_ACCESS_KEY and VOLCENGINE_SECRET_KEY).",
  InvalidAccessKey: "The access key is not known to Volcengine; check volcengine:accessKey / VOLCENGINE_ACCESS_KEY.",
  SignatureDoesNotMatch:
    "The request signature was rejected; check that the secret key belongs to the access key (volcengine:secretKey / VOLCENGINE_SECRET_KEY).",
  InvalidTimestamp: "The request was signed with a time more than 15 minutes off; check this machine's clock.",
  InvalidCredential: "The credentials were rejected; check the access key, secret key and session token.",
  // AccessDenied / LackPolicy: the advice names the permission of the failed action (see `describe`).
  InvalidActionOrVersion: "The endpoint does not know this action; check volcengine:endpoint / VOLCENGINE_ENDPOINT.",
  ServiceNotFound: "The endpoint does not serve ECS; check volcengine:endpoint / VOLCENGINE_ENDPOINT.",
  // Throttling and transient failures.
  FlowLimitExceeded: "Volcengine is throttling requests; the provider retried with backoff and gave up. Try again later or lower the parallelism.",
  AccountFlowLimitExceeded:
    "Volcengine is throttling this account; the provider retried with backoff and gave up. Try again later or lower the parallelism.",
  InternalError: "Volcengine had an internal error; the provider retried and gave up. Try again; if it persists, open a ticket with the request id.",
  "OperationDenied.ResourceLocked": "The image is locked by another operation; wait for it to finish and try again.",
  // Our own codes for answers that were not Volcengine's (a gateway or proxy answered, or the answer broke on the way).
  InvalidResponse:
    "Something between this machine and Volcengine (a gateway, proxy or load balancer) answered instead of the service. Try again later; if it persists, check volcengine:endpoint / VOLCENGINE_ENDPOINT and any HTTP proxy.",
  NotAVolcengineEndpoint: "The endpoint did not answer as the Volcengine OpenAPI does; check volcengine:endpoint / VOLCENGINE_ENDPOINT.",
  DeadlineExceeded: "The operation's time (customTimeouts) ran out before an answer came; run the command again, or raise the timeout.",
  // CopyImage.
  "MissingParameter.DestinationRegion": "destinationRegion must be set.",
  "MissingParameter.ImageName": "imageName must be set.",
  "MissingParameter.ImageId": "sourceImageId must be set.",
  InvalidArgument: "An argument was rejected as invalid; check the resource's inputs.",
  "LimitExceeded.MaximumImageSize": "The source image is larger than image copy allows.",
  "LimitExceeded.MaximumImageCount":
    "The destination region already holds the maximum of 50 custom images; delete unused images there or copy to another region.",
  "InvalidRegionForCopyImage.UnSupported": "Image copy is not supported between these regions; choose another destination region.",
  "InvalidImageName.Malformed":
    "imageName must be 1-128 characters, start with a letter or Chinese character, and contain only letters, digits, Chinese characters, '_', '-' and '.'.",
  "InvalidImageForCopyImage.UnSupported": "Only custom images of this account can be copied; public and shared images cannot.",
  "InvalidDestinationRegion.Malformed": "destinationRegion is not a valid Volcengine region id (for example cn-shanghai).",
  "InvalidDescription.Malformed":
    "description must be at most 255 characters, start with a letter or Chinese character, and contain only letters, digits, Chinese characters, spaces and _ - = , . ， 。",
  "InvalidProject.NotFound": "projectName names a project that does not exist; create it or fix the name.",
  "InvalidImage.NotFound": "The image does not exist in that region; check the image id and the region.",
  "InvalidDestinationRegion.Mismatch": "destinationRegion must differ from the source image's region.",
  InvalidImageStatus: "The image is not in a status that allows this operation (for example still being created); wait and try again.",
  // DeleteImages and ModifyImageAttribute.
  "InvalidImage.Shared": "The image is shared with other accounts; stop sharing it before deleting it.",
  "OperationDenied.ImageIsCopying": "The image is still being copied; it can be deleted when the copy ends.",
  "OperationDenied.ImageIsExporting": "The image is being exported; it can be deleted when the export ends.",
  "InvalidBootMode.Malformed": "bootMode must be BIOS or UEFI.",
};

/** A plain sentence about what to do for a Volcengine error code, or undefined when we have none. */
export function adviceFor(code: string): string | undefined {
  // Own keys only: a code such as "constructor" must not pick up Object.prototype members.
  return Object.hasOwn(ADVICE, code) ? ADVICE[code] : undefined;
}

export interface VolcengineErrorFields {
  /** The Volcengine error code, e.g. `InvalidImage.NotFound`; for transport failures our own code (`RequestTimeout`, `ConnectionReset`, ...). */
  code: string;
  /** The numeric CodeN of gateway errors, when the service sent one. */
  codeN?: number;
  /** The HTTP status, when a response arrived. */
  httpStatus?: number;
  /** The request id from `ResponseMetadata.RequestId` (quote it in a ticket). */
  requestId?: string;
  /** The API action, e.g. `CopyImage`. */
  action: string;
  /** The region the request was signed for. */
  region: string;
  /** The service's own message. */
  serviceMessage?: string;
  /** Our own account of what was wrong, when it was not Volcengine that answered (an HTML page, a cut-off
   * answer, a missing or malformed Result, no answer at all). Said instead of the code. */
  detail?: string;
  /** True when the request may or may not have been carried out (the connection broke after sending). */
  ambiguous?: boolean;
}

/** A failed Volcengine API call, with everything needed to act on it or to quote it in a ticket. */
export class VolcengineError extends Error implements VolcengineErrorFields {
  override readonly name = "VolcengineError";
  readonly code: string;
  readonly codeN?: number;
  readonly httpStatus?: number;
  readonly requestId?: string;
  readonly action: string;
  readonly region: string;
  readonly serviceMessage?: string;
  readonly detail?: string;
  readonly ambiguous: boolean;
  /** The message without "<action> in <region> failed: " and without the advice: what was answered, with status and request id. */
  readonly summary: string;

  constructor(fields: VolcengineErrorFields) {
    super(describe(fields));
    this.summary = summarize(fields);
    this.detail = fields.detail;
    this.code = fields.code;
    this.codeN = fields.codeN;
    this.httpStatus = fields.httpStatus;
    this.requestId = fields.requestId;
    this.action = fields.action;
    this.region = fields.region;
    this.serviceMessage = fields.serviceMessage;
    this.ambiguous = fields.ambiguous ?? false;
  }
}

/**
 * The gateway's authorization refusals (reference §7): `AccessDenied` (CodeN 100013, HTTP 403, "User
 * is not authorized to perform: %s on resource: %s.") and `LackPolicy` (100012, 403). Other 403 codes
 * whose name says the caller lacks a right (`Forbidden`, `UnauthorizedOperation`, `NoPermission`,
 * `AccessDenied.*`) are counted too: the ECS pages we read list none, but IAM-style services use them
 * [INFERRED]. Business refusals (`OperationDenied.*`) and credential problems (401) are not
 * authorization errors: granting a permission would not help.
 */
const AUTHORIZATION_CODES = new Set(["AccessDenied", "LackPolicy"]);
const AUTHORIZATION_CODE_NS = new Set([100012, 100013]);
const AUTHORIZATION_LIKE = /^(AccessDenied|Forbidden|Unauthorized|NotAuthorized|NoPermission|LackPolicy)/i;

/** True when the credentials were refused the right to call the action: granting `ecs:<Action>` would help. */
export function isAuthorizationError(e: unknown): boolean {
  if (typeof e !== "object" || e === null) return false;
  const { code, codeN, httpStatus } = e as Partial<VolcengineErrorFields>;
  if (typeof code !== "string") return false;
  if (AUTHORIZATION_CODES.has(code) || (typeof codeN === "number" && AUTHORIZATION_CODE_NS.has(codeN))) return true;
  return httpStatus === 403 && AUTHORIZATION_LIKE.test(code);
}

/** The IAM permission an ECS action needs: `ecs:<Action>` (the form the gateway's AccessDenied message names). */
export function permissionFor(action: string): string {
  return `ecs:${action}`;
}

/** What was answered: the code (or our detail), CodeN, HTTP status, request id, and the service's message. */
function summarize(f: VolcengineErrorFields): string {
  // A detail that already starts with the status ("HTTP 502 with an HTML page ...") does not repeat it.
  const status = f.httpStatus !== undefined && !f.detail?.startsWith(`HTTP ${f.httpStatus}`) ? `HTTP ${f.httpStatus}, ` : "";
  const codeN = f.codeN !== undefined ? ` (${f.codeN})` : "";
  // "none: no response was received" only where that is true: an HTTP status means an answer came.
  const requestId = f.requestId
    ? `request id ${f.requestId}`
    : f.httpStatus !== undefined
      ? "no request id"
      : "request id none: no response was received";
  const said = f.serviceMessage ? ` Volcengine said: "${f.serviceMessage}"` : "";
  return `${f.detail ?? f.code + codeN} (${status}${requestId}).${said}`;
}

function describe(f: VolcengineErrorFields): string {
  const advice = isAuthorizationError(f)
    ? `Grant these credentials the permission ${permissionFor(f.action)} (or a policy that includes it).`
    : adviceFor(f.code);
  return `${f.action} in ${f.region} failed: ${summarize(f)}${advice ? " " + advice : ""}`;
}

/** Removes anything that looks like a credential from a text we did not compose ourselves. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join("[redacted]");
  }
  return out;
}
