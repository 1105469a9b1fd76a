// The API gateway in front of the emulated ECS: parameters, authentication, permissions, routing,
// faults, the JSON envelope and the request log. Control requests never come here.
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { ACTIONS, type ActionName, handlers, SERVICE, VERSION } from "../actions/image-actions";
import { authenticate, deniedError } from "./auth";
import { type Envelope, renderBadAnswer } from "../misbehaviour/bad-answers";
import { ApiError, business, gateway } from "./api-error";
import type { BadAnswer, FaultSet } from "../misbehaviour/faults";
import type { Model } from "../state/store";
import { parseAuthorization } from "./signature";
import type { RequestLogEntry } from "../types";
import type { WorldState } from "../misbehaviour/worlds";

const MAX_LOG_ENTRIES = 10_000;
/** Parameters never written to the request log (signature material / secrets if someone puts them in the query). */
const SECRET_PARAMS = new Set(["X-Security-Token", "X-Signature", "X-Credential", "X-SignedHeaders", "X-SignedQueries"]);

export interface GatewayDeps {
  model: Model;
  faults: FaultSet;
  world: WorldState;
  log: RequestLog;
  verifySignatures: boolean;
  copyDurationMs: number;
  maxImagesPerRegion: number;
  /** True once the server is stopping: late answers (after a latency fault) are not sent. */
  stopped: () => boolean;
}

/** Every API request, in arrival order, capped at MAX_LOG_ENTRIES (oldest dropped). */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;

  add(entry: RequestLogEntry): void {
    entry.seq = ++this.seq;
    this.entries.push(entry);
    if (this.entries.length > MAX_LOG_ENTRIES) this.entries = this.entries.slice(this.entries.length - MAX_LOG_ENTRIES);
  }
  list(): RequestLogEntry[] {
    return this.entries.map((e) => ({ ...e, params: { ...e.params } }));
  }
  clear(): void {
    this.entries = [];
  }
}

let ridCounter = 0;
function newRequestId(): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:T]|\.\d{3}Z$/g, "")
    .slice(0, 14);
  ridCounter = (ridCounter + 1) % 0xffffff;
  return stamp + ridCounter.toString(16).padStart(6, "0").toUpperCase() + randomBytes(6).toString("hex").toUpperCase();
}

/** What the gateway decided to do with one request, before anything is sent. */
interface Outcome {
  status: number;
  payload?: Envelope;
  delayMs: number;
  drop: boolean;
  badAnswer?: BadAnswer;
}

/** The image ids a request names (ImageId, ImageIds.N, ResourceIds.N): what an `error` fault for one image matches. */
function namedImageIds(params: Map<string, string>): string[] {
  return [...params].filter(([k]) => k === "ImageId" || /^(ImageIds|ResourceIds)\.\d+$/.test(k)).map(([, v]) => v);
}

