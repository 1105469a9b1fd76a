// A world's scenario runs to its end even when a check fails, so that one failure does not hide the
// next: each named check collects its failures (with the step where each happened), and the test
// file turns every check into one subtest, PASS or FAIL with the first failures' messages.
import { messageOf } from "../faults/helpers";

export interface CheckResult {
  name: string;
  failures: string[];
  /** Steps where the check ran. */
  ran: number;
  /** Measurements worth showing even when the check passes (e.g. detection lag). */
  notes: string[];
}

export class Checks {
  private readonly results = new Map<string, CheckResult>();

  constructor(names: readonly string[]) {
    for (const name of names) this.results.set(name, { name, failures: [], ran: 0, notes: [] });
  }

  private slot(name: string): CheckResult {
    let r = this.results.get(name);
    if (!r) {
      r = { name, failures: [], ran: 0, notes: [] };
      this.results.set(name, r);
    }
    return r;
  }

  /** Runs `fn` as check `name` at `step`; an exception is recorded as a failure, never thrown. */
  async check(name: string, step: string, fn: () => void | Promise<void>): Promise<boolean> {
    const r = this.slot(name);
    r.ran++;
    try {
      await fn();
      return true;
    } catch (e) {
      r.failures.push(`[${step}] ${oneLine(messageOf(e))}`);
      return false;
    }
  }

  /** Records a failure directly. */
  fail(name: string, step: string, message: string): void {
    const r = this.slot(name);
    r.ran++;
    r.failures.push(`[${step}] ${oneLine(message)}`);
  }

  info(name: string, text: string): void {
    this.slot(name).notes.push(text);
  }

  all(): CheckResult[] {
    return [...this.results.values()];
  }
}

/** Assertion messages carry a multi-line diff; a table cell wants it on one line, bounded. */
export function oneLine(text: string, max = 900): string {
  const flat = text
    .replace(/\s*\n\s*/g, " ¶ ")
    .replace(/\s+/g, " ")
    .trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** The raw JavaScript errors no message may carry (a crash surfacing as a provider error). */
export const RAW_TYPE_ERROR = /Spread syntax|Maximum call stack|is not iterable|Cannot read properties|undefined is not|is not a function/;
