import { describe, expect, it } from 'vitest';
import { findExample } from './examples';
import {
  addAttribute,
  addPort,
  addReference,
  duplicateOperation,
  exportOperation,
  importOperation,
  moveEntry,
  operationFileName,
  operationUsers,
  removeAttribute,
  removePort,
  removeReference,
  updateAttribute,
  updateOperationInfo,
  updatePort,
  updateReference,
  updateSignature,
  type OperationPlanResult,
} from './operation-edits';
import { applyPlanToObject, isRefusal, type Plan, type PlanResult } from './plan';
import { checkSyntax } from './signature';
import type { Project } from './types';
import { invertPlan } from './undo';
import { validatePipeline } from './validation';

const NOW = 1_700_000_000_000;
const iris = (): Project => findExample('iris-mlp')!.build(0).project;

function ok<T extends PlanResult>(result: T | { refused: string }): T & Plan {
  if (isRefusal(result)) throw new Error(`refused: ${result.refused}`);
  return result as T & Plan;
}
function refusal(result: OperationPlanResult | PlanResult | { refused: string }): string {
  if (!isRefusal(result)) throw new Error(`expected a refusal, got plan “${result.message}”`);
  return result.refused;
}
const apply = (p: Project, plan: Plan) => applyPlanToObject(structuredClone(p), plan);

describe('ports', () => {
  it('adds an input and the code receives it', () => {
    const p = iris();
    const plan = ok(addPort(p, 'core.train', 'inputs', { name: 'labels', type: 'tensor' }, NOW, 'in_labels'));
    expect(plan.item).toBe('operations/core.train');
    expect(plan.message).toBe('added input labels to operation Train');
    expect(plan.edits.filter((e) => e.op === 'splice')).toHaveLength(1);
    const after = apply(p, plan);
    expect(after.operations['core.train']!.inputs.in_labels).toEqual({ id: 'in_labels', name: 'labels', type: 'tensor', order: 1 });
    expect(after.operations['core.train']!.code).toContain('run({ dataset, labels }, attrs, { net }, ctx)');
    expect(after.operations['core.train']!.updatedAt).toBe(NOW);
  });

  it('adds an output without touching the code', () => {
    const p = iris();
    const plan = ok(addPort(p, 'core.train', 'outputs', { name: 'dataset', type: 'dataset' }, NOW));
    expect(plan.edits.some((e) => e.op === 'splice')).toBe(false);
  });

  it('refuses names code cannot use or that clash', () => {
    const p = iris();
    const add = (name: string, side: 'inputs' | 'outputs' = 'inputs') => addPort(p, 'core.train', side, { name, type: 'any' }, NOW);
    expect(refusal(add('2x'))).toMatch(/cannot be a name in code/);
    expect(refusal(add('class'))).toMatch(/cannot be a name in code/);
    expect(refusal(add('dataset'))).toBe('Train already has an input called dataset; pick another name.');
    expect(refusal(add('epochs'))).toMatch(/already has an attribute called epochs; pick another name, because the code receives/);
    expect(refusal(add('ctx'))).toMatch(/ctx is the name of a parameter/);
    expect(refusal(add('tf'))).toMatch(/TensorFlow/);
    expect(refusal(add('model', 'outputs'))).toMatch(/already has an output called model/);
    expect(refusal(addPort(p, 'nope', 'inputs', { name: 'x', type: 'any' }, NOW))).toMatch(/no longer exists/);
  });

  it('renames a port: the id stays, pipeline edges stay valid, and the code follows', () => {
    const p = iris();
    const plan = ok(updatePort(p, 'core.split', 'inputs', 'dataset', { name: 'data' }, NOW));
    expect(plan.message).toBe('renamed input dataset to data in operation Train/Test Split');
    const after = apply(p, plan);
    const split = after.operations['core.split']!;
    expect(split.inputs.dataset).toMatchObject({ id: 'dataset', name: 'data' });
    expect(split.code).toContain('run({ data }, { testFraction, seed }, references, ctx)');
    expect(split.code).toContain('const n = data.x.shape[0];');
    expect(checkSyntax(split.code)).toEqual([]);
    expect(validatePipeline(after, after.pipelines.main!)).toEqual([]);
    // The edges point at the port id, which did not change.
    expect(Object.values(after.pipelines.main!.edges).filter((e) => e.to.port === 'dataset' && e.to.node === 'main_split')).toHaveLength(1);
  });

  it('renames an output and the returned key follows', () => {
    const after = apply(iris(), ok(updatePort(iris(), 'core.train', 'outputs', 'model', { name: 'trained' }, NOW)));
    expect(after.operations['core.train']!.code).toContain('return { trained: model };');
    expect(after.operations['core.train']!.outputs.model!.name).toBe('trained');
  });

  it('changes a type and says which connections no longer fit', () => {
    const p = iris();
    const plan = ok(updatePort(p, 'core.train', 'inputs', 'dataset', { type: 'image' }, NOW));
    expect(plan.message).toBe('changed input dataset to image in operation Train');
    expect(plan.note).toMatch(/One connection no longer fits/);
    const after = apply(p, plan);
    expect(validatePipeline(after, after.pipelines.main!).map((x) => x.code)).toEqual(['type-mismatch']);
    expect(updatePort(p, 'core.train', 'inputs', 'dataset', { type: 'dataset' }, NOW)).toMatchObject({ edits: [] });
  });

  it('removes a port with every connection to it and from the signature', () => {
    const p = iris();
    const plan = ok(removePort(p, 'core.evaluate', 'inputs', 'model', NOW));
    expect(plan.message).toBe('removed input model and its connection from operation Evaluate');
    const after = apply(p, plan);
    expect(after.operations['core.evaluate']!.inputs.model).toBeUndefined();
    expect(after.operations['core.evaluate']!.code).toContain('run({ dataset }, attributes, references, ctx)');
    expect(Object.values(after.pipelines.main!.edges).some((e) => e.to.node === 'main_evaluate' && e.to.port === 'model')).toBe(false);
    expect(validatePipeline(after, after.pipelines.main!)).toEqual([]);
  });

  it('reorders, and the signature follows the order', () => {
    const p = iris();
    const after = apply(p, ok(moveEntry(p, 'core.evaluate', 'inputs', 'dataset', -1, NOW)));
    expect(after.operations['core.evaluate']!.code).toContain('run({ dataset, model }, attributes');
    expect(moveEntry(after, 'core.evaluate', 'inputs', 'dataset', -1, NOW)).toMatchObject({ edits: [] });
  });

  it('is undone exactly, code included', () => {
    const p = iris();
    const plan = ok(updatePort(p, 'core.split', 'inputs', 'dataset', { name: 'data' }, NOW));
    const after = apply(p, plan);
    const back = applyPlanToObject(after, invertPlan(p, plan));
    expect(back.operations['core.split']).toEqual(p.operations['core.split']);
  });

  it('still edits the interface when the code does not parse, and says the code was left alone', () => {
    const p = iris();
    p.operations['core.split']!.code = 'export default async function run({ dataset }) {\n  return {\n';
    const plan = ok(updatePort(p, 'core.split', 'inputs', 'dataset', { name: 'data' }, NOW));
    expect(plan.edits.some((e) => e.op === 'splice')).toBe(false);
    expect(plan.note).toMatch(/syntax error on line 3/);
    expect(refusal(updateSignature(p, 'core.split', NOW))).toMatch(/syntax error/);
  });
});

