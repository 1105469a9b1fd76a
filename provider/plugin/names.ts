/**
 * The plugin's names, fixed: the Pulumi package, the resource's type token, and its configuration
 * keys (the plugin's own namespace `volcengine-copied-image:<key>`; the engine passes a plugin no other
 * namespace, so `volcengine:*` cannot be read here).
 */

/** The Pulumi package name; the executable is `pulumi-resource-<PACKAGE_NAME>`. */
export const PACKAGE_NAME = "volcengine-copied-image";

/** The type token of the resource. */
export const RESOURCE_TOKEN = `${PACKAGE_NAME}:index:CopiedImage`;

/** One configuration key: its schema type, whether it is secret, and the key of the dynamic provider's
 * settings (`volcengine:<setting>` in settings/config.ts) it stands for. */
export interface ConfigKey {
  type: "string" | "number" | "boolean";
  secret?: true;
  setting: string;
  doc: string;
}

/** The configuration keys, `volcengine-copied-image:<key>`; each falls back to the environment variables of settings/config.ts. */
export const CONFIG_KEYS: Record<string, ConfigKey> = {
  region: { type: "string", setting: "region", doc: "The default source region (else VOLCENGINE_REGION)." },
  accessKey: { type: "string", secret: true, setting: "accessKey", doc: "The access key id (else VOLCENGINE_ACCESS_KEY)." },
  secretKey: { type: "string", secret: true, setting: "secretKey", doc: "The secret access key (else VOLCENGINE_SECRET_KEY)." },
  sessionToken: {
    type: "string",
    secret: true,
    setting: "sessionToken",
    doc: "The STS session token of temporary credentials (else VOLCENGINE_SESSION_TOKEN).",
  },
  endpoint: {
    type: "string",
    setting: "endpoint",
    doc: "The ECS API endpoint: a host or an https origin; http only for a loopback emulator (else VOLCENGINE_ENDPOINT; default open.volcengineapi.com).",
  },
  maxRequestsPerSecond: {
    type: "number",
    setting: "maxRequestsPerSecond",
    doc: "Client-side rate limit, requests per second per account (else VOLCENGINE_MAX_REQUESTS_PER_SECOND).",
  },
  preflight: {
    type: "boolean",
    setting: "copiedImagePreflight",
    doc: "Make read-only checks during preview (source image, quota, name taken) when credentials are available (else VOLCENGINE_COPIED_IMAGE_PREFLIGHT; default false).",
  },
};
