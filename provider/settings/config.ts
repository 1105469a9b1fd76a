/**
 * Credentials, region and endpoint: stack config first (what the plugin's `configure` received),
 * then the environment. The names are those of the official Volcengine Terraform and Pulumi
 * providers (`volcengine:accessKey`, `VOLCENGINE_ACCESS_KEY`, ...), plus the Volcengine SDK's
 * `VOLC_ACCESSKEY` / `VOLC_SECRETKEY`.
 *
 * Settings live only in the plugin process's memory: nothing here is ever serialized into
 * `__provider` or written to state.
 */
import type { Credentials, Endpoint } from "../ecs/wire";
import { redact } from "../ecs/volcengine-error";

/** What `pulumi.dynamic.Config` offers (`get` of a namespaced key). */
export interface ConfigSource {
  get(key: string): string | undefined;
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface ProviderSettings {
  credentials?: Credentials;
  /** The configured region: the default source region. */
  region?: string;
  endpoint: Endpoint;
  /** Client-side rate limit (requests per second per account). */
  maxRequestsPerSecond?: number;
  /** Make read-only preflight calls during `check` (preview) when credentials are available. */
  preflight: boolean;
}

export const DEFAULT_ENDPOINT: Endpoint = { protocol: "https:", host: "open.volcengineapi.com" };

/** One setting's value and where it came from: the stack config key or the environment variable that held it. */
interface Picked {
  value: string;
  from: string;
}

/** Looks up `volcengine:<key>` in config, then the environment variables in order; blank counts as unset. */
function pick(config: ConfigSource | undefined, key: string, env: Env, ...vars: string[]): Picked | undefined {
  const fromConfig = config?.get(`volcengine:${key}`);
  if (fromConfig !== undefined && fromConfig.trim() !== "") return { value: fromConfig.trim(), from: `stack config volcengine:${key}` };
  for (const v of vars) {
    const value = env[v];
    if (value !== undefined && value.trim() !== "") return { value: value.trim(), from: `environment variable ${v}` };
  }
  return undefined;
}

/** A setting that breaks its rule; the message names the setting (where its value came from) and the whole rule. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    message: string,
    /** The stack config key of the setting, e.g. `volcengine:endpoint`. */
    readonly setting?: string,
  ) {
    super(message);
  }
}

/** Every bad setting at once, with the settings as far as the good ones go (a bad one is left unset). */
export class ConfigErrors extends ConfigError {
  constructor(
    readonly problems: ConfigError[],
    readonly resolved: ProviderSettings,
  ) {
    super(problems.map((p) => p.message).join(" "), problems[0]?.setting);
  }
}

/** The settings, each resolved on its own; throws ConfigErrors (naming every bad setting, keeping the good ones) if any is bad. */
export function resolveSettings(config: ConfigSource | undefined, env: Env = process.env): ProviderSettings {
  const problems: ConfigError[] = [];
  const accessKeyId = pick(config, "accessKey", env, "VOLCENGINE_ACCESS_KEY", "VOLC_ACCESSKEY")?.value;
  const secretKey = pick(config, "secretKey", env, "VOLCENGINE_SECRET_KEY", "VOLC_SECRETKEY")?.value;
  const sessionToken = pick(config, "sessionToken", env, "VOLCENGINE_SESSION_TOKEN", "VOLC_SESSIONTOKEN")?.value;
  const region = pick(config, "region", env, "VOLCENGINE_REGION", "VOLC_REGION")?.value;
  const endpointText = pick(config, "endpoint", env, "VOLCENGINE_ENDPOINT");
  const rate = pick(config, "maxRequestsPerSecond", env, "VOLCENGINE_MAX_REQUESTS_PER_SECOND");
  const preflight = pick(config, "copiedImagePreflight", env, "VOLCENGINE_COPIED_IMAGE_PREFLIGHT")?.value;

  let endpoint = DEFAULT_ENDPOINT;
  if (endpointText !== undefined) {
    try {
      endpoint = parseEndpointRedacted(endpointText.value, [secretKey, sessionToken]);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(new ConfigError(`${e.message} (set by the ${endpointText.from})`, "volcengine:endpoint"));
    }
  }
  const settings: ProviderSettings = {
    credentials: accessKeyId && secretKey ? { accessKeyId, secretKey, sessionToken } : undefined,
    region,
    endpoint,
    maxRequestsPerSecond: rate === undefined ? undefined : positiveRate(rate, problems),
    preflight: preflight !== undefined && /^(1|true|yes|on)$/i.test(preflight),
  };
  if (problems.length > 0) {
    // A value put in the wrong setting could be a secret: no message quotes one.
    throw new ConfigErrors(
      problems.map((p) => new ConfigError(redact(p.message, [secretKey, sessionToken]), p.setting)),
      settings,
    );
  }
  return settings;
}

function positiveRate(rate: Picked, problems: ConfigError[]): number | undefined {
  const n = Number(rate.value);
  if (Number.isFinite(n) && n > 0) return n;
  problems.push(
    new ConfigError(
      `The ${rate.from} is "${rate.value}": volcengine:maxRequestsPerSecond (or VOLCENGINE_MAX_REQUESTS_PER_SECOND), the client-side ` +
        "limit of requests per second per account, must be a finite number above 0, such as 5 or 2.5.",
      "volcengine:maxRequestsPerSecond",
    ),
  );
  return undefined;
}

/** parseEndpoint, with the secrets taken out of its message: it quotes the endpoint text, which could hold one by mistake. */
function parseEndpointRedacted(text: string, secrets: (string | undefined)[]): Endpoint {
  try {
    return parseEndpoint(text);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(redact(e.message, secrets));
    throw e;
  }
}

/** Says why there are no usable credentials, naming both ways to set them. */
export function missingCredentialsMessage(settings: ProviderSettings): string {
  void settings;
  return (
    "No Volcengine credentials: set the stack config `volcengine:accessKey` and `volcengine:secretKey` " +
    "(`pulumi config set volcengine:accessKey ...` and `pulumi config set --secret volcengine:secretKey ...`), " +
    "or the environment variables VOLCENGINE_ACCESS_KEY and VOLCENGINE_SECRET_KEY " +
    "(VOLCENGINE_SESSION_TOKEN / volcengine:sessionToken too for temporary STS credentials)."
  );
}

function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * A bare host (`open.volcengineapi.com`, as the official providers take it) or a URL.
 * Plain http is accepted only for loopback hosts (the emulator): credentials signed over the
 * open network would be replayable for 15 minutes.
 */
export function parseEndpoint(text: string): Endpoint {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ConfigError(`volcengine:endpoint (or VOLCENGINE_ENDPOINT) must be a host name or an http(s) URL, got "${text}".`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(`volcengine:endpoint must use https (or http for a loopback emulator), got "${url.protocol}".`);
  }
  if (url.protocol === "http:" && !isLoopback(url.hostname)) {
    throw new ConfigError(
      `volcengine:endpoint uses plain http for "${url.hostname}": http is accepted only for loopback hosts (the local emulator); use https.`,
    );
  }
  if (url.username || url.password) {
    // Not echoed: user info is a credential.
    throw new ConfigError(`volcengine:endpoint must be a host or origin without user info (user:password@), got one for "${url.host}".`);
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search) {
    throw new ConfigError(`volcengine:endpoint must be a host or origin without path, query or user info, got "${text}".`);
  }
  return { protocol: url.protocol as Endpoint["protocol"], host: url.host };
}