export function createGateway(deps: GatewayDeps) {
  const { model, faults, world } = deps;

  function readParams(req: IncomingMessage, url: URL, body: Buffer): Map<string, string> {
    const params = new Map<string, string>();
    for (const [k, v] of url.searchParams) if (!params.has(k)) params.set(k, v);
    const ctype = String(req.headers["content-type"] ?? "");
    if (req.method === "POST" && body.length > 0 && /application\/x-www-form-urlencoded/i.test(ctype)) {
      for (const [k, v] of new URLSearchParams(body.toString("utf8"))) if (!params.has(k)) params.set(k, v);
    }
    return params;
  }

  function newLogEntry(req: IncomingMessage, params: Map<string, string>, requestId: string): RequestLogEntry {
    const entry: RequestLogEntry = {
      seq: 0,
      time: new Date().toISOString(),
      method: req.method ?? "GET",
      action: params.get("Action") ?? "",
      version: params.get("Version") ?? "",
      region: "",
      params: {},
      status: 0,
      requestId,
      signatureVerified: false,
    };
    for (const [k, v] of params) if (!SECRET_PARAMS.has(k)) entry.params[k] = v;
    // Before verification, the log still shows who claimed to call and for which region.
    const unverified = req.headers.authorization ? parseAuthorization(req.headers.authorization) : undefined;
    if (unverified && !("problem" in unverified)) {
      entry.accessKey = unverified.accessKey;
      entry.region = unverified.region;
    } else if (unverified?.accessKey) entry.accessKey = unverified.accessKey;
    return entry;
  }

  /** Runs the request through the gateway's checks and the action; every ApiError becomes an error envelope. */
  function decide(req: IncomingMessage, url: URL, body: Buffer, params: Map<string, string>, entry: RequestLogEntry): Outcome {
    const { action, version } = entry;
    const meta = (region: string, service: string) => ({
      RequestId: entry.requestId,
      Action: action,
      Version: version,
      Service: service,
      Region: region,
    });
    let service = SERVICE;
    const out: Outcome = { status: 200, delayMs: 0, drop: false };
    try {
      if (action === "") throw gateway.missingParameter("Action");
      if (version === "") throw gateway.missingParameter("Version");
      const auth = authenticate(model, deps.verifySignatures, req, url, [...url.searchParams], body);
      entry.signatureVerified = auth.verified;
      entry.region = auth.region;
      entry.accessKey = auth.account.accessKey;
      service = auth.service;
      // [INFERRED] Any other service in the scope is not served here: ServiceNotFound. The same for a region
      // the emulator does not know: the gateway has no ecs endpoint to route the request to.
      if (auth.service !== SERVICE || !model.regions.has(auth.region)) throw gateway.serviceNotFound(auth.service, auth.region);
      // [INFERRED] Only GET and POST on path "/" reach an action.
      const method = req.method ?? "GET";
      if (
        version !== VERSION ||
        !(ACTIONS as readonly string[]).includes(action) ||
        url.pathname !== "/" ||
        (method !== "GET" && method !== "POST")
      ) {
        throw gateway.invalidActionOrVersion(action, version);
      }
      // IAM is the gateway's: a denied action never reaches ECS, and faults (which stand for ECS and the
      // network behind the gateway) do not apply to it.
      if (world.isDenied(action)) throw deniedError(world.live, action, auth.region, auth.account, params);
      const f = faults.onRequest(action, auth.region, namedImageIds(params));
      out.delayMs = f.delayMs;
      out.drop = f.drop;
      if (f.badAnswer) out.badAnswer = f.badAnswer;
      const actionRuns =
        !f.drop && !(f.badAnswer && (f.badAnswer.kind === "htmlBadGateway" || f.badAnswer.kind === "hang") && !f.badAnswer.actionRuns);
      if (!actionRuns) return out;
      if (f.error) throw f.error;
      model.settle();
      const result = handlers[action as ActionName]({
        model,
        faults,
        params,
        region: auth.region,
        account: auth.account,
        copyDurationMs: deps.copyDurationMs,
        maxImagesPerRegion: deps.maxImagesPerRegion,
        world: world.live,
      });
      out.payload = { ResponseMetadata: meta(auth.region, service), Result: result };
    } catch (e) {
      const err = e instanceof ApiError ? e : business.internalError();
      if (!(e instanceof ApiError)) console.error("volcengine-ecs-emulator: unexpected error", e);
      out.status = err.status;
      entry.errorCode = err.code;
      out.payload = {
        ResponseMetadata: {
          ...meta(entry.region, service),
          Error: { ...(err.codeN !== undefined ? { CodeN: err.codeN } : {}), Code: err.code, Message: err.message },
        },
      };
    }
    return out;
  }

  return async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<void> {
    const params = readParams(req, url, body);
    const entry = newLogEntry(req, params, newRequestId());
    const out = decide(req, url, body, params, entry);
    const rendered = out.badAnswer
      ? renderBadAnswer(out.badAnswer, out.payload && { status: out.status, payload: out.payload }, model.now())
      : { status: out.status, contentType: "application/json; charset=utf-8", body: JSON.stringify(out.payload) };
    if (out.badAnswer) entry.fault = out.badAnswer.kind;
    // Status 0 in the log: the client got no HTTP answer at all.
    entry.status = out.drop || rendered === "hang" ? 0 : rendered.status;
    deps.log.add(entry);
    if (out.delayMs > 0) await sleep(out.delayMs);
    if (deps.stopped() || res.destroyed) return;
    if (out.drop) {
      req.socket.destroy();
      return;
    }
    // Hold the connection: nothing is written, so the client waits until it gives up; stop() closes it.
    if (rendered === "hang") return;
    sendText(res, rendered.status, rendered.contentType, rendered.body);
  };
}

export function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

export function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  sendText(res, status, "application/json; charset=utf-8", JSON.stringify(payload));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
