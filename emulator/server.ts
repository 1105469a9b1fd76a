// HTTP front of the emulator: gateway behaviour (envelope, auth, routing, faults, request log) and the
// /_emulator/ control endpoint.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { ACTIONS, type ActionName, handlers, SERVICE, VERSION } from "./actions";
import { ApiError, business, gateway } from "./errors";
import { FaultSet } from "./faults";
import { type Account, Model } from "./model";
import {
  canonicalRequest, parseAuthorization, parseXDate, safeEqualHex, sha256Hex, signature,
} from "./signature";
import type { EmulatorHandle, EmulatorImage, EmulatorOptions, EmulatorTask, Fault, RequestLogEntry, SeedImage } from "./types";

const DEFAULT_COPY_DURATION_MS = 20 * 60_000;
/** Documented default validity of a signature (X-Expires). */
const DEFAULT_VALIDITY_S = 900;
/** [UNCONFIRMED] How far in the future X-Date may be: the same 900 s. */
const MAX_FUTURE_SKEW_S = 900;
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_LOG_ENTRIES = 10_000;
/** Parameters never written to the request log (signature material / secrets if someone puts them in the query). */
const SECRET_PARAMS = new Set(["X-Security-Token", "X-Signature", "X-Credential", "X-SignedHeaders", "X-SignedQueries"]);

interface AuthOutcome {
  account: Account;
  region: string;
  service: string;
  verified: boolean;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const host = options.host ?? "127.0.0.1";
  const clockSpeed = options.clockSpeed ?? 1;
  if (!(clockSpeed > 0)) throw new Error("clockSpeed must be > 0");
  const copyDurationMs = options.copyDurationMs ?? DEFAULT_COPY_DURATION_MS;
  const maxImagesPerRegion = options.maxImagesPerRegion ?? 50;
  const verify = options.verifySignatures ?? true;
  const model = new Model(options.seed ?? {}, clockSpeed);
  const faults = new FaultSet();
  let log: RequestLogEntry[] = [];
  let seq = 0;
  let ridCounter = 0;
  let stopped = false;

  const newRequestId = () => {
    const d = new Date();
    const stamp = d.toISOString().replace(/[-:T]|\.\d{3}Z$/g, "").slice(0, 14);
    ridCounter = (ridCounter + 1) % 0xffffff;
    return stamp + ridCounter.toString(16).padStart(6, "0").toUpperCase() + randomBytes(6).toString("hex").toUpperCase();
  };

