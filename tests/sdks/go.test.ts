// The Go SDK passes `go vet`, the Go sample (examples/go-copy-image, whose go.mod replaces the SDK's module
// with sdk/go) passes `go vet` and builds, and its twin, which passes an int where the SDK declares a
// string input, does not build.
import { test } from "node:test";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assertPassed, assertRejected, examplesDir, run, sdkDir, twinOf } from "./helpers";

const sampleDir = join(examplesDir, "go-copy-image");
const SDK_PACKAGE = "volcengine-copied-image/sdk/go/volcenginecopiedimage";

/** Go as scripts/install-pulumi-cli finds it: $PULUMI_GO, else `go` on PATH, else /usr/local/go/bin/go. */
function goBinary(): string {
  if (process.env.PULUMI_GO) return process.env.PULUMI_GO;
  const onPath = (process.env.PATH ?? "").split(":").find((dir) => dir && existsSync(join(dir, "go")));
  return onPath ? join(onPath, "go") : "/usr/local/go/bin/go";
}

// The committed go.sum must be complete (-mod=readonly), and the local Go is used as it is. -trimpath and
// CGO_ENABLED=0 as in the CLI build (scripts/install-pulumi-cli), so that the packages the sample shares
// with the CLI come from Go's build cache instead of being compiled again.
const goEnv = { GOWORK: "off", GOFLAGS: "-mod=readonly -buildvcs=false -trimpath", GOTOOLCHAIN: "local", CGO_ENABLED: "0" };
const go = (args: string[], cwd: string) => run(goBinary(), args, { cwd, env: goEnv });

test("go vet passes on sdk/go and the Go sample, the sample builds, and an int for SourceImageId does not", () => {
  assertPassed("go vet", go(["vet", "./...", `${SDK_PACKAGE}/...`], sampleDir));

  const twinDir = mkdtempSync(join(tmpdir(), "copied-image-go-twin-"));
  try {
    assertPassed("go build (examples/go-copy-image)", go(["build", "-o", join(twinDir, "program"), "."], sampleDir));

    // The twin is the sample module elsewhere: same go.mod and go.sum, the replace pointing at sdk/go.
    const goMod = readFileSync(join(sampleDir, "go.mod"), "utf8");
    const replaced = goMod.replace("=> ../../sdk/go", `=> ${join(sdkDir, "go")}`);
    if (replaced === goMod) throw new Error("examples/go-copy-image/go.mod must replace the SDK module with ../../sdk/go");
    writeFileSync(join(twinDir, "go.mod"), replaced);
    copyFileSync(join(sampleDir, "go.sum"), join(twinDir, "go.sum"));
    writeFileSync(join(twinDir, "main.go"), twinOf(join(sampleDir, "main.go"), 'pulumi.String(cfg.Require("sourceImageId"))', "pulumi.Int(42)"));
    assertRejected("go build (the twin)", go(["build", "-o", join(twinDir, "program"), "."], twinDir), [
      /main\.go:\d+:\d+/,
      /pulumi\.Int/,
      /StringInput/,
    ]);
  } finally {
    rmSync(twinDir, { recursive: true, force: true });
  }
});
