// Property values as they cross the gRPC boundary: protobuf Structs, the secret envelope, the
// UNKNOWN sentinel, URNs. The engine strips secret envelopes for a provider that answered Configure
// with acceptSecrets=false (the dynamic plugin always does), so requests carry plain values except
// in Configure.
import { structPb, type Struct } from "./protos";

/** The value the engine sends in place of an unknown (computed) property. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** Key and value of the SDK/engine secret envelope: `{[SECRET_SIG_KEY]: SECRET_SIG, value}`. */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

type JsValue = Parameters<typeof structPb.Value.fromJavaScript>[0];

/** Drop `undefined` object members (the SDK never sends them; Struct.fromJavaScript would throw). */
function dropUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : dropUndefined(v)));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined) out[k] = dropUndefined(v);
    }
    return out;
  }
  return value;
}

export function toStruct(obj: Record<string, unknown>): Struct {
  return structPb.Struct.fromJavaScript(dropUndefined(obj) as Record<string, JsValue>);
}

export function fromStruct(s: Struct | undefined): Record<string, unknown> {
  return s ? (s.toJavaScript() as Record<string, unknown>) : {};
}

/** Is `v` the secret envelope `{4dabf…: 1b470…, value}`? */
export function isSecretEnvelope(v: unknown): v is { value: unknown } {
  return v !== null && typeof v === "object" && !Array.isArray(v) && (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}

/** Remove secret envelopes at any depth, the way the engine strips them for acceptSecrets=false providers. */
export function stripSecrets(value: unknown): unknown {
  if (isSecretEnvelope(value)) return stripSecrets(value.value);
  if (Array.isArray(value)) return value.map(stripSecrets);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = stripSecrets(v);
    return out;
  }
  return value;
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>`, as the engine builds it for a resource without parent. */
export function urnFor(type: string, name: string, project = "test", stack = "test"): string {
  return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

/** The type (last part of a parent chain) and name in a URN; empty strings for a malformed one. */
export function urnParts(urn: string): { type: string; name: string } {
  const parts = urn.split("::");
  if (parts.length < 4) return { type: "", name: "" };
  return { type: (parts[2] ?? "").split("$").pop() ?? "", name: parts.slice(3).join("::") };
}

/** A timer that never keeps the process alive. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
