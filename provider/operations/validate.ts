/**
 * The documented input rules, as data and small functions. No network.
 *
 * Sources: the CopyImage page (`shared/seeds/`): ImageName and Description rules; the tag rules
 * of TagResources (reference §6). Where a rule is not documented (id and region shapes, project
 * names, tag values) we keep to a conservative reading and say so.
 */

/** The engine's marker for a value not known yet (during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface Failure {
  property: string;
  reason: string;
}

const HAN = "\\p{Script=Han}";
const IMAGE_NAME = new RegExp(`^[A-Za-z${HAN}][A-Za-z0-9${HAN}_.\\-]*$`, "u");
const DESCRIPTION = new RegExp(`^[A-Za-z${HAN}][A-Za-z0-9${HAN}_\\-=,.，。 ]*$`, "u");
// Tag keys: "language characters, digits, spaces and _ . : / = + - @" (TagResources doc).
const TAG_TEXT = /^[\p{L}\p{N} _.:/=+\-@]*$/u;
// Not documented: real ids look like image-4431h3l7hl31a0******, i.e. "image-" and lowercase alphanumerics.
const IMAGE_ID = /^image-[a-z0-9]{4,64}$/;
// Not documented: region ids look like cn-beijing, ap-southeast-1, cn-beijing-autodriving.
const REGION = /^[a-z]{2,}(-[a-z0-9]+){1,4}$/;
// Not documented: projects are named like "default"; we allow letters, digits and _ - . up to 64.
const PROJECT = /^[A-Za-z0-9_.-]{1,64}$/;

export const LIMITS = {
  imageNameMax: 128,
  descriptionMax: 255,
  tagKeyMax: 128,
  /** Not documented for ECS image tags; 256 is the common Volcengine tag value limit ([INFERRED]). */
  tagValueMax: 256,
  tagsPerResource: 50,
} as const;

/** Length in characters as a person counts them (code points), not UTF-16 units. */
export function charLength(s: string): number {
  return [...s].length;
}

