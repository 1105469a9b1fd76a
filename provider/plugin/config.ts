/**
 * The plugin's configuration: its own namespace, `volcengine-copied-image:<key>` (names.ts), which
 * the engine sends in Configure (`variables`, plain values even for secrets) and, before that, in the
 * `PULUMI_CONFIG` environment variable. The engine passes a plugin no other namespace, so
 * `volcengine:*` cannot be had here; every key falls back to the environment variables the dynamic
 * provider reads (provider/settings/config.ts), which does the resolving.
 */
import { resolveSettings, type ConfigSource, type Env, type ProviderSettings } from "../settings/config";
import { CONFIG_KEYS, PACKAGE_NAME } from "./names";

/** The secret envelope of the SDK and engine: a value that must be unwrapped before use. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";

export class PluginConfig implements ConfigSource {
  /** By key of CONFIG_KEYS. */
  private values = new Map<string, string>();

  constructor(private readonly env: Env = process.env) {
    try {
      const given = JSON.parse(env.PULUMI_CONFIG ?? "{}") as Record<string, unknown>;
      this.values = collect(Object.entries(given));
    } catch {
      /* not JSON: nothing configured that way */
    }
  }

  /** Configure's `variables` (`<pkg>:config:<key>` or `<pkg>:<key>`) and `args` (`<key>`, possibly wrapped as secrets); they replace PULUMI_CONFIG. */
  configure(variables: [string, string][], args: Record<string, unknown>): void {
    const fromVariables = variables.flatMap(([k, v]): [string, unknown][] => {
      const m = new RegExp(`^${PACKAGE_NAME}:(?:config:)?(.+)$`).exec(k);
      return m ? [[m[1]!, v]] : [];
    });
    this.values = collect([...Object.entries(args), ...fromVariables]);
  }

  /** `volcengine:<setting>` as settings/config.ts asks for it, answered from this namespace. */
  get(key: string): string | undefined {
    const setting = key.replace(/^volcengine:/, "");
    const entry = Object.entries(CONFIG_KEYS).find(([, c]) => c.setting === setting);
    return entry ? this.values.get(entry[0]) : undefined;
  }

  settings(): ProviderSettings {
    try {
      return resolveSettings(this, this.env);
    } catch (e) {
      if (e instanceof Error) e.message = pluginKeysIn(e.message);
      throw e;
    }
  }

  /** The credential values in use, to be redacted from every message. */
  secrets(): (string | undefined)[] {
    try {
      const c = this.settings().credentials;
      return [c?.accessKeyId, c?.secretKey, c?.sessionToken];
    } catch {
      return [...this.values.entries()].filter(([k]) => CONFIG_KEYS[k]?.secret).map(([, v]) => v);
    }
  }
}

/** Known keys only, each value plain text (secrets unwrapped, numbers and booleans as JSON). */
function collect(entries: [string, unknown][]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, raw] of entries) {
    if (!Object.prototype.hasOwnProperty.call(CONFIG_KEYS, key)) continue;
    const value = unwrap(raw);
    if (value !== undefined && value !== null) out.set(key, typeof value === "string" ? value : JSON.stringify(value));
  }
  return out;
}

function unwrap(value: unknown): unknown {
  if (typeof value === "object" && value !== null && SECRET_SIG_KEY in value) return unwrap((value as { value?: unknown }).value);
  return value;
}

/** Messages of the shared code name the dynamic provider's keys (`volcengine:region`); the plugin's are `volcengine-copied-image:region`. */
export function pluginKeysIn(text: string): string {
  return text.replace(/volcengine:([A-Za-z]+)/g, (whole, setting: string) => {
    const entry = Object.entries(CONFIG_KEYS).find(([, c]) => c.setting === setting);
    return entry ? `${PACKAGE_NAME}:${entry[0]}` : whole;
  });
}
