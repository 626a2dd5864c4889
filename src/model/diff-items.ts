/**
 * The details of one changed item, per kind: what a person would say changed in a pipeline, an architecture or an
 * operation. Parts are matched by id (nodes, layers, ports) except connections, which are matched by their ends:
 * deleting and redrawing the same connection is no change to the graph.
 */
import type { DiffDetail, PartChange } from './diff';
import { change, codeHunks, compareText, formatValue, plural, sameValue, toDiffValue } from './diff-text';
import type { Architecture, Id, OperationDefinition, Pipeline, PipelineNode, Project } from './types';

/** A detail for a plain field, or nothing when it is unchanged. */
export function fieldDetail(field: string, before: unknown, after: unknown, summary?: string): DiffDetail[] {
  if (sameValue(before, after)) return [];
  return [{ type: 'field', field, before: toDiffValue(before), after: toDiffValue(after), summary: summary ?? `${field} ${change(before, after)}` }];
}

function values<T>(map: Record<Id, T> | undefined): T[] {
  return Object.values(map ?? {});
}

function byKey<T>(items: T[], key: (item: T) => string): T[] {
  return items.map((item) => [key(item), item] as const).sort((x, y) => compareText(x[0], y[0])).map(([, item]) => item);
}

/** Node titles, port names and reference targets as they read on one side of the comparison. */
class PipelineSide {
  constructor(
    readonly project: Project,
    readonly pipeline: Pipeline,
  ) {}

  title(nodeId: Id): string {
    const node = this.pipeline.nodes?.[nodeId];
    if (!node) return nodeId;
    if (node.label) return node.label;
    if (node.kind === 'input') return 'Input';
    if (node.kind === 'output') return 'Output';
    return (node.operationId && this.project.operations?.[node.operationId]?.name) || 'Missing operation';
  }

  port(nodeId: Id, portId: Id, direction: 'inputs' | 'outputs'): string {
    const node = this.pipeline.nodes?.[nodeId];
    if (!node || node.kind !== 'operation') return node ? 'data' : portId;
    const op = node.operationId ? this.project.operations?.[node.operationId] : undefined;
    return op?.[direction]?.[portId]?.name ?? portId;
  }

  end(ref: { node: Id; port: Id }, direction: 'inputs' | 'outputs'): string {
    return `${this.title(ref.node)}.${this.port(ref.node, ref.port, direction)}`;
  }

  operation(node: PipelineNode): OperationDefinition | undefined {
    return node.operationId ? this.project.operations?.[node.operationId] : undefined;
  }

  /** The name of what a reference points to, found in the collection its schema names. */
  target(node: PipelineNode, refId: Id, target: Id | undefined): string | undefined {
    if (!target) return undefined;
    const kind = this.operation(node)?.references?.[refId]?.kind;
    const collection = kind ? (this.project[`${kind}s`] as Record<Id, { name: string }> | undefined) : undefined;
    return collection?.[target]?.name ?? target;
  }
}

export function pipelineDetails(before: Pipeline, after: Pipeline, bp: Project, ap: Project): DiffDetail[] {
  const b = new PipelineSide(bp, before);
  const a = new PipelineSide(ap, after);
  const details: DiffDetail[] = [];
  const nodes = new Set([...Object.keys(before.nodes ?? {}), ...Object.keys(after.nodes ?? {})]);
  let moved = 0;
  for (const id of byKey([...nodes], (n) => `${(after.nodes?.[n] ? a : b).title(n)}\u0000${n}`)) {
    const was = before.nodes?.[id];
    const now = after.nodes?.[id];
    if (!was || !now) {
      const [side, what]: [PipelineSide, PartChange] = now ? [a, 'added'] : [b, 'removed'];
      details.push({ type: 'node', change: what, node: id, title: side.title(id), summary: `${what} node ${side.title(id)}` });
      continue;
    }
    details.push(...nodeDetails(was, now, b, a));
    if (!sameValue(was.position?.x, now.position?.x) || !sameValue(was.position?.y, now.position?.y)) moved++;
  }
  const ends = (p: Pipeline, side: PipelineSide) =>
    new Map(values(p.edges).map((e) => [`${e.from.node}\u0000${e.from.port}\u0000${e.to.node}\u0000${e.to.port}`, { from: side.end(e.from, 'outputs'), to: side.end(e.to, 'inputs') }]));
  details.push(...edgeDetails(ends(before, b), ends(after, a)));
  if (moved) details.push({ type: 'layout', moved, summary: `moved ${plural(moved, 'node')}` });
  return details;
}

