/**
 * Editing an operation's interface as plans. Ports, attributes and references are keyed by stable ids; `name` is
 * what the code sees, so renaming one changes its name only and the pipeline edges and node values that point at
 * its id stay valid. A plan that changes what the code receives also splices the code's `run(...)` signature
 * (see signature.ts), touching only the spans that change so that concurrent edits of the body merge.
 */
import { randomId } from '../lib/ids';
import { checkAttributeSchema, normalizeAttribute, type AttributeSpec } from './operation-file';
import { del, put, type Edit, type Plan, type PlanResult } from './plan';
import { checkName, uniqueName } from './project';
import { isIdentifier, parameterNames, SIGNATURE_SECTIONS, syncSignature, type InterfaceSection, type Rename } from './signature';
import { DATA_TYPES, REFERENCE_KINDS, type DataType, type Id, type OperationDefinition, type Port, type Project, type ReferenceKind, type ReferenceSchema } from './types';
import { checkAttribute, isTypeCompatible, nodeTitle } from './validation';

export { exportOperation, importOperation, operationFileName, readOperation, OPERATION_FORMAT, OPERATION_FORMAT_VERSION } from './operation-file';
export type { AttributeSpec } from './operation-file';

export type PortSide = 'inputs' | 'outputs';
/** A plan, with a note for the user when the code could not follow (it does not parse, say). */
export type OperationPlan = Plan & { note?: string };
export type OperationPlanResult = OperationPlan | { refused: string };

const WHAT: Record<InterfaceSection, string> = { inputs: 'input', outputs: 'output', attributes: 'attribute', references: 'reference' };
const gone = { refused: 'That operation no longer exists; someone may have deleted it.' };
const missing = (section: InterfaceSection) => ({ refused: `That ${WHAT[section]} no longer exists; someone may have removed it.` });
const item = (opId: Id) => `operations/${opId}`;

function touch(opId: Id, now: number): Edit[] {
  return [put(['operations', opId, 'updatedAt'], now), put(['updatedAt'], now)];
}

type Entry = { id: Id; name: string; order: number };
const entries = (op: OperationDefinition, section: InterfaceSection): Entry[] =>
  Object.values(op[section] as Record<Id, Entry>).sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : 1));
const nextOrder = (op: OperationDefinition, section: InterfaceSection) => Math.max(-1, ...entries(op, section).map((e) => e.order)) + 1;

/**
 * Why `name` cannot name an entry of `section`, or null. Inputs, attributes and references arrive side by side as
 * the code's parameters, so their names must differ from each other and from the parameters that are plain names.
 */
export function checkEntryName(op: OperationDefinition, section: InterfaceSection, name: string, exceptId?: Id): string | null {
  const what = WHAT[section];
  if (!name) return `An ${what} needs a name.`;
  if (!isIdentifier(name)) return `“${name}” cannot be a name in code: use letters, digits, _ or $, start with a letter, and avoid JavaScript keywords (e.g. dataset, learningRate).`;
  if (name === 'tf') return '`tf` is TensorFlow.js inside operation code; pick another name.';
  const rivals = section === 'outputs' ? (['outputs'] as const) : SIGNATURE_SECTIONS;
  for (const s of rivals) {
    const clash = entries(op, s).find((e) => e.name === name && !(s === section && e.id === exceptId));
    if (clash) {
      const why = s === section ? '' : ', because the code receives inputs, attributes and references side by side';
      return `${op.name} already has an ${WHAT[s]} called ${name}; pick another name${why}.`;
    }
  }
  if (section !== 'outputs' && parameterNames(op.code).includes(name)) return `${name} is the name of a parameter of the code's run function; pick another name.`;
  return null;
}

/** Splices that bring the code's signature in line with `after`, the operation as the plan leaves it. */
function codeEdits(before: OperationDefinition, after: OperationDefinition, renames: Rename[] = []): { edits: Edit[]; note?: string } {
  const result = syncSignature(before.code, after, renames);
  if (!result.ok) return { edits: [], note: result.problem };
  return { edits: result.edits.map((e) => ({ op: 'splice', path: ['operations', before.id, 'code'], ...e })) };
}

