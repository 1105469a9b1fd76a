// Runs the compiled test files with Node's built-in test runner.
//
//   npm test                      every suite (unit, emulator, engine-path, CLI end-to-end)
//   npm test -- emulator          only the files whose path contains "emulator"
//
// Suites that need the Pulumi CLI skip themselves with a message when it is not installed
// (see scripts/install-pulumi-cli). scripts/test (so CI) builds it first and sets
// VOLCENGINE_COPIED_IMAGE_REQUIRE_CLI=1, which turns such a skip into a failure.
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { spawnSync } from "node:child_process";

const root = new URL("..", import.meta.url).pathname;
const testsDir = join(root, "dist", "tests");

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const filters = process.argv.slice(2);
const files = walk(testsDir)
  .filter((f) => f.endsWith(".test.js"))
  .filter((f) => filters.length === 0 || filters.some((x) => relative(root, f).includes(x)))
  .sort();

if (files.length === 0) {
  console.error(`run-tests: no test file matches ${filters.join(" ") || "(all)"}`);
  process.exit(1);
}

const result = spawnSync(process.execPath, ["--test", "--test-concurrency=2", "--test-timeout=900000", ...files], { stdio: "inherit", cwd: root });
process.exit(result.status ?? 1);