function nodeDetails(was: PipelineNode, now: PipelineNode, b: PipelineSide, a: PipelineSide): DiffDetail[] {
  const title = a.title(now.id);
  const details: DiffDetail[] = [];
  const field = (name: string, before: unknown, after: unknown, shownBefore: unknown = before, shownAfter: unknown = after) => {
    if (sameValue(before, after)) return;
    details.push({ type: 'node-field', node: now.id, title, field: name, before: toDiffValue(before), after: toDiffValue(after), summary: `${title}: ${name} ${change(shownBefore, shownAfter)}` });
  };
  field('kind', was.kind, now.kind);
  field('operation', was.operationId, now.operationId, b.operation(was)?.name ?? was.operationId, a.operation(now)?.name ?? now.operationId);
  field('label', was.label, now.label);
  field('artifact', was.artifactId, now.artifactId, was.artifactId && (b.project.artifacts?.[was.artifactId]?.name ?? was.artifactId), now.artifactId && (a.project.artifacts?.[now.artifactId]?.name ?? now.artifactId));
  field('data type', was.dataType, now.dataType);

  const schemaOf = (attr: Id) => a.operation(now)?.attributes?.[attr] ?? b.operation(was)?.attributes?.[attr];
  const attributes = new Set([...Object.keys(was.attributes ?? {}), ...Object.keys(now.attributes ?? {})]);
  for (const attr of byKey([...attributes], (k) => schemaOf(k)?.name ?? k)) {
    const before = was.attributes?.[attr] ?? null;
    const after = now.attributes?.[attr] ?? null;
    if (sameValue(before, after)) continue;
    const schema = schemaOf(attr);
    const show = (v: unknown) => (v === null && schema ? `${formatValue(schema.default)} (default)` : formatValue(v));
    const name = schema?.name ?? attr;
    details.push({ type: 'node-attribute', node: now.id, title, attribute: attr, name, before, after, summary: `${title}: ${name} ${show(before)} → ${show(after)}` });
  }

  const refName = (ref: Id) => a.operation(now)?.references?.[ref]?.name ?? b.operation(was)?.references?.[ref]?.name ?? ref;
  const references = new Set([...Object.keys(was.references ?? {}), ...Object.keys(now.references ?? {})]);
  for (const ref of byKey([...references], refName)) {
    const before = was.references?.[ref] ?? null;
    const after = now.references?.[ref] ?? null;
    if (before === after) continue;
    const shown = change(b.target(was, ref, before ?? undefined), a.target(now, ref, after ?? undefined));
    details.push({ type: 'node-reference', node: now.id, title, reference: ref, name: refName(ref), before, after, summary: `${title}: ${refName(ref)} ${shown}` });
  }
  return details;
}

/** Connections keyed by their ends; each side describes its own, with the titles it had. */
function edgeDetails(before: Map<string, { from: string; to: string }>, after: Map<string, { from: string; to: string }>): DiffDetail[] {
  const details: DiffDetail[] = [];
  for (const [key, e] of before) if (!after.has(key)) details.push({ type: 'edge', change: 'removed', ...e, summary: `removed edge ${e.from} → ${e.to}` });
  for (const [key, e] of after) if (!before.has(key)) details.push({ type: 'edge', change: 'added', ...e, summary: `added edge ${e.from} → ${e.to}` });
  return byKey(details, (d) => (d.type === 'edge' ? `${d.from} → ${d.to}\u0000${d.change}` : ''));
}

