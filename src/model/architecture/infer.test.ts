import { describe, expect, it } from 'vitest';
import { applyPlanToObject, isRefusal } from '../plan';
import { newProject } from '../project';
import type { Architecture, LayerConfigValue, Project } from '../types';
import { inferArchitecture } from './infer';
import type { ArchitectureProblem, Shape } from './spec';

type Spec = [name: string, type: string, config?: Record<string, LayerConfigValue>, inputs?: string[]];

/** An architecture from a list of layers, each naming its inputs (default: the previous layer). */
function arch(specs: Spec[]): Architecture {
  const a: Architecture = { id: 'a', name: 'test', description: '', layers: {}, edges: {}, createdAt: 0, updatedAt: 0 };
  specs.forEach(([name, type, config = {}, inputs], i) => {
    a.layers[name] = { id: name, type, name, config, position: { x: 0, y: i * 100 } };
    const from = inputs ?? (i > 0 && type !== 'input' ? [specs[i - 1]![0]] : []);
    from.forEach((f, slot) => {
      a.edges[`${f}>${name}${slot}`] = { id: `${f}>${name}${slot}`, from: f, to: name, ...(from.length > 1 ? { slot } : {}) };
    });
  });
  return a;
}

const shapeOf = (a: Architecture, id: string): Shape | undefined => inferArchitecture(a).layers[id]!.outputShape;
const paramsOf = (a: Architecture, id: string): number => inferArchitecture(a).layers[id]!.params;

function projectWith(a: Architecture): Project {
  const p = newProject('p', 0);
  p.architectures[a.id] = structuredClone(a);
  return p;
}

/** Apply a fix to a project holding the architecture and return the architecture after it. */
function applyFix(a: Architecture, problem: ArchitectureProblem, label: string): Architecture {
  const fix = problem.fixes.find((f) => f.label === label);
  expect(fix, `fix "${label}" among ${problem.fixes.map((f) => f.label).join(', ')}`).toBeDefined();
  const project = projectWith(a);
  const plan = fix!.plan(project, 1);
  if (isRefusal(plan)) throw new Error(plan.refused);
  return applyPlanToObject(project, plan).architectures[a.id]!;
}

