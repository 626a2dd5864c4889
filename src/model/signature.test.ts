import { describe, expect, it } from 'vitest';
import { CORE_OPERATIONS, coreOperation } from './library/core';
import { NEW_OPERATION_CODE } from './project';
import { checkSyntax, isIdentifier, parameterNames, syncSignature, type Rename, type TextEdit } from './signature';
import type { OperationDefinition } from './types';

/** An operation with the given names in each section (ids = names, ordered as listed). */
function op(code: string, names: { inputs?: string[]; outputs?: string[]; attributes?: string[]; references?: string[] } = {}): OperationDefinition {
  const base = coreOperation('core.load-iris');
  const ports = (list: string[] = []) => Object.fromEntries(list.map((n, order) => [n, { id: n, name: n, type: 'any' as const, order }]));
  return {
    ...base,
    code,
    inputs: ports(names.inputs),
    outputs: ports(names.outputs),
    attributes: Object.fromEntries((names.attributes ?? []).map((n, order) => [n, { id: n, name: n, type: 'number' as const, default: 0, order }])),
    references: Object.fromEntries((names.references ?? []).map((n, order) => [n, { id: n, name: n, kind: 'architecture' as const, order }])),
  };
}

function applyEdits(code: string, edits: TextEdit[]): string {
  for (const e of edits) code = code.slice(0, e.index) + e.insert + code.slice(e.index + e.remove);
  return code;
}

function synced(code: string, names: Parameters<typeof op>[1], renames: Rename[] = []): string {
  const result = syncSignature(code, op(code, names), renames);
  if (!result.ok) throw new Error(result.problem);
  expect(applyEdits(code, result.edits)).toBe(result.code);
  expect(checkSyntax(result.code)).toEqual([]);
  return result.code;
}

describe('checkSyntax', () => {
  it('finds nothing wrong with every built-in operation', () => {
    for (const o of Object.values(CORE_OPERATIONS)) expect(checkSyntax(o.code), o.id).toEqual([]);
  });

  it('points at a syntax error with line, column and a readable message', () => {
    const code = 'export default async function run(inputs, attributes, references, ctx) {\n  const x = ;\n}\n';
    const [problem, ...rest] = checkSyntax(code);
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ line: 2, column: 13, index: code.indexOf(';'), severity: 'error', message: 'Unexpected token' });
  });

  it('warns when there is no run function for the engine to call', () => {
    expect(checkSyntax('const x = 1;\n')).toMatchObject([{ severity: 'warning', line: 1 }]);
    expect(checkSyntax('async function run() {}\nexport default run;\n')).toEqual([]);
  });
});

describe('isIdentifier', () => {
  it('accepts names code can bind and refuses the rest', () => {
    for (const ok of ['dataset', 'learningRate', '$x', '_a', 'x2', 'données']) expect(isIdentifier(ok), ok).toBe(true);
    for (const bad of ['', 'class', 'await', 'let', 'yield', '2d', 'a-b', 'a b', 'a;b', 'x\\u0061', 'eval']) expect(isIdentifier(bad), bad).toBe(false);
  });

  it('agrees with the parser: every accepted name can be destructured in a module, every refused word cannot', () => {
    const binds = (name: string) => checkSyntax(`export default async function run({ ${name} }) {}`).length === 0;
    for (const name of ['dataset', '$x', '_a', 'données', 'of', 'async', 'get', 'set', 'target']) expect([name, isIdentifier(name), binds(name)]).toEqual([name, true, true]);
    for (const name of ['class', 'await', 'let', 'yield', 'static', 'implements', 'eval', 'arguments', 'enum', 'null']) expect([name, isIdentifier(name), binds(name)]).toEqual([name, false, false]);
  });
});

