/**
 * A plan of edits: what a pure domain function returns instead of mutating anything. The sync layer applies a
 * plan inside one Automerge change, with the plan's message, so that every user action is one history entry.
 */

export type Path = readonly (string | number)[];

export type Edit =
  /** Set the value at `path` (objects are copied in whole). */
  | { op: 'put'; path: Path; value: unknown }
  /** Remove the key at `path`. */
  | { op: 'delete'; path: Path }
  /** Splice collaborative text at `path`: remove `remove` characters at `index`, then insert `insert`. */
  | { op: 'splice'; path: Path; index: number; remove: number; insert: string };

export interface Plan {
  /** What the change did, in words a history entry can show: "renamed project to Iris". */
  message: string;
  edits: Edit[];
  /** The project item this plan is about ("pipelines/p1"), so history can be filtered by item. */
  item?: string;
}

/** A refused edit: the domain says why, in words for the user. */
export interface Refusal {
  refused: string;
}

export type PlanResult = Plan | Refusal;

export function isRefusal(r: PlanResult): r is Refusal {
  return 'refused' in r;
}

export function put(path: Path, value: unknown): Edit {
  return { op: 'put', path, value };
}

export function del(path: Path): Edit {
  return { op: 'delete', path };
}

/** Apply a plan to a plain object (the same semantics the sync layer gives Automerge): for tests and previews. */
export function applyPlanToObject<T extends object>(target: T, plan: Plan): T {
  for (const edit of plan.edits) {
    const parent = walk(target, edit.path.slice(0, -1));
    const key = edit.path[edit.path.length - 1]!;
    if (edit.op === 'put') parent[key] = structuredClone(edit.value);
    else if (edit.op === 'delete') delete parent[key];
    else {
      const text = String(parent[key] ?? '');
      parent[key] = text.slice(0, edit.index) + edit.insert + text.slice(edit.index + edit.remove);
    }
  }
  return target;
}

function walk(root: object, path: Path): Record<string | number, unknown> {
  let node: unknown = root;
  for (const key of path) {
    const next = (node as Record<string | number, unknown>)[key];
    if (next === null || typeof next !== 'object') throw new Error(`No object at ${path.join('.')} (missing "${key}")`);
    node = next;
  }
  return node as Record<string | number, unknown>;
}

/**
 * A deletion of a graph's selection as one plan: `nodes` removes the selected nodes (with their connections), `loose`
 * the selected connections that touch none of them (`looseCount` of them). Either may be absent (nothing of that kind
 * selected); a refusal of either refuses the whole.
 */
export function deletionOf(nodes: PlanResult | undefined, loose: PlanResult | undefined, looseCount: number): PlanResult {
  if (nodes && isRefusal(nodes)) return nodes;
  if (loose && isRefusal(loose)) return loose;
  if (!nodes && !loose) return { message: 'deleted nothing', edits: [] };
  if (!nodes) return loose!;
  if (!loose) return nodes;
  return { message: `${nodes.message} and ${looseCount} connection${looseCount === 1 ? '' : 's'}`, item: nodes.item, edits: [...nodes.edits, ...loose.edits] };
}
