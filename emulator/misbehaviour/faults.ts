// Fault injection: switches that make the emulator misbehave the way the real API can.
import { randomBytes } from "node:crypto";
import type { Fault, FaultKind } from "../types";
import { ApiError, business, errorAnswer, gateway } from "../http/api-error";
import { DEFAULT_FAIL_AT_PERCENT } from "../state/store";

interface Active {
  id: string;
  fault: Fault;
  remaining: number; // Infinity = unlimited
  tokens: number; // rateLimit only
  lastRefill: number; // rateLimit only, real ms
}

/** Faults where a gateway or proxy in front of ECS answers badly; rendered by bad-answers.ts. */
export const BAD_ANSWER_KINDS = new Set(["htmlBadGateway", "truncatedJson", "missingResult", "wrongTypes", "oversizedPage", "hang"]);
export type BadAnswer = Extract<FaultKind, { kind: "htmlBadGateway" | "truncatedJson" | "missingResult" | "wrongTypes" | "oversizedPage" | "hang" }>;

const KINDS = new Set([
  "error",
  "throttle",
  "internalError",
  "resourceLocked",
  "latency",
  "drop",
  "rateLimit",
  "taskInvisible",
  "copyFails",
  "copyDuration",
  ...BAD_ANSWER_KINDS,
]);
const COPY_KINDS = new Set(["taskInvisible", "copyFails", "copyDuration"]);

/** Throws an Error describing the problem if `f` is not a valid Fault. */
export function validateFault(f: unknown): Fault {
  if (!f || typeof f !== "object") throw new Error("fault must be an object");
  const o = f as Record<string, unknown>;
  if (typeof o.kind !== "string" || !KINDS.has(o.kind)) throw new Error(`unknown fault kind ${JSON.stringify(o.kind)}`);
  const num = (k: string, required: boolean) => {
    if (o[k] === undefined && !required) return;
    if (typeof o[k] !== "number" || !Number.isFinite(o[k]) || (o[k] as number) < 0) throw new Error(`${o.kind}: ${k} must be a number >= 0`);
  };
  if (o.kind === "latency" || o.kind === "taskInvisible" || o.kind === "copyDuration") num("ms", true);
  if (o.kind === "rateLimit") {
    num("perSecond", true);
    num("burst", true);
  }
  if (o.kind === "error") validateErrorFault(o);
  if (o.kind === "copyFails") num("atPercent", false);
  if (o.kind === "oversizedPage") num("entries", false);
  if (o.actionRuns !== undefined && typeof o.actionRuns !== "boolean") throw new Error("actionRuns must be true or false");
  if (o.kind === "wrongTypes" && o.values !== undefined && (typeof o.values !== "object" || o.values === null || Array.isArray(o.values))) {
    throw new Error("wrongTypes: values must be an object of Result field -> value");
  }
  num("count", false);
  if (o.count !== undefined && (!Number.isInteger(o.count) || (o.count as number) < 1)) throw new Error("count must be an integer >= 1");
  for (const k of ["action", "region"]) if (o[k] !== undefined && typeof o[k] !== "string") throw new Error(`${k} must be a string`);
  return o as unknown as Fault;
}

/** An `error` fault: any code (documented or not), with an HTTP status and message if the defaults will not do. */
function validateErrorFault(o: Record<string, unknown>): void {
  if (typeof o.code !== "string" || !/^[A-Za-z][A-Za-z0-9_.]*$/.test(o.code))
    throw new Error("error: code must be an error code such as InvalidImage.NotFound");
  if (o.status !== undefined && (typeof o.status !== "number" || !Number.isInteger(o.status) || o.status < 400 || o.status > 599)) {
    throw new Error("error: status must be an HTTP error status, 400 to 599");
  }
  for (const k of ["message", "imageId"]) if (o[k] !== undefined && typeof o[k] !== "string") throw new Error(`error: ${k} must be a string`);
}

type ErrorFault = Extract<FaultKind, { kind: "error" }>;
const answerOf = (f: ErrorFault): ApiError => errorAnswer(f.code, f.status, f.message);

export interface RequestFaultOutcome {
  delayMs: number;
  drop: boolean;
  error?: ApiError;
  /** A bad answer from the gateway in place of (or spoiling) the real one. */
  badAnswer?: BadAnswer;
}

export interface CopyFaultOutcome {
  durationMs?: number;
  failAtPercent?: number;
  invisibleMs?: number;
}

export class FaultSet {
  private active: Active[] = [];