function plan(opId: Id, message: string, edits: Edit[], code?: { edits: Edit[]; note?: string }, now?: number): OperationPlan {
  const all = [...edits, ...(code?.edits ?? []), ...(now !== undefined ? touch(opId, now) : [])];
  return { message, item: item(opId), edits: all, ...(code?.note ? { note: code.note } : {}) };
}

/** Per-field puts and deletes that turn `before` into `after`, so concurrent edits of other fields survive. */
function fieldEdits(path: (string | number)[], before: object, after: object): Edit[] {
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  const out: Edit[] = [];
  for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (a[key] === undefined) {
      if (b[key] !== undefined) out.push(del([...path, key]));
    } else if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) out.push(put([...path, key], a[key]));
  }
  return out;
}

/** Nodes of every pipeline that run this operation. */
export function operationUsers(project: Project, opId: Id): Array<{ pipelineId: Id; pipelineName: string; nodeId: Id; title: string }> {
  const out = [];
  for (const p of Object.values(project.pipelines)) {
    for (const n of Object.values(p.nodes)) {
      if (n.kind === 'operation' && n.operationId === opId) out.push({ pipelineId: p.id, pipelineName: p.name, nodeId: n.id, title: nodeTitle(n, project.operations) });
    }
  }
  return out.sort((a, b) => a.pipelineName.localeCompare(b.pipelineName) || a.title.localeCompare(b.title));
}

// --- Ports ---------------------------------------------------------------------------------------------------

export interface PortSpec {
  name: string;
  type: DataType;
  optional?: boolean;
  description?: string;
}

function checkPortType(type: DataType): string | null {
  return DATA_TYPES.includes(type) ? null : `“${type}” is not a type; use one of ${DATA_TYPES.join(', ')}.`;
}

export function addPort(project: Project, opId: Id, side: PortSide, spec: PortSpec, now: number, id: Id = randomId(side === 'inputs' ? 'in' : 'out')): (OperationPlan & { id: Id }) | { refused: string } {
  const op = project.operations[opId];
  if (!op) return gone;
  const name = spec.name.trim();
  const why = checkEntryName(op, side, name) ?? checkPortType(spec.type);
  if (why) return { refused: why };
  const port: Port = { id, name, type: spec.type, order: nextOrder(op, side) };
  if (spec.optional && side === 'inputs') port.optional = true;
  if (spec.description?.trim()) port.description = spec.description.trim();
  const after = { ...op, [side]: { ...op[side], [id]: port } };
  const code = side === 'inputs' ? codeEdits(op, after) : undefined;
  return { id, ...plan(opId, `added ${WHAT[side]} ${name} to operation ${op.name}`, [put(['operations', opId, side, id], port)], code, now) };
}

