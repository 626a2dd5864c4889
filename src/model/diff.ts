/**
 * What differs between two states of a project: the "compare" of the history view, and the preview of a restore.
 * The result is plain, JSON-safe data in a stable order, with a readable `summary` on every line, so that a view
 * only renders it and two peers comparing the same states see the same list.
 */
import { architectureDetails, fieldDetail, operationDetails, pipelineDetails } from './diff-items';
import { compareText, type CodeHunk, type DiffValue } from './diff-text';
import { singular } from './project';
import {
  ITEM_KINDS,
  type Architecture,
  type AttributeValue,
  type ExecutionSummary,
  type Id,
  type ItemKind,
  type OperationDefinition,
  type Pipeline,
  type Project,
} from './types';

export type { CodeHunk, DiffValue } from './diff-text';

/** How an item differs. `renamed` means only its name changed; a rename among other changes is `changed`. */
export type ItemChange = 'added' | 'removed' | 'changed' | 'renamed';
/** Whether a part of an item (node, edge, layer, port...) appeared or disappeared. */
export type PartChange = 'added' | 'removed';

/** One line of what changed inside an item (or the project itself); `summary` is ready to show. */
export type DiffDetail =
  /** A plain field: name, description, category, status... */
  | { type: 'field'; field: string; before: DiffValue; after: DiffValue; summary: string }
  | { type: 'node'; change: PartChange; node: Id; title: string; summary: string }
  /** Another property of a pipeline node: its label, operation, artifact, data type or kind. */
  | { type: 'node-field'; node: Id; title: string; field: string; before: DiffValue; after: DiffValue; summary: string }
  /** `null` means not set on the node, i.e. the attribute's default. */
  | { type: 'node-attribute'; node: Id; title: string; attribute: Id; name: string; before: AttributeValue | null; after: AttributeValue | null; summary: string }
  | { type: 'node-reference'; node: Id; title: string; reference: Id; name: string; before: Id | null; after: Id | null; summary: string }
  /** A pipeline connection ("Load MNIST.dataset → Train/Test Split.dataset") or an architecture one. */
  | { type: 'edge'; change: PartChange; from: string; to: string; summary: string }
  | { type: 'layer'; change: PartChange; layer: Id; name: string; layerType: string; summary: string }
  /** A layer's type, name, or one config key (`key` set only for config). */
  | { type: 'layer-field'; layer: Id; name: string; field: 'type' | 'name' | 'config'; key: string | null; before: DiffValue; after: DiffValue; summary: string }
  /** Nodes or layers that only moved on the canvas: counted, not listed. */
  | { type: 'layout'; moved: number; summary: string }
  /** A port, attribute or reference of an operation; `fields` lists what changed for `changed`. */
  | {
      type: 'member';
      group: 'inputs' | 'outputs' | 'attributes' | 'references';
      change: PartChange | 'changed';
      member: Id;
      name: string;
      fields: Array<{ field: string; before: DiffValue; after: DiffValue }>;
      summary: string;
    }
  /** An operation's code, as a folded line diff. */
  | { type: 'code'; added: number; removed: number; hunks: CodeHunk[]; summary: string };

export interface ItemDiff {
  kind: ItemKind;
  id: Id;
  /** The current name: the `after` one, or the `before` one for a removed item. */
  name: string;
  /** The `before` name when it differs, otherwise null. */
  previousName: string | null;
  change: ItemChange;
  summary: string;
  /** What changed inside; empty for added and removed items. */
  details: DiffDetail[];
}

export interface ProjectDiff {
  /** Changes to the project's own name and description. */
  project: DiffDetail[];
  /** Changed items, by kind (sidebar order), then name, then id. */
  items: ItemDiff[];
}

interface Named {
  id: Id;
  name: string;
}

/** Each kind's details for an item present on both sides; name and description are handled for all kinds. */
const DETAILS: Record<ItemKind, (before: Named, after: Named, b: Project, a: Project) => DiffDetail[]> = {
  pipelines: (before, after, b, a) => pipelineDetails(before as Pipeline, after as Pipeline, b, a),
  architectures: (before, after) => architectureDetails(before as Architecture, after as Architecture),
  operations: (before, after) => operationDetails(before as OperationDefinition, after as OperationDefinition),
  artifacts: () => [],
  executions: (before, after) => fieldDetail('status', (before as ExecutionSummary).status, (after as ExecutionSummary).status),
};