  add(f: Fault): string {
    const fault = validateFault(f);
    const id = "fault-" + randomBytes(6).toString("hex");
    const burst = fault.kind === "rateLimit" ? fault.burst : 0;
    this.active.push({ id, fault: { ...fault }, remaining: fault.count ?? Infinity, tokens: burst, lastRefill: Date.now() });
    return id;
  }
  remove(id: string): void {
    this.active = this.active.filter((a) => a.id !== id);
  }
  clear(): void {
    this.active = [];
  }
  list(): (Fault & { id: string; remaining: number | null })[] {
    return this.active.map((a) => ({ ...a.fault, id: a.id, remaining: Number.isFinite(a.remaining) ? a.remaining : null }));
  }

  private use(a: Active): void {
    a.remaining -= 1;
    if (a.remaining <= 0) this.remove(a.id);
  }

  /**
   * Request-level faults for one API request, in the order they were added: latencies add up; the first
   * throttle / internalError / resourceLocked / drop / exhausted rateLimit / bad answer decides the outcome.
   * `count` counts the requests a fault actually affected (for rateLimit: the requests it rejected).
   * `imageIds` are the ids the request names: an `error` fault for one image refuses only requests that
   * name it (DeleteImages' per-image errors are the action's, `onImage`).
   */
  onRequest(action: string, region: string, imageIds: readonly string[] = []): RequestFaultOutcome {
    const out: RequestFaultOutcome = { delayMs: 0, drop: false };
    for (const a of [...this.active]) {
      const f = a.fault;
      if (COPY_KINDS.has(f.kind)) continue;
      if (f.action !== undefined && f.action !== action) continue;
      if (f.region !== undefined && f.region !== region) continue;
      if (BAD_ANSWER_KINDS.has(f.kind)) {
        this.use(a);
        out.badAnswer = { ...(f as BadAnswer) };
        return out;
      }
      switch (f.kind) {
        case "error":
          if (f.imageId !== undefined && (action === "DeleteImages" || !imageIds.includes(f.imageId))) break;
          this.use(a);
          out.error = answerOf(f);
          return out;
        case "latency":
          out.delayMs += f.ms;
          this.use(a);
          break;
        case "drop":
          this.use(a);
          out.drop = true;
          return out;
        case "throttle":
          this.use(a);
          out.error = gateway.flowLimitExceeded();
          return out;
        case "internalError":
          this.use(a);
          out.error = business.internalError();
          return out;
        case "resourceLocked":
          this.use(a);
          out.error = business.resourceLocked();
          return out;
        case "rateLimit": {
          const now = Date.now();
          a.tokens = Math.min(f.burst, a.tokens + ((now - a.lastRefill) / 1000) * f.perSecond);
          a.lastRefill = now;
          if (a.tokens >= 1) {
            a.tokens -= 1;
            break;
          }
          this.use(a);
          out.error = gateway.flowLimitExceeded();
          return out;
        }
      }
    }
    return out;
  }

  /** DeleteImages' answer for one of its images: the first `error` fault for that image id, if any. */
  onImage(action: string, region: string, imageId: string): ApiError | undefined {
    for (const a of this.active) {
      const f = a.fault;
      if (f.kind !== "error" || f.imageId !== imageId) continue;
      if ((f.action !== undefined && f.action !== action) || (f.region !== undefined && f.region !== region)) continue;
      this.use(a);
      return answerOf(f);
    }
    return undefined;
  }

  /**
   * Copy-level faults for one successful CopyImage. A fault's `region` matches the source or the
   * destination region; its `action`, if given, must be CopyImage. Each matching fault is used once.
   */
  onCopy(sourceRegion: string, destinationRegion: string): CopyFaultOutcome {
    const out: CopyFaultOutcome = {};
    for (const a of [...this.active]) {
      const f = a.fault;
      if (!COPY_KINDS.has(f.kind)) continue;
      if (f.action !== undefined && f.action !== "CopyImage") continue;
      if (f.region !== undefined && f.region !== sourceRegion && f.region !== destinationRegion) continue;
      if (f.kind === "copyDuration" && out.durationMs === undefined) {
        out.durationMs = f.ms;
        this.use(a);
      } else if (f.kind === "copyFails" && out.failAtPercent === undefined) {
        out.failAtPercent = f.atPercent ?? DEFAULT_FAIL_AT_PERCENT;
        this.use(a);
      } else if (f.kind === "taskInvisible" && out.invisibleMs === undefined) {
        out.invisibleMs = f.ms;
        this.use(a);
      }
    }
    return out;
  }
}