/** Rename a port, change its type, or mark it optional; a rename also follows the name through the code. */
export function updatePort(project: Project, opId: Id, side: PortSide, portId: Id, changes: Partial<PortSpec>, now: number): OperationPlanResult {
  const op = project.operations[opId];
  if (!op) return gone;
  const port = op[side][portId];
  if (!port) return missing(side);
  const next: Port = { ...port };
  if (changes.name !== undefined) next.name = changes.name.trim();
  if (changes.type !== undefined) next.type = changes.type;
  if (changes.optional !== undefined) next.optional = changes.optional && side === 'inputs' ? true : undefined;
  if (changes.description !== undefined) next.description = changes.description.trim() || undefined;
  const why = (next.name !== port.name ? checkEntryName(op, side, next.name, portId) : null) ?? checkPortType(next.type);
  if (why) return { refused: why };
  const edits = fieldEdits(['operations', opId, side, portId], port, next);
  if (edits.length === 0) return { message: `edited ${WHAT[side]} ${port.name}`, edits: [] };
  const renamed = next.name !== port.name;
  const code = renamed ? codeEdits(op, { ...op, [side]: { ...op[side], [portId]: next } }, [{ section: side, from: port.name, to: next.name }]) : undefined;
  const parts: string[] = [];
  if (renamed) parts.push(`renamed ${WHAT[side]} ${port.name} to ${next.name}`);
  if (next.type !== port.type) parts.push(`${renamed ? 'made it' : `changed ${WHAT[side]} ${next.name} to`} ${next.type}`);
  if (parts.length === 0) parts.push(`edited ${WHAT[side]} ${next.name}`);
  let note = code?.note;
  if (next.type !== port.type) {
    const broken = edgesOf(project, opId, side, portId).filter(({ fromType, toType }) => !isTypeCompatible(side === 'inputs' ? fromType : next.type, side === 'inputs' ? next.type : toType));
    if (broken.length > 0) note = `${broken.length === 1 ? 'One connection no longer fits' : `${broken.length} connections no longer fit`} the new type; the pipeline checks list ${broken.length === 1 ? 'it' : 'them'}.`;
  }
  return { ...plan(opId, `${parts.join(' and ')} in operation ${op.name}`, edits, code, now), ...(note ? { note } : {}) };
}

/** Pipeline edges that use a port of this operation, with the types at both ends. */
function edgesOf(project: Project, opId: Id, side: PortSide, portId: Id): Array<{ pipelineId: Id; edgeId: Id; fromType: DataType; toType: DataType }> {
  const out = [];
  for (const p of Object.values(project.pipelines)) {
    for (const e of Object.values(p.edges)) {
      const end = side === 'inputs' ? e.to : e.from;
      if (end.port !== portId || p.nodes[end.node]?.operationId !== opId || p.nodes[end.node]?.kind !== 'operation') continue;
      const typeAt = (nodeId: Id, portOf: 'inputs' | 'outputs', id: Id): DataType => {
        const n = p.nodes[nodeId];
        if (!n) return 'any';
        if (n.kind !== 'operation') return n.dataType ?? 'any';
        return project.operations[n.operationId ?? '']?.[portOf][id]?.type ?? 'any';
      };
      out.push({ pipelineId: p.id, edgeId: e.id, fromType: typeAt(e.from.node, 'outputs', e.from.port), toType: typeAt(e.to.node, 'inputs', e.to.port) });
    }
  }
  return out;
}

/** Remove a port together with every pipeline connection to it, so no edge is left pointing at nothing. */
export function removePort(project: Project, opId: Id, side: PortSide, portId: Id, now: number): OperationPlanResult {
  const op = project.operations[opId];
  if (!op) return gone;
  const port = op[side][portId];
  if (!port) return { message: `removed ${WHAT[side]}`, edits: [] };
  const edges = edgesOf(project, opId, side, portId);
  const rest = { ...op[side] };
  delete rest[portId];
  const code = side === 'inputs' ? codeEdits(op, { ...op, [side]: rest }) : undefined;
  const edgeEdits = edges.flatMap((e) => [del(['pipelines', e.pipelineId, 'edges', e.edgeId]), put(['pipelines', e.pipelineId, 'updatedAt'], now)]);
  const suffix = edges.length === 0 ? '' : edges.length === 1 ? ' and its connection' : ` and its ${edges.length} connections`;
  return plan(opId, `removed ${WHAT[side]} ${port.name}${suffix} from operation ${op.name}`, [del(['operations', opId, side, portId]), ...edgeEdits], code, now);
}

