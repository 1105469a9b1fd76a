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
  flowLimitExceeded: () => new ApiError(429, "AccountFlowLimitExceeded", "Request was denied due to account flow control."),
};

export const business = {
  missing: (name: string) => new ApiError(400, `MissingParameter.${name}`, `The required parameter ${name} is not supplied.`),
  malformed: (name: string) => new ApiError(400, `Invalid${name}.Malformed`, `The specified ${name} is malformed.`),
  // [INFERRED] Generic parameter-range error (list too long, MaxResults out of range, bad NextToken, bad
  // boolean). CopyImage documents InvalidArgument 400 "The specified argument is invalid."
  invalidArgument: (detail: string) => new ApiError(400, "InvalidArgument", `The specified argument is invalid. ${detail}`),
  imageNotFound: () => new ApiError(404, "InvalidImage.NotFound", "The specified image does not exist."),
  imageStatus: () => new ApiError(400, "InvalidImageStatus", "The specified image is not in the correct status for the request."),
  projectNotFound: () => new ApiError(404, "InvalidProject.NotFound", "The specified Project does not exist."),
  internalError: () => new ApiError(500, "InternalError", "An internal error has occurred. Please retry your request."),
  resourceLocked: () =>
    new ApiError(412, "OperationDenied.ResourceLocked", "The specified operation is denied as your resource is locked for another operation."),
};
