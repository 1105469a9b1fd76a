// The committed schema (provider/plugin/schema.json) is what the sources say now: regenerate it with
// `npm run schema` when this fails. And what the schema says matches the resource's own tables.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildSchema } from "../../../provider/plugin/schema";
import { RESOURCE_TOKEN } from "../../../provider/plugin/names";
import { OUTPUT_FIELDS } from "../../../provider/operations/model";
import { REPLACE_KEYS } from "../../../provider/operations/naming";

const root = resolve(__dirname, "../../../..");
const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
const committed = JSON.parse(readFileSync(join(root, "provider/plugin/schema.json"), "utf8")) as Record<string, unknown>;

type Resource = {
  properties: Record<string, { type: string; description: string }>;
  required: string[];
  inputProperties: Record<string, { type: string; description: string; replaceOnChanges?: boolean }>;
  requiredInputs: string[];
};

test("the committed schema.json is fresh (else: npm run schema)", () => {
  assert.deepEqual(committed, buildSchema(root, version));
});

test("every output of the output table, and only those, is a property with its doc comment", () => {
  const r = (committed.resources as Record<string, Resource>)[RESOURCE_TOKEN];
  assert.ok(r, `${RESOURCE_TOKEN} is in the schema`);
  assert.deepEqual(Object.keys(r.properties), Object.keys(OUTPUT_FIELDS));
  assert.equal(r.properties.imageId.description, "The id of the copy in the destination region.");
  assert.deepEqual(r.properties.snapshotIds, { type: "array", items: { type: "string" }, description: r.properties.snapshotIds.description });
  assert.ok(r.required.includes("imageId") && !r.required.includes("size"), "optional outputs (T | undefined) are not required");
});

test("inputs: the two required ones, the replacing ones marked, each described", () => {
  const r = (committed.resources as Record<string, Resource>)[RESOURCE_TOKEN];
  assert.deepEqual(r.requiredInputs, ["sourceImageId", "destinationRegion"]);
  for (const [k, p] of Object.entries(r.inputProperties)) {
    assert.ok(p.description.length > 10, `${k} has a description`);
    assert.equal(p.replaceOnChanges === true, (REPLACE_KEYS as readonly string[]).includes(k), `${k} replaceOnChanges`);
  }
  assert.ok(!("__meta" in r.inputProperties), "internal inputs stay out of the schema");
  assert.deepEqual(r.inputProperties.tags.type, "object");
});
