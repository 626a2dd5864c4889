/**
 * An operation on its own, outside any project: the versioned JSON file "Export operation" writes, the checks
 * that anything read from outside (a file, this device's library) must pass, and the attribute schema rules they
 * share with the editor. A bad file is refused with what is wrong with it; nothing half-valid is written.
 */
import { randomId } from '../lib/ids';
import { put, type Plan, type Refusal } from './plan';
import { checkName, uniqueName } from './project';
import { isIdentifier } from './identifier';
import { ATTRIBUTE_TYPES, DATA_TYPES, REFERENCE_KINDS, type AttributeSchema, type Id, type OperationDefinition, type Project } from './types';
import { checkAttribute } from './validation';

export const OPERATION_FORMAT = 'deepforge/operation';
export const OPERATION_FORMAT_VERSION = 1;

export interface OperationFile {
  format: typeof OPERATION_FORMAT;
  version: number;
  operation: OperationDefinition;
}

/** An attribute as the editor describes it: the schema without its id and order. */
export type AttributeSpec = Omit<AttributeSchema, 'id' | 'order'>;

/** The schema with only the fields its type uses (no `max` on a boolean) and no empty ones. */
export function normalizeAttribute(spec: AttributeSpec, id: Id, order: number): AttributeSchema {
  const a: AttributeSchema = { id, name: spec.name, type: spec.type, default: spec.default, order };
  const finite = (n: unknown) => typeof n === 'number' && Number.isFinite(n);
  if (spec.type === 'number' || spec.type === 'integer') {
    if (finite(spec.min)) a.min = spec.min;
    if (finite(spec.max)) a.max = spec.max;
  }
  if (spec.type === 'string' && spec.pattern) a.pattern = spec.pattern;
  if (spec.type === 'enum') a.options = (spec.options ?? []).map((o) => String(o).trim()).filter(Boolean);
  if (spec.description?.trim()) a.description = spec.description.trim();
  return a;
}

/** What is wrong with an attribute's schema (its default included), or null. */
export function checkAttributeSchema(a: AttributeSchema): string | null {
  if (!ATTRIBUTE_TYPES.includes(a.type)) return `${a.name}: “${String(a.type)}” is not an attribute type; use one of ${ATTRIBUTE_TYPES.join(', ')}.`;
  if (a.min !== undefined && a.max !== undefined && a.min > a.max) return `${a.name}: the minimum (${a.min}) is above the maximum (${a.max}).`;
  if (a.pattern !== undefined) {
    if (a.pattern.length > 500) return `${a.name}: keep the pattern under 500 characters.`;
    try {
      new RegExp(a.pattern);
    } catch (err) {
      return `${a.name}: the pattern is not a valid regular expression (${(err as Error).message}).`;
    }
  }
  if (a.type === 'enum') {
    const options = a.options ?? [];
    if (options.length === 0) return `${a.name}: a choice needs at least one option.`;
    const twice = options.find((o, i) => options.indexOf(o) !== i);
    if (twice !== undefined) return `${a.name}: the option “${twice}” is listed twice.`;
  }
  if (a.default === undefined || a.default === null) return `${a.name} needs a default value.`;
  const why = checkAttribute(a, a.default);
  return why ? `The default does not fit: ${why}` : null;
}

// --- Reading an operation from outside -----------------------------------------------------------------------

const COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/;
const ID = /^[\w.\-:@]{1,200}$/;
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A clean operation built from untrusted data, field by field (unknown fields are dropped), or every problem
 * found, each naming where it is (`inputs.x: …`).
 */