export function architectureDetails(before: Architecture, after: Architecture): DiffDetail[] {
  const details: DiffDetail[] = [];
  const layerName = (id: Id) => after.layers?.[id]?.name ?? before.layers?.[id]?.name ?? id;
  const ids = new Set([...Object.keys(before.layers ?? {}), ...Object.keys(after.layers ?? {})]);
  let moved = 0;
  for (const id of byKey([...ids], (l) => `${layerName(l)}\u0000${l}`)) {
    const was = before.layers?.[id];
    const now = after.layers?.[id];
    if (!was || !now) {
      const layer = (now ?? was)!;
      const what: PartChange = now ? 'added' : 'removed';
      details.push({ type: 'layer', change: what, layer: id, name: layer.name, layerType: layer.type, summary: `${what} layer ${layer.name}` });
      continue;
    }
    const push = (field: 'type' | 'name' | 'config', key: string | null, b: unknown, a: unknown, summary: string) =>
      details.push({ type: 'layer-field', layer: id, name: now.name, field, key, before: toDiffValue(b), after: toDiffValue(a), summary });
    if (was.name !== now.name) push('name', null, was.name, now.name, `renamed layer ${was.name} → ${now.name}`);
    if (was.type !== now.type) push('type', null, was.type, now.type, `${now.name}: type ${change(was.type, now.type)}`);
    const keys = new Set([...Object.keys(was.config ?? {}), ...Object.keys(now.config ?? {})]);
    for (const key of [...keys].sort(compareText)) {
      const b = was.config?.[key];
      const a = now.config?.[key];
      if (!sameValue(b, a)) push('config', key, b, a, `${now.name}: ${key} ${change(b, a)}`);
    }
    if (!sameValue(was.position?.x, now.position?.x) || !sameValue(was.position?.y, now.position?.y)) moved++;
  }
  const ends = (arch: Architecture) =>
    new Map(values(arch.edges).map((e) => {
      const name = (id: Id) => arch.layers?.[id]?.name ?? id;
      const to = e.slot === undefined ? name(e.to) : `${name(e.to)} (input ${e.slot + 1})`;
      return [`${e.from}\u0000${e.to}\u0000${e.slot ?? ''}`, { from: name(e.from), to }];
    }));
  details.push(...edgeDetails(ends(before), ends(after)));
  if (moved) details.push({ type: 'layout', moved, summary: `moved ${plural(moved, 'layer')}` });
  return details;
}

const MEMBER_WORD = { inputs: 'input', outputs: 'output', attributes: 'attribute', references: 'reference' } as const;
const OPERATION_FIELDS = ['category', 'color', 'source'] as const;

export function operationDetails(before: OperationDefinition, after: OperationDefinition): DiffDetail[] {
  const details: DiffDetail[] = [];
  for (const field of OPERATION_FIELDS) details.push(...fieldDetail(field, before[field], after[field]));
  for (const group of ['inputs', 'outputs', 'attributes', 'references'] as const) {
    details.push(...memberDetails(group, before[group] ?? {}, after[group] ?? {}));
  }
  const hunks = codeHunks(before.code ?? '', after.code ?? '');
  if (hunks.length) {
    const count = (kind: 'add' | 'remove') => hunks.reduce((n, h) => n + (h.kind === kind ? h.lines : 0), 0);
    const added = count('add');
    const removed = count('remove');
    details.push({ type: 'code', added, removed, hunks, summary: `edited code (+${added} −${removed} ${removed + added === 1 ? 'line' : 'lines'})` });
  }
  return details;
}

/** Ports, attributes and references: added, removed, or changed field by field ("default 10 → 20"). */
function memberDetails(group: keyof typeof MEMBER_WORD, before: Record<Id, object>, after: Record<Id, object>): DiffDetail[] {
  const word = MEMBER_WORD[group];
  const details: DiffDetail[] = [];
  const nameOf = (id: Id) => ((after[id] ?? before[id]) as { name?: string } | undefined)?.name ?? id;
  const ids = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const id of byKey([...ids], (m) => `${nameOf(m)}\u0000${m}`)) {
    const was = before[id] as Record<string, unknown> | undefined;
    const now = after[id] as Record<string, unknown> | undefined;
    const name = nameOf(id);
    if (!was || !now) {
      const what: PartChange = now ? 'added' : 'removed';
      details.push({ type: 'member', group, change: what, member: id, name, fields: [], summary: `${what} ${word} ${name}` });
      continue;
    }
    const keys = [...new Set([...Object.keys(was), ...Object.keys(now)])].filter((k) => k !== 'id').sort(compareText);
    const fields = keys
      .filter((k) => !sameValue(was[k], now[k]))
      .map((k) => ({ field: k === 'order' ? 'position' : k, before: toDiffValue(was[k]), after: toDiffValue(now[k]) }));
    if (!fields.length) continue;
    const what = fields.map((f) => (f.field === 'description' ? 'description edited' : `${f.field} ${change(f.before, f.after)}`));
    details.push({ type: 'member', group, change: 'changed', member: id, name, fields, summary: `changed ${word} ${name}: ${what.join(', ')}` });
  }
  return details;
}
