// Our own implementation of Volcengine's HMAC-SHA256 request signing (reference §8), on node:crypto only.
// Deliberately shares no code with provider/ or with @volcengine/openapi's signer.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const ALGORITHM = "HMAC-SHA256";
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** RFC 3986 percent-encoding of UTF-8 bytes: only A-Z a-z 0-9 - _ . ~ stay as they are. */
export function uriEscape(s: string): string {
  let out = "";
  for (const byte of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/**
 * Canonical query string from DECODED key/value pairs: encode each, sort by key (then by value for a
 * repeated key, as the node SDK does), join with "&". An empty value gives "k=".
 */
export function canonicalQuery(pairs: [string, string][]): string {
  const sorted = [...pairs].sort((a, b) => cmp(a[0], b[0]) || cmp(uriEscape(a[1]), uriEscape(b[1])));
  return sorted.map(([k, v]) => `${uriEscape(k)}=${uriEscape(v)}`).join("&");
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

export interface CanonicalInput {
  method: string;
  path: string;
  query: [string, string][];
  /** Lowercase header name -> value, for the signed headers only. */
  headers: Record<string, string>;
  signedHeaders: string[];
  bodySha256: string;
}

export function canonicalRequest(c: CanonicalInput): string {
  const names = [...c.signedHeaders].map((h) => h.toLowerCase()).sort();
  const headerBlock = names.map((n) => `${n}:${normaliseHeaderValue(c.headers[n] ?? "")}\n`).join("");
  return [c.method.toUpperCase(), c.path || "/", canonicalQuery(c.query), headerBlock, names.join(";"), c.bodySha256].join("\n");
}

/** Trim and collapse internal whitespace (matches the node SDK; go and python only trim). */
export function normaliseHeaderValue(v: string): string {
  return v.trim().replace(/\s+/g, " ");
}

export function credentialScope(date: string, region: string, service: string): string {
  return `${date}/${region}/${service}/request`;
}

export function stringToSign(xDate: string, scope: string, canonical: string): string {
  return [ALGORITHM, xDate, scope, sha256Hex(canonical)].join("\n");
}

export function signingKey(secretKey: string, date: string, region: string, service: string): Buffer {
  const kDate = createHmac("sha256", secretKey).update(date).digest();
  const kRegion = createHmac("sha256", kDate).update(region).digest();
  const kService = createHmac("sha256", kRegion).update(service).digest();
  return createHmac("sha256", kService).update("request").digest();
}

export function signature(secretKey: string, xDate: string, region: string, service: string, canonical: string): string {
  const date = xDate.slice(0, 8);
  const sts = stringToSign(xDate, credentialScope(date, region, service), canonical);
  return createHmac("sha256", signingKey(secretKey, date, region, service))
    .update(sts)
    .digest("hex");
}

export interface ParsedAuthorization {
  accessKey: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
}

/**
 * Parses `HMAC-SHA256 Credential=AK/date/region/service/request, SignedHeaders=a;b, Signature=hex`.
 * Returns a string describing the problem when it cannot be parsed.
 */
export function parseAuthorization(header: string): ParsedAuthorization | { problem: string; missingSignature?: boolean; accessKey?: string } {
  const m = /^\s*(\S+)\s+(.*)$/s.exec(header);
  if (!m) return { problem: "no algorithm" };
  if (m[1] !== ALGORITHM) return { problem: `unsupported algorithm ${m[1]}` };
  const fields = new Map<string, string>();
  for (const part of m[2]!.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get("Credential");
  if (!credential) return { problem: "no Credential" };
  const segs = credential.split("/");
  if (segs.length !== 5 || segs.some((s) => s === "")) return { problem: "Credential must be AK/date/region/service/request" };
  const [accessKey, date, region, service, terminator] = segs as [string, string, string, string, string];
  const sig = fields.get("Signature");
  if (!sig) return { problem: "no Signature", missingSignature: true, accessKey };
  const signedHeaders = (fields.get("SignedHeaders") ?? "")
    .split(";")
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== "");
  return { accessKey, date, region, service, terminator, signedHeaders, signature: sig };
}

export function safeEqualHex(a: string, b: string): boolean {
  const ba = Buffer.from(a.toLowerCase());
  const bb = Buffer.from(b.toLowerCase());
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/** `YYYYMMDDTHHMMSSZ` -> epoch ms, or undefined if malformed. */
export function parseXDate(x: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(x);
  if (!m) return undefined;
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(t) ? undefined : t;
}

export function formatXDate(d: Date): string {
  return d.toISOString().replace(/[:-]|\.\d{3}/g, "");
}