describe('attributes', () => {
  it('adds an attribute with a schema and destructures it', () => {
    const p = iris();
    const plan = ok(addAttribute(p, 'core.split', { name: 'stratify', type: 'boolean', default: false, min: 3, description: ' Keep class ratios. ' }, NOW, 'at_s'));
    const after = apply(p, plan);
    expect(after.operations['core.split']!.attributes.at_s).toEqual({ id: 'at_s', name: 'stratify', type: 'boolean', default: false, order: 2, description: 'Keep class ratios.' });
    expect(after.operations['core.split']!.code).toContain('run({ dataset }, { testFraction, seed, stratify }, references, ctx)');
  });

  it('refuses a schema whose default does not fit, or that cannot work', () => {
    const p = iris();
    const add = (spec: Parameters<typeof addAttribute>[2]) => addAttribute(p, 'core.split', spec, NOW);
    expect(refusal(add({ name: 'k', type: 'integer', default: 0, min: 1 }))).toBe('The default does not fit: k must be at least 1.');
    expect(refusal(add({ name: 'k', type: 'integer', default: 1.5 }))).toMatch(/whole number/);
    expect(refusal(add({ name: 'k', type: 'number', default: 1, min: 5, max: 2 }))).toMatch(/minimum \(5\) is above the maximum \(2\)/);
    expect(refusal(add({ name: 'k', type: 'enum', default: 'a', options: [] }))).toMatch(/at least one option/);
    expect(refusal(add({ name: 'k', type: 'enum', default: 'c', options: ['a', 'b'] }))).toMatch(/must be one of a, b/);
    expect(refusal(add({ name: 'k', type: 'enum', default: 'a', options: ['a', 'a'] }))).toMatch(/listed twice/);
    expect(refusal(add({ name: 'k', type: 'string', default: 'x', pattern: '(' }))).toMatch(/not a valid regular expression/);
    expect(refusal(add({ name: 'k', type: 'string', default: 'x', pattern: '[0-9]+' }))).toMatch(/must match/);
    expect(refusal(add({ name: 'seed', type: 'integer', default: 1 }))).toMatch(/already has an attribute called seed/);
  });

  it('renames an attribute used through a named parameter (attrs.epochs)', () => {
    const p = iris();
    const after = apply(p, ok(updateAttribute(p, 'core.train', 'epochs', { name: 'numEpochs' }, NOW)));
    expect(after.operations['core.train']!.code).toContain('epochs: attrs.numEpochs,');
    expect(after.pipelines.main!.nodes.main_train!.attributes.epochs).toBe(60); // node values are keyed by id
  });

  it('converts the default when the type changes, and flags node values that no longer fit', () => {
    const p = iris();
    const plan = ok(updateAttribute(p, 'core.train', 'epochs', { type: 'enum', options: ['5', '10'] }, NOW));
    const after = apply(p, plan);
    expect(after.operations['core.train']!.attributes.epochs).toMatchObject({ type: 'enum', default: '5', options: ['5', '10'] });
    expect(after.operations['core.train']!.attributes.epochs!.min).toBeUndefined();
    expect(plan.note).toMatch(/Train has a value for epochs that no longer fits/);
    expect(validatePipeline(after, after.pipelines.main!).map((x) => x.code)).toEqual(['invalid-attribute']);
  });

  it('clears a bound with an explicit undefined', () => {
    const p = iris();
    const plan = ok(updateAttribute(p, 'core.train', 'epochs', { max: undefined }, NOW));
    expect(plan.edits[0]).toEqual({ op: 'delete', path: ['operations', 'core.train', 'attributes', 'epochs', 'max'] });
  });

  it('removes an attribute with the values nodes set for it', () => {
    const p = iris();
    const after = apply(p, ok(removeAttribute(p, 'core.split', 'seed', NOW)));
    expect(after.operations['core.split']!.attributes.seed).toBeUndefined();
    expect(after.pipelines.main!.nodes.main_split!.attributes).toEqual({ testFraction: 0.2 });
    expect(after.operations['core.split']!.code).toContain('run({ dataset }, { testFraction }, references, ctx)');
  });
});

