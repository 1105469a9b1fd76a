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
// Not documented: real ids look like image-4431h3l7hl31a0****** ("image-" and 20 lowercase alphanumerics);
// we accept 4 to 64 of them, so that hand-made ids (emulator seeds, tests) pass too.
const IMAGE_ID = /^image-[a-z0-9]{4,64}$/;
// Not documented: region ids look like cn-beijing, ap-southeast-1, cn-beijing-autodriving.
const REGION = /^[a-z]{2,}(-[a-z0-9]+){1,4}$/;
// Not documented: projects are named like "default"; we allow letters, digits and _ - . up to 64.
const PROJECT = /^[A-Za-z0-9_.-]{1,64}$/;

/** Every rule whole, as the failure messages state it (length included). */
export const RULES = {
  imageName: `1 to 128 characters; must start with a letter or a Chinese character; only letters, digits, Chinese characters, "_", "-" and "."`,
  description: `at most 255 characters; must start with a letter or a Chinese character; only letters, digits, Chinese characters, spaces, "_", "-", "=", ",", ".", "，" and "。"`,
  imageId: `"image-" followed by 4 to 64 lowercase letters or digits (Volcengine's own ids have 20, like image-4431h3l7hl31a0xxxx)`,
  region: `lowercase words joined by "-": 2 or more letters, then 1 to 4 parts of lowercase letters or digits, such as cn-beijing or ap-southeast-1`,
  project: `1 to 64 letters, digits, "_", "-" or "."`,
  tagKey: `1 to 128 characters; must not start with "volc:" or "sys:"; only letters, digits, spaces and _ . : / = + - @`,
  tagValue: `at most 256 characters; only letters, digits, spaces and _ . : / = + - @`,
} as const;

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

/** What breaks a name or description rule when its length is right: its first character, or another one. */
function wrongPart(value: string): string {
  return /^[A-Za-z]|^\p{Script=Han}/u.test(value) ? "has a character outside the rule" : "must start with a letter or a Chinese character";
}

/** What an id that is not one gets wrong. */
function idFault(value: string): string {
  if (!value.startsWith("image-")) return 'it does not start with "image-"';
  const rest = value.slice("image-".length);
  if (!/^[a-z0-9]*$/.test(rest)) return 'it has other characters than lowercase letters and digits after "image-"';
  return `it has ${rest.length} characters after "image-"`;
}

export function checkImageName(value: unknown, property = "imageName"): Failure | undefined {
  if (isUnknown(value)) return undefined;
  if (typeof value !== "string") return { property, reason: `${property} must be a string, got ${typeName(value)}.` };
  const n = charLength(value);
  if (n < 1 || n > LIMITS.imageNameMax) {
    return { property, reason: `${property} must be 1 to ${LIMITS.imageNameMax} characters long, got ${n}; the whole rule: ${RULES.imageName}.` };
  }
  if (!IMAGE_NAME.test(value)) return { property, reason: `${property} ${show(value)} ${wrongPart(value)}; the whole rule: ${RULES.imageName}.` };
  return undefined;
}

export function checkDescription(value: unknown, property = "description"): Failure | undefined {
  if (value === undefined || isUnknown(value)) return undefined;
  if (typeof value !== "string") return { property, reason: `${property} must be a string, got ${typeName(value)}.` };
  const n = charLength(value);
  if (n > LIMITS.descriptionMax) {
    return {
      property,
      reason: `${property} must be at most ${LIMITS.descriptionMax} characters long, got ${n}; the whole rule: ${RULES.description}.`,
    };
  }
  if (n > 0 && !DESCRIPTION.test(value)) {
    return { property, reason: `${property} ${show(value)} ${wrongPart(value)}; the whole rule: ${RULES.description}.` };
  }
  return undefined;
}

export function checkImageId(value: unknown, property = "sourceImageId"): Failure | undefined {
  if (isUnknown(value)) return undefined;
  if (value === undefined || value === null || value === "")
    return { property, reason: `${property} is required (the id of a custom image, like image-4431h3l7hl31a0xxxx).` };
  if (typeof value !== "string") return { property, reason: `${property} must be a string, got ${typeName(value)}.` };
  if (!IMAGE_ID.test(value))
    return { property, reason: `${property} ${show(value)} is not an image id (${idFault(value)}); the whole rule: ${RULES.imageId}.` };
  return undefined;
}

export function checkRegion(value: unknown, property: string, required: boolean): Failure | undefined {
  if (isUnknown(value)) return undefined;
  if (value === undefined || value === null || value === "") {
    return required ? { property, reason: `${property} is required (a Volcengine region id such as cn-shanghai).` } : undefined;
  }
  if (typeof value !== "string") return { property, reason: `${property} must be a string, got ${typeName(value)}.` };
  if (!REGION.test(value)) return { property, reason: `${property} ${show(value)} is not a region id: expected ${RULES.region}.` };
  return undefined;
}

export function checkProjectName(value: unknown, property = "projectName"): Failure | undefined {
  if (value === undefined || isUnknown(value)) return undefined;
  if (typeof value !== "string") return { property, reason: `${property} must be a string, got ${typeName(value)}.` };
  if (!PROJECT.test(value)) return { property, reason: `${property} ${show(value)} must be ${RULES.project}.` };
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
    if (n < 1 || n > LIMITS.tagKeyMax)
      failures.push({ property: p, reason: `tag key must be 1 to ${LIMITS.tagKeyMax} characters long, got ${n}; the whole rule: ${RULES.tagKey}.` });
    else if (RESERVED_TAG_PREFIXES.some((r) => key.toLowerCase().startsWith(r)))
      failures.push({
        property: p,
        reason: `tag key ${show(key)} must not start with "volc:" or "sys:" (reserved by Volcengine); the whole rule: ${RULES.tagKey}.`,
      });
    else if (reservedKeys.includes(key))
      failures.push({ property: p, reason: `tag key ${show(key)} is reserved by the provider to recognise its own copies.` });
    else if (!TAG_TEXT.test(key))
      failures.push({ property: p, reason: `tag key ${show(key)} has a character outside the rule; the whole rule: ${RULES.tagKey}.` });
    if (isUnknown(v)) continue;
    if (typeof v !== "string") {
      failures.push({ property: p, reason: `tag value must be a string, got ${typeName(v)}.` });
      continue;
    }
    const m = charLength(v);
    if (m > LIMITS.tagValueMax)
      failures.push({
        property: p,
        reason: `tag value must be at most ${LIMITS.tagValueMax} characters long, got ${m}; the whole rule: ${RULES.tagValue}.`,
      });
    else if (!TAG_TEXT.test(v))
      failures.push({ property: p, reason: `tag value ${show(v)} has a character outside the rule; the whole rule: ${RULES.tagValue}.` });
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
