/**
 * What each action's `Result` must look like: ONE check per action, run by the wire on every answer
 * (inside its retries), that returns the typed value or a precise error naming the action and the
 * field. Nothing else in provider/ reads a `Result` unchecked, so a gateway or proxy that spoils an
 * answer (`"Tasks": "none"`, `"Images": {}`, numbers as strings) can never surface as a raw
 * TypeError, nor be read silently as "no task yet".
 *
 * Only the fields the provider uses are checked; the service sends more, and those pass untouched.
 * A list the service leaves out (or sends as null) reads as empty: Volcengine's SDK models mark
 * list fields `omitempty` [INFERRED that the service may omit an empty list; the docs show them
 * present]. A wrong type is never read as empty.
 *
 * Lookups by id keep only the entries for the ids asked, so a page far larger than asked for (a
 * misbehaving gateway, `oversizedPage`) changes nothing; a listing (by name, or every custom image)
 * that holds more entries than MaxResults cannot be trusted and is refused.
 */
import { VolcengineError } from "./volcengine-error";
import type { ImageRecord, TaskRecord } from "./client";

/** Where an answer came from, for the error that names what was wrong with it. */
export interface AnswerSource {
  action: string;
  region: string;
  httpStatus?: number;
  requestId?: string;
}

/** Reads an action's `Result` into its typed value, or throws `InvalidResponse` naming the field. */
export type AnswerCheck<T> = (result: unknown, from: AnswerSource) => T;

/** An answer that is not what Volcengine sends: transient (the wire retries it) and ambiguous (the action may have run). */
export function badAnswer(from: AnswerSource, detail: string): VolcengineError {
  return new VolcengineError({
    code: "InvalidResponse",
    detail,
    action: from.action,
    region: from.region,
    httpStatus: from.httpStatus,
    requestId: from.requestId,
    ambiguous: true,
  });
}

function kind(v: unknown): string {
  if (v === undefined) return "missing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return v.length > 20 ? "a string" : `a string (${JSON.stringify(v)})`;
  return `a ${typeof v}${typeof v === "number" || typeof v === "boolean" ? ` (${String(v)})` : ""}`;
}

type Obj = Record<string, unknown>;

class Reader {
  constructor(readonly from: AnswerSource) {}

  wrong(path: string, value: unknown, expected: string): VolcengineError {
    return badAnswer(this.from, `the answer's ${path} is ${kind(value)}, expected ${expected}`);
  }

  object(value: unknown, path: string): Obj {
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw this.wrong(path, value, "an object");
    return value as Obj;
  }

  /** A list; absent or null reads as empty. */
  list(o: Obj, field: string, path: string): unknown[] {
    const v = o[field];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw this.wrong(`${path}.${field}`, v, "a list");
    return v;
  }

  string(o: Obj, field: string, path: string): string {
    const v = o[field];
    if (typeof v !== "string") throw this.wrong(`${path}.${field}`, v, "a string");
    return v;
  }