function show(value: unknown): string {
  let text: string;
  try {
    text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  // Cut by code points: slicing UTF-16 units can split a surrogate pair, and a reason with a lone
  // surrogate is not valid UTF-8 on its way to the engine (protobuf strings).
  const chars = [...text];
  return chars.length > 60 ? `${chars.slice(0, 57).join("")}...` : text;
}

function typeName(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

export function checkImageName(value: unknown, property = "imageName"): Failure | undefined {
  if (isUnknown(value)) return undefined;
  if (typeof value !== "string") return { property, reason: `${property} must be a string, got ${typeName(value)}.` };
  const n = charLength(value);
  if (n < 1 || n > LIMITS.imageNameMax) {
    return { property, reason: `${property} must be 1 to ${LIMITS.imageNameMax} characters long, got ${n}.` };
  }
  if (!IMAGE_NAME.test(value)) {
    return {
      property,
      reason: `${property} ${show(value)} must start with a letter or a Chinese character and contain only letters, digits, Chinese characters, "_", "-" and ".".`,
    };
  }
  return undefined;
}

export function checkDescription(value: unknown, property = "description"): Failure | undefined {
  if (value === undefined || isUnknown(value)) return undefined;
  if (typeof value !== "string") return { property, reason: `${property} must be a string, got ${typeName(value)}.` };
  const n = charLength(value);
  if (n > LIMITS.descriptionMax) return { property, reason: `${property} must be at most ${LIMITS.descriptionMax} characters long, got ${n}.` };
  if (n > 0 && !DESCRIPTION.test(value)) {
    return {
      property,
      reason: `${property} ${show(value)} must start with a letter or a Chinese character and contain only letters, digits, Chinese characters, spaces, "_", "-", "=", ",", ".", "，" and "。".`,
    };
  }
  return undefined;
}

export function checkImageId(value: unknown, property = "sourceImageId"): Failure | undefined {
  if (isUnknown(value)) return undefined;
  if (value === undefined || value === null || value === "")
    return { property, reason: `${property} is required (the id of a custom image, like image-4431h3l7hl31a0xxxx).` };
  if (typeof value !== "string") return { property, reason: `${property} must be a string, got ${typeName(value)}.` };
  if (!IMAGE_ID.test(value))
    return { property, reason: `${property} ${show(value)} is not an image id: expected "image-" followed by lowercase letters and digits.` };
  return undefined;
}

export function checkRegion(value: unknown, property: string, required: boolean): Failure | undefined {
  if (isUnknown(value)) return undefined;
  if (value === undefined || value === null || value === "") {
    return required ? { property, reason: `${property} is required (a Volcengine region id such as cn-shanghai).` } : undefined;
  }
  if (typeof value !== "string") return { property, reason: `${property} must be a string, got ${typeName(value)}.` };
  if (!REGION.test(value))
    return {
      property,
      reason: `${property} ${show(value)} is not a region id: expected lowercase words joined by "-", such as cn-beijing or ap-southeast-1.`,
    };
  return undefined;
}

export function checkProjectName(value: unknown, property = "projectName"): Failure | undefined {
  if (value === undefined || isUnknown(value)) return undefined;
  if (typeof value !== "string") return { property, reason: `${property} must be a string, got ${typeName(value)}.` };
  if (!PROJECT.test(value)) return { property, reason: `${property} ${show(value)} must be 1 to 64 letters, digits, "_", "-" or ".".` };
  return undefined;
}

export function checkBoolean(value: unknown, property: string): Failure | undefined {
  if (value === undefined || isUnknown(value)) return undefined;
  if (typeof value !== "boolean") return { property, reason: `${property} must be true or false, got ${show(value)}.` };
  return undefined;
}

/** Reserved tag key prefixes (any letter case). Our own ownership marker uses neither. */
const RESERVED_TAG_PREFIXES = ["volc:", "sys:"];

export function checkTags(value: unknown, property = "tags", reservedKeys: readonly string[] = []): Failure[] {
  if (value === undefined || isUnknown(value)) return [];
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return [{ property, reason: `${property} must be a map of tag keys to string values, got ${typeName(value)}.` }];
  }
  const failures: Failure[] = [];
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > LIMITS.tagsPerResource - reservedKeys.length) {
    failures.push({
      property,
      reason: `${property} has ${entries.length} tags; an image takes at most ${LIMITS.tagsPerResource}, of which ${reservedKeys.length} the provider uses itself.`,
    });
  }
  for (const [key, v] of entries) {
    const p = `${property}.${key}`;
    const n = charLength(key);
    if (n < 1 || n > LIMITS.tagKeyMax) failures.push({ property: p, reason: `tag key must be 1 to ${LIMITS.tagKeyMax} characters long, got ${n}.` });
    else if (RESERVED_TAG_PREFIXES.some((r) => key.toLowerCase().startsWith(r)))
      failures.push({ property: p, reason: `tag key ${show(key)} must not start with "volc:" or "sys:" (reserved by Volcengine).` });
    else if (reservedKeys.includes(key))
      failures.push({ property: p, reason: `tag key ${show(key)} is reserved by the provider to recognise its own copies.` });
    else if (!TAG_TEXT.test(key))
      failures.push({ property: p, reason: `tag key ${show(key)} may contain only letters, digits, spaces and _ . : / = + - @.` });
    if (isUnknown(v)) continue;
    if (typeof v !== "string") {
      failures.push({ property: p, reason: `tag value must be a string, got ${typeName(v)}.` });
      continue;
    }
    const m = charLength(v);
    if (m > LIMITS.tagValueMax) failures.push({ property: p, reason: `tag value must be at most ${LIMITS.tagValueMax} characters long, got ${m}.` });
    else if (!TAG_TEXT.test(v))
      failures.push({ property: p, reason: `tag value ${show(v)} may contain only letters, digits, spaces and _ . : / = + - @.` });
  }
  return failures;
}

/**
 * Turns a resource name into a valid image name prefix: disallowed characters become "-", a name
 * that does not start with a letter gets "img-" in front, and the result leaves room for a suffix.
 */
export function imageNamePrefix(resourceName: string, room: number): string {
  let s = [...resourceName].map((c) => (/[A-Za-z0-9_.-]|\p{Script=Han}/u.test(c) ? c : "-")).join("");
  if (!/^[A-Za-z]|^\p{Script=Han}/u.test(s)) s = `img-${s}`;
  const max = LIMITS.imageNameMax - room;
  return [...s].slice(0, max).join("");
}
