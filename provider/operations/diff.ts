/**
 * `diff`: what a change of inputs means. Replacing inputs (`REPLACE_KEYS`) or a failed copy
 * replace; name, description and managed tags change in place; an unfinished copy and a new shim
 * text make an update. `olds` are the recorded OUTPUTS.
 */
import { REPLACE_KEYS, managedTags } from "./naming";
import { same } from "./check";

type Props = Record<string, unknown>;

export interface DiffResult {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

export function diff(olds: Props, news: Props): DiffResult {
  const replaces: string[] = REPLACE_KEYS.filter((k) => !same(olds[k], news[k]));
  if (olds.status === "error") replaces.push("status"); // the copy failed: only a new copy helps
  let changes = replaces.length > 0;
  if (!same(olds.imageName, news.imageName) && news.imageName !== undefined) changes = true;
  if (news.description !== undefined && !same(olds.description, news.description)) changes = true;
  if (!same(managedTags(olds.tags), managedTags(news.tags))) changes = true;
  // Read only by delete: an update stores it, with no request (absent in older states = false).
  if (Boolean(olds.keepSnapshotsOnDelete) !== Boolean(news.keepSnapshotsOnDelete)) changes = true;
  // An unfinished copy (a timed-out create recorded in state): update resumes the wait.
  if (olds.status === "creating") changes = true;
  // A different shim text (only across major versions): an update stores the new one, so that
  // delete never runs code frozen into old state.
  if (olds.__provider !== undefined && news.__provider !== undefined && olds.__provider !== news.__provider) changes = true;
  return { changes, replaces, deleteBeforeReplace: false };
}
