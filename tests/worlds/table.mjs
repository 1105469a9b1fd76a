// Prints the world matrix as a Markdown table from the JSON lines the suite writes:
//   WORLD_MATRIX_REPORT=/tmp/worlds.jsonl scripts/with-node22 npm test -- tests/worlds
//   node tests/worlds/table.mjs /tmp/worlds.jsonl            (add --details for every failure message)
import { readFileSync } from "node:fs";

const [file, flag] = process.argv.slice(2);
if (!file) {
  console.error("usage: node tests/worlds/table.mjs <report.jsonl> [--details]");
  process.exit(2);
}
const rows = readFileSync(file, "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l));
const order = (name) => [/^default/, /^progress/, /^tags/, /^TagResources/, /^delete/, /^describe/, /^bad gateway/].findIndex((re) => re.test(name));
rows.sort((a, b) => order(a.world) - order(b.world) || a.world.localeCompare(b.world));
for (const { world, results } of rows) {
  console.log(`\n### ${world}\n\n| check | result |\n|---|---|`);
  for (const r of results) {
    const notes = r.notes?.length ? ` (${r.notes.join("; ")})` : "";
    const first = r.failures[0] ? `: ${r.failures[0].slice(0, flag === "--details" ? 2000 : 240).replace(/\|/g, "\\|")}` : "";
    console.log(`| ${r.check} | ${r.failures.length ? "FAIL" : "PASS"}${notes}${first} |`);
  }
}
