// The committed SDKs (sdk/python, sdk/go, sdk/nodejs) are what the generator writes from the committed
// schema today: the test regenerates them into a temp dir and compares every file, so a schema change
// without `npm run sdks` fails here (and in CI) instead of shipping stale SDKs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { assertPassed, repoRoot, run, sdkDir } from "./helpers";

const LANGUAGES = ["python", "go", "nodejs"];
// What building or installing an SDK leaves in its folder (ignored by git, never generated).
const BUILD_OUTPUT = new Set(["node_modules", "bin", "build", "dist", "__pycache__"]);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (BUILD_OUTPUT.has(name) || name.endsWith(".egg-info")) return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

test("sdk/ is what `npm run sdks` generates from the committed schema", () => {
  const out = mkdtempSync(join(tmpdir(), "copied-image-sdks-"));
  try {
    assertPassed("scripts/sdks/generate", run(join(repoRoot, "scripts", "sdks", "generate"), ["--out", out], { cwd: repoRoot }));
    const fix = "sdk/ is stale: run `npm run sdks` and commit sdk/";
    const list = (root: string) =>
      LANGUAGES.flatMap((lang) => files(join(root, lang)))
        .map((f) => relative(root, f))
        .sort();
    const generated = list(out);
    for (const lang of LANGUAGES)
      assert.ok(
        generated.some((f) => f.startsWith(`${lang}/`)),
        `the generator wrote no ${lang} SDK`,
      );
    assert.deepEqual(list(sdkDir), generated, `${fix} (the list of files differs)`);
    for (const f of generated) {
      assert.equal(readFileSync(join(sdkDir, f), "utf8"), readFileSync(join(out, f), "utf8"), `${fix} (sdk/${f} differs)`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