describe('syncSignature', () => {
  it('changes nothing in the built-in operations, whose signatures match their interfaces', () => {
    for (const o of Object.values(CORE_OPERATIONS)) {
      const result = syncSignature(o.code, o);
      expect(result, o.id).toMatchObject({ ok: true, edits: [], code: o.code });
    }
  });

  it('turns the unused placeholder of a new operation into a pattern, keeping the rest byte for byte', () => {
    const code = synced(NEW_OPERATION_CODE, { inputs: ['dataset', 'labels'], references: ['net'] });
    expect(code).toBe(NEW_OPERATION_CODE.replace('run(inputs, attributes, references, ctx)', 'run({ dataset, labels }, attributes, { net }, ctx)'));
  });

  it('lists names in the interface order and drops removed ones, back to the placeholder when none is left', () => {
    const code = 'export default async function run({ a, b }, { x }, references, ctx) {\n  return {};\n}\n';
    expect(synced(code, { inputs: ['b', 'c', 'a'], attributes: ['x'] })).toContain('run({ b, c, a }, { x }, references, ctx)');
    expect(synced(code, { inputs: [], attributes: ['x'] })).toContain('run(inputs, { x }, references, ctx)');
  });

  it('keeps hand formatting when the pattern already matches, and the text of properties that stay', () => {
    const tight = 'export default async function run({dataset}, attrs, refs, ctx) {}\n';
    expect(syncSignature(tight, op(tight, { inputs: ['dataset'] }))).toMatchObject({ ok: true, edits: [] });
    const aliased = 'export default async function run({ dataset: ds, extra = 1 }, a, r, ctx) { return ds; }\n';
    expect(synced(aliased, { inputs: ['extra', 'dataset', 'more'] })).toContain('run({ extra = 1, dataset: ds, more }, a, r, ctx)');
  });

  it('keeps a multi-line pattern on several lines', () => {
    const code = 'export default async function run(\n  inputs,\n  {\n    epochs,\n    seed,\n  },\n  references,\n  ctx,\n) {}\n';
    expect(synced(code, { attributes: ['epochs', 'rate', 'seed'] })).toBe(code.replace('    epochs,\n    seed,\n', '    epochs,\n    rate,\n    seed,\n'));
  });

  it('leaves a named parameter that the body uses alone', () => {
    const train = CORE_OPERATIONS['core.train']!;
    const more = { ...train, attributes: { ...train.attributes, momentum: { id: 'momentum', name: 'momentum', type: 'number' as const, default: 0.9, order: 99 } } };
    expect(syncSignature(train.code, more)).toMatchObject({ ok: true, edits: [] });
  });

  it('adds missing parameters as far as needed, with placeholders before', () => {
    expect(synced('export default async function run() {}\n', { attributes: ['epochs'] })).toContain('run(inputs, { epochs })');
    expect(synced('export default async function run({ a }) {}\n', { inputs: ['a'], references: ['net'] })).toContain('run({ a }, attributes, { net })');
    expect(synced('export default async ({ a }) => ({})\n', { inputs: ['a'], attributes: ['n'] })).toContain('async ({ a }, { n }) =>');
  });

  it('leaves code that does not parse unchanged and says why', () => {
    const broken = 'export default async function run(inputs) {\n  return {\n}\n';
    const result = syncSignature(broken, op(broken, { inputs: ['dataset'] }));
    expect(result.ok).toBe(false);
    expect(result.code).toBe(broken);
    if (!result.ok) expect(result.problem).toMatch(/syntax error on line/);
    expect(syncSignature('const x = 1;', op('', { inputs: ['a'] }))).toMatchObject({ ok: false, problem: expect.stringMatching(/no `export default/) });
  });
});

describe('renaming follows the name through the code', () => {
  const split = CORE_OPERATIONS['core.split']!.code;

  it('renames a destructured input and its uses in the body', () => {
    const code = synced(split, { inputs: ['data'], attributes: ['testFraction', 'seed'] }, [{ section: 'inputs', from: 'dataset', to: 'data' }]);
    expect(code).toContain('run({ data }, { testFraction, seed }, references, ctx)');
    expect(code).toContain('const n = data.x.shape[0];');
    expect(code).toContain('({ ...data, x: tf.gather(data.x, idx), y: tf.gather(data.y, idx) })');
    expect(code).not.toMatch(/\bdataset\b/);
  });

  it('keeps the key of a shorthand property when the variable is renamed', () => {
    const code = 'export default async function run({ dataset }, a, r, ctx) {\n  return { dataset };\n}\n';
    expect(synced(code, { inputs: ['data'] }, [{ section: 'inputs', from: 'dataset', to: 'data' }])).toContain('run({ data }, a, r, ctx) {\n  return { dataset: data };');
  });

  it('aliases instead when the old name is declared again inside, or the new one is already used', () => {
    const shadowed = 'export default async function run({ dataset }, a, r, ctx) {\n  const f = (dataset) => dataset;\n  return f(dataset);\n}\n';
    expect(synced(shadowed, { inputs: ['data'] }, [{ section: 'inputs', from: 'dataset', to: 'data' }])).toBe(shadowed.replace('run({ dataset }', 'run({ data: dataset }'));
    const taken = 'export default async function run({ dataset }, a, r, ctx) {\n  const data = 1;\n  return dataset;\n}\n';
    expect(synced(taken, { inputs: ['data'] }, [{ section: 'inputs', from: 'dataset', to: 'data' }])).toBe(taken.replace('run({ dataset }', 'run({ data: dataset }'));
  });

  it('renames member accesses of a named parameter', () => {
    const train = CORE_OPERATIONS['core.train']!;
    const names = Object.values(train.attributes).sort((a, b) => a.order - b.order).map((a) => (a.name === 'epochs' ? 'numEpochs' : a.name));
    const code = synced(train.code, { inputs: ['dataset'], attributes: names, references: ['net'] }, [{ section: 'attributes', from: 'epochs', to: 'numEpochs' }]);
    expect(code).toContain('epochs: attrs.numEpochs,');
    expect(code.replace('epochs: attrs.numEpochs', '')).toBe(train.code.replace('epochs: attrs.epochs', ''));
    const destructured = 'export default async function run(i, attrs, r, ctx) {\n  const { epochs, seed } = attrs;\n  return attrs["epochs"] + epochs;\n}\n';
    expect(synced(destructured, { attributes: ['n', 'seed'] }, [{ section: 'attributes', from: 'epochs', to: 'n' }])).toBe(
      'export default async function run(i, attrs, r, ctx) {\n  const { n: epochs, seed } = attrs;\n  return attrs["n"] + epochs;\n}\n',
    );
  });

  it('renames the key of a renamed output in the returned object', () => {
    const train = CORE_OPERATIONS['core.train']!.code;
    const code = synced(train, { inputs: ['dataset'], outputs: ['trained'], attributes: ['epochs'], references: ['net'] }, [{ section: 'outputs', from: 'model', to: 'trained' }]);
    expect(code).toContain('return { trained: model };');
    const nested = 'export default async function run(i, a, r, ctx) {\n  const f = () => ({ out: 1 });\n  return { out: f() };\n}\n';
    expect(synced(nested, { outputs: ['result'] }, [{ section: 'outputs', from: 'out', to: 'result' }])).toContain('const f = () => ({ out: 1 });\n  return { result: f() };');
  });
});

describe('parameterNames', () => {
  it('lists the parameters that are plain names', () => {
    expect(parameterNames(CORE_OPERATIONS['core.train']!.code)).toEqual(['attrs', 'ctx']);
    expect(parameterNames('not javascript (')).toEqual([]);
  });
});
