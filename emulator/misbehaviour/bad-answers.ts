// A gateway or proxy in front of ECS answering badly (faults: htmlBadGateway, truncatedJson,
// missingResult, wrongTypes, oversizedPage, hang). Clients meet all of these in the wild; none is an
// ECS answer, so none follows the envelope rules.
import type { BadAnswer } from "./faults";
import { formatTime, randomId } from "../state/ids";

export interface Envelope {
  ResponseMetadata: Record<string, unknown>;
  Result?: Record<string, unknown>;
}

/** What to send, or "hang": keep the connection open and never answer (closed by the client or stop()). */
export type Rendered = { status: number; contentType: string; body: string } | "hang";

const JSON_TYPE = "application/json; charset=utf-8";
const DEFAULT_OVERSIZED_ENTRIES = 5000;

/** A load balancer's own error page, as nginx-based gateways send it. */
const HTML_502 =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/**
 * `answer` is the real answer when the action ran (status and envelope), undefined when it did not.
 * The spoilers that need a Result (missingResult, wrongTypes, oversizedPage) pass error answers through.
 */
export function renderBadAnswer(bad: BadAnswer, answer: { status: number; payload: Envelope } | undefined, nowMs: number): Rendered {
  const json = (status: number, payload: unknown) => ({ status, contentType: JSON_TYPE, body: JSON.stringify(payload) });
  switch (bad.kind) {
    case "hang":
      return "hang";
    case "htmlBadGateway":
      return { status: 502, contentType: "text/html", body: HTML_502 };
    case "truncatedJson": {
      // A complete HTTP response (Content-Length matches) whose JSON stops half way: the proxy cut it.
      const full = JSON.stringify(answer?.payload ?? {});
      return { status: answer?.status ?? 200, contentType: JSON_TYPE, body: full.slice(0, Math.max(1, Math.floor(full.length / 2))) };
    }
  }
  if (!answer) throw new Error(`${bad.kind} needs the action's answer`);
  const { status, payload } = answer;
  if (payload.Result === undefined) return json(status, payload);
  switch (bad.kind) {
    case "missingResult":
      return json(status, { ResponseMetadata: payload.ResponseMetadata });
    case "wrongTypes":
      return json(status, { ...payload, Result: { ...spoilTypes(payload.Result), ...(bad.values ?? {}) } });
    case "oversizedPage":
      return json(status, { ...payload, Result: oversize(payload.Result, bad.entries ?? DEFAULT_OVERSIZED_ENTRIES, nowMs) });
  }
}

/**
 * Every field gets a type the client does not expect: `Images` becomes {}, any other list the string
 * "none", numbers become strings and strings numbers. Field names stay, so only type checks catch it.
 */
function spoilTypes(result: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(result)) {
    if (Array.isArray(v)) out[k] = k === "Images" ? {} : "none";
    else if (typeof v === "number") out[k] = String(v);
    else if (typeof v === "string") out[k] = v.length;
    else out[k] = v;
  }
  return out;
}

/**
 * A page far larger than MaxResults: `entries` made-up tasks or images ahead of the real ones (whose
 * order and NextToken are kept), so a client that trusts the first entry or the page size is caught.
 */
function oversize(result: Record<string, unknown>, entries: number, nowMs: number): Record<string, unknown> {
  const at = formatTime(nowMs);
  if (Array.isArray(result.Tasks)) {
    const filler = Array.from({ length: entries }, () => ({
      Id: randomId("t-"),
      ResourceId: randomId("image-"),
      Type: "CopyImage",
      Status: "Succeeded",
      Process: 100,
      CreatedAt: at,
      UpdatedAt: at,
      EndAt: at,
    }));
    return { ...result, Tasks: [...filler, ...result.Tasks] };
  }
  if (Array.isArray(result.Images)) {
    const model = (result.Images[0] as Record<string, unknown> | undefined) ?? {
      ImageName: "filler",
      Status: "available",
      Visibility: "public",
      Snapshots: [],
    };
    const filler = Array.from({ length: entries }, (_, i) => ({ ...model, ImageId: randomId("image-"), ImageName: `filler-${i + 1}` }));
    return { ...result, Images: [...filler, ...result.Images] };
  }
  return result;
}