  function authenticate(req: IncomingMessage, url: URL, query: [string, string][], body: Buffer): AuthOutcome {
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

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<void> {
    const requestId = newRequestId();
    const method = req.method ?? "GET";
    const query: [string, string][] = [...url.searchParams];
    const params = new Map<string, string>();
    for (const [k, v] of query) if (!params.has(k)) params.set(k, v);
    const ctype = String(req.headers["content-type"] ?? "");
    if (method === "POST" && body.length > 0 && /application\/x-www-form-urlencoded/i.test(ctype)) {
      for (const [k, v] of new URLSearchParams(body.toString("utf8"))) if (!params.has(k)) params.set(k, v);
    }
    const action = params.get("Action") ?? "";
    const version = params.get("Version") ?? "";
    const entry: RequestLogEntry = {
      seq: 0, time: new Date().toISOString(), method, action, version, region: "", params: {}, status: 0, requestId, signatureVerified: false,
    };
    for (const [k, v] of params) if (!SECRET_PARAMS.has(k)) entry.params[k] = v;
    const unverifiedAuth = req.headers.authorization ? parseAuthorization(req.headers.authorization) : undefined;
    if (unverifiedAuth && !("problem" in unverifiedAuth)) {
      entry.accessKey = unverifiedAuth.accessKey;
      entry.region = unverifiedAuth.region;
    } else if (unverifiedAuth?.accessKey) entry.accessKey = unverifiedAuth.accessKey;
    let service = SERVICE;
    let status = 200;
    let payload: unknown;
    let delayMs = 0;
    let drop = false;
    try {
      if (action === "") throw gateway.missingParameter("Action");
      if (version === "") throw gateway.missingParameter("Version");
      const auth = authenticate(req, url, query, body);
      entry.signatureVerified = auth.verified;
      entry.region = auth.region;
      entry.accessKey = auth.account.accessKey;
      service = auth.service;
      // [INFERRED] Any other service in the scope is not served here: ServiceNotFound. The same for a region
      // the emulator does not know: the gateway has no ecs endpoint to route the request to.
      if (auth.service !== SERVICE || !model.regions.has(auth.region)) throw gateway.serviceNotFound(auth.service, auth.region);
      // [INFERRED] Only GET and POST on path "/" reach an action.
      if (version !== VERSION || !(ACTIONS as readonly string[]).includes(action) || url.pathname !== "/" || (method !== "GET" && method !== "POST")) {
        throw gateway.invalidActionOrVersion(action, version);
      }
      const f = faults.onRequest(action, auth.region);
      delayMs = f.delayMs;
      drop = f.drop;
      if (!drop) {
        if (f.error) throw f.error;
        model.settle();
        const result = handlers[action as ActionName]({
          model, faults, params, region: auth.region, account: auth.account, copyDurationMs, maxImagesPerRegion,
        });
        payload = {
          ResponseMetadata: { RequestId: requestId, Action: action, Version: version, Service: service, Region: auth.region },
          Result: result,
        };
      }
    } catch (e) {
      const err = e instanceof ApiError ? e : business.internalError();
      if (!(e instanceof ApiError)) console.error("volcengine-ecs-emulator: unexpected error", e);
      status = err.status;
      entry.errorCode = err.code;
      payload = {
        ResponseMetadata: {
          RequestId: requestId, Action: action, Version: version, Service: service, Region: entry.region,
          Error: { ...(err.codeN !== undefined ? { CodeN: err.codeN } : {}), Code: err.code, Message: err.message },
        },
      };
    }
    entry.status = drop ? 0 : status;
    entry.seq = ++seq;
    log.push(entry);
    if (log.length > MAX_LOG_ENTRIES) log = log.slice(log.length - MAX_LOG_ENTRIES);
    if (delayMs > 0) await sleep(delayMs);
    if (stopped || res.destroyed) return;
    if (drop) {
      req.socket.destroy();
      return;
    }
    sendJson(res, status, payload);
  }

  function handleControl(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): void {
    const peer = req.socket.remoteAddress ?? "";
    if (!options.controlFromAnyHost && !/^(127\.|::1$|::ffff:127\.)/.test(peer)) {
      return sendJson(res, 403, { error: "the control endpoint only answers loopback clients" });
    }
    const parts = url.pathname.split("/").filter((s) => s !== "").slice(1).map(decodeURIComponent); // after "_emulator"
    const m = req.method ?? "GET";
    const json = (): unknown => JSON.parse(body.toString("utf8") || "null");
    const regionParam = (): string | undefined => {
      const r = url.searchParams.get("region") ?? "";
      if (!model.regions.has(r)) {
        sendJson(res, 400, { error: `unknown or missing region ${JSON.stringify(r)}`, regions: [...model.regions] });
        return undefined;
      }
      return r;
    };
    try {
      const [what, a, b] = parts;
      if (what === undefined && m === "GET") {
        return sendJson(res, 200, {
          url: handle.url, now: handle.now().toISOString(), regions: [...model.regions], copyUnsupportedRegions: [...model.copyUnsupported],
          projects: [...model.projects], accessKeys: model.accounts.map((x) => x.accessKey),
        });
      }
      if (what === "log" && m === "GET") return sendJson(res, 200, handle.log());
      if (what === "log" && m === "DELETE") return (handle.clearLog(), sendJson(res, 200, { ok: true }));
      if (what === "faults" && m === "GET") return sendJson(res, 200, faults.list());
      if (what === "faults" && m === "POST") return sendJson(res, 200, { id: handle.addFault(json() as Fault) });
      if (what === "faults" && m === "DELETE" && a === undefined) return (handle.clearFaults(), sendJson(res, 200, { ok: true }));
      if (what === "faults" && m === "DELETE") return (handle.removeFault(a!), sendJson(res, 200, { ok: true }));
      if (what === "images" && m === "GET") {
        const r = regionParam();
        return r === undefined ? undefined : sendJson(res, 200, handle.images(r));
      }
      if (what === "images" && m === "POST") return sendJson(res, 200, { imageId: handle.seedImage(json() as SeedImage) });
      if (what === "images" && m === "DELETE" && a !== undefined && b !== undefined) {
        const deleted = handle.deleteImageOutOfBand(a, b);
        return sendJson(res, deleted ? 200 : 404, { deleted });
      }
      if (what === "tasks" && m === "GET") {
        const r = regionParam();
        return r === undefined ? undefined : sendJson(res, 200, handle.tasks(r));
      }
      if (what === "now" && m === "GET") return sendJson(res, 200, { now: handle.now().toISOString() });
      return sendJson(res, 404, { error: `no control route ${m} ${url.pathname}` });
    } catch (e) {
      return sendJson(res, 400, { error: e instanceof Error ? e.message : String(e) });
    }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooBig = true;
      else chunks.push(c);
    });
    req.on("end", () => {
      if (tooBig) return sendJson(res, 413, { error: "request body too large" });
      const body = Buffer.concat(chunks);
      let url: URL;
      try {
        url = new URL(req.url ?? "/", "http://emulator.invalid");
      } catch {
        return sendJson(res, 400, { error: "bad request target" });
      }
      if (url.pathname === "/_emulator" || url.pathname.startsWith("/_emulator/")) return handleControl(req, res, url, body);
      handleApi(req, res, url, body).catch((e) => {
        console.error("volcengine-ecs-emulator: request failed", e);
        if (!res.headersSent && !res.destroyed) sendJson(res, 500, { error: "emulator failure" });
      });
    });
    req.on("error", () => res.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  const handle: EmulatorHandle = {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (stopped) return resolve();
        stopped = true;
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    addFault: (f) => faults.add(f),
    removeFault: (id) => faults.remove(id),
    clearFaults: () => faults.clear(),
    log: () => log.map((e) => ({ ...e, params: { ...e.params } })),
    clearLog: () => {
      log = [];
    },
    images: (region): EmulatorImage[] => {
      model.settle();
      return [...(model.images.get(region)?.values() ?? [])].map((img) => model.imageView(img));
    },
    tasks: (region): EmulatorTask[] => {
      model.settle();
      return [...model.tasks.values()].filter((t) => t.region === region).map((t) => model.taskViewFull(t));
    },
    seedImage: (img) => model.seedImage(img),
    deleteImageOutOfBand: (region, imageId) => model.deleteOutOfBand(region, imageId),
    now: () => new Date(model.now()),
  };
  return handle;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(",") : v;
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  if (res.destroyed || res.headersSent) return;
  const text = JSON.stringify(payload);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
