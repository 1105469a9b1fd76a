// Test helpers for the emulator suite: a tiny raw signer written independently of emulator/http/signature.ts
// (so tests can tamper with any part of a request), a fetch wrapper and an official-SDK client factory.
import { createHash, createHmac } from "node:crypto";
import { Service } from "@volcengine/openapi";
import { DEFAULT_ACCOUNT, type EmulatorHandle } from "../../emulator";

export const VERSION = "2020-04-01";

const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
const sha = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");
const hmac = (k: string | Buffer, s: string) => createHmac("sha256", k).update(s).digest();

export interface RawRequest {
  method?: "GET" | "POST";
  query: Record<string, string>;
  body?: string; // form-urlencoded body for POST
  accessKey?: string;
  secretKey?: string;
  sessionToken?: string;
  region?: string;
  service?: string;
  date?: Date;
  /** Extra headers to send (and sign if listed in signHeaders). */
  headers?: Record<string, string>;
  /** Header names to sign besides x-date (and x-security-token when a token is given). */
  signHeaders?: string[];
}

export interface Signed {
  path: string;
  headers: Record<string, string>;
  canonicalRequest: string;
}

/** Signs a request the way reference §8 describes, against `host` (host:port). */
export function rawSign(host: string, r: RawRequest): Signed {
  const method = r.method ?? "GET";
  const date = (r.date ?? new Date()).toISOString().replace(/[:-]|\.\d{3}/g, "");
  const region = r.region ?? "cn-beijing";
  const service = r.service ?? "ecs";
  const headers: Record<string, string> = { "X-Date": date, ...(r.headers ?? {}) };
  if (r.sessionToken !== undefined) headers["X-Security-Token"] = r.sessionToken;
  if (r.body !== undefined) headers["Content-Type"] = "application/x-www-form-urlencoded";
  const all: Record<string, string> = { host, ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])) };
  const signed = [
    ...new Set(["x-date", ...(r.sessionToken !== undefined ? ["x-security-token"] : []), ...(r.signHeaders ?? []).map((h) => h.toLowerCase())]),
  ].sort();
  const cq = Object.keys(r.query)
    .sort()
    .map((k) => `${enc(k)}=${enc(r.query[k]!)}`)
    .join("&");
  const canonical = [method, "/", cq, signed.map((h) => `${h}:${(all[h] ?? "").trim()}\n`).join(""), signed.join(";"), sha(r.body ?? "")].join("\n");
  const scope = `${date.slice(0, 8)}/${region}/${service}/request`;
  const sts = ["HMAC-SHA256", date, scope, sha(canonical)].join("\n");
  const key = hmac(hmac(hmac(hmac(r.secretKey ?? DEFAULT_ACCOUNT.secretKey, date.slice(0, 8)), region), service), "request");
  const sig = createHmac("sha256", key).update(sts).digest("hex");
  headers["Authorization"] =
    `HMAC-SHA256 Credential=${r.accessKey ?? DEFAULT_ACCOUNT.accessKey}/${scope}, SignedHeaders=${signed.join(";")}, Signature=${sig}`;
  const qs = new URLSearchParams(r.query).toString();
  return { path: "/" + (qs ? "?" + qs : ""), headers, canonicalRequest: canonical };
}

export interface ApiResponse {
  status: number;
  body: {
    ResponseMetadata: {
      RequestId: string;
      Action: string;
      Version: string;
      Service: string;
      Region: string;
      Error?: { Code: string; Message: string; CodeN?: number };
    };
    Result?: any;
  };
}