/** Move an input, output, attribute or reference one place up (-1) or down (+1); the signature follows the order. */
export function moveEntry(project: Project, opId: Id, section: InterfaceSection, entryId: Id, by: -1 | 1, now: number): OperationPlanResult {
  const op = project.operations[opId];
  if (!op) return gone;
  const list = entries(op, section);
  const at = list.findIndex((e) => e.id === entryId);
  if (at < 0) return missing(section);
  const to = at + by;
  if (to < 0 || to >= list.length) return { message: `moved ${WHAT[section]}`, edits: [] };
  [list[at], list[to]] = [list[to]!, list[at]!];
  const edits = list.flatMap((e, order) => (e.order === order ? [] : [put(['operations', opId, section, e.id, 'order'], order)]));
  const after = { ...op, [section]: Object.fromEntries(list.map((e, order) => [e.id, { ...e, order }])) };
  const code = section === 'outputs' ? undefined : codeEdits(op, after as OperationDefinition);
  return plan(opId, `moved ${WHAT[section]} ${list[to]!.name} ${by < 0 ? 'up' : 'down'} in operation ${op.name}`, edits, code, now);
}

// --- Attributes ----------------------------------------------------------------------------------------------

export function addAttribute(project: Project, opId: Id, spec: AttributeSpec, now: number, id: Id = randomId('at')): (OperationPlan & { id: Id }) | { refused: string } {
  const op = project.operations[opId];
  if (!op) return gone;
  const attr = normalizeAttribute({ ...spec, name: spec.name.trim() }, id, nextOrder(op, 'attributes'));
  const why = checkEntryName(op, 'attributes', attr.name) ?? checkAttributeSchema(attr);
  if (why) return { refused: why };
  const code = codeEdits(op, { ...op, attributes: { ...op.attributes, [id]: attr } });
  return { id, ...plan(opId, `added attribute ${attr.name} to operation ${op.name}`, [put(['operations', opId, 'attributes', id], attr)], code, now) };
}

/**
 * Change an attribute's name or schema. A new type without a new default converts the old default where it can;
 * values set on nodes that no longer fit are kept (never silently lost) and the pipeline checks point at them.
 */
export function updateAttribute(project: Project, opId: Id, attrId: Id, changes: Partial<AttributeSpec>, now: number): OperationPlanResult {
  const op = project.operations[opId];
  if (!op) return gone;
  const attr = op.attributes[attrId];
  if (!attr) return missing('attributes');
  const merged = { ...attr, ...changes, name: (changes.name ?? attr.name).trim() };
  if (changes.type !== undefined && changes.type !== attr.type && !('default' in changes)) merged.default = convertDefault(merged);
  const next = normalizeAttribute(merged, attrId, attr.order);
  const why = (next.name !== attr.name ? checkEntryName(op, 'attributes', next.name, attrId) : null) ?? checkAttributeSchema(next);
  if (why) return { refused: why };
  const edits = fieldEdits(['operations', opId, 'attributes', attrId], attr, next);
  if (edits.length === 0) return { message: `edited attribute ${attr.name}`, edits: [] };
  const renamed = next.name !== attr.name;
  const code = renamed ? codeEdits(op, { ...op, attributes: { ...op.attributes, [attrId]: next } }, [{ section: 'attributes', from: attr.name, to: next.name }]) : undefined;
  const misfits = operationUsers(project, opId).filter((u) => checkAttribute(next, project.pipelines[u.pipelineId]!.nodes[u.nodeId]!.attributes[attrId]) !== null);
  const note = misfits.length > 0 ? `${misfits.map((m) => m.title).join(', ')} ${misfits.length === 1 ? 'has a value' : 'have values'} for ${next.name} that no longer ${misfits.length === 1 ? 'fits' : 'fit'}; the pipeline checks list them.` : code?.note;
  const message = renamed ? `renamed attribute ${attr.name} to ${next.name} in operation ${op.name}` : `edited attribute ${next.name} of operation ${op.name}`;
  return { ...plan(opId, message, edits, code, now), ...(note ? { note } : {}) };
}

