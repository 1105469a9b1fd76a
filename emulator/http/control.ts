// The /_emulator/ control endpoint (not part of the Volcengine API): a table of routes, each a method,
// a path pattern and a handler. No signature, not logged, loopback peers only unless allowed.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FaultSet } from "../misbehaviour/faults";
import { sendJson } from "./gateway";
import type { Model } from "../state/store";
import type { EmulatorHandle, Fault, SeedImage, World } from "../types";

export interface ControlDeps {
  handle: EmulatorHandle;
  model: Model;
  faults: FaultSet;
  controlFromAnyHost: boolean;
}

interface RouteRequest {
  /** Path segments after /_emulator/ matched by ":name" in the pattern. */
  args: Record<string, string>;
  query: URLSearchParams;
  json: () => unknown;
}

/** A handler's answer: HTTP status and JSON body. */
type Answer = [number, unknown];

interface Route {
  method: string;
  /** Segments after /_emulator/, e.g. "faults/:id"; "" is the root. */
  path: string;
  run: (r: RouteRequest, d: ControlDeps) => Answer;
}

const OK: Answer = [200, { ok: true }];

/** ?region= must name a region the emulator has. */
function requiredRegion(r: RouteRequest, d: ControlDeps): string | Answer {
  const region = r.query.get("region") ?? "";
  return d.model.regions.has(region)
    ? region
    : [400, { error: `unknown or missing region ${JSON.stringify(region)}`, regions: [...d.model.regions] }];
}

/** ?region= is optional here; when given it must be known. */
function optionalRegion(r: RouteRequest, d: ControlDeps): string | undefined | Answer {
  return r.query.get("region") === null ? undefined : requiredRegion(r, d);
}

const byRegion = (r: RouteRequest, d: ControlDeps, list: (region: string) => unknown): Answer => {
  const region = requiredRegion(r, d);
  return typeof region === "string" ? [200, list(region)] : region;
};

export const CONTROL_ROUTES: Route[] = [
  {
    method: "GET",
    path: "",
    run: (_r, { handle, model }) => [
      200,
      {
        url: handle.url,
        now: handle.now().toISOString(),
        regions: [...model.regions],
        copyUnsupportedRegions: [...model.copyUnsupported],
        projects: [...model.projects],
        accessKeys: model.accounts.map((x) => x.accessKey),
        world: handle.world(),
      },
    ],
  },
  { method: "GET", path: "log", run: (_r, { handle }) => [200, handle.log()] },
  { method: "DELETE", path: "log", run: (_r, { handle }) => (handle.clearLog(), OK) },
  { method: "GET", path: "faults", run: (_r, { faults }) => [200, faults.list()] },
  { method: "POST", path: "faults", run: (r, { handle }) => [200, { id: handle.addFault(r.json() as Fault) }] },
  { method: "DELETE", path: "faults", run: (_r, { handle }) => (handle.clearFaults(), OK) },
  { method: "DELETE", path: "faults/:id", run: (r, { handle }) => (handle.removeFault(r.args.id!), OK) },
  { method: "GET", path: "images", run: (r, d) => byRegion(r, d, (region) => d.handle.images(region)) },
  { method: "POST", path: "images", run: (r, { handle }) => [200, { imageId: handle.seedImage(r.json() as SeedImage) }] },
  {
    method: "DELETE",
    path: "images/:region/:id",
    run: (r, { handle }) => {
      const deleted = handle.deleteImageOutOfBand(r.args.region!, r.args.id!);
      return [deleted ? 200 : 404, { deleted }];
    },
  },
  { method: "GET", path: "tasks", run: (r, d) => byRegion(r, d, (region) => d.handle.tasks(region)) },
  {
    method: "GET",
    path: "snapshots",
    run: (r, d) => {
      const region = optionalRegion(r, d);
      return Array.isArray(region) ? region : [200, d.handle.snapshots(region)];
    },
  },
  { method: "GET", path: "now", run: (_r, { handle }) => [200, { now: handle.now().toISOString() }] },
  {
    method: "POST",
    path: "clock",
    run: (r, { handle }) => {
      const body = r.json() as { advanceMs?: unknown } | null;
      return [200, { now: handle.advanceClock(Number(body?.advanceMs)).toISOString() }];
    },
  },
  { method: "GET", path: "world", run: (_r, { handle }) => [200, handle.world()] },
  // PATCH semantics: only the switches in the body change. POST is accepted too for clients without PATCH.
  { method: "PATCH", path: "world", run: (r, { handle }) => [200, handle.setWorld(r.json() as Partial<World>)] },
  { method: "POST", path: "world", run: (r, { handle }) => [200, handle.setWorld(r.json() as Partial<World>)] },
];

/** The route whose method and pattern match, with the ":name" segments it captured. */
function match(method: string, segments: string[]): { route: Route; args: Record<string, string> } | undefined {
  for (const route of CONTROL_ROUTES) {
    if (route.method !== method) continue;
    const pattern = route.path === "" ? [] : route.path.split("/");
    if (pattern.length !== segments.length) continue;
    const args: Record<string, string> = {};
    if (pattern.every((p, i) => (p.startsWith(":") ? ((args[p.slice(1)] = segments[i]!), true) : p === segments[i]))) return { route, args };
  }
  return undefined;
}

export function handleControl(deps: ControlDeps, req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): void {
  const peer = req.socket.remoteAddress ?? "";
  if (!deps.controlFromAnyHost && !/^(127\.|::1$|::ffff:127\.)/.test(peer)) {
    return sendJson(res, 403, { error: "the control endpoint only answers loopback clients" });
  }
  const method = req.method ?? "GET";
  try {
    const segments = url.pathname
      .split("/")
      .filter((s) => s !== "")
      .slice(1)
      .map(decodeURIComponent); // after "_emulator"
    const found = match(method, segments);
    if (!found) return sendJson(res, 404, { error: `no control route ${method} ${url.pathname}` });
    const [status, payload] = found.route.run(
      { args: found.args, query: url.searchParams, json: () => JSON.parse(body.toString("utf8") || "null") },
      deps,
    );
    return sendJson(res, status, payload);
  } catch (e) {
    // Bad JSON, an invalid fault, seed image or world: the caller's mistake, answered 400 with the reason.
    return sendJson(res, 400, { error: e instanceof Error ? e.message : String(e) });
  }
}
