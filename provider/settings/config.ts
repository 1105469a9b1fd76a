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

/** Looks up `volcengine:<key>` in config, then the environment variables in order; blank counts as unset. */
function pick(config: ConfigSource | undefined, key: string, env: Env, ...vars: string[]): string | undefined {
  const fromConfig = config?.get(`volcengine:${key}`);
  if (fromConfig !== undefined && fromConfig.trim() !== "") return fromConfig.trim();
  for (const v of vars) {
    const value = env[v];
    if (value !== undefined && value.trim() !== "") return value.trim();
  }
  return undefined;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export function resolveSettings(config: ConfigSource | undefined, env: Env = process.env): ProviderSettings {
  const accessKeyId = pick(config, "accessKey", env, "VOLCENGINE_ACCESS_KEY", "VOLC_ACCESSKEY");
  const secretKey = pick(config, "secretKey", env, "VOLCENGINE_SECRET_KEY", "VOLC_SECRETKEY");
  const sessionToken = pick(config, "sessionToken", env, "VOLCENGINE_SESSION_TOKEN", "VOLC_SESSIONTOKEN");
  const region = pick(config, "region", env, "VOLCENGINE_REGION", "VOLC_REGION");
  const endpointText = pick(config, "endpoint", env, "VOLCENGINE_ENDPOINT");
  const rate = pick(config, "maxRequestsPerSecond", env, "VOLCENGINE_MAX_REQUESTS_PER_SECOND");
  const preflight = pick(config, "copiedImagePreflight", env, "VOLCENGINE_COPIED_IMAGE_PREFLIGHT");

  let maxRequestsPerSecond: number | undefined;
  if (rate !== undefined) {
    maxRequestsPerSecond = Number(rate);
    if (!Number.isFinite(maxRequestsPerSecond) || maxRequestsPerSecond <= 0) {
      throw new ConfigError(`volcengine:maxRequestsPerSecond must be a positive number, got "${rate}".`);
    }
  }
  return {
    credentials: accessKeyId && secretKey ? { accessKeyId, secretKey, sessionToken } : undefined,
    region,
    endpoint: endpointText === undefined ? DEFAULT_ENDPOINT : parseEndpointRedacted(endpointText, [secretKey, sessionToken]),
    maxRequestsPerSecond,
    preflight: preflight !== undefined && /^(1|true|yes|on)$/i.test(preflight),
  };
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