export function readOperation(value: unknown): { operation: OperationDefinition } | { problems: string[] } {
  if (!isObject(value)) return { problems: ['There is no operation in it.'] };
  const problems: string[] = [];
  const text = (key: string, fallback: string, max: number): string => {
    const v = value[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'string') problems.push(`Its ${key} is not text.`);
    else if (v.length > max) problems.push(`Its ${key} is longer than ${max.toLocaleString('en')} characters.`);
    else return v;
    return fallback;
  };
  const id = value.id;
  if (typeof id !== 'string' || !ID.test(id)) problems.push('Its id is missing or has characters other than letters, digits and . _ - : @.');
  const name = text('name', '', 200);
  const nameProblem = checkName(name, 'operation');
  if (nameProblem) problems.push(nameProblem);
  const color = text('color', '#6366f1', 20);
  if (!COLOR.test(color)) problems.push(`Its colour “${color}” is not a hex colour like #6366f1.`);
  const code = typeof value.code === 'string' ? value.code : (problems.push('It has no code.'), '');
  if (code.length > 1_000_000) problems.push('Its code is longer than a million characters.');
  const time = (key: string) => (typeof value[key] === 'number' && Number.isFinite(value[key]) ? (value[key] as number) : 0);

  const op: OperationDefinition = {
    id: typeof id === 'string' ? id : '',
    name: name.trim(),
    description: text('description', '', 20_000),
    category: text('category', 'Custom', 60).trim() || 'Custom',
    color,
    inputs: {},
    outputs: {},
    attributes: {},
    references: {},
    code,
    createdAt: time('createdAt'),
    updatedAt: time('updatedAt'),
  };
  if (typeof value.source === 'string' && value.source.length <= 200) op.source = value.source;

  const seen = { signature: new Set<string>(), outputs: new Set<string>() };
  for (const section of ['inputs', 'outputs', 'attributes', 'references'] as const) {
    const map = value[section] ?? {};
    if (!isObject(map)) {
      problems.push(`Its ${section} are not a map from id to ${section.slice(0, -1)}.`);
      continue;
    }
    Object.entries(map).forEach(([key, raw], index) => {
      const where = `${section}.${key}`;
      if (!isObject(raw)) return void problems.push(`${where} is not an object.`);
      if (!ID.test(key) || (raw.id !== undefined && raw.id !== key)) return void problems.push(`${where} has an id that does not match its key.`);
      const entryName = raw.name;
      if (typeof entryName !== 'string' || !isIdentifier(entryName)) return void problems.push(`${where} has the name “${String(entryName)}”, which code cannot use.`);
      const names = section === 'outputs' ? seen.outputs : seen.signature;
      if (names.has(entryName)) return void problems.push(`${where}: the name ${entryName} is used twice.`);
      names.add(entryName);
      const order = typeof raw.order === 'number' && Number.isFinite(raw.order) ? raw.order : index;
      const description = typeof raw.description === 'string' && raw.description.trim() ? raw.description.trim().slice(0, 2000) : undefined;
      if (section === 'inputs' || section === 'outputs') {
        if (!DATA_TYPES.includes(raw.type as never)) return void problems.push(`${where} has the type “${String(raw.type)}”; use one of ${DATA_TYPES.join(', ')}.`);
        op[section][key] = { id: key, name: entryName, type: raw.type as never, order, ...(raw.optional === true && section === 'inputs' ? { optional: true } : {}), ...(description ? { description } : {}) };
      } else if (section === 'references') {
        if (!REFERENCE_KINDS.includes(raw.kind as never)) return void problems.push(`${where} points to “${String(raw.kind)}”; use one of ${REFERENCE_KINDS.join(', ')}.`);
        op.references[key] = { id: key, name: entryName, kind: raw.kind as never, order, ...(raw.optional === true ? { optional: true } : {}) };
      } else {
        const attr = normalizeAttribute({ ...(raw as unknown as AttributeSpec), name: entryName, ...(description ? { description } : {}) }, key, order);
        if (attr.type === 'enum' && !Array.isArray(raw.options)) return void problems.push(`${where} is a choice without a list of options.`);
        const why = checkAttributeSchema(attr);
        if (why) return void problems.push(`${where}: ${why}`);
        op.attributes[key] = attr;
      }
    });
  }
  return problems.length > 0 ? { problems } : { operation: op };
}

// --- The file ------------------------------------------------------------------------------------------------

/** The file "Export operation" writes: versioned, readable, and complete enough to import anywhere. */
export function exportOperation(op: OperationDefinition): string {
  const file: OperationFile = { format: OPERATION_FORMAT, version: OPERATION_FORMAT_VERSION, operation: JSON.parse(JSON.stringify(op)) as OperationDefinition };
  return `${JSON.stringify(file, null, 2)}\n`;
}

export function operationFileName(op: OperationDefinition): string {
  const slug = op.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
  return `${slug || 'operation'}.operation.json`;
}

const sameContent = (a: OperationDefinition, b: OperationDefinition) => {
  const strip = ({ createdAt: _c, updatedAt: _u, ...rest }: OperationDefinition) => rest;
  return JSON.stringify(sortKeys(strip(a))) === JSON.stringify(sortKeys(strip(b)));
};
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isObject(v)) return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
}

/**
 * Add an exported operation to a project. Refused, with what is wrong, unless the file is a valid operation file
 * of a version this DeepForge reads. An operation whose id the project already uses for something different is
 * imported under a fresh id; the very same operation is not imported twice (`existing` says so).
 */
export function importOperation(project: Project, text: string, now: number, freshId: Id = randomId('op')): (Plan & { id: Id; existing?: boolean }) | Refusal {
  if (text.length > 5_000_000) return { refused: 'That file is too large to be an operation (over 5 MB).' };
  let file: unknown;
  try {
    file = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    return { refused: `That file is not JSON (${(err as Error).message}). Choose a file made with “Export operation”.` };
  }
  if (!isObject(file) || file.format !== OPERATION_FORMAT) {
    return { refused: 'That file is not a DeepForge operation: it has no `"format": "deepforge/operation"`. Choose a file made with “Export operation”.' };
  }
  if (typeof file.version !== 'number' || !Number.isInteger(file.version) || file.version < 1) return { refused: 'That operation file has no valid version number.' };
  if (file.version > OPERATION_FORMAT_VERSION) {
    return { refused: `That operation was exported by a newer DeepForge (format version ${file.version}); update DeepForge (reload the page) to import it.` };
  }
  const read = readOperation(file.operation);
  if ('problems' in read) {
    const shown = read.problems.slice(0, 4).join(' ');
    const more = read.problems.length > 4 ? ` (and ${read.problems.length - 4} more problems)` : '';
    return { refused: `That file is not a valid operation: ${shown}${more}` };
  }
  const op = read.operation;
  const existing = project.operations[op.id];
  if (existing && sameContent(existing, op)) return { id: op.id, existing: true, message: `operation ${op.name} is already in this project`, edits: [] };
  if (existing) op.id = freshId;
  const others = Object.values(project.operations).map((o) => o.name);
  op.name = uniqueName(op.name, others);
  op.createdAt = op.createdAt || now;
  op.updatedAt = now;
  return { id: op.id, message: `imported operation ${op.name}`, item: `operations/${op.id}`, edits: [put(['operations', op.id], op), put(['updatedAt'], now)] };
}
