// The committed API reference in docs/api is what TypeDoc generates from the doc comments today: the test
// regenerates it into a temp dir and compares every file, so a changed doc comment without
// `npm run docs` fails here (and in CI) instead of leaving docs/api stale.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";

const repoRoot = resolve(__dirname, "../../..");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

test("docs/api is what `npm run docs` generates from the current doc comments", () => {
  const out = mkdtempSync(join(tmpdir(), "copied-image-docs-"));
  try {
    const typedoc = join(repoRoot, "node_modules", "typedoc", "bin", "typedoc");
    const run = spawnSync(process.execPath, [typedoc, "--out", out, "--logLevel", "Warn"], { cwd: repoRoot, encoding: "utf8" });
    assert.equal(run.status, 0, `typedoc failed:\n${run.stdout}\n${run.stderr}`);
    const fix = "docs/api is stale: run `scripts/with-node22 npm run docs` and commit docs/api";
    const generated = files(out)
      .map((f) => relative(out, f))
      .sort();
    const committed = files(join(repoRoot, "docs", "api"))
      .map((f) => relative(join(repoRoot, "docs", "api"), f))
      .sort();
    assert.deepEqual(committed, generated, `${fix} (the list of files differs)`);
    for (const f of generated) {
      assert.equal(readFileSync(join(repoRoot, "docs", "api", f), "utf8"), readFileSync(join(out, f), "utf8"), `${fix} (docs/api/${f} differs)`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
