// What the Pulumi CLI prints as JSON (`preview --json`, `stack export`) and how to read it.

export interface PreviewStep {
  op: string;
  urn: string;
  diffReasons?: string[];
  replaceReasons?: string[];
  detailedDiff?: Record<string, unknown> | null;
  newState?: { type?: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
  oldState?: { type?: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
}

export interface PreviewJson {
  steps?: PreviewStep[];
  diagnostics?: { urn?: string; message: string; severity: string }[];
  changeSummary?: Record<string, number>;
  config?: Record<string, string>;
}

export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  custom?: boolean;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  initErrors?: string[];
  parent?: string;
  provider?: string;
}

export interface Deployment {
  resources?: StateResource[];
  pending_operations?: unknown[];
}

/**
 * Parses text holding one or more JSON values one after the other (what `pulumi up --json` prints: a
 * pretty-printed document, then one event per line). Non-JSON text between values is an error.
 */
export function parseJsonDocuments(text: string): unknown[] {
  const values: unknown[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    const start = i;
    const open = text[i];
    if (open !== "{" && open !== "[") throw new Error(`expected a JSON object or array at offset ${i}: ${JSON.stringify(text.slice(i, i + 60))}`);
    let depth = 0;
    let inString = false;
    for (; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (c === "\\") i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) {
          i++;
          break;
        }
      }
    }
    values.push(JSON.parse(text.slice(start, i)));
  }
  if (values.length === 0) throw new Error("no JSON value in the text");
  return values;
}

/** The resources of one type in an exported deployment. */
export function resourcesOfType(d: Deployment, type: string): StateResource[] {
  return (d.resources ?? []).filter((r) => r.type === type);
}
