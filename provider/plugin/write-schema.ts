/**
 * `npm run schema`: writes provider/plugin/schema.json from the sources (schema.ts says which),
 * formatted by prettier as the lint wants it. Run from the compiled tree
 * (dist/provider/plugin/write-schema.js); the repository root is three levels up.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as prettier from "prettier";
import { schemaText } from "./schema";

export const SCHEMA_FILE = "provider/plugin/schema.json";

async function main(): Promise<void> {
  const root = resolve(__dirname, "../../..");
  const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
  const file = join(root, SCHEMA_FILE);
  const options = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(file, await prettier.format(schemaText(root, version), { ...options, filepath: file }));
  console.log(`wrote ${SCHEMA_FILE}`);
}

void main();
