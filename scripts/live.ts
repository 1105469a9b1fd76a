/**
 * `npm run test:live`: the end-to-end scenario against the real Volcengine. It copies a custom
 * image of yours to the destination regions you name, reads the copies, renames one, and deletes
 * them all, through the same life cycle the Pulumi plugin runs. Everything it creates is deleted,
 * also when it fails halfway, and it prints what it cleaned up.
 *
 * Required environment (it refuses to start without them, and never runs in CI against Volcengine):
 *   VOLCENGINE_ACCESS_KEY, VOLCENGINE_SECRET_KEY   (VOLCENGINE_SESSION_TOKEN for STS credentials)
 *   VOLCENGINE_LIVE_SOURCE_REGION                  e.g. cn-beijing
 *   VOLCENGINE_LIVE_SOURCE_IMAGE_ID                a custom image in that region
 *   VOLCENGINE_LIVE_DESTINATION_REGIONS            comma-separated, e.g. cn-shanghai,cn-guangzhou
 * Optional: VOLCENGINE_ENDPOINT (default open.volcengineapi.com; a loopback URL points it at the
 * emulator, which is how the test suite exercises this script), VOLCENGINE_LIVE_TIMEOUT (default 2h).
 *
 * Ctrl-C (SIGINT) or SIGTERM: the copies in flight stop being waited for, everything made so far is
 * deleted, and the script exits 130. A second Ctrl-C exits at once, leaving what is left to delete
 * to the console (the script prints what it was deleting).
 *
 * Cost: one image copy per destination region, which Volcengine bills as snapshot storage for the
 * time the copies exist (minutes), plus the transfer between regions where that is charged.
 */
import { CopiedImageLifecycle } from "../provider/operations/lifecycle";
import { OWNER_TAG_KEY } from "../provider/operations/naming";
import type { CopiedImageState } from "../provider/operations/model";
import { resolveSettings } from "../provider/settings/config";
import { WireClient } from "../provider/ecs/wire";
import { DestinationRegionClient } from "../provider/ecs/client";

const REQUIRED = [
  "VOLCENGINE_ACCESS_KEY",
  "VOLCENGINE_SECRET_KEY",
  "VOLCENGINE_LIVE_SOURCE_REGION",
  "VOLCENGINE_LIVE_SOURCE_IMAGE_ID",
  "VOLCENGINE_LIVE_DESTINATION_REGIONS",
];

function log(message: string): void {
  console.log(`[live] ${message}`);
}

/** This script owns its signals: the first stops the run (then it cleans up), a second exits at once. */
const stop = new AbortController();
function onSignal(sig: NodeJS.Signals): void {
  if (stop.signal.aborted) {
    console.error(`[live] ${sig} again: exiting without finishing the clean-up.`);
    process.exit(130);
  }
  console.error(`[live] ${sig}: stopping, then deleting what this run made (${sig} again to exit at once).`);
  stop.abort(new Error(`received ${sig}`));
}

