/**
 * The plugin's Pulumi package schema, generated from the sources that define the resource, so that it
 * cannot drift from them: the outputs from THE output table (`OUTPUT_FIELDS` in operations/model.ts: names, types
 * from each `field<T>()`, descriptions from the doc comments), the inputs from `CopiedImageArgs`
 * (dynamic/copied-image.ts: names, optionality, types, doc comments) and the replacing inputs from
 * `REPLACE_KEYS` (operations/naming.ts). Doc comments exist only in the TypeScript sources, so this reads them
 * with the compiler's parser (a development dependency): it runs at build time (`npm run schema`
 * writes `schema.json`, a test fails when the committed file is stale), never in the plugin.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { REPLACE_KEYS } from "../operations/naming";
import { PACKAGE_NAME, RESOURCE_TOKEN, CONFIG_KEYS } from "./names";

/** Where the definitions live, relative to the repository root. */
export const SOURCES = { outputs: "provider/operations/model.ts", inputs: "provider/dynamic/copied-image.ts" } as const;

type PropertySpec = Record<string, unknown>;
interface Member {
  name: string;
  optional: boolean;
  type: string;
  doc: string;
}

/** The schema, from the sources under `root` (the repository). */
export function buildSchema(root: string, version: string): Record<string, unknown> {
  const outputs = outputMembers(parse(root, SOURCES.outputs));
  const inputs = inputMembers(parse(root, SOURCES.inputs));
  const replacing = new Set<string>(REPLACE_KEYS);
  const props = (members: Member[], withReplace: boolean) =>
    Object.fromEntries(
      members.map((m) => [
        m.name,
        {
          ...typeSpec(m.type, `${m.name}: ${m.type}`),
          description: m.doc,
          ...(withReplace && replacing.has(m.name) ? { replaceOnChanges: true } : {}),
        },
      ]),
    );
  const config = Object.fromEntries(
    Object.entries(CONFIG_KEYS).map(([key, c]) => [key, { type: c.type, description: c.doc, ...(c.secret ? { secret: true } : {}) }]),
  );
  return {
    name: PACKAGE_NAME,
    displayName: "Volcengine Copied Image",
    version,
    description: "Copies a Volcengine ECS custom image to another region and manages the copy for its whole life.",
    keywords: ["pulumi", "volcengine", "ecs", "image", "copy"],
    license: "Apache-2.0",
    config: { variables: config },
    provider: { description: "The volcengine-copied-image provider: credentials, region, endpoint and rate.", inputProperties: config },
    resources: {
      [RESOURCE_TOKEN]: {
        description:
          "A copy of a Volcengine ECS custom image in another region, managed for its whole life (copy, wait, rename, delete). " +
          "Import id: `<imageId>@<destinationRegion>,<sourceImageId>@<sourceRegion>`.",
        properties: props(outputs, false),
        required: outputs.filter((m) => !m.optional).map((m) => m.name),
        inputProperties: props(inputs, true),
        requiredInputs: inputs.filter((m) => !m.optional).map((m) => m.name),
      },
    },
  };
}

/** The schema as the committed file holds it. */
export function schemaText(root: string, version: string): string {
  return `${JSON.stringify(buildSchema(root, version), null, 2)}\n`;
}

function parse(root: string, file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(join(root, file), "utf8"), ts.ScriptTarget.ES2022, true);
}

function docOf(node: ts.Node): string {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  const text = docs.map((d) => ts.getTextOfJSDocComment(d.comment) ?? "").join("\n");
  return text.replace(/\s*\n\s*/g, " ").trim();
}

function find<T extends ts.Node>(sf: ts.SourceFile, test: (n: ts.Node) => n is T, what: string): T {
  let found: T | undefined;
  const visit = (n: ts.Node): void => {
    if (!found && test(n)) found = n;
    else n.forEachChild(visit);
  };
  sf.forEachChild(visit);
  if (!found) throw new Error(`schema: ${what} not found in ${sf.fileName}`);
  return found;
}

/** `OUTPUT_FIELDS = { name: field<T>(...) }`: T says the type; `| undefined` makes it optional. */
function outputMembers(sf: ts.SourceFile): Member[] {
  const decl = find(sf, (n): n is ts.VariableDeclaration => ts.isVariableDeclaration(n) && n.name.getText(sf) === "OUTPUT_FIELDS", "OUTPUT_FIELDS");
  const table = decl.initializer;
  if (!table || !ts.isObjectLiteralExpression(table)) throw new Error("schema: OUTPUT_FIELDS is not an object literal");
  return table.properties.map((p) => {
    if (!ts.isPropertyAssignment(p) || !ts.isCallExpression(p.initializer) || p.initializer.typeArguments?.length !== 1) {
      throw new Error(`schema: OUTPUT_FIELDS entry ${p.getText(sf).slice(0, 40)} is not \`name: field<T>(...)\``);
    }
    const { type, optional } = withoutUndefined(p.initializer.typeArguments[0]!.getText(sf));
    return { name: p.name.getText(sf), optional, type, doc: docOf(p) };
  });
}

/** `interface CopiedImageArgs { name?: pulumi.Input<T> }`. */
function inputMembers(sf: ts.SourceFile): Member[] {
  const decl = find(sf, (n): n is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(n) && n.name.text === "CopiedImageArgs", "CopiedImageArgs");
  return decl.members.filter(ts.isPropertySignature).map((m) => ({
    name: m.name.getText(sf),
    optional: m.questionToken !== undefined,
    type: unwrapInput(m.type?.getText(sf) ?? ""),
    doc: docOf(m),
  }));
}

function withoutUndefined(text: string): { type: string; optional: boolean } {
  const parts = text.split("|").map((s) => s.trim());
  return { type: parts.filter((p) => p !== "undefined").join(" | "), optional: parts.includes("undefined") };
}

/** `pulumi.Input<X>` → X, at any depth. */
function unwrapInput(text: string): string {
  let t = text.replace(/\s+/g, " ").trim();
  for (let prev = ""; prev !== t;) {
    prev = t;
    t = t.replace(/pulumi\.Input<([^<>]*)>/g, "$1");
    if (t.startsWith("pulumi.Input<") && t.endsWith(">")) t = t.slice("pulumi.Input<".length, -1);
  }
  return t;
}

/** The schema type of a TypeScript type text; anything else is an error, so that a new kind of field is noticed. */
function typeSpec(type: string, where: string): PropertySpec {
  const t = type.replace(/\s+/g, "");
  if (t === "string" || t === "number" || t === "boolean") return { type: t };
  if (t === "string[]") return { type: "array", items: { type: "string" } };
  if (t === "Record<string,string>") return { type: "object", additionalProperties: { type: "string" } };
  throw new Error(`schema: no schema type for ${where}; teach typeSpec (provider/plugin/schema.ts) this type`);
}
