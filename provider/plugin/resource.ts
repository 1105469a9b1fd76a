/**
 * The CopiedImage operations as the plugin serves them: the engine's requests turned into calls of
 * the one life cycle (`CopiedImageLifecycle`), with what the engine gives a real provider and not a
 * dynamic one: the URN with every call (resource name, and `project/stack/name`, the identity that
 * generated names and the ownership tag derive from: the same as the dynamic provider's), the
 * `timeout` of Create/Update/Delete (seconds, from customTimeouts; 0 = the defaults), Cancel.
 *
 * The life cycle reads all of that from the `__meta` input, which the dynamic resource class fills in
 * the program; here it is made from the request, never taken from the program.
 */
import type { CopiedImageLifecycle } from "../operations/lifecycle";
import type { CheckResult } from "../operations/check";
import type { DiffResult } from "../operations/diff";
import type { CopiedImageState, Meta } from "../operations/model";
import { parseImportId } from "./import-id";
import { pluginKeysIn } from "./config";

type Props = Record<string, unknown>;
type Op = "create" | "update" | "delete";

/** The resource's name and identity from its URN: `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function metaOfUrn(urn: string, name?: string): Meta {
  const parts = urn.split("::");
  if (parts.length < 4 || !parts[0]!.startsWith("urn:pulumi:")) throw new Error(`not a resource URN: ${JSON.stringify(urn)}`);
  const stack = parts[0]!.slice("urn:pulumi:".length);
  const resourceName = name || parts.slice(3).join("::");
  return { resourceName, resourceUrn: urn, identity: `${parts[1]}/${stack}/${resourceName}` };
}

/** The engine's timeout (seconds) as the customTimeouts text the life cycle reads; none for 0. */
function timeoutsOf(op: Op, seconds: number): Meta["timeouts"] {
  return seconds > 0 ? { [op]: `${Math.max(1, Math.round(seconds * 1000))}ms` } : undefined;
}

/** Props with `__meta` made from the request (what check decided, autoNamed, is kept). */
function withMeta(props: Props, urn: string, name?: string, timeouts?: Meta["timeouts"]): Props {
  const recorded = (typeof props.__meta === "object" && props.__meta !== null ? props.__meta : {}) as Meta;
  const meta: Meta = { ...metaOfUrn(urn, name), ...(recorded.autoNamed !== undefined ? { autoNamed: recorded.autoNamed } : {}) };
  if (timeouts) meta.timeouts = timeouts;
  return { ...props, __meta: meta };
}

/** What is stored: `__meta` without the timeouts of one call (the engine keeps customTimeouts itself). */
function stored<T extends object>(props: T): T {
  const meta = (props as Props).__meta as Meta | undefined;
  if (!meta?.timeouts) return props;
  const { timeouts: _t, ...rest } = meta;
  return { ...props, __meta: rest };
}

/** A partial-state error keeps its properties, stored as above; every message names the plugin's config keys. */
async function storing<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof Error) {
      e.message = pluginKeysIn(e.message);
      const partial = e as Error & { properties?: Props; reasons?: string[] };
      if (partial.properties) partial.properties = stored(partial.properties);
      if (partial.reasons) partial.reasons = partial.reasons.map(pluginKeysIn);
    }
    throw e;
  }
}

export class CopiedImageResource {
  constructor(private readonly lifecycle: CopiedImageLifecycle) {}

  /** Check, then the read-only preflight (when switched on), as the dynamic provider does. */
  async check(urn: string, olds: Props, news: Props): Promise<CheckResult> {
    const { __meta: _fromProgram, ...given } = news;
    const result = this.lifecycle.check(olds, { ...given, __meta: metaOfUrn(urn) });
    if (result.failures.length === 0) result.failures.push(...(await this.lifecycle.preflight(olds, result.inputs)));
    return { inputs: result.inputs, failures: result.failures.map((f) => ({ ...f, reason: pluginKeysIn(f.reason) })) };
  }

  diff(id: string, olds: Props, news: Props): DiffResult {
    return this.lifecycle.diff(id, olds, news);
  }

  create(urn: string, name: string, inputs: Props, timeoutSeconds: number): Promise<{ id: string; outs: CopiedImageState }> {
    return storing(async () => {
      const { id, outs } = await this.lifecycle.create(withMeta(inputs, urn, name, timeoutsOf("create", timeoutSeconds)));
      return { id, outs: stored(outs) };
    });
  }

  update(id: string, urn: string, name: string, olds: Props, news: Props, timeoutSeconds: number): Promise<{ outs: CopiedImageState }> {
    return storing(async () => {
      const { outs } = await this.lifecycle.update(id, withMeta(olds, urn, name), withMeta(news, urn, name, timeoutsOf("update", timeoutSeconds)));
      return { outs: stored(outs) };
    });
  }

  delete(id: string, urn: string, name: string, props: Props, timeoutSeconds: number): Promise<void> {
    return storing(() => this.lifecycle.delete(id, withMeta(props, urn, name, timeoutsOf("delete", timeoutSeconds))));
  }

  /**
   * Refresh (the recorded outputs are given: the inputs stay as they were), or import (nothing is
   * given but the import id, which names the copy, its source and both regions). An empty result:
   * the copy is gone.
   */
  read(id: string, urn: string, props: Props, inputs: Props): Promise<{ id?: string; outs?: Props; inputs?: Props }> {
    return storing(async () => {
      if (Object.keys(props).length > 0 || Object.keys(inputs).length > 0) {
        const state = withMeta(Object.keys(props).length > 0 ? props : inputs, urn);
        const { id: readId, props: outs } = await this.lifecycle.read(id, state);
        return readId && outs ? { id: readId, outs: stored(outs) as unknown as Props, inputs } : {};
      }
      return this.import(id, urn);
    });
  }

  /**
   * Import: inputs that `check` leaves as they are, and outputs that `diff` finds equal to them, so
   * that the generated code previews with no change. The image keeps its name and description; its
   * tags are not managed (add `tags` to manage some); copyImageTags cannot be known and is false.
   */
  private async import(importId: string, urn: string): Promise<{ id?: string; outs?: Props; inputs?: Props }> {
    const at = parseImportId(importId);
    const meta = metaOfUrn(urn);
    const skeleton = {
      sourceImageId: at.sourceImageId,
      sourceRegion: at.sourceRegion,
      destinationRegion: at.destinationRegion,
      copyImageTags: false,
      keepSnapshotsOnDelete: false,
      __meta: meta,
    };
    const { id, props } = await this.lifecycle.read(at.imageId, skeleton as unknown as CopiedImageState);
    if (!id || !props) return {};
    const inputs: Props = { ...skeleton, imageName: props.imageName, __meta: { ...meta, autoNamed: false } };
    if (typeof props.description === "string" && props.description !== "") inputs.description = props.description;
    return { id, outs: { ...props, __meta: inputs.__meta }, inputs };
  }
}