  optString(o: Obj, field: string, path: string): string | undefined {
    const v = o[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw this.wrong(`${path}.${field}`, v, "a string");
    return v;
  }

  optNumber(o: Obj, field: string, path: string): number | undefined {
    const v = o[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !Number.isFinite(v)) throw this.wrong(`${path}.${field}`, v, "a number");
    return v;
  }

  /** NextToken: a string; "" and absent both mean "no more pages". */
  nextToken(o: Obj): string | undefined {
    return this.optString(o, "NextToken", "Result") || undefined;
  }
}

/** CopyImage: the new image's id. */
export const copyImageAnswer: AnswerCheck<string> = (result, from) => {
  const r = new Reader(from);
  const id = r.string(r.object(result, "Result"), "ImageId", "Result");
  if (!id) throw badAnswer(from, "the answer's Result.ImageId is empty");
  return id;
};

export interface Page<T> {
  entries: T[];
  nextToken?: string;
}

/** DescribeTasks by ResourceIds: the tasks of the images asked for (every other entry dropped unread). */
export function describeTasksAnswer(asked: ReadonlySet<string>): AnswerCheck<Page<TaskRecord>> {
  return (result, from) => {
    const r = new Reader(from);
    const res = r.object(result, "Result");
    const entries: TaskRecord[] = [];
    r.list(res, "Tasks", "Result").forEach((raw, i) => {
      const path = `Result.Tasks[${i}]`;
      const t = r.object(raw, path);
      const resourceId = r.string(t, "ResourceId", path);
      if (!asked.has(resourceId)) return;
      entries.push({
        ...t,
        Id: r.string(t, "Id", path),
        ResourceId: resourceId,
        Type: r.optString(t, "Type", path),
        Status: r.string(t, "Status", path),
        Process: r.optNumber(t, "Process", path),
        CreatedAt: r.optString(t, "CreatedAt", path),
        UpdatedAt: r.optString(t, "UpdatedAt", path),
        EndAt: r.optString(t, "EndAt", path),
      });
    });
    return { entries, nextToken: r.nextToken(res) };
  };
}

function image(r: Reader, raw: unknown, path: string): ImageRecord {
  const o = r.object(raw, path);
  const tags = r.list(o, "Tags", path).map((t, j) => {
    const tp = `${path}.Tags[${j}]`;
    const tag = r.object(t, tp);
    return { Key: r.string(tag, "Key", tp), Value: r.optString(tag, "Value", tp) ?? "" };
  });
  const checked: ImageRecord = { ...(o as object), ImageId: r.string(o, "ImageId", path) } as ImageRecord;
  for (const f of [
    "ImageName",
    "Description",
    "Status",
    "OsName",
    "OsType",
    "Platform",
    "PlatformVersion",
    "Architecture",
    "BootMode",
    "Visibility",
    "ProjectName",
    "CreatedAt",
    "UpdatedAt",
    "ImageOwnerId",
  ] as const) {
    checked[f] = r.optString(o, f, path);
  }
  checked.Size = r.optNumber(o, "Size", path);
  if (o.Tags !== undefined && o.Tags !== null) checked.Tags = tags;
  else delete checked.Tags;
  if (o.Snapshots !== undefined && o.Snapshots !== null) r.list(o, "Snapshots", path).forEach((s, j) => r.object(s, `${path}.Snapshots[${j}]`));
  return checked;
}

/**
 * DescribeImages. By ids (`asked`): only the images asked for, whatever else the page holds. A listing
 * (no ids): every entry, and more than `maxResults` of them is refused (no page of Volcengine's is
 * larger than asked for; the quota and name checks must not count made-up images).
 */
export function describeImagesAnswer(asked: ReadonlySet<string> | undefined, maxResults: number): AnswerCheck<Page<ImageRecord>> {
  return (result, from) => {
    const r = new Reader(from);
    const res = r.object(result, "Result");
    const list = r.list(res, "Images", "Result");
    if (!asked && list.length > maxResults) {
      throw badAnswer(
        from,
        `the answer listed ${list.length} images for MaxResults ${maxResults} (more entries than asked for: not a Volcengine page)`,
      );
    }
    const entries: ImageRecord[] = [];
    list.forEach((raw, i) => {
      const path = `Result.Images[${i}]`;
      if (asked) {
        const id = r.string(r.object(raw, path), "ImageId", path);
        if (!asked.has(id)) return;
      }
      entries.push(image(r, raw, path));
    });
    return { entries, nextToken: r.nextToken(res) };
  };
}

/** DeleteImages: the per-image error of each id asked for that the answer lists with one (other entries dropped). */
export function deleteImagesAnswer(asked: readonly string[]): AnswerCheck<Map<string, { Code: string; Message?: string }>> {
  return (result, from) => {
    const r = new Reader(from);
    const res = r.object(result, "Result");
    const found = new Map<string, { Code: string; Message?: string }>();
    r.list(res, "OperationDetails", "Result").forEach((raw, i) => {
      const path = `Result.OperationDetails[${i}]`;
      const d = r.object(raw, path);
      const id = r.optString(d, "ImageId", path);
      if (id === undefined || !asked.includes(id) || d.Error === undefined || d.Error === null) return;
      const e = r.object(d.Error, `${path}.Error`);
      const code = r.optString(e, "Code", `${path}.Error`);
      // Whether a deleted image appears with no Error, or not at all, is [UNCONFIRMED]; both read as success.
      if (code) found.set(id, { Code: code, Message: r.optString(e, "Message", `${path}.Error`) });
    });
    return found;
  };
}

/** Actions whose Result the provider does not read (ModifyImageAttribute, TagResources, UntagResources). */
export const ignoredAnswer: AnswerCheck<void> = () => undefined;
