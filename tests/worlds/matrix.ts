// Turns each world's collected checks into node:test subtests: one line per world × check, PASS or
// FAIL with the failures (step and message). Worlds of one file run side by side: each has its own
// emulator, and all their waiting is on simulated time.
import { appendFileSync } from "node:fs";
import { describe, test } from "node:test";
import { runWorld } from "./scenario";
import type { WorldSpec } from "./sim";

export function defineWorlds(title: string, specs: WorldSpec[]): void {
  describe(title, { concurrency: true }, () => {
    for (const spec of specs) {
      test(spec.name, async (t) => {
        const results = await runWorld(spec);
        // WORLD_MATRIX_REPORT=file: one JSON line per world (world, check, failures), for the to-do table.
        const report = process.env.WORLD_MATRIX_REPORT;
        if (report)
          appendFileSync(
            report,
            `${JSON.stringify({ world: spec.name, results: results.map((r) => ({ check: r.name, failures: r.failures, notes: r.notes })) })}\n`,
          );
        for (const r of results) {
          await t.test(r.name, (st) => {
            if (r.notes.length > 0) st.diagnostic(r.notes.join("; "));
            if (r.failures.length > 0) throw new Error(`${r.failures.length} failure(s): ${r.failures.slice(0, 3).join(" || ")}`);
          });
        }
      });
    }
  });
}