describe('references', () => {
  it('adds, renames, changes kind and removes a reference', () => {
    let p = iris();
    p = apply(p, ok(addReference(p, 'core.evaluate', { name: 'baseline', kind: 'artifact', optional: true }, NOW, 'rf_b')));
    expect(p.operations['core.evaluate']!.references.rf_b).toEqual({ id: 'rf_b', name: 'baseline', kind: 'artifact', order: 0, optional: true });
    expect(p.operations['core.evaluate']!.code).toContain('run({ model, dataset }, attributes, { baseline }, ctx)');

    p = apply(p, ok(updateReference(p, 'core.train', 'net', { name: 'architecture' }, NOW)));
    expect(p.operations['core.train']!.code).toContain('run({ dataset }, attrs, { architecture }, ctx)');
    expect(p.operations['core.train']!.code).toContain('ctx.buildModel(architecture, { seed: attrs.seed })');
    expect(p.pipelines.main!.nodes.main_train!.references.net).toBe('mlp');

    const kind = ok(updateReference(p, 'core.train', 'net', { kind: 'pipeline' }, NOW));
    expect(kind.edits).toContainEqual({ op: 'delete', path: ['pipelines', 'main', 'nodes', 'main_train', 'references', 'net'] });

    p = apply(p, ok(removeReference(p, 'core.train', 'net', NOW)));
    expect(p.pipelines.main!.nodes.main_train!.references).toEqual({});
    expect(p.operations['core.train']!.code).toContain('run({ dataset }, attrs, references, ctx)');
    expect(refusal(addReference(p, 'core.train', { name: 'x', kind: 'planet' as never }, NOW))).toMatch(/points to one of/);
  });
});

describe('the operation as a whole', () => {
  it('edits category and colour, refusing a colour that is not one', () => {
    const p = iris();
    const plan = ok(updateOperationInfo(p, 'core.train', { category: 'Models', color: '#112233' }, NOW));
    expect(plan.message).toBe('changed the category and colour of operation Train');
    expect(refusal(updateOperationInfo(p, 'core.train', { color: 'red; x' }, NOW))).toMatch(/not a colour/);
    expect(refusal(updateOperationInfo(p, 'core.train', { name: '  ' }, NOW))).toMatch(/needs a name/);
  });

  it('lists the nodes that run it', () => {
    expect(operationUsers(iris(), 'core.train')).toEqual([{ pipelineId: 'main', pipelineName: 'Train Iris MLP', nodeId: 'main_train', title: 'Train' }]);
  });

  it('duplicates as a new operation of its own', () => {
    const p = iris();
    const plan = ok(duplicateOperation(p, 'core.train', NOW, 'op_copy'));
    const after = apply(p, plan);
    const copy = after.operations.op_copy!;
    expect(copy).toMatchObject({ id: 'op_copy', name: 'Train (copy)', createdAt: NOW, updatedAt: NOW, code: p.operations['core.train']!.code });
    expect(copy.source).toBeUndefined();
    expect(after.operations['core.train']).toEqual(p.operations['core.train']);
    expect(ok(duplicateOperation(after, 'core.train', NOW, 'op_2')).message).toBe('duplicated operation Train as Train (copy) 2');
  });
});