describe('shapes and parameters of each layer kind', () => {
  it('dense, flatten, dropout, activation', () => {
    const a = arch([['in', 'input', { shape: [28, 28, 1] }], ['f', 'flatten'], ['d', 'dense', { units: 128 }], ['drop', 'dropout'], ['act', 'activation']]);
    expect(shapeOf(a, 'f')).toEqual([null, 784]);
    expect(shapeOf(a, 'd')).toEqual([null, 128]);
    expect(paramsOf(a, 'd')).toBe(784 * 128 + 128);
    expect(shapeOf(a, 'act')).toEqual([null, 128]);
    expect(inferArchitecture(a).totalParams).toBe(100_480);
  });

  it('convolutions: valid and same padding, strides, transposed, separable, depthwise', () => {
    const a = arch([
      ['in', 'input', { shape: [28, 28, 1] }],
      ['c1', 'conv2d', { filters: 32, kernelSize: 3 }],
      ['c2', 'conv2d', { filters: 8, kernelSize: 3, strides: 2, padding: 'same' }],
      ['t', 'conv2dTranspose', { filters: 4, kernelSize: 3, strides: 2, padding: 'valid' }],
      ['s', 'separableConv2d', { filters: 6, kernelSize: 3, depthMultiplier: 2 }],
      ['dw', 'depthwiseConv2d', { kernelSize: 3, depthMultiplier: 3 }],
    ]);
    expect(shapeOf(a, 'c1')).toEqual([null, 26, 26, 32]);
    expect(paramsOf(a, 'c1')).toBe(3 * 3 * 1 * 32 + 32);
    expect(shapeOf(a, 'c2')).toEqual([null, 13, 13, 8]);
    expect(shapeOf(a, 't')).toEqual([null, 27, 27, 4]);
    expect(shapeOf(a, 's')).toEqual([null, 25, 25, 6]);
    expect(paramsOf(a, 's')).toBe(3 * 3 * 4 * 2 + 4 * 2 * 6 + 6);
    expect(shapeOf(a, 'dw')).toEqual([null, 23, 23, 18]);
  });

  it('pooling, global pooling, cropping, padding, upsampling', () => {
    const a = arch([
      ['in', 'input', { shape: [10, 10, 3] }],
      ['p', 'maxPooling2d', { poolSize: 2 }],
      ['z', 'zeroPadding2d', { padding: [1, 2, 0, 0] }],
      ['c', 'cropping2D', { cropping: 1 }],
      ['u', 'upSampling2d', { size: [2, 3] }],
      ['g', 'globalAveragePooling2d'],
    ]);
    expect(shapeOf(a, 'p')).toEqual([null, 5, 5, 3]);
    expect(shapeOf(a, 'z')).toEqual([null, 8, 5, 3]);
    expect(shapeOf(a, 'c')).toEqual([null, 6, 3, 3]);
    expect(shapeOf(a, 'u')).toEqual([null, 12, 9, 3]);
    expect(shapeOf(a, 'g')).toEqual([null, 3]);
  });

  it('reshape, permute, repeatVector, embedding', () => {
    const a = arch([
      ['in', 'input', { shape: [12] }],
      ['r', 'reshape', { targetShape: [3, 4] }],
      ['p', 'permute', { dims: [2, 1] }],
      ['f', 'flatten'],
      ['rv', 'repeatVector', { n: 5 }],
    ]);
    expect(shapeOf(a, 'r')).toEqual([null, 3, 4]);
    expect(shapeOf(a, 'p')).toEqual([null, 4, 3]);
    expect(shapeOf(a, 'rv')).toEqual([null, 5, 12]);
    const e = arch([['in', 'input', { shape: [100], dtype: 'int32' }], ['e', 'embedding', { inputDim: 1000, outputDim: 16 }]]);
    expect(shapeOf(e, 'e')).toEqual([null, 100, 16]);
    expect(paramsOf(e, 'e')).toBe(16_000);
  });

  it('recurrent layers and their wrappers', () => {
    const a = arch([
      ['in', 'input', { shape: [20, 8] }],
      ['l', 'lstm', { units: 16, returnSequences: true }],
      ['g', 'gru', { units: 4, returnSequences: true }],
      ['b', 'bidirectional', { layer: 'simpleRNN', 'layer.units': 5, 'layer.returnSequences': true }],
      ['td', 'timeDistributed', { layer: 'dense', 'layer.units': 3 }],
      ['bs', 'bidirectional', { layer: 'lstm', mergeMode: 'sum', 'layer.units': 7 }],
    ]);
    expect(shapeOf(a, 'l')).toEqual([null, 20, 16]);
    expect(paramsOf(a, 'l')).toBe(4 * 16 * (8 + 16 + 1));
    expect(paramsOf(a, 'g')).toBe(3 * 4 * (16 + 4 + 1));
    expect(shapeOf(a, 'b')).toEqual([null, 20, 10]);
    expect(paramsOf(a, 'b')).toBe(2 * 5 * (4 + 5 + 1));
    expect(shapeOf(a, 'td')).toEqual([null, 20, 3]);
    expect(paramsOf(a, 'td')).toBe(10 * 3 + 3);
    expect(shapeOf(a, 'bs')).toEqual([null, 7]);
  });

  it('merges: add, concatenate, dot; normalisation counts non-trainable statistics', () => {
    const a = arch([
      ['x', 'input', { shape: [8] }],
      ['y', 'input', { shape: [8] }],
      ['sum', 'add', {}, ['x', 'y']],
      ['cat', 'concatenate', {}, ['x', 'sum']],
      ['dot', 'dot', { axes: -1 }, ['x', 'y']],
      ['bn', 'batchNormalization', {}, ['cat']],
    ]);
    expect(shapeOf(a, 'sum')).toEqual([null, 8]);
    expect(shapeOf(a, 'cat')).toEqual([null, 16]);
    expect(shapeOf(a, 'dot')).toEqual([null, 1]);
    const bn = inferArchitecture(a).layers.bn!;
    expect([bn.params, bn.trainable]).toEqual([64, 32]);
    expect(inferArchitecture(a).outputs.sort()).toEqual(['bn', 'dot']);
  });
});