/** The old default in a new type: numbers from numeric text, the first option of an enum, and so on. */
function convertDefault(a: AttributeSpec): AttributeSpec['default'] {
  const v = a.default;
  switch (a.type) {
    case 'number':
    case 'integer': {
      let n = typeof v === 'number' ? v : Number(v);
      if (!Number.isFinite(n)) n = 0;
      if (a.type === 'integer') n = Math.round(n);
      if (a.min !== undefined) n = Math.max(a.min, n);
      if (a.max !== undefined) n = Math.min(a.max, n);
      return n;
    }
    case 'boolean':
      return v === true || v === 'true';
    case 'string':
      return String(v);
    case 'enum':
      return a.options?.includes(String(v)) ? String(v) : (a.options?.[0] ?? String(v));
  }
}

/** Remove an attribute and the values nodes set for it. */
export function removeAttribute(project: Project, opId: Id, attrId: Id, now: number): OperationPlanResult {
  const op = project.operations[opId];
  if (!op) return gone;
  const attr = op.attributes[attrId];
  if (!attr) return { message: 'removed attribute', edits: [] };
  const rest = { ...op.attributes };
  delete rest[attrId];
  const values = operationUsers(project, opId).filter((u) => project.pipelines[u.pipelineId]!.nodes[u.nodeId]!.attributes[attrId] !== undefined);
  const valueEdits = values.map((u) => del(['pipelines', u.pipelineId, 'nodes', u.nodeId, 'attributes', attrId]));
  return plan(opId, `removed attribute ${attr.name} from operation ${op.name}`, [del(['operations', opId, 'attributes', attrId]), ...valueEdits], codeEdits(op, { ...op, attributes: rest }), now);
}

// --- References ----------------------------------------------------------------------------------------------

export interface ReferenceSpec {
  name: string;
  kind: ReferenceKind;
  optional?: boolean;
}

const checkKind = (kind: ReferenceKind) => (REFERENCE_KINDS.includes(kind) ? null : `A reference points to one of ${REFERENCE_KINDS.join(', ')}, not “${kind}”.`);

export function addReference(project: Project, opId: Id, spec: ReferenceSpec, now: number, id: Id = randomId('rf')): (OperationPlan & { id: Id }) | { refused: string } {
  const op = project.operations[opId];
  if (!op) return gone;
  const name = spec.name.trim();
  const why = checkEntryName(op, 'references', name) ?? checkKind(spec.kind);
  if (why) return { refused: why };
  const ref: ReferenceSchema = { id, name, kind: spec.kind, order: nextOrder(op, 'references'), ...(spec.optional ? { optional: true } : {}) };
  const code = codeEdits(op, { ...op, references: { ...op.references, [id]: ref } });
  return { id, ...plan(opId, `added reference ${name} to operation ${op.name}`, [put(['operations', opId, 'references', id], ref)], code, now) };
}

/** Rename a reference or change what it points to; node targets of the old kind are cleared, as they cannot fit. */
export function updateReference(project: Project, opId: Id, refId: Id, changes: Partial<ReferenceSpec>, now: number): OperationPlanResult {
  const op = project.operations[opId];
  if (!op) return gone;
  const ref = op.references[refId];
  if (!ref) return missing('references');
  const next: ReferenceSchema = { ...ref, name: (changes.name ?? ref.name).trim(), kind: changes.kind ?? ref.kind };
  if (changes.optional !== undefined) next.optional = changes.optional || undefined;
  const why = (next.name !== ref.name ? checkEntryName(op, 'references', next.name, refId) : null) ?? checkKind(next.kind);
  if (why) return { refused: why };
  const edits = fieldEdits(['operations', opId, 'references', refId], ref, next);
  if (edits.length === 0) return { message: `edited reference ${ref.name}`, edits: [] };
  if (next.kind !== ref.kind) {
    for (const u of operationUsers(project, opId)) {
      if (project.pipelines[u.pipelineId]!.nodes[u.nodeId]!.references[refId] !== undefined) edits.push(del(['pipelines', u.pipelineId, 'nodes', u.nodeId, 'references', refId]));
    }
  }
  const renamed = next.name !== ref.name;
  const code = renamed ? codeEdits(op, { ...op, references: { ...op.references, [refId]: next } }, [{ section: 'references', from: ref.name, to: next.name }]) : undefined;
  const message = renamed ? `renamed reference ${ref.name} to ${next.name} in operation ${op.name}` : `edited reference ${next.name} of operation ${op.name}`;
  return plan(opId, message, edits, code, now);
}