async function main(): Promise<number> {
  const missing = REQUIRED.filter((k) => !process.env[k]?.trim());
  if (missing.length > 0) {
    console.error(`test:live refuses to start: set ${missing.join(", ")} (see the header of scripts/live.ts and the README).`);
    return 2;
  }
  const settings = resolveSettings(undefined, process.env);
  const againstEmulator = settings.endpoint.protocol === "http:"; // plain http is accepted for loopback only
  if (process.env.CI && !againstEmulator) {
    console.error("test:live refuses to run against Volcengine in CI (CI is set); it is for a person with an account.");
    return 2;
  }
  const sourceRegion = process.env.VOLCENGINE_LIVE_SOURCE_REGION!.trim();
  const sourceImageId = process.env.VOLCENGINE_LIVE_SOURCE_IMAGE_ID!.trim();
  const regions = process.env
    .VOLCENGINE_LIVE_DESTINATION_REGIONS!.split(",")
    .map((r) => r.trim())
    .filter(Boolean);
  const runId = `live${Date.now().toString(36)}`;
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const lc = new CopiedImageLifecycle({ settings: () => settings, log, signal: stop.signal });
  const timeouts = { create: process.env.VOLCENGINE_LIVE_TIMEOUT ?? "2h", delete: "30m" };

  log(
    `${againstEmulator ? "emulator" : "Volcengine"} at ${settings.endpoint.host}; copying ${sourceImageId} (${sourceRegion}) to ${regions.join(", ")}; run ${runId}`,
  );
  const created = new Map<string, { id: string; outs: CopiedImageState }>();
  const metas = new Map<string, { identity: string; imageName?: string }>();
  let failure: unknown;
  try {
    const plans = regions.map((region) => {
      const meta = { resourceName: `${runId}-${region}`, identity: `live/${runId}/${region}`, timeouts };
      const checked = lc.check(
        {},
        {
          sourceImageId,
          sourceRegion,
          destinationRegion: region,
          description: "volcengine-copied-image live test",
          tags: { "copied-image-live": runId },
          __meta: meta,
        },
      );
      if (checked.failures.length) throw new Error(`check failed: ${checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
      metas.set(region, { identity: meta.identity, imageName: String(checked.inputs.imageName) });
      return [region, checked.inputs] as const;
    });
    const copies = await Promise.allSettled(
      plans.map(async ([region, inputs]) => {
        try {
          const r = await lc.create(inputs);
          created.set(region, r);
          log(`created ${r.id} in ${region} (${r.outs.status}, ${r.outs.size} GiB)`);
        } catch (e) {
          const partialId = (e as { id?: string }).id;
          if (partialId) created.set(region, { id: partialId, outs: (e as { properties: CopiedImageState }).properties });
          throw e;
        }
      }),
    );
    // Every copy has answered (made, recorded partially, or failed) before the clean-up looks.
    const failed = copies.find((c): c is PromiseRejectedResult => c.status === "rejected");
    if (failed) throw failed.reason;
    if (stop.signal.aborted) throw stop.signal.reason;
    for (const [region, r] of created) {
      const read = await lc.read(r.id, r.outs);
      if (read.id !== r.id) throw new Error(`read of ${r.id} in ${region} found nothing`);
    }
    const [firstRegion, first] = [...created][0];
    const renamed = await lc.update(first.id, first.outs, {
      ...first.outs,
      imageName: `${first.outs.imageName}-renamed`,
      description: "renamed by the live test",
    });
    created.set(firstRegion, { id: first.id, outs: renamed.outs });
    log(`renamed ${first.id} to ${renamed.outs.imageName}`);
    log("scenario passed");
  } catch (e) {
    failure = e;
    console.error(`[live] FAILED: ${(e as Error).message}`);
  } finally {
    // A life cycle of its own: the run's one may have been stopped, and the clean-up must still run.
    const cleaner = new CopiedImageLifecycle({ settings: () => settings, log });
    await cleanUp(cleaner, created, metas, regions, settings);
  }
  if (stop.signal.aborted) return 130;
  return failure ? 1 : 0;
}

/** Deletes what the run created, and anything carrying this run's ownership tag that a failure left behind. */
async function cleanUp(
  lc: CopiedImageLifecycle,
  created: Map<string, { id: string; outs: CopiedImageState }>,
  metas: Map<string, { identity: string; imageName?: string }>,
  regions: string[],
  settings: ReturnType<typeof resolveSettings>,
): Promise<void> {
  const cleaned: string[] = [];
  const wire = new WireClient({ endpoint: settings.endpoint, credentials: settings.credentials! });
  for (const region of regions) {
    const ids = new Set<string>();
    const known = created.get(region);
    if (known) ids.add(known.id);
    const meta = metas.get(region);
    if (meta?.imageName) {
      try {
        for (const img of await new DestinationRegionClient(wire, region).findImagesByName(meta.imageName)) {
          if ((img.Tags ?? []).some((t) => t.Key === OWNER_TAG_KEY)) ids.add(img.ImageId);
        }
      } catch (e) {
        console.error(`[live] could not look for leftovers in ${region}: ${(e as Error).message}`);
      }
    }
    for (const id of ids) {
      try {
        log(`deleting ${id} in ${region}`);
        await lc.delete(id, { destinationRegion: region, sourceRegion: region, __meta: { timeouts: { delete: "30m" } } });
        cleaned.push(`${id} (${region})`);
      } catch (e) {
        console.error(`[live] COULD NOT DELETE ${id} in ${region}: ${(e as Error).message} Delete it in the console.`);
      }
    }
  }
  log(`cleaned up: ${cleaned.length ? cleaned.join(", ") : "nothing to clean"}`);
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
