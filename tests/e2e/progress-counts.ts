/**
 * Prints the diagnostics of `pulumi up --json` for the repository's root program (two copies, against
 * the emulator at 120x, so each 20-minute copy takes 10 s): how many there are, how many persistent
 * or ephemeral, how many on a CopiedImage's URN and how many on no URN (the stack's row).
 *
 *   scripts/with-node22 npm run build && scripts/with-node22 node dist/tests/e2e/progress-counts.js [--list]
 *
 * Needs the CLI of scripts/install-pulumi-cli. Not a test: a measurement, to compare versions.
 */
import { startEmulator, DEFAULT_ACCOUNT } from "../../emulator";
import { REPO_ROOT, PulumiStack, describeFailure, findPulumiCli, isMissing } from "./cli";
import { countDiagnostics, diagnosticsOf } from "./interrupt";

const TYPE = "pulumi-nodejs:dynamic/volcengine:CopiedImage";

async function main(): Promise<number> {
  const cli = findPulumiCli();
  if (isMissing(cli)) {
    console.error(cli.missing);
    return 2;
  }
  const emulator = await startEmulator({
    clockSpeed: 120,
    copyDurationMs: 20 * 60_000,
    seed: { images: [{ region: "cn-beijing", imageId: "image-sourcebeijing000001", imageName: "golden", description: "Golden base", size: 40 }] },
  });
  const stack = new PulumiStack(cli, {
    projectDir: REPO_ROOT,
    env: { VOLCENGINE_ACCESS_KEY: DEFAULT_ACCOUNT.accessKey, VOLCENGINE_SECRET_KEY: DEFAULT_ACCOUNT.secretKey },
    tempPrefix: "copied-image-progress-counts-",
  });
  try {
    await stack.init();
    await stack.setConfig("volcengine:region", "cn-beijing");
    await stack.setConfig("volcengine:endpoint", emulator.url);
    await stack.setConfig("sourceImageId", "image-sourcebeijing000001");
    await stack.setConfig("destinationRegions[0]", "cn-shanghai", { path: true });
    await stack.setConfig("destinationRegions[1]", "cn-guangzhou", { path: true });
    const up = await stack.run(["up", "--yes", "--json", ...stack.stackArgs()]);
    if (up.code !== 0) {
      console.error(describeFailure(up, "up failed"));
      return 1;
    }
    const { events } = diagnosticsOf(up.stdout);
    console.log(JSON.stringify(countDiagnostics(events, TYPE)));
    if (process.argv.includes("--list")) {
      for (const e of events)
        console.log(`${e.ephemeral ? "ephemeral " : "persistent"} ${e.severity} ${(e.urn ?? "(no urn)").split("::").pop()}: ${e.message}`);
    }
    return 0;
  } finally {
    await stack.dispose().catch(() => undefined);
    await emulator.stop();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