export function removeReference(project: Project, opId: Id, refId: Id, now: number): OperationPlanResult {
  const op = project.operations[opId];
  if (!op) return gone;
  const ref = op.references[refId];
  if (!ref) return { message: 'removed reference', edits: [] };
  const rest = { ...op.references };
  delete rest[refId];
  const targets = operationUsers(project, opId).filter((u) => project.pipelines[u.pipelineId]!.nodes[u.nodeId]!.references[refId] !== undefined);
  const edits = [del(['operations', opId, 'references', refId]), ...targets.map((u) => del(['pipelines', u.pipelineId, 'nodes', u.nodeId, 'references', refId]))];
  return plan(opId, `removed reference ${ref.name} from operation ${op.name}`, edits, codeEdits(op, { ...op, references: rest }), now);
}

// --- The operation as a whole --------------------------------------------------------------------------------

const COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/;

/** Name, category, colour and description. */
export function updateOperationInfo(project: Project, opId: Id, changes: { name?: string; category?: string; color?: string; description?: string }, now: number): PlanResult {
  const op = project.operations[opId];
  if (!op) return gone;
  const next = { name: op.name, category: op.category, color: op.color, description: op.description };
  if (changes.name !== undefined) {
    const why = checkName(changes.name, 'operation');
    if (why) return { refused: why };
    next.name = changes.name.trim();
  }
  if (changes.category !== undefined) {
    next.category = changes.category.trim() || 'Custom';
    if (next.category.length > 60) return { refused: 'Keep the category under 60 characters.' };
  }
  if (changes.color !== undefined) {
    if (!COLOR.test(changes.color)) return { refused: `“${changes.color}” is not a colour; use a hex colour like #6366f1.` };
    next.color = changes.color;
  }
  if (changes.description !== undefined) {
    if (changes.description.length > 20_000) return { refused: 'That description is very long; keep it under 20,000 characters.' };
    next.description = changes.description;
  }
  const current = { name: op.name, category: op.category, color: op.color, description: op.description };
  const edits = fieldEdits(['operations', opId], current, next);
  if (edits.length === 0) return { message: 'edited operation', edits: [] };
  const what = Object.keys(changes).filter((k) => next[k as keyof typeof next] !== current[k as keyof typeof current]);
  return plan(opId, `changed the ${what.join(' and ').replace('color', 'colour')} of operation ${op.name}`, edits, undefined, now);
}

/** A copy to change freely: a new id, "X (copy)", and no library source, since it no longer is the library's. */
export function duplicateOperation(project: Project, opId: Id, now: number, id: Id = randomId('op')): (Plan & { id: Id }) | { refused: string } {
  const op = project.operations[opId];
  if (!op) return gone;
  const copy = JSON.parse(JSON.stringify(op)) as OperationDefinition;
  delete copy.source;
  copy.id = id;
  copy.name = uniqueName(`${op.name} (copy)`, Object.values(project.operations).map((o) => o.name));
  copy.createdAt = now;
  copy.updatedAt = now;
  return { id, message: `duplicated operation ${op.name} as ${copy.name}`, item: item(id), edits: [put(['operations', id], copy), put(['updatedAt'], now)] };
}

/** Bring the code's signature in line with the interface, e.g. after someone edited the signature by hand. */
export function updateSignature(project: Project, opId: Id, now: number): OperationPlanResult {
  const op = project.operations[opId];
  if (!op) return gone;
  const code = codeEdits(op, op);
  if (code.note) return { refused: code.note };
  if (code.edits.length === 0) return { message: 'updated the signature', edits: [] };
  return plan(opId, `updated the signature of operation ${op.name}`, [], code, now);
}
