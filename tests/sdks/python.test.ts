// The Python SDK, installed by path into a virtual environment with pulumi from PyPI (scripts/sdks/python-env),
// type-checks the sample program with `mypy --strict`, and mypy rejects the sample's twin, which passes an
// int where the SDK declares a string input.
import { test } from "node:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { assertPassed, assertRejected, examplesDir, repoRoot, run, twinOf } from "./helpers";

const sample = join(examplesDir, "python-copy-image", "__main__.py");

test("mypy --strict accepts the Python sample against sdk/python, and rejects an int for source_image_id", () => {
  const env = run(join(repoRoot, "scripts", "sdks", "python-env"), [], { cwd: repoRoot });
  assertPassed("scripts/sdks/python-env", env);
  // Its last line on standard output: when it (re)installs the SDK, pip's own lines end standard error.
  const python = env.stdout.trim().split("\n").pop() as string;
  // mypy's cache lives with the environment (it is keyed by file contents), so a second run is quick.
  const mypy = (file: string) =>
    run(python, ["-m", "mypy", "--strict", "--cache-dir", join(dirname(dirname(dirname(python))), "mypy-cache"), file], { cwd: dirname(file) });

  assertPassed("mypy --strict examples/python-copy-image/__main__.py", mypy(sample));

  const twinDir = mkdtempSync(join(tmpdir(), "copied-image-python-twin-"));
  try {
    const twin = join(twinDir, "__main__.py");
    writeFileSync(twin, twinOf(sample, 'source_image_id=config.require("sourceImageId")', "source_image_id=42"));
    assertRejected("mypy --strict", mypy(twin), [/__main__\.py:\d+: error/, /"int"/]);
  } finally {
    rmSync(twinDir, { recursive: true, force: true });
  }
});
