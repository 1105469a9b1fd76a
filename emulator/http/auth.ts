// Gateway authentication: who signed the request, for which region and service (reference §8, "How a
// server verifies"), and whether that caller may call the action (IAM, a world switch).
import type { IncomingMessage } from "node:http";
import { SERVICE } from "../actions/image-actions";
import { ApiError, gateway } from "./api-error";
import type { Account, Model } from "../state/store";
import { canonicalRequest, parseAuthorization, parseXDate, safeEqualHex, sha256Hex, signature } from "./signature";
import type { World } from "../types";

/** Documented default validity of a signature (X-Expires). */
const DEFAULT_VALIDITY_S = 900;
/** [UNCONFIRMED] How far in the future X-Date may be: the same 900 s. */
const MAX_FUTURE_SKEW_S = 900;

export interface AuthOutcome {
  account: Account;
  region: string;
  service: string;
  verified: boolean;
}

export function authenticate(model: Model, verify: boolean, req: IncomingMessage, url: URL, query: [string, string][], body: Buffer): AuthOutcome {
  const header = req.headers.authorization;
  if (!verify) {
    // Experiments only: take the access key and region from the header when it parses, else defaults.
    const parsed = header ? parseAuthorization(header) : undefined;
    const ok = parsed && !("problem" in parsed) ? parsed : undefined;
    const account = (ok && model.accountByKey(ok.accessKey)) || model.accounts[0]!;
    return { account, region: ok?.region ?? [...model.regions][0]!, service: ok?.service ?? SERVICE, verified: false };
  }
  if (!header) throw gateway.missingAuthenticationToken();
  const parsed = parseAuthorization(header);
  if ("problem" in parsed) {
    if (parsed.missingSignature) throw gateway.missingSignature();
    throw gateway.invalidCredential(parsed.problem);
  }
  if (parsed.terminator !== "request") throw gateway.invalidCredential("the credential scope must end in /request");
  const account = model.accountByKey(parsed.accessKey);
  if (!account) throw gateway.invalidAccessKey(parsed.accessKey);
  const xDate = headerValue(req, "x-date");
  // [INFERRED] A missing or malformed X-Date is reported like an expired one.
  const t = xDate === undefined ? undefined : parseXDate(xDate);
  if (xDate === undefined || t === undefined) throw gateway.invalidTimestamp();
  const expires = url.searchParams.get("X-Expires");
  const validity = expires !== null && /^\d+$/.test(expires) ? Number(expires) : DEFAULT_VALIDITY_S;
  const now = Date.now(); // signatures are checked against the REAL clock, not the simulated one
  if (now - t > validity * 1000 || t - now > MAX_FUTURE_SKEW_S * 1000) throw gateway.invalidTimestamp();
  if (parsed.date !== xDate.slice(0, 8)) throw gateway.invalidTimestamp();
  const headers: Record<string, string> = {};
  for (const h of parsed.signedHeaders) headers[h] = headerValue(req, h) ?? "";
  const canonical = canonicalRequest({
    method: req.method ?? "GET",
    path: url.pathname,
    query,
    headers,
    signedHeaders: parsed.signedHeaders,
    bodySha256: sha256Hex(body),
  });
  const expected = signature(account.secretKey, xDate, parsed.region, parsed.service, canonical);
  if (!safeEqualHex(expected, parsed.signature)) throw gateway.signatureDoesNotMatch();
  const token = headerValue(req, "x-security-token");
  if (account.sessionToken !== undefined) {
    if (token !== account.sessionToken || !parsed.signedHeaders.includes("x-security-token")) throw gateway.invalidSecurityToken();
  } else if (token !== undefined && token !== "") {
    throw gateway.invalidSecurityToken(); // a session token sent with a permanent key [INFERRED]
  }
  return { account, region: parsed.region, service: parsed.service, verified: true };
}

/** Parameters naming the image an action acts on, in the order the gateway would take them. */
const RESOURCE_PARAMS = ["ImageId", "ImageIds.1", "ResourceIds.1"];

/**
 * The denial of an action the world forbids, as the gateway words it (reference §7 table; the message
 * pattern is documented for AccessDenied). [INFERRED] The resource is the image's TRN
 * (trn:ecs:<region>:<account>:image/<id>) when the request names one, else "*".
 */
export function deniedError(world: Readonly<World>, action: string, region: string, account: Account, params: Map<string, string>): ApiError {
  const id = RESOURCE_PARAMS.map((k) => params.get(k)).find((v) => v !== undefined && v !== "");
  const resource = id === undefined ? "*" : `trn:ecs:${region}:${account.accountId}:image/${id}`;
  if (world.denial === "LackPolicy") {
    // [INFERRED] message wording; only the code, CodeN and status are documented.
    return new ApiError(403, "LackPolicy", `User lacks the policy to perform: ecs:${action} on resource: ${resource}.`, 100012);
  }
  return new ApiError(403, "AccessDenied", `User is not authorized to perform: ecs:${action} on resource: ${resource}.`, 100013);
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(",") : v;
}
