// Reading the flattened query parameters (`Name.N`, `Tags.N.Key`) and the paging the listing actions share.
import { business } from "../http/api-error";

/** Values of `Name.1`, `Name.2`, ... in index order. A bare `Name=` (go-sdk empty list) gives []. */
export function listParam(params: Map<string, string>, name: string): string[] {
  const re = new RegExp(`^${name.replace(/\./g, "\\.")}\\.(\\d+)$`);
  const items: [number, string][] = [];
  for (const [k, v] of params) {
    const m = re.exec(k);
    if (m) items.push([Number(m[1]), v]);
  }
  return items.sort((a, b) => a[0] - b[0]).map((x) => x[1]);
}

/** `Tags.N.Key` / `Tags.N.Value` pairs in index order. */
export function tagsParam(params: Map<string, string>, name = "Tags"): { key: string; value: string; n: number }[] {
  const byN = new Map<number, { key?: string; value?: string }>();
  const re = new RegExp(`^${name}\\.(\\d+)\\.(Key|Value)$`);
  for (const [k, v] of params) {
    const m = re.exec(k);
    if (!m) continue;
    const n = Number(m[1]);
    const e = byN.get(n) ?? {};
    if (m[2] === "Key") e.key = v;
    else e.value = v;
    byN.set(n, e);
  }
  return [...byN.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([n, e]) => {
      if (e.key === undefined) throw business.missing(`${name}.${n}.Key`);
      return { key: e.key, value: e.value ?? "", n };
    });
}

export function boolParam(params: Map<string, string>, name: string): boolean | undefined {
  const v = params.get(name);
  if (v === undefined || v === "") return undefined;
  if (v === "true") return true;
  if (v === "false") return false;
  throw business.invalidArgument(`${name} must be true or false.`);
}

export function maxResults(params: Map<string, string>, dflt: number): number {
  const v = params.get("MaxResults");
  if (v === undefined || v === "") return dflt;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 100) throw business.invalidArgument("MaxResults must be an integer from 1 to 100.");
  return Number(v);
}

/** NextToken is an opaque base64url offset. [INFERRED] the real token format is unknown. */
export function pageOf<T>(items: T[], params: Map<string, string>, size: number): { page: T[]; nextToken: string } {
  const tok = params.get("NextToken") ?? "";
  let offset = 0;
  if (tok !== "") {
    const m = /^o:(\d+)$/.exec(Buffer.from(tok, "base64url").toString("utf8"));
    if (!m) throw business.invalidArgument("NextToken is invalid.");
    offset = Number(m[1]);
  }
  const page = items.slice(offset, offset + size);
  const next = offset + size < items.length ? Buffer.from(`o:${offset + size}`).toString("base64url") : "";
  return { page, nextToken: next };
}

export function limitList(list: string[], name: string, max: number): void {
  if (list.length > max) throw business.invalidArgument(`${name}.N accepts at most ${max} items.`);
}
