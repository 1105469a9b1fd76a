// Shared set-up for the provider tests: an emulator with a source image, and a life cycle pointed at it
// with fast waits, so that a "20-minute" copy takes about a second.
import { startEmulator, DEFAULT_ACCOUNT, type EmulatorHandle, type EmulatorAccount } from "../../emulator";
import { CopiedImageLifecycle, type LifecycleDeps } from "../../provider/operations/lifecycle";
import { resolveSettings } from "../../provider/settings/config";

/** Credentials that must never show up anywhere: state, outputs, logs, errors. */
export const CANARY: EmulatorAccount = {
  accessKey: "AKLTcanaryAccessKey7f3e9",
  secretKey: "canarySecretKey-5b1d2c==",
  sessionToken: "canarySessionToken-a8c4e2",
  accountId: "2100000001",
};
export const CANARY_VALUES = [CANARY.accessKey, CANARY.secretKey, CANARY.sessionToken!];

export const SOURCE_REGION = "cn-beijing";
export const SOURCE_IMAGE = "image-sourcebeijing000001";

export interface TestEnv {
  emulator: EmulatorHandle;
  endpoint: string;
  logs: string[];
  lifecycle: CopiedImageLifecycle;
  /** A fresh life cycle (as a new plugin process would have), sharing nothing with the first. */
  newLifecycle(overrides?: Partial<LifecycleDeps> & { env?: Record<string, string | undefined> }): CopiedImageLifecycle;
  stop(): Promise<void>;
}

export async function startTestEnv(opts: { copyDurationMs?: number; clockSpeed?: number; account?: EmulatorAccount } = {}): Promise<TestEnv> {
  const account = opts.account ?? CANARY;
  const emulator = await startEmulator({
    copyDurationMs: opts.copyDurationMs ?? 20 * 60_000,
    clockSpeed: opts.clockSpeed ?? 1200, // 20 simulated minutes in 1 real second
    seed: {
      accounts: [DEFAULT_ACCOUNT, CANARY],
      projects: ["default", "platform"],
      images: [
        {
          region: SOURCE_REGION,
          imageId: SOURCE_IMAGE,
          imageName: "golden-base",
          description: "Golden base image",
          size: 40,
          osName: "Ubuntu 22.04 64 bit",
          osType: "Linux",
          platform: "Ubuntu",
          platformVersion: "22.04",
          architecture: "amd64",
          bootMode: "UEFI",
          tags: [{ key: "team", value: "platform" }],
        },
      ],
    },
  });
  const logs: string[] = [];
  const endpoint = emulator.url;
  const newLifecycle = (overrides: Partial<LifecycleDeps> & { env?: Record<string, string | undefined> } = {}) => {
    const env = overrides.env ?? {
      VOLCENGINE_ACCESS_KEY: account.accessKey,
      VOLCENGINE_SECRET_KEY: account.secretKey,
      VOLCENGINE_SESSION_TOKEN: account.sessionToken,
      VOLCENGINE_REGION: SOURCE_REGION,
      VOLCENGINE_ENDPOINT: endpoint,
      VOLCENGINE_MAX_REQUESTS_PER_SECOND: "1000",
    };
    return new CopiedImageLifecycle({
      settings: () => resolveSettings(undefined, env),
      log: (m) => logs.push(m),
      // No call budget: the production one (Terraform's 10 s cadence) cannot pay for looks every 200 ms,
      // and validateWaitPolicy (since the wait-schedule merge) refuses such a policy.
      waitPolicy: {
        firstDelayMs: 50,
        minDelayMs: 20,
        maxDelayMs: 200,
        backoff: 1.5,
        invisibleGraceMs: 3_000,
        imageCheckEveryMs: 2_000,
        budgetGapsMs: undefined,
      },
      retry: { retries: 4, minDelayMs: 20, maxDelayMs: 100, maxRetryTimeMs: 5_000 },
      requestTimeoutMs: 2_000,
      deletePollMs: { min: 50, max: 200 },
      ...overrides,
    });
  };
  return {
    emulator,
    endpoint,
    logs,
    lifecycle: newLifecycle(),
    newLifecycle,
    stop: () => emulator.stop(),
  };
}

/** Inputs as the resource class and `check` would produce them. */
export function inputsFor(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sourceImageId: SOURCE_IMAGE,
    destinationRegion: "cn-shanghai",
    __meta: { resourceName: name, identity: `proj/dev/${name}` },
    __provider: "exports.handler = __f0; /* stand-in */",
    ...extra,
  };
}

/** Counts the emulator's logged requests by action. */
export function countByAction(emulator: EmulatorHandle): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of emulator.log()) counts[e.action] = (counts[e.action] ?? 0) + 1;
  return counts;
}

export function assertNoCanary(text: string, where: string): void {
  for (const v of CANARY_VALUES) {
    if (text.includes(v)) throw new Error(`canary credential found in ${where}`);
  }
}

/** The stack config a test plugin gets: the canary credentials as secrets (as `pulumi config set --secret`
 * delivers them), the source region and the emulator's endpoint. */
export function stackConfigFor(
  env: TestEnv,
  opts: { unlimitedRate?: boolean } = { unlimitedRate: true },
): Record<string, string | { secret: string }> {
  return {
    "volcengine:region": SOURCE_REGION,
    "volcengine:endpoint": env.endpoint,
    "volcengine:accessKey": { secret: CANARY.accessKey },
    "volcengine:secretKey": { secret: CANARY.secretKey },
    "volcengine:sessionToken": { secret: CANARY.sessionToken! },
    ...(opts.unlimitedRate ? { "volcengine:maxRequestsPerSecond": "1000" } : {}),
  };
}