describe('export and import', () => {
  it('round-trips through a versioned JSON file', () => {
    const p = iris();
    const text = exportOperation(p.operations['core.train']!);
    expect(JSON.parse(text)).toMatchObject({ format: 'deepforge/operation', version: 1, operation: { id: 'core.train', name: 'Train' } });
    expect(operationFileName(p.operations['core.split']!)).toBe('train-test-split.operation.json');

    // The very same operation is not imported twice.
    expect(importOperation(p, text, NOW)).toMatchObject({ id: 'core.train', existing: true, edits: [] });
    // Into another project it keeps its id.
    const empty = { ...p, operations: {} };
    const into = ok(importOperation(empty, text, NOW));
    expect(into.id).toBe('core.train');
    // The built-in operation has no creation time (0), so the import's time stands in.
    expect(apply(empty, into).operations['core.train']).toEqual({ ...p.operations['core.train']!, createdAt: NOW, updatedAt: NOW });
  });

  it('imports under a fresh id and name when the project has a different operation with that id', () => {
    const p = iris();
    const changed = { ...p.operations['core.train']!, code: p.operations['core.train']!.code + '\n// tweaked\n' };
    const plan = ok(importOperation(p, exportOperation(changed), NOW, 'op_fresh'));
    expect(plan.id).toBe('op_fresh');
    expect(plan.message).toBe('imported operation Train 2');
  });

  it('refuses a bad file and says what is wrong', () => {
    const p = iris();
    const file = (operation: unknown, extra: object = {}) => JSON.stringify({ format: 'deepforge/operation', version: 1, operation, ...extra });
    const good = p.operations['core.train']!;
    expect(refusal(importOperation(p, '{ nope', NOW))).toMatch(/^That file is not JSON/);
    expect(refusal(importOperation(p, '{"format":"deepforge/project"}', NOW))).toMatch(/not a DeepForge operation/);
    expect(refusal(importOperation(p, file(good, { version: 7 }), NOW))).toMatch(/newer DeepForge \(format version 7\)/);
    expect(refusal(importOperation(p, file(good, { version: 'x' }), NOW))).toMatch(/no valid version/);
    expect(refusal(importOperation(p, file(null), NOW))).toMatch(/There is no operation in it/);
    const bad = { ...good, id: 'bad', inputs: { dataset: { id: 'dataset', name: 'dataset', type: 'banana', order: 0 } }, attributes: { k: { name: 'k', type: 'integer', default: 'x' } }, code: 5 };
    const why = refusal(importOperation(p, file(bad), NOW));
    expect(why).toMatch(/^That file is not a valid operation:/);
    expect(why).toContain('It has no code.');
    expect(why).toContain('inputs.dataset has the type “banana”');
    expect(why).toContain('attributes.k: The default does not fit: k must be a number.');
    const clash = { ...good, id: 'clash', inputs: { a: { name: 'seed', type: 'any' } } };
    expect(refusal(importOperation(p, file(clash), NOW))).toMatch(/the name seed is used twice/);
    expect(refusal(importOperation(p, file({ ...good, id: 'x y' }), NOW))).toMatch(/Its id is missing/);
    expect(refusal(importOperation(p, file({ ...good, inputs: [] }), NOW))).toMatch(/Its inputs are not a map/);
  });

  it('drops fields it does not know', () => {
    const p = iris();
    const extra = { ...p.operations['core.train']!, id: 'op_x', secret: 1, inputs: { dataset: { ...p.operations['core.train']!.inputs.dataset, junk: true } } };
    const plan = ok(importOperation({ ...p, operations: {} }, JSON.stringify({ format: 'deepforge/operation', version: 1, operation: extra }), NOW));
    const op = (plan.edits[0] as { value: Record<string, unknown> }).value;
    expect(op.secret).toBeUndefined();
    expect((op.inputs as Record<string, object>).dataset).toEqual({ id: 'dataset', name: 'dataset', type: 'dataset', order: 0 });
  });
});
