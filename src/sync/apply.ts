/**
 * The one place a plan of edits (from src/model) becomes an Automerge change: every user action is one change,
 * with a message that history shows.
 */
import { splice, type Doc } from '@automerge/automerge';
import type { DocHandle } from '@automerge/automerge-repo';
import type { Edit, Path, Plan } from '../model/plan';
import { encodeChangeMessage, type Author } from './messages';
import { storable } from './storable';

export { storable };

function parentOf(doc: unknown, path: Path): Record<string | number, unknown> {
  let node = doc as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object') {
      throw new Error(`Cannot edit ${path.join('.')}: ${String(key)} is missing (someone may have deleted it).`);
    }
    node = next as Record<string | number, unknown>;
  }
  return node;
}

/** Apply edits to an Automerge change proxy. */
export function applyEdits(doc: Doc<unknown>, edits: readonly Edit[]): void {
  for (const edit of edits) {
    const parent = parentOf(doc, edit.path);
    const key = edit.path[edit.path.length - 1]!;
    if (edit.op === 'put') parent[key] = storable(edit.value);
    else if (edit.op === 'delete') delete parent[key];
    else splice(doc, edit.path as (string | number)[], edit.index, edit.remove, edit.insert);
  }
}

/** Apply a plan in one change; an empty plan writes nothing. */
export function applyPlan<T>(handle: DocHandle<T>, plan: Plan, author?: Author): void {
  if (plan.edits.length === 0) return;
  handle.change((doc) => applyEdits(doc as Doc<unknown>, plan.edits), { message: encodeChangeMessage(plan.message, author, plan.item) });
}
