/**
 * The code side of an operation's interface. Operation code is JavaScript whose default export is
 * `async function run(inputs, attributes, references, ctx)`; each of the first three parameters is either a name
 * (`attrs`, used as `attrs.epochs`) or an object pattern that lists what it takes (`{ dataset, labels }`).
 * This module reads that signature with acorn and rewrites only the spans that must change when the interface
 * changes, as splices, so that a collaborator's concurrent edits of the body merge with ours.
 */
import { parse } from 'acorn';
import type { OperationDefinition } from './types';

export { isIdentifier } from './identifier';

/** The interface sections the code receives as arguments, in parameter order. */
export const SIGNATURE_SECTIONS = ['inputs', 'attributes', 'references'] as const;
export type SignatureSection = (typeof SIGNATURE_SECTIONS)[number];
export type InterfaceSection = SignatureSection | 'outputs';

/** A replacement of `remove` characters at `index` by `insert`. */
export interface TextEdit {
  index: number;
  remove: number;
  insert: string;
}

/** A renamed port, attribute or reference, so that code using the old name can follow. */
export interface Rename {
  section: InterfaceSection;
  from: string;
  to: string;
}

export type SyncResult =
  /** `edits` turn the old code into `code`: sorted by descending index and disjoint, so they apply one after another. */
  | { ok: true; code: string; edits: TextEdit[] }
  /** The code was left unchanged; `problem` says why, in words for the user. */
  | { ok: false; code: string; problem: string };

export interface SyntaxProblem {
  /** 1-based line and column. */
  line: number;
  column: number;
  /** 0-based character offset. */
  index: number;
  message: string;
  severity: 'error' | 'warning';
}

// ---------------------------------------------------------------------------------------------------------------
// A loose view of ESTree nodes: enough to walk any of them without a type per node kind.

