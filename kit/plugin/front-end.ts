// The two front ends of CopiedImage, so that one engine-path test can run against both:
// - "dynamic": the SDK's dynamic-provider plugin loading the serialized shim (what TypeScript programs use);
// - "plugin": the package's own provider plugin, `pulumi-resource-volcengine-copied-image`.
//
// Tests speak the dynamic front end's language (registrations captured from `new CopiedImage(...)`,
// stack config `volcengine:*`). For the plugin, `pluginDialect` says the same things the way the engine
// would say them to that plugin for the same program written against its schema: the type token
// `volcengine-copied-image:index:CopiedImage` in URNs, no `__provider` or `__meta` among the inputs
// (the plugin makes its meta from the request), customTimeouts as the `timeout` of Create, Update and
// Delete, and the stack config in the plugin's own namespace (`volcengine-copied-image:<key>`).
import type { EngineCalls } from "./types";
import { SECRET_SIG, SECRET_SIG_KEY } from "./values";

export type FrontEnd = "dynamic" | "plugin";
export const FRONT_ENDS: readonly FrontEnd[] = ["dynamic", "plugin"];

/** The environment variable that picks the front end of a test process (a suite's `*.plugin.test.ts` sets it). */
export const FRONT_END_VAR = "VOLCENGINE_COPIED_IMAGE_FRONT_END";

/** The front end this process tests: "plugin" when FRONT_END_VAR says so, else "dynamic". */
export function frontEndUnderTest(): FrontEnd {
  return process.env[FRONT_END_VAR] === "plugin" ? "plugin" : "dynamic";
}

export const DYNAMIC_TYPE = "pulumi-nodejs:dynamic/volcengine:CopiedImage";
export const PLUGIN_TYPE = "volcengine-copied-image:index:CopiedImage";
const PLUGIN_PACKAGE = "volcengine-copied-image";

/** The plugin's config key for each key of the dynamic provider's `volcengine:*` namespace. */
const PLUGIN_KEYS: Record<string, string> = {
  region: "region",
  accessKey: "accessKey",
  secretKey: "secretKey",
  sessionToken: "sessionToken",
  endpoint: "endpoint",
  maxRequestsPerSecond: "maxRequestsPerSecond",
  copiedImagePreflight: "preflight",
};

type Props = Record<string, unknown>;
type Timeouts = { create?: string; update?: string; delete?: string };

/** A resource URN with the plugin's type in place of the dynamic one. */
export function pluginUrn(urn: string): string {
  return urn.split(DYNAMIC_TYPE).join(PLUGIN_TYPE);
}

/** Pulumi's customTimeouts text ("2s", "1h30m") in seconds, as the engine sends it. */
function seconds(text: string | undefined): number | undefined {
  if (!text) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) total += Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as "s"];
  return total > 0 ? total : undefined;
}

function programInputs(props: Props): Props {
  const { __provider: _p, __meta: _m, ...rest } = props;
  return rest;
}

/** The plugin front end's calls, spoken in the dynamic front end's terms (see the top of this file). */
export function pluginDialect(calls: EngineCalls): EngineCalls {
  // The engine keeps a resource's customTimeouts; here they come from the registration seen at Check.
  const timeouts = new Map<string, Timeouts>();
  const timeoutOf = (urn: string, op: keyof Timeouts, given: number | undefined) => given ?? seconds(timeouts.get(pluginUrn(urn))?.[op]) ?? 0;
  return {
    ...calls,
    configure(config) {
      const translated: Record<string, string | { secret: string }> = {};
      for (const [key, value] of Object.entries(config)) {
        const m = /^volcengine:(.+)$/.exec(key);
        if (m && PLUGIN_KEYS[m[1]!]) translated[`${PLUGIN_PACKAGE}:${PLUGIN_KEYS[m[1]!]}`] = value;
        else if (key.startsWith(`${PLUGIN_PACKAGE}:`)) translated[key] = value;
      }
      return calls.configure(translated);
    },
    check(urn, olds, news) {
      const meta = news.__meta as { timeouts?: Timeouts } | undefined;
      if (meta?.timeouts) timeouts.set(pluginUrn(urn), meta.timeouts);
      return calls.check(pluginUrn(urn), olds, programInputs(news));
    },
    diff: (id, urn, olds, news, oldInputs) => calls.diff(id, pluginUrn(urn), olds, news, oldInputs),
    create: (urn, props, opts) => calls.create(pluginUrn(urn), props, { ...opts, timeoutSeconds: timeoutOf(urn, "create", opts?.timeoutSeconds) }),
    read: (id, urn, props, inputs) => calls.read(id, pluginUrn(urn), props, inputs),
    update: (id, urn, olds, news, opts) =>
      calls.update(id, pluginUrn(urn), olds, news, { ...opts, timeoutSeconds: timeoutOf(urn, "update", opts?.timeoutSeconds) }),
    delete: (id, urn, props, opts) =>
      calls.delete(id, pluginUrn(urn), props, { ...opts, timeoutSeconds: timeoutOf(urn, "delete", opts?.timeoutSeconds) }),
  };
}

/** Configure as the engine sends it to a plugin: `<pkg>:config:<key>` variables (plain), args by key (secrets wrapped). */
export function pluginConfigure(config: Record<string, string | { secret: string }>): { variables: [string, string][]; args: Props } {
  const variables: [string, string][] = [];
  const args: Props = {};
  for (const [key, value] of Object.entries(config)) {
    const name = key.startsWith(`${PLUGIN_PACKAGE}:`) ? key.slice(PLUGIN_PACKAGE.length + 1) : key;
    const plain = typeof value === "string" ? value : value.secret;
    variables.push([`${PLUGIN_PACKAGE}:config:${name}`, plain]);
    args[name] = typeof value === "string" ? value : { [SECRET_SIG_KEY]: SECRET_SIG, value: value.secret };
  }
  return { variables, args };
}