describe('problems on the right layer, with fixes that work', () => {
  it('Dense after a convolution: "insert Flatten?", and Insert Flatten fixes it', () => {
    const a = arch([['in', 'input', { shape: [28, 28, 1] }], ['conv', 'conv2d', { filters: 32, kernelSize: 3 }], ['dense', 'dense', { units: 10 }]]);
    const [problem, ...rest] = inferArchitecture(a).problems;
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ layerId: 'dense', edgeId: 'conv>dense0', code: 'wrong-rank', message: 'Dense got a rank-4 input [null,26,26,32]; insert Flatten?' });
    const edge = inferArchitecture(a).edges['conv>dense0']!;
    expect([edge.shape, edge.error?.message]).toEqual([[null, 26, 26, 32], problem!.message]);
    const fixed = applyFix(a, problem!, 'Insert Flatten');
    const after = inferArchitecture(fixed);
    expect(after.problems).toEqual([]);
    expect(after.layers.dense!.outputShape).toEqual([null, 10]);
    expect(Object.values(fixed.layers).map((l) => l.type).sort()).toEqual(['conv2d', 'dense', 'flatten', 'input']);
  });

  it('a kernel larger than its input: the error is on the convolution, and padding same fixes it', () => {
    const a = arch([['in', 'input', { shape: [4, 4, 1] }], ['conv', 'conv2d', { kernelSize: 5 }], ['f', 'flatten']]);
    const [problem] = inferArchitecture(a).problems;
    expect(problem).toMatchObject({ layerId: 'conv', code: 'non-positive-dim' });
    expect(problem!.message).toContain('[null,0,0,32]');
    expect(inferArchitecture(applyFix(a, problem!, "Switch padding to 'same'")).problems).toEqual([]);
  });

  it('stacked LSTMs: the second says so, and setting returnSequences on the first fixes it', () => {
    const a = arch([['in', 'input', { shape: [10, 3] }], ['l1', 'lstm', { units: 8 }], ['l2', 'lstm', { units: 8 }]]);
    const [problem] = inferArchitecture(a).problems;
    expect(problem).toMatchObject({ layerId: 'l2', code: 'wrong-rank' });
    const fixed = applyFix(a, problem!, 'Set returnSequences of l1 to true');
    expect(fixed.layers.l1!.config.returnSequences).toBe(true);
    expect(inferArchitecture(fixed).problems).toEqual([]);
  });

  it('a merge of different shapes is reported on the merge layer', () => {
    const a = arch([['x', 'input', { shape: [8] }], ['y', 'input', { shape: [4] }], ['sum', 'add', {}, ['x', 'y']]]);
    const problems = inferArchitecture(a).problems;
    expect(problems.map((p) => [p.layerId, p.code])).toEqual([['sum', 'incompatible-merge']]);
    expect(problems[0]!.message).toContain('[null,8] and [null,4]');
  });

  it('a merge with one input asks for another', () => {
    const a = arch([['x', 'input', { shape: [8] }], ['cat', 'concatenate', {}, ['x']]]);
    expect(inferArchitecture(a).problems.map((p) => [p.layerId, p.code])).toEqual([['cat', 'too-few-inputs']]);
  });

  it('a layer without input gets "Add an Input layer", which fixes it', () => {
    const a = arch([['d', 'dense', { units: 3 }]]);
    const [problem] = inferArchitecture(a).problems;
    expect(problem).toMatchObject({ layerId: 'd', code: 'missing-input' });
    expect(inferArchitecture(applyFix(a, problem!, 'Add an Input layer')).problems).toEqual([]);
  });

  it('a second input into a single-input layer is reported on the extra edge', () => {
    const a = arch([['x', 'input', { shape: [8] }], ['y', 'input', { shape: [8] }], ['d', 'dense', {}, ['x', 'y']]]);
    const [problem] = inferArchitecture(a).problems;
    expect(problem).toMatchObject({ code: 'too-many-inputs', layerId: 'd', edgeId: 'y>d1' });
    const fixed = applyFix(a, problem!, 'Remove the extra connection');
    expect(inferArchitecture(fixed).problems.map((p) => p.code)).toEqual(['unused-input']);
  });

  it('a cycle is reported on its edges; removing one breaks it', () => {
    const a = arch([['in', 'input', { shape: [4] }], ['d1', 'dense', {}, ['in', 'd2']], ['d2', 'dense', {}, ['d1']]]);
    const cycle = inferArchitecture(a).problems.filter((p) => p.code === 'cycle');
    expect(cycle.map((p) => p.edgeId).sort()).toEqual(['d1>d20', 'd2>d11']);
    const fixed = applyFix(a, cycle.find((p) => p.edgeId === 'd2>d11')!, 'Remove this connection');
    expect(inferArchitecture(fixed).problems).toEqual([]);
  });

  it('an invalid value is reported with its field and reset by the fix', () => {
    const a = arch([['in', 'input', { shape: [4] }], ['d', 'dense', { units: -3 }]]);
    const [problem] = inferArchitecture(a).problems;
    expect(problem).toMatchObject({ code: 'invalid-config', layerId: 'd', field: 'units' });
    expect(inferArchitecture(applyFix(a, problem!, 'Reset Units to 32')).layers.d!.outputShape).toEqual([null, 32]);
  });

  it('an unknown layer class is a problem on that layer, and layers after it have no shape', () => {
    const a = arch([['in', 'input', { shape: [4] }], ['odd', 'unknown', { className: 'Lambda' }], ['d', 'dense']]);
    const inference = inferArchitecture(a);
    expect(inference.problems.map((p) => [p.layerId, p.code])).toEqual([['odd', 'unknown-type']]);
    expect(inference.problems[0]!.message).toContain('Lambda');
    expect(inference.layers.d!.outputShape).toBeUndefined();
  });

  it('duplicate layer names are reported (tfjs needs unique names)', () => {
    const a = arch([['in', 'input', { shape: [4] }], ['d', 'dense']]);
    a.layers.d!.name = 'in';
    expect(inferArchitecture(a).problems.map((p) => p.code)).toEqual(['duplicate-name']);
  });
});