/** Sends a raw request (already signed or not). */
export async function send(
  emu: EmulatorHandle,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<ApiResponse> {
  const res = await fetch(emu.url + path, {
    method: init.method ?? "GET",
    headers: init.headers ?? {},
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  return { status: res.status, body: (await res.json()) as ApiResponse["body"] };
}

/** Signs and sends an ECS call for `region` with the default account unless overridden. */
export async function call(
  emu: EmulatorHandle,
  region: string,
  action: string,
  params: Record<string, string | number | boolean> = {},
  extra: Partial<RawRequest> = {},
): Promise<ApiResponse> {
  const query: Record<string, string> = { Action: action, Version: VERSION };
  for (const [k, v] of Object.entries(params)) query[k] = String(v);
  const s = rawSign(`${emu.host}:${emu.port}`, { region, query, ...extra });
  return send(emu, s.path, { headers: s.headers });
}

/** Like `call` but asserts success and returns Result. */
export async function ok(
  emu: EmulatorHandle,
  region: string,
  action: string,
  params: Record<string, string | number | boolean> = {},
  extra: Partial<RawRequest> = {},
): Promise<any> {
  const r = await call(emu, region, action, params, extra);
  if (r.status !== 200 || r.body.ResponseMetadata.Error) {
    throw new Error(`${action} failed: HTTP ${r.status} ${JSON.stringify(r.body.ResponseMetadata.Error)}`);
  }
  return r.body.Result;
}

/** Error code of a call (asserting nothing). */
export async function errorOf(
  emu: EmulatorHandle,
  region: string,
  action: string,
  params: Record<string, string | number | boolean> = {},
  extra: Partial<RawRequest> = {},
): Promise<{ status: number; code?: string; codeN?: number }> {
  const r = await call(emu, region, action, params, extra);
  const e = r.body.ResponseMetadata.Error;
  return { status: r.status, ...(e ? { code: e.Code } : {}), ...(e?.CodeN !== undefined ? { codeN: e.CodeN } : {}) };
}

/** The official node SDK pointed at the emulator. */
export function sdk(emu: EmulatorHandle, region: string, creds: { accessKeyId?: string; secretKey?: string; sessionToken?: string } = {}): Service {
  return new Service({
    host: `${emu.host}:${emu.port}`,
    protocol: "http:",
    region,
    serviceName: "ecs",
    accessKeyId: creds.accessKeyId ?? DEFAULT_ACCOUNT.accessKey,
    secretKey: creds.secretKey ?? DEFAULT_ACCOUNT.secretKey,
    ...(creds.sessionToken !== undefined ? { sessionToken: creds.sessionToken } : {}),
  });
}

export function sdkCall(svc: Service, action: string, params: Record<string, unknown>, method: "GET" | "POST" = "GET"): Promise<any> {
  const fn =
    method === "GET"
      ? svc.createAPI(action, { method: "GET", Version: VERSION })
      : svc.createAPI(action, { method: "POST", Version: VERSION, contentType: "urlencode" });
  return fn(params as any);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seeds an available private image of the default account and returns its id. */
export function seedPrivate(emu: EmulatorHandle, region = "cn-beijing", extra: Record<string, unknown> = {}): string {
  return emu.seedImage({ region, imageName: "src-image", description: "Source image", size: 40, osName: "Ubuntu 22.04 64 bit", ...extra });
}

/** Signs and sends an ECS call and returns the raw answer (for bodies that are not JSON or not an envelope). */
export async function callRaw(
  emu: EmulatorHandle,
  region: string,
  action: string,
  params: Record<string, string | number | boolean> = {},
  init: { signal?: AbortSignal } = {},
): Promise<{ status: number; contentType: string; text: string }> {
  const query: Record<string, string> = { Action: action, Version: VERSION };
  for (const [k, v] of Object.entries(params)) query[k] = String(v);
  const s = rawSign(`${emu.host}:${emu.port}`, { region, query });
  const res = await fetch(emu.url + s.path, { headers: s.headers, ...(init.signal ? { signal: init.signal } : {}) });
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", text: await res.text() };
}

/** A control-endpoint request; returns the status and the JSON answer. */
export async function control(emu: EmulatorHandle, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${emu.url}/_emulator${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
  });
  return { status: res.status, json: await res.json() };
}
