/**
 * `check`: validates the program's inputs (every rule in `validate.ts`), fills the defaults
 * (source region, copyImageTags, keepSnapshotsOnDelete) and decides the image name: the program's, the adopted image's
 * own, the name recorded for this copy, or a newly generated one. Makes no request.
 */
import { ConfigError, ConfigErrors, type ProviderSettings } from "../settings/config";
import {
  checkBoolean,
  checkDescription,
  checkImageId,
  checkImageName,
  checkProjectName,
  checkRegion,
  checkTags,
  isUnknown,
  type Failure,
} from "./validate";
import { OWNER_TAG_KEY, REPLACE_KEYS, autoImageName } from "./naming";
import { withoutUndefined, type CopiedImageInputs, type Meta } from "./model";
import { operationTimeout, type Tunables } from "../settings/tunables";

type Props = Record<string, unknown>;

export interface CheckResult {
  inputs: Props;
  failures: Failure[];
}

/** Parses Pulumi's customTimeouts strings ("60m", "1h30m", "45s", "500ms"). */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== "string" || text.trim() === "") return undefined;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let consumed = "";
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const n = Number(m[1]);
    total += m[2] === "h" ? n * 3_600_000 : m[2] === "m" ? n * 60_000 : m[2] === "s" ? n * 1000 : n;
    consumed += m[0];
  }
  return consumed === text.replace(/\s+/g, "") && total > 0 ? total : undefined;
}

/** The time an operation may take, from the resource's customTimeouts strings (`operationTimeout` decides). */
export function timeoutFor(meta: Meta | undefined, op: "create" | "update" | "delete", defaults: Tunables["timeouts"]): number {
  const t = meta?.timeouts;
  return operationTimeout({ create: parseDuration(t?.create), update: parseDuration(t?.update), delete: parseDuration(t?.delete) }, op, defaults);
}

/** JSON equality of two values, undefined counting as null. */
export function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export function check(olds: Props, news: Props, settings: () => ProviderSettings): CheckResult {
  const failures: Failure[] = [];
  const add = (f: Failure | undefined) => f && failures.push(f);
  let configured: ProviderSettings | undefined;
  try {
    configured = settings();
  } catch (e) {
    // A bad setting is the provider's, not an input's: named as itself, and the good settings (the
    // configured region among them) still count.
    const problems = e instanceof ConfigErrors ? e.problems : [e as Error];
    for (const p of problems) {
      const setting = p instanceof ConfigError ? p.setting : undefined;
      failures.push({ property: setting ?? "provider configuration", reason: `provider configuration: ${p.message}` });
    }
    if (e instanceof ConfigErrors) configured = e.resolved;
  }

  add(checkImageId(news.sourceImageId));
  add(checkRegion(news.destinationRegion, "destinationRegion", true));
  const sourceRegion = news.sourceRegion ?? configured?.region;
  if (sourceRegion === undefined && configured === undefined) {
    failures.push({
      property: "sourceRegion",
      reason: "sourceRegion is required: the provider configuration (the error above) could not be read, so no configured region is known.",
    });
  } else if (sourceRegion === undefined) {
    failures.push({
      property: "sourceRegion",
      reason: "sourceRegion is required when no region is configured: set it, or the stack config volcengine:region, or VOLCENGINE_REGION.",
    });
  } else {
    add(checkRegion(sourceRegion, "sourceRegion", true));
  }
  if (typeof sourceRegion === "string" && sourceRegion === news.destinationRegion && !isUnknown(sourceRegion)) {
    failures.push({
      property: "destinationRegion",
      reason: `destinationRegion must differ from sourceRegion (both are ${sourceRegion}): CopyImage copies between regions.`,
    });
  }
  if (news.imageName !== undefined) add(checkImageName(news.imageName));
  add(checkDescription(news.description));
  add(checkBoolean(news.copyImageTags, "copyImageTags"));
  add(checkBoolean(news.keepSnapshotsOnDelete, "keepSnapshotsOnDelete"));
  add(checkProjectName(news.projectName));
  failures.push(...checkTags(news.tags, "tags", [OWNER_TAG_KEY]));
  if (news.adoptImageId !== undefined) add(checkImageId(news.adoptImageId, "adoptImageId"));

  const meta = checkMeta(news.__meta, failures);
  const inputs: Props = withoutUndefined({
    ...news,
    sourceRegion,
    copyImageTags: news.copyImageTags ?? false,
    keepSnapshotsOnDelete: news.keepSnapshotsOnDelete ?? false,
    __meta: meta,
  });
  const checkedMeta = inputs.__meta as Meta;

  const adopting = news.adoptImageId !== undefined || (typeof olds.adoptImageId === "string" && olds.imageName === undefined);
  if (news.imageName === undefined && failures.length === 0 && adopting) {
    // An adopted image keeps its own name; no name is generated.
    checkedMeta.autoNamed = false;
  } else if (news.imageName === undefined && failures.length === 0) {
    const replaceInputsKnown = REPLACE_KEYS.every((k) => !isUnknown(inputs[k]));
    const oldMeta = (olds.__meta ?? {}) as Meta;
    const unchanged = REPLACE_KEYS.every((k) => same(olds[k], inputs[k]));
    if (typeof olds.imageName === "string" && oldMeta.autoNamed && unchanged) {
      // Keep the name across updates, whatever the naming scheme was when it was made.
      inputs.imageName = olds.imageName;
    } else if (replaceInputsKnown) {
      inputs.imageName = autoImageName(meta, inputs as unknown as CopiedImageInputs);
    }
    checkedMeta.autoNamed = true;
  } else {
    checkedMeta.autoNamed = false;
  }
  return { inputs, failures };
}

/** The internal `__meta` input, kept to its known fields; bad customTimeouts are failures. */
function checkMeta(value: unknown, failures: Failure[]): Meta {
  if (value === undefined || isUnknown(value)) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    failures.push({ property: "__meta", reason: "__meta is internal to CopiedImage and must not be set by hand." });
    return {};
  }
  const m = value as Meta;
  for (const k of ["create", "update", "delete"] as const) {
    const t = m.timeouts?.[k];
    if (t !== undefined && parseDuration(t) === undefined) {
      const shown = typeof t === "string" ? JSON.stringify([...t].slice(0, 40).join("")) : `a ${Array.isArray(t) ? "list" : typeof t}`;
      failures.push({ property: `customTimeouts.${k}`, reason: `customTimeouts.${k} ${shown} is not a duration such as "90m", "2h" or "1h30m".` });
    }
  }
  return withoutUndefined({
    resourceName: typeof m.resourceName === "string" ? m.resourceName : undefined,
    resourceUrn: typeof m.resourceUrn === "string" ? m.resourceUrn : undefined,
    identity: typeof m.identity === "string" ? m.identity : undefined,
    timeouts: m.timeouts && typeof m.timeouts === "object" ? withoutUndefined({ ...m.timeouts }) : undefined,
  });
}
