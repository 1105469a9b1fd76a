// The Node.js SDK type-checks with the Node.js sample (examples/nodejs-plugin-copy-image, whose tsconfig maps
// the SDK's package name to sdk/nodejs), and tsc rejects the sample's twin, which passes a number where
// the SDK declares a string input.
import { test } from "node:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assertPassed, assertRejected, examplesDir, repoRoot, run, twinOf } from "./helpers";

const sampleDir = join(examplesDir, "nodejs-plugin-copy-image");
const tsc = (project: string) =>
  run(process.execPath, [join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", project, "--noEmit"], { cwd: repoRoot });

test("tsc accepts the Node.js sample against sdk/nodejs, and rejects a number for sourceImageId", () => {
  assertPassed("tsc -p examples/nodejs-plugin-copy-image", tsc(sampleDir));

  // Inside the repository (dist/ is build output), so that @pulumi/pulumi resolves from its node_modules
  // as it does for the sample; the twin's tsconfig extends the sample's (same options, same SDK path).
  const twinDir = mkdtempSync(join(repoRoot, "dist", "nodejs-twin-"));
  try {
    writeFileSync(
      join(twinDir, "index.ts"),
      twinOf(join(sampleDir, "index.ts"), 'sourceImageId: config.require("sourceImageId")', "sourceImageId: 42"),
    );
    writeFileSync(join(twinDir, "tsconfig.json"), JSON.stringify({ extends: join(sampleDir, "tsconfig.json"), files: ["index.ts"] }));
    assertRejected("tsc (the twin)", tsc(twinDir), [/index\.ts\(\d+,\d+\): error TS2322/, /sourceImageId|Input<string>/]);
  } finally {
    rmSync(twinDir, { recursive: true, force: true });
  }
});
