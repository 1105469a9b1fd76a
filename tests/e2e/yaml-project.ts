/**
 * Helpers for the end-to-end suites that run the provider plugin (`pulumi-resource-volcengine-copied-image`)
 * under the real CLI: the plugin's executable as package.json declares it, a project dir laid out as
 * `npm install volcengine-copied-image` would leave it (the plugin in `node_modules/.bin`, which the
 * programs' `plugins.providers` entry names), the emulator's leak check, and reading secrets in an export.
 */
import assert from "node:assert/strict";
import { accessSync, constants, cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EmulatorHandle } from "../../emulator";
import { SOURCE_IMAGE } from "../provider/env";
import { REPO_ROOT } from "./cli";

export const PLUGIN_PACKAGE = "volcengine-copied-image";
export const PLUGIN_EXECUTABLE = `pulumi-resource-${PLUGIN_PACKAGE}`;
export const PLUGIN_TYPE = `${PLUGIN_PACKAGE}:index:CopiedImage`;
export const YAML_EXAMPLE = join(REPO_ROOT, "examples", "yaml-copy-image");
/** Every region the suites copy into, for the leak check. */
export const ALL_REGIONS = ["cn-shanghai", "cn-guangzhou", "cn-hongkong", "ap-southeast-1", "ap-southeast-3"];

/** The plugin's script in this repository (package.json `bin`), or why it cannot run. */
export function findPlugin(): { path: string } | { missing: string } {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { bin?: Record<string, string> };
  const relative = pkg.bin?.[PLUGIN_EXECUTABLE];
  if (!relative) return { missing: `package.json has no bin entry ${PLUGIN_EXECUTABLE}: the provider plugin is not part of this build` };
  const path = join(REPO_ROOT, relative);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return { missing: `${path} (package.json bin ${PLUGIN_EXECUTABLE}) is missing or not executable: run the build first` };
  }
  return { path };
}

/**
 * Puts the plugin into `binDir` as npm links a package's `bin` entries into `node_modules/.bin` (a
 * symlink to the script; node resolves its requires from the script's real path, the repository).
 */
export function linkPluginInto(binDir: string, pluginPath: string): void {
  mkdirSync(binDir, { recursive: true });
  symlinkSync(pluginPath, join(binDir, PLUGIN_EXECUTABLE));
}

/** A copy of examples/yaml-copy-image in a temp dir, with the plugin where its Pulumi.yaml looks for it. */
export function copyYamlExample(pluginPath: string, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(YAML_EXAMPLE, dir, { recursive: true, filter: (src) => !src.includes("node_modules") });
  const program = readFileSync(join(dir, "Pulumi.yaml"), "utf8");
  assert.match(
    program,
    /plugins:\n\s+providers:\n(\s+#.*\n)*\s+- name: volcengine-copied-image\n\s+path: node_modules\/\.bin\n/,
    "the example names the plugin",
  );
  linkPluginInto(join(dir, "node_modules", ".bin"), pluginPath);
  return dir;
}

/** The program's Pulumi.yaml, to read and to edit as a user would. */
export class YamlProgram {
  readonly file: string;
  constructor(readonly dir: string) {
    this.file = join(dir, "Pulumi.yaml");
  }
  text(): string {
    return readFileSync(this.file, "utf8");
  }
  write(text: string): void {
    writeFileSync(this.file, text);
  }
  /** Adds `key: value` lines (indented under `properties:`) to the named resource's properties. */
  addProperty(resource: string, line: string): void {
    const marker = `\n  ${resource}:\n    type: ${PLUGIN_TYPE}\n    properties:\n`;
    const text = this.text();
    assert.ok(text.includes(marker), `no resource ${resource} with properties in ${this.file}`);
    this.write(text.replace(marker, `${marker}      ${line}\n`));
  }
  /**
   * Pastes resources into the program's `resources:` section: `generated` is a YAML program (what
   * `pulumi import --out` writes, or a hand-written one) whose `resources:` entries are copied verbatim.
   */
  pasteResources(generated: string): void {
    const lines = generated.split("\n");
    const start = lines.findIndex((l) => l === "resources:");
    assert.ok(start >= 0, `no top-level resources: in\n${generated}`);
    const entries: string[] = [];
    for (const l of lines.slice(start + 1)) {
      if (l !== "" && !l.startsWith(" ")) break; // the next top-level key
      entries.push(l);
    }
    while (entries.length > 0 && entries[entries.length - 1] === "") entries.pop();
    const text = this.text();
    assert.ok(text.includes("\nresources:\n"), `no resources: in ${this.file}`);
    this.write(text.replace("\nresources:\n", `\nresources:\n${entries.join("\n")}\n`));
  }
  /** Removes a resource block (its key line and the indented lines after it). */
  removeResource(resource: string): void {
    const lines = this.text().split("\n");
    const at = lines.indexOf(`  ${resource}:`);
    assert.ok(at >= 0, `no resource ${resource}`);
    let end = at + 1;
    while (end < lines.length && (lines[end]!.startsWith("    ") || lines[end] === "")) end++;
    lines.splice(at, end - at);
    this.write(lines.join("\n"));
  }
}

/** Private images (copies and imported images) in a region: everything but the platform images and the source. */
export function copiesIn(emulator: EmulatorHandle, region: string) {
  return emulator.images(region).filter((i) => i.Visibility === "private" && i.ImageId !== SOURCE_IMAGE);
}

/** Nothing left behind: no image but the source in any region, and no snapshot that is not the source's. */
export function assertNothingLeaked(emulator: EmulatorHandle, regions = ALL_REGIONS): void {
  for (const region of regions) {
    assert.deepEqual(
      copiesIn(emulator, region).map((i) => `${i.ImageId} (${i.Status})`),
      [],
      `images left in ${region}`,
    );
  }
  const snapshots = emulator.snapshots().filter((s) => s.ImageId !== SOURCE_IMAGE);
  assert.deepEqual(
    snapshots.map((s) => `${s.SnapshotId} in ${s.Region} (image ${s.ImageId ?? "none"})`),
    [],
    "snapshots left",
  );
  assert.ok(
    emulator.images("cn-beijing").some((i) => i.ImageId === SOURCE_IMAGE),
    "the source image is untouched",
  );
}

/** The marker key of a secret in `pulumi stack export` (the value is then a ciphertext). */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";

export function isSecretValue(v: unknown): boolean {
  return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG] === "1b47061264138c4ac30d75fd1eb44270";
}

/** The plugin's process, as `leftoverProcesses` lists it (the engine runs the executable by its path). */
export function isPluginProcess(p: { command: string }): boolean {
  return p.command.includes(PLUGIN_EXECUTABLE) || p.command.includes(join("provider", "plugin"));
}
