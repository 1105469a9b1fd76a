// Volcengine OpenAPI errors as the emulator returns them.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Only gateway-level errors carry a numeric CodeN (reference §7). */
    readonly codeN?: number,
  ) {
    super(message);
  }
}

// Gateway-level errors (reference §7 table: code, CodeN, HTTP status).
export const gateway = {
  missingParameter: (name: string) => new ApiError(400, "MissingParameter", `The required parameter ${name} is not supplied.`, 100002),
  missingAuthenticationToken: () => new ApiError(401, "MissingAuthenticationToken", "The request must contain the Authorization header.", 100003),
  missingRequestInfo: (what: string) => new ApiError(400, "MissingRequestInfo", `The request is missing ${what}.`, 100004),
  missingSignature: () => new ApiError(401, "MissingSignature", "The request signature is missing.", 100005),
  invalidTimestamp: () => new ApiError(400, "InvalidTimestamp", "The signature of the request is expired.", 100006),
  serviceNotFound: (service: string, region: string) =>
    new ApiError(404, "ServiceNotFound", `Could not find service ${service} in region ${region}.`, 100007),
  invalidActionOrVersion: (action: string, version: string) =>
    new ApiError(404, "InvalidActionOrVersion", `Could not find operation ${action} for version ${version}.`, 100008),
  invalidAccessKey: (ak: string) => new ApiError(401, "InvalidAccessKey", `The accesskey [${ak}] included in the request is invalid.`, 100009),
  signatureDoesNotMatch: () =>
    new ApiError(
      401,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your Secret Access Key and signing method. Consult the service documentation for details.",
      100010,
    ),
  // [INFERRED] The BP page shows CodeN 100025 for InvalidCredential without an HTTP status; 400 chosen.
  invalidCredential: (why: string) => new ApiError(400, "InvalidCredential", `Invalid credential in 'Authorization': ${why}.`, 100025),
  // [UNCONFIRMED] No documented code for a missing/wrong STS session token; the name follows the gateway's
  // naming pattern. No CodeN because none is known.
  invalidSecurityToken: () => new ApiError(401, "InvalidSecurityToken", "The security token included in the request is invalid."),
  // [INFERRED] Throttling: HTTP 429 is the most likely status and CodeN is disputed (reference §7), so none.
  flowLimitExceeded: () => errorAnswer("AccountFlowLimitExceeded"),
};

export const business = {
  missing: (name: string) => new ApiError(400, `MissingParameter.${name}`, `The required parameter ${name} is not supplied.`),
  malformed: (name: string) => new ApiError(400, `Invalid${name}.Malformed`, `The specified ${name} is malformed.`),
  // [INFERRED] Generic parameter-range error (list too long, MaxResults out of range, bad NextToken, bad
  // boolean). CopyImage documents InvalidArgument 400 "The specified argument is invalid."
  invalidArgument: (detail: string) => new ApiError(400, "InvalidArgument", `The specified argument is invalid. ${detail}`),
  imageNotFound: () => errorAnswer("InvalidImage.NotFound"),
  imageStatus: () => errorAnswer("InvalidImageStatus"),
  projectNotFound: () => new ApiError(404, "InvalidProject.NotFound", "The specified Project does not exist."),
  internalError: () => errorAnswer("InternalError"),
  resourceLocked: () => errorAnswer("OperationDenied.ResourceLocked"),
};

/**
 * The HTTP status (and message, and the gateway's CodeN) of every code the reference documents, for an
 * injected `error` fault that does not say them: gateway codes from §7's table, business codes from the
 * tables of §1, §4 and §5. DeleteImages' per-image codes (§4) come with no HTTP status of their own: 400, as
 * the sibling actions answer a refused state. Throttling: 429, the most likely status ([INFERRED], §7).
 */
const DOCUMENTED: Record<string, { status: number; message: string; codeN?: number }> = {
  MissingParameter: { status: 400, message: "The required parameter is not supplied.", codeN: 100002 },
  MissingAuthenticationToken: { status: 401, message: "The request must contain the Authorization header.", codeN: 100003 },
  MissingRequestInfo: { status: 400, message: "The request is missing information.", codeN: 100004 },
  MissingSignature: { status: 401, message: "The request signature is missing.", codeN: 100005 },
  InvalidTimestamp: { status: 400, message: "The signature of the request is expired.", codeN: 100006 },
  ServiceNotFound: { status: 404, message: "Could not find the service.", codeN: 100007 },
  InvalidActionOrVersion: { status: 404, message: "Could not find the operation for this version.", codeN: 100008 },
  InvalidAccessKey: { status: 401, message: "The accesskey included in the request is invalid.", codeN: 100009 },
  SignatureDoesNotMatch: { status: 401, message: "The request signature we calculated does not match the signature you provided.", codeN: 100010 },
  LackPolicy: { status: 403, message: "The user lacks a policy for this request.", codeN: 100012 },
  AccessDenied: { status: 403, message: "User is not authorized to perform this action on this resource.", codeN: 100013 },
  InvalidCredential: { status: 400, message: "Invalid credential in 'Authorization'.", codeN: 100025 },
  FlowLimitExceeded: { status: 429, message: "Request was denied due to flow control." },
  AccountFlowLimitExceeded: { status: 429, message: "Request was denied due to account flow control." },
  InvalidArgument: { status: 400, message: "The specified argument is invalid." },
  "MissingParameter.ImageId": { status: 400, message: "The required parameter ImageId is not supplied." },
  "InvalidImageName.Malformed": { status: 400, message: "The specified ImageName is malformed." },
  "InvalidDescription.Malformed": { status: 400, message: "The specified Description is malformed." },
  "InvalidBootMode.Malformed": { status: 400, message: "The specified BootMode is malformed." },
  InvalidImageStatus: { status: 400, message: "The specified image is not in the correct status for the request." },
  "InvalidImage.NotFound": { status: 404, message: "The specified image does not exist." },
  "InvalidImage.Shared": { status: 400, message: "The specified image has already been shared and may be in use by other users." },
  "OperationDenied.ImageIsCopying": { status: 400, message: "The specified operation is denied as your image is copying." },
  "OperationDenied.ImageIsExporting": { status: 400, message: "The specified operation is denied as your image is exporting." },
  InternalError: { status: 500, message: "An internal error has occurred. Please retry your request." },
  // [INFERRED] Not in the reference; the emulator's own choice since its first version.
  "OperationDenied.ResourceLocked": { status: 412, message: "The specified operation is denied as your resource is locked for another operation." },
};

/** Any error code as the service would answer it: the documented status and message unless given; an undocumented code is a 400. */
export function errorAnswer(code: string, status?: number, message?: string): ApiError {
  const known = Object.hasOwn(DOCUMENTED, code) ? DOCUMENTED[code] : undefined;
  return new ApiError(status ?? known?.status ?? 400, code, message ?? known?.message ?? `The request was refused with ${code}.`, known?.codeN);
}