interface AnyNode {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

const isNode = (v: unknown): v is AnyNode => v !== null && typeof v === 'object' && typeof (v as AnyNode).type === 'string';
const PARSE = { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true } as const;
const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

function parseModule(code: string): AnyNode {
  return parse(code, PARSE) as unknown as AnyNode;
}

/** Syntax errors for the editor's linter, as the user types. Acorn stops at the first error, so there is at most one. */
export function checkSyntax(code: string): SyntaxProblem[] {
  let program: AnyNode;
  try {
    program = parseModule(code);
  } catch (err) {
    const e = err as SyntaxError & { pos?: number; loc?: { line: number; column: number } };
    const index = Math.min(e.pos ?? 0, code.length);
    const message = String(e.message).replace(/\s*\(\d+:\d+\)$/, '');
    return [{ ...lineColumn(code, index), index, message, severity: 'error' }];
  }
  if (!findRun(program)) {
    return [{ line: 1, column: 1, index: 0, severity: 'warning', message: 'The engine calls the default export: write `export default async function run(inputs, attributes, references, ctx) { … }`.' }];
  }
  return [];
}

function lineColumn(code: string, index: number): { line: number; column: number } {
  const before = code.slice(0, index).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

/** The function the engine calls: the default export, or the top-level function a bare `export default run` names. */
function findRun(program: AnyNode): AnyNode | undefined {
  const body = program.body as AnyNode[];
  const exp = body.find((n) => n.type === 'ExportDefaultDeclaration');
  const decl = exp?.declaration as AnyNode | undefined;
  if (!decl) return undefined;
  if (FUNCTIONS.has(decl.type)) return decl;
  if (decl.type === 'Identifier') {
    return body.find((n) => n.type === 'FunctionDeclaration' && (n.id as AnyNode | null)?.name === decl.name);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Walking a function and sorting its identifiers into bindings, references and names that are not variables.

interface Occurrence {
  node: AnyNode;
  binding: boolean;
  /** The value of a shorthand property (`{ dataset }`): renaming it must keep the key. */
  shorthand: boolean;
}

/** Every identifier that names a variable inside `root` (keys, member properties and labels are not variables). */
function variables(root: AnyNode): Occurrence[] {
  const out: Occurrence[] = [];
  const visit = (node: AnyNode, parent: AnyNode | undefined, key: string, binding: boolean, shorthand: boolean): void => {
    if (node.type === 'Identifier') {
      if (parent && !parent.computed && ((parent.type === 'MemberExpression' && key === 'property') || (key === 'key' && /Property|MethodDefinition/.test(parent.type)))) return;
      if (parent && key === 'label') return;
      out.push({ node, binding, shorthand });
      return;
    }
    if (node.type === 'MetaProperty') return;
    for (const [k, value] of Object.entries(node)) {
      if (k === 'type' || k === 'start' || k === 'end' || k === 'loc') continue;
      for (const child of Array.isArray(value) ? value : [value]) {
        if (!isNode(child)) continue;
        let b = false;
        let sh = false;
        if (FUNCTIONS.has(node.type) && (k === 'params' || k === 'id')) b = true;
        else if (/^Class(Declaration|Expression)$/.test(node.type) && k === 'id') b = true;
        else if ((node.type === 'VariableDeclarator' && k === 'id') || (node.type === 'CatchClause' && k === 'param')) b = true;
        else if (/^(ObjectPattern|ArrayPattern|RestElement)$/.test(node.type)) b = binding;
        else if (node.type === 'AssignmentPattern' && k === 'left') {
          b = binding;
          sh = shorthand;
        } else if (node.type === 'Property' && k === 'value') {
          b = parent?.type === 'ObjectPattern' ? binding : false;
          sh = node.shorthand === true;
        }
        visit(child, node, k, b, sh);
      }
    }
  };
  visit(root, undefined, '', false, false);
  return out;
}

/** Property name of a non-computed key, or undefined. */
function keyName(prop: AnyNode): string | undefined {
  if (prop.computed) return undefined;
  const key = prop.key as AnyNode;
  if (key.type === 'Identifier') return key.name as string;
  if (key.type === 'Literal' && typeof key.value === 'string') return key.value;
  return undefined;
}

/** Every node under `root` for which `test` holds, outermost first. */
function collect(root: AnyNode, test: (n: AnyNode) => boolean, skip?: (n: AnyNode) => boolean): AnyNode[] {
  const out: AnyNode[] = [];
  const walk = (n: AnyNode): void => {
    if (test(n)) out.push(n);
    if (n !== root && skip?.(n)) return;
    for (const [k, v] of Object.entries(n)) {
      if (k === 'loc') continue;
      for (const c of Array.isArray(v) ? v : [v]) if (isNode(c)) walk(c);
    }
  };
  walk(root);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The signature.

type ParamShape =
  | { kind: 'missing' }
  | { kind: 'identifier'; node: AnyNode; name: string }
  | { kind: 'pattern'; node: AnyNode }
  | { kind: 'other'; node: AnyNode };

function shapeOf(param: AnyNode | undefined): ParamShape {
  if (!param) return { kind: 'missing' };
  const target = param.type === 'AssignmentPattern' ? (param.left as AnyNode) : param;
  if (target.type === 'Identifier') return { kind: 'identifier', node: target, name: target.name as string };
  if (target.type === 'ObjectPattern') return { kind: 'pattern', node: target };
  return { kind: 'other', node: target };
}

/** What the code's parameters are called, so that an interface name cannot clash with them (`ctx`, `attrs`). */
export function parameterNames(code: string): string[] {
  try {
    const fn = findRun(parseModule(code));
    return ((fn?.params as AnyNode[] | undefined) ?? []).map(shapeOf).flatMap((s) => (s.kind === 'identifier' ? [s.name] : []));
  } catch {
    return [];
  }
}

function namesOf(op: OperationDefinition, section: InterfaceSection): string[] {
  return Object.values(op[section] as Record<string, { name: string; order: number; id: string }>)
    .sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : 1))
    .map((e) => e.name);
}

/**
 * The code with its `run` signature regenerated from the interface (ordered by `order`); everything else is kept
 * byte for byte, except that a rename also follows the renamed name through the function where that is safe
 * (`dataset` → `data` in the body, `attrs.epochs` → `attrs.numEpochs`, `return { model }` → `return { net: model }`).
 * Where it is not safe (the name is declared again inside), the pattern aliases instead: `{ data: dataset }`.
 * A parameter that is a name stays a name, unless it is the unused placeholder (`inputs`) of a section that now
 * has entries. Code that does not parse is left unchanged and the problem says so.
 */
export function syncSignature(code: string, op: OperationDefinition, renames: Rename[] = []): SyncResult {
  let program: AnyNode;
  try {
    program = parseModule(code);
  } catch (err) {
    const line = (err as { loc?: { line: number } }).loc?.line;
    return { ok: false, code, problem: `The code has a syntax error${line ? ` on line ${line}` : ''}, so its signature was left as it is; fix the error, then use “Update signature”.` };
  }
  const fn = findRun(program);
  if (!fn) return { ok: false, code, problem: 'The code has no `export default async function run(…)`, so no signature was updated.' };
  const params = fn.params as AnyNode[];
  const vars = variables(fn);
  const edits: TextEdit[] = [];
  const replace = (node: { start: number; end: number }, insert: string) => edits.push({ index: node.start, remove: node.end - node.start, insert });
  const paramNames = params.map(shapeOf).flatMap((s) => (s.kind === 'identifier' ? [s.name] : []));

  const missing: Array<{ index: number; text: string }> = [];
  SIGNATURE_SECTIONS.forEach((section, i) => {
    const shape = shapeOf(params[i]);
    const wanted = namesOf(op, section);
    const rename = renames.find((r) => r.section === section);
    if (shape.kind === 'pattern') {
      const text = regeneratePattern(code, shape.node, wanted, rename, vars, replace);
      if (text !== undefined) replace(shape.node, text || (paramNames.includes(section) ? '{}' : section));
    } else if (shape.kind === 'identifier') {
      if (rename) renameMembers(fn, shape.name, rename, vars, replace);
      const used = vars.some((v) => v.node !== shape.node && v.node.name === shape.name);
      if (wanted.length > 0 && shape.name === section && !used) replace(shape.node, `{ ${wanted.join(', ')} }`);
    } else if (shape.kind === 'missing') {
      missing.push({ index: i, text: wanted.length > 0 ? `{ ${wanted.join(', ')} }` : section });
    }
  });
  const outputRename = renames.find((r) => r.section === 'outputs');
  if (outputRename) renameReturnedKeys(fn, outputRename, replace);

  // Parameters the code leaves out are added only as far as the last one that receives something.
  let lastNeeded = -1;
  missing.forEach((m, i) => {
    if (!SIGNATURE_SECTIONS.includes(m.text as SignatureSection)) lastNeeded = i;
  });
  if (lastNeeded >= 0) {
    if (params.some((p) => p.type === 'RestElement')) return { ok: false, code, problem: 'The run function takes `...rest` parameters, so no signature was updated; list the parameters one by one.' };
    const at = insertionPoint(code, fn);
    if (at === undefined) return { ok: false, code, problem: 'Wrap the run function’s parameter in parentheses so that the signature can be updated.' };
    const text = missing.slice(0, lastNeeded + 1).map((m) => m.text).join(', ');
    edits.push({ index: at, remove: 0, insert: params.length > 0 ? `, ${text}` : text });
  }
  return finish(code, edits);
}

/** Sort, drop no-ops and check that no two edits overlap; overlapping edits mean this module has a bug. */
function finish(code: string, raw: TextEdit[]): SyncResult {
  const edits = raw
    .filter((e) => e.remove > 0 || e.insert.length > 0)
    .filter((e) => code.slice(e.index, e.index + e.remove) !== e.insert)
    .sort((a, b) => b.index - a.index || b.remove - a.remove);
  const unique = edits.filter((e, i) => i === 0 || !(e.index === edits[i - 1]!.index && e.remove === edits[i - 1]!.remove && e.insert === edits[i - 1]!.insert));
  for (let i = 1; i < unique.length; i++) {
    if (unique[i]!.index + unique[i]!.remove > unique[i - 1]!.index) return { ok: false, code, problem: 'The signature could not be updated without touching the same text twice; edit it by hand.' };
  }
  let out = code;
  for (const e of unique) out = out.slice(0, e.index) + e.insert + out.slice(e.index + e.remove);
  return { ok: true, code: out, edits: unique };
}

/** Where new parameters go: after the last one, or just inside the parentheses of `run()`. */
function insertionPoint(code: string, fn: AnyNode): number | undefined {
  const params = fn.params as AnyNode[];
  if (params.length > 0) {
    const last = params.at(-1)!;
    if (fn.type === 'ArrowFunctionExpression' && !code.slice(fn.start, params[0]!.start).includes('(')) return undefined;
    return last.end;
  }
  const from = (fn.id as AnyNode | null)?.end ?? fn.start;
  const open = code.indexOf('(', from);
  return open >= 0 && open < (fn.body as AnyNode).start ? open + 1 : undefined;
}

/**
 * The new text of an object pattern, or undefined when it already lists the wanted names in order (so that hand
 * formatting survives). Properties that stay keep their text (`dataset: ds`, `epochs = 5`).
 */
function regeneratePattern(
  code: string,
  pattern: AnyNode,
  wanted: string[],
  rename: Rename | undefined,
  vars: Occurrence[],
  replace: (node: { start: number; end: number }, insert: string) => void,
): string | undefined {
  const props = (pattern.properties as AnyNode[]).filter((p) => p.type === 'Property');
  const rest = (pattern.properties as AnyNode[]).find((p) => p.type === 'RestElement');
  const byKey = new Map<string, AnyNode>();
  for (const p of props) {
    const k = keyName(p);
    if (k !== undefined && !byKey.has(k)) byKey.set(k, p);
  }
  const renamed = rename ? byKey.get(rename.from) : undefined;
  const current = props.map((p) => {
    const k = keyName(p);
    return p === renamed ? rename!.to : k;
  });
  if (!renamed && current.length === wanted.length && current.every((k, i) => k === wanted[i])) return undefined;

  const items = wanted.map((name) => {
    if (renamed && name === rename!.to) return renameProperty(code, renamed, rename!, vars, replace);
    const p = name === rename?.from ? undefined : byKey.get(name);
    return p ? code.slice(p.start, p.end) : name;
  });
  if (rest) items.push(code.slice(rest.start, rest.end));
  if (items.length === 0) return '';
  const original = code.slice(pattern.start, pattern.end);
  if (!original.includes('\n')) return `{ ${items.join(', ')} }`;
  const lineStart = (i: number) => code.lastIndexOf('\n', i - 1) + 1;
  const first = (pattern.properties as AnyNode[])[0];
  const before = first ? code.slice(lineStart(first.start), first.start) : 'x';
  const indent = /^[ \t]*$/.test(before) ? before : `${code.slice(lineStart(pattern.start)).match(/^[ \t]*/)![0]}  `;
  const closing = code.slice(lineStart(pattern.end - 1), pattern.end - 1);
  const closingIndent = /^\s*$/.test(closing) ? closing : code.slice(lineStart(pattern.start)).match(/^[ \t]*/)![0];
  const trailing = /,\s*$/.test(code.slice(pattern.start, pattern.end - 1));
  return `{\n${items.map((t) => indent + t).join(',\n')}${trailing ? ',' : ''}\n${closingIndent}}`;
}

/**
 * The text of a renamed property of the signature; renaming a shorthand binding also renames its uses in the
 * function when no other declaration of either name could be confused with it, and aliases it otherwise.
 */
function renameProperty(code: string, prop: AnyNode, rename: Rename, vars: Occurrence[], replace: (node: { start: number; end: number }, insert: string) => void): string {
  const valueText = code.slice((prop.value as AnyNode).start, prop.end);
  if (!prop.shorthand) return `${rename.to}: ${code.slice((prop.value as AnyNode).start, prop.end)}`;
  const binding = vars.find((v) => v.binding && v.node.start === (prop.key as AnyNode).start);
  const others = vars.filter((v) => v !== binding);
  const safe = others.every((v) => v.node.name !== rename.to) && !others.some((v) => v.binding && v.node.name === rename.from);
  if (!safe) return `${rename.to}: ${valueText}`;
  for (const v of others) {
    if (v.node.name === rename.from) replace(v.node, v.shorthand ? `${rename.from}: ${rename.to}` : rename.to);
  }
  return `${rename.to}${code.slice((prop.key as AnyNode).end, prop.end)}`;
}

/** `attrs.epochs` → `attrs.numEpochs`, and `const { epochs } = attrs` → `const { numEpochs: epochs } = attrs`. */
function renameMembers(fn: AnyNode, param: string, rename: Rename, vars: Occurrence[], replace: (node: { start: number; end: number }, insert: string) => void): void {
  const declarations = vars.filter((v) => v.binding && v.node.name === param);
  if (declarations.length !== 1) return; // declared again somewhere: `attrs` may mean something else there
  const isParam = (n: unknown) => isNode(n) && n.type === 'Identifier' && n.name === param;
  for (const m of collect(fn, (n) => n.type === 'MemberExpression' && isParam(n.object))) {
    const prop = m.property as AnyNode;
    if (!m.computed && prop.type === 'Identifier' && prop.name === rename.from) replace(prop, rename.to);
    else if (m.computed && prop.type === 'Literal' && prop.value === rename.from) replace(prop, JSON.stringify(rename.to));
  }
  const sources = collect(fn, (n) => (n.type === 'VariableDeclarator' && isParam(n.init)) || (n.type === 'AssignmentExpression' && isParam(n.right)));
  for (const s of sources) {
    const pattern = (s.type === 'VariableDeclarator' ? s.id : s.left) as AnyNode;
    if (pattern.type !== 'ObjectPattern') continue;
    for (const p of pattern.properties as AnyNode[]) {
      if (p.type !== 'Property' || keyName(p) !== rename.from) continue;
      replace(p.key as AnyNode, p.shorthand ? `${rename.to}: ${rename.from}` : rename.to);
    }
  }
}

/** `return { model }` → `return { net: model }` for a renamed output, in the run function's own returns. */
function renameReturnedKeys(fn: AnyNode, rename: Rename, replace: (node: { start: number; end: number }, insert: string) => void): void {
  const returned: AnyNode[] = [];
  if (fn.type === 'ArrowFunctionExpression' && (fn.body as AnyNode).type !== 'BlockStatement') returned.push(fn.body as AnyNode);
  for (const r of collect(fn, (n) => n.type === 'ReturnStatement', (n) => FUNCTIONS.has(n.type))) if (r.argument) returned.push(r.argument as AnyNode);
  for (const value of returned) {
    const obj = value.type === 'AwaitExpression' ? (value.argument as AnyNode) : value;
    if (obj.type !== 'ObjectExpression') continue;
    for (const p of obj.properties as AnyNode[]) {
      if (p.type !== 'Property' || keyName(p) !== rename.from) continue;
      replace(p.key as AnyNode, p.shorthand ? `${rename.to}: ${rename.from}` : rename.to);
    }
  }
}

/** Whether the code's signature already matches the interface (nothing for “Update signature” to do). */
export function signatureInSync(code: string, op: OperationDefinition): boolean {
  const result = syncSignature(code, op);
  return !result.ok || result.edits.length === 0;
}