/** Compares two states; older documents may lack whole collections, which count as empty. */
export function diffProjects(before: Project, after: Project): ProjectDiff {
  const project = [
    ...fieldDetail('name', before.name, after.name, `renamed the project ${quote(before.name)} → ${quote(after.name)}`),
    ...descriptionDetail(before.description, after.description),
  ];
  const items: ItemDiff[] = [];
  for (const kind of ITEM_KINDS) items.push(...diffKind(kind, before, after));
  return { project, items };
}

function diffKind(kind: ItemKind, before: Project, after: Project): ItemDiff[] {
  const was: Record<Id, Named> = before[kind] ?? {};
  const now: Record<Id, Named> = after[kind] ?? {};
  const what = singular(kind);
  const out: ItemDiff[] = [];
  for (const id of new Set([...Object.keys(was), ...Object.keys(now)])) {
    const b = was[id];
    const a = now[id];
    if (!b && a) out.push({ kind, id, name: a.name, previousName: null, change: 'added', summary: `added ${what} ${a.name}`, details: [] });
    else if (b && !a) out.push({ kind, id, name: b.name, previousName: null, change: 'removed', summary: `removed ${what} ${b.name}`, details: [] });
    else if (b && a) {
      const renamed = fieldDetail('name', b.name, a.name, `renamed ${what} ${quote(b.name)} → ${quote(a.name)}`);
      const rest = [...descriptionOf(b, a), ...DETAILS[kind](b, a, before, after)];
      if (!renamed.length && !rest.length) continue;
      const details = [...renamed, ...rest];
      out.push({
        kind,
        id,
        name: a.name,
        previousName: renamed.length ? b.name : null,
        change: rest.length ? 'changed' : 'renamed',
        summary: rest.length ? `changed ${what} ${a.name}${details.length === 1 ? `: ${details[0]!.summary}` : ` (${details.length} changes)`}` : renamed[0]!.summary,
        details,
      });
    }
  }
  return out.sort((x, y) => compareText(x.name, y.name) || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

function descriptionOf(before: object, after: object): DiffDetail[] {
  if (!('description' in before) && !('description' in after)) return [];
  return descriptionDetail((before as { description?: string }).description, (after as { description?: string }).description);
}

/** Descriptions are long prose: the summary says what happened to it, the values carry the text. */
function descriptionDetail(before: string | undefined, after: string | undefined): DiffDetail[] {
  const b = before ?? '';
  const a = after ?? '';
  const summary = !b ? 'added a description' : !a ? 'removed the description' : 'edited the description';
  return fieldDetail('description', b, a, summary);
}

function quote(name: string): string {
  return name || '(unnamed)';
}

export interface DiffCounts {
  added: number;
  removed: number;
  changed: number;
  renamed: number;
}

/** How many items were added, removed, changed and renamed: the badges of a compare view. */
export function countDiff(diff: ProjectDiff): DiffCounts {
  const counts: DiffCounts = { added: 0, removed: 0, changed: 0, renamed: 0 };
  for (const item of diff.items) counts[item.change]++;
  return counts;
}

/** One line for a compare header or a restore confirmation: "renamed the project, 2 added, 1 removed, 3 changed". */
export function summarizeDiff(diff: ProjectDiff): string {
  const parts: string[] = [];
  const project = diff.project.map((d) => (d.type === 'field' && d.field === 'name' ? 'renamed the project' : 'edited the project description'));
  parts.push(...project);
  const counts = countDiff(diff);
  for (const change of ['added', 'removed', 'changed', 'renamed'] as const) {
    if (counts[change]) parts.push(`${counts[change]} ${change}`);
  }
  return parts.length ? parts.join(', ') : 'no changes';
}

/** True when the two states show no difference a person would notice (timestamps alone do not count). */
export function isEmptyDiff(diff: ProjectDiff): boolean {
  return diff.project.length === 0 && diff.items.length === 0;
}
