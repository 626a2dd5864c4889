/**
 * Undo of the user's own edits: before a plan is applied, its inverse is computed from the state it applies to. Undoing
 * applies the inverse as a new change, so collaborators' edits made since are kept (they are not this user's to undo).
 */
import type { Edit, Path, Plan } from './plan';

function lookup(root: unknown, path: Path): { found: boolean; value?: unknown } {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !(key in (node as object))) return { found: false };
    node = (node as Record<string | number, unknown>)[key];
  }
  return { found: true, value: node };
}

/** The plan that puts back what `plan` changes, read from `before` (the state the plan applies to). */
export function invertPlan(before: unknown, plan: Plan): Plan {
  const edits: Edit[] = [];
  for (const edit of [...plan.edits].reverse()) {
    // Only paths whose parent existed before can be restored; deeper ones go with their ancestor.
    if (!lookup(before, edit.path.slice(0, -1)).found) continue;
    const old = lookup(before, edit.path);
    if (edit.op === 'splice') {
      edits.push({ op: 'splice', path: edit.path, index: edit.index, remove: edit.insert.length, insert: String(old.value ?? '').slice(edit.index, edit.index + edit.remove) });
    } else if (old.found) {
      edits.push({ op: 'put', path: edit.path, value: structuredClone(old.value) });
    } else {
      edits.push({ op: 'delete', path: edit.path });
    }
  }
  return { message: `undid: ${plan.message}`, edits, ...(plan.item ? { item: plan.item } : {}) };
}

/** A per-session stack of the user's own edits, as the plans that reverse them. */
export class UndoStack {
  #undo: Array<{ inverse: Plan; message: string }> = [];
  #redo: Array<{ plan: Plan; message: string }> = [];
  constructor(private readonly limit = 200) {}

  /** Record a plan about to be applied to `before` (call it before applying). */
  record(before: unknown, plan: Plan): void {
    if (plan.edits.length === 0) return;
    this.#undo.push({ inverse: invertPlan(before, plan), message: plan.message });
    if (this.#undo.length > this.limit) this.#undo.shift();
    this.#redo = [];
  }

  get canUndo(): boolean {
    return this.#undo.length > 0;
  }
  get canRedo(): boolean {
    return this.#redo.length > 0;
  }

  /** The plan that undoes the last edit, given the current state (apply it next). */
  undo(current: unknown): Plan | undefined {
    const entry = this.#undo.pop();
    if (!entry) return undefined;
    const again = invertPlan(current, entry.inverse);
    this.#redo.push({ plan: { ...again, message: `redid: ${entry.message}` }, message: entry.message });
    return { ...entry.inverse, message: `undid: ${entry.message}` };
  }

  /** The plan that redoes the last undone edit, given the current state (apply it next). */
  redo(current: unknown): Plan | undefined {
    const entry = this.#redo.pop();
    if (!entry) return undefined;
    this.#undo.push({ inverse: invertPlan(current, entry.plan), message: entry.message });
    return entry.plan;
  }
}
