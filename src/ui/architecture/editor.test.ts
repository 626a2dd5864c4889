import { describe, expect, it } from 'vitest';
import { ARCHITECTURE_TEMPLATES, connect, inferArchitecture, paramSpecsFor } from '../../model/architecture';
import { applyPlanToObject, isRefusal, type PlanResult } from '../../model/plan';
import { newProject } from '../../model/project';
import type { Architecture, Project } from '../../model/types';
import { copyLayers, parseLayerClipboard, pasteLayers } from './clipboard';
import { addLayerAfter, deleteSelection, startFromTemplate, swapInputs } from './compose';
import { mergeNodes, slotNumber, toFlowEdges, toFlowNodes } from './flow';
import { countText, formatShape, keyConfig, shortCount, summaryText } from './format';
import { addImported, pickModelFile } from './import-model';
import { skipPath } from './edge-path';
import { layoutArchitecture, toElkGraph } from './layout';
import { paletteSections } from './palette';
import { parseParam, valueToText } from './param-input';

const NOW = 1_700_000_000_000;

function emptyProject(): Project {
  const p = newProject('Test', NOW);
  p.architectures.a = { id: 'a', name: 'Architecture', description: '', layers: {}, edges: {}, createdAt: NOW, updatedAt: NOW };
  return p;
}
const apply = (p: Project, plan: PlanResult): Project => {
  if (isRefusal(plan)) throw new Error(plan.refused);
  return applyPlanToObject(p, plan);
};
const arch = (p: Project): Architecture => p.architectures.a!;
const byName = (p: Project, name: string) => Object.values(arch(p).layers).find((l) => l.name === name)!;

/** LeNet-5 as the end-to-end test builds it by hand: each layer added below the previous one. */
function lenetByHand(): Project {
  let p = emptyProject();
  let after: string | undefined;
  for (const type of ['input', 'conv2d', 'maxPooling2d', 'conv2d', 'maxPooling2d', 'flatten', 'dense', 'dense', 'dense']) {
    const plan = addLayerAfter(p, 'a', type, { x: 0, y: 0 }, NOW, after);
    p = apply(p, plan);
    after = isRefusal(plan) ? undefined : plan.id;
  }
  const set = (name: string, config: Record<string, unknown>) => Object.assign(byName(p, name).config, config);
  set('input_1', { shape: [28, 28, 1] });
  set('conv2d_1', { filters: 6, kernelSize: 5 });
  set('conv2d_2', { filters: 16, kernelSize: 5 });
  set('dense_1', { units: 120 });
  set('dense_2', { units: 84 });
  set('dense_3', { units: 10 });
  return p;
}

describe('how numbers and shapes read', () => {
  it('writes shapes as tfjs prints them and the summary in its exact format', () => {
    expect(formatShape([null, 26, 26, 32])).toBe('[null, 26, 26, 32]');
    expect(formatShape(undefined)).toBe('?');
    expect(summaryText(1_199_882, 0)).toBe('Total params: 1,199,882 · 0 errors');
    expect(summaryText(156, 1)).toBe('Total params: 156 · 1 error');
    expect(countText(2, 'layer')).toBe('2 layers');
    expect([shortCount(84), shortCount(3136), shortCount(1_199_882)]).toEqual(['84', '3.1K', '1.2M']);
  });

  it('shows the config values that matter on a card', () => {
    expect(keyConfig({ units: 128, activation: 'relu', useBias: true })).toBe('128 · relu');
    expect(keyConfig({ filters: 6, kernelSize: [5, 5], padding: 'valid', strides: 1, activation: 'linear' })).toBe('6 · 5×5');
    expect(keyConfig({ filters: 6, kernelSize: 5, padding: 'same', activation: 'tanh' })).toBe('6 · 5 · same');
    expect(keyConfig({ rate: 0.2 })).toBe('rate 0.2');
  });
});

describe('the canvas built from the document', () => {
  it('names each layer card by the layer, and labels each connection with the shape it carries', () => {
    const p = lenetByHand();
    const a = arch(p);
    const inference = inferArchitecture(a);
    const nodes = toFlowNodes(a, inference, new Set([byName(p, 'dense_1').id]));
    expect(nodes.map((n) => n.ariaLabel).sort()).toEqual(['conv2d_1', 'conv2d_2', 'dense_1', 'dense_2', 'dense_3', 'flatten_1', 'input_1', 'maxPooling2d_1', 'maxPooling2d_2']);
    const conv = nodes.find((n) => n.ariaLabel === 'conv2d_1')!;
    expect(conv.data).toMatchObject({ title: 'Conv2D', shape: '[null, 24, 24, 6]', params: 156, errors: [] });
    expect(nodes.find((n) => n.ariaLabel === 'dense_1')!.selected).toBe(true);
    expect(nodes.find((n) => n.ariaLabel === 'input_1')!.data.arity).toBe(0);
    const { edges, broken } = toFlowEdges(a, inference, new Set());
    expect(broken).toEqual([]);
    expect(edges).toHaveLength(8);
    expect(edges.map((e) => e.ariaLabel)).toContain('maxPooling2d_2 to flatten_1: [null, 4, 4, 16]');
    expect(inference.totalParams).toBe(44_426);
  });

  it('marks the exact layer and connection of an error, and numbers the inputs of a merge', () => {
    const p = lenetByHand();
    const flatten = byName(p, 'flatten_1');
    const broken = apply(p, deleteSelection(p, 'a', [flatten.id], [], NOW));
    const after = apply(broken, addLayerAfter(broken, 'a', 'dense', { x: 0, y: 0 }, NOW, byName(broken, 'maxPooling2d_2').id));
    // dense_1 is fed by nothing now; the new dense (dense_4) gets the rank-4 input.
    const a = arch(after);
    const nodes = toFlowNodes(a, inferArchitecture(a), new Set());
    expect(nodes.find((n) => n.ariaLabel === 'dense_4')!.data.errors.join(' ')).toMatch(/rank-4/);

    const resnet = ARCHITECTURE_TEMPLATES.find((t) => t.id === 'resnet-block')!.build('r');
    const r: Architecture = { id: 'r', name: 'R', description: '', ...resnet, createdAt: 0, updatedAt: 0 };
    const merge = Object.values(r.layers).find((l) => l.type === 'add')!;
    const slots = Object.values(r.edges).filter((e) => e.to === merge.id).map((e) => slotNumber(r, e.id)).sort();
    expect(slots).toEqual([1, 2]);
    const labels = toFlowEdges(r, inferArchitecture(r), new Set()).edges.filter((e) => e.target === merge.id).map((e) => e.data!.slot);
    expect(labels.sort()).toEqual([1, 2]);
  });

  it('keeps unchanged cards as they were, and a card being dragged where the pointer has it', () => {
    const p = lenetByHand();
    const a = arch(p);
    const first = toFlowNodes(a, inferArchitecture(a), new Set());
    expect(mergeNodes(toFlowNodes(a, inferArchitecture(a), new Set()), first, new Set())).toBe(first);
    const moved = first.map((n) => (n.ariaLabel === 'conv2d_1' ? { ...n, position: { x: 500, y: 500 } } : n));
    const next = mergeNodes(toFlowNodes(a, inferArchitecture(a), new Set()), moved, new Set([byName(p, 'conv2d_1').id]));
    expect(next.find((n) => n.ariaLabel === 'conv2d_1')!.position).toEqual({ x: 500, y: 500 });
  });
});

describe('gestures as one plan each', () => {
  it('adds a layer below the selected one and connects it; an Input is never fed', () => {
    let p = emptyProject();
    const input = addLayerAfter(p, 'a', 'input', { x: 0, y: 0 }, NOW);
    p = apply(p, input);
    const dense = addLayerAfter(p, 'a', 'dense', { x: 0, y: 100 }, NOW, isRefusal(input) ? undefined : input.id);
    expect(!isRefusal(dense) && dense.connected).toBe(true);
    p = apply(p, dense);
    expect(Object.values(arch(p).edges)).toHaveLength(1);
    const second = addLayerAfter(p, 'a', 'input', { x: 0, y: 200 }, NOW, isRefusal(dense) ? undefined : dense.id);
    expect(!isRefusal(second) && second.connected).toBe(false);
  });

  it('deletes layers with their connections and other selected connections in one step', () => {
    const p = lenetByHand();
    const plan = deleteSelection(p, 'a', [byName(p, 'flatten_1').id], [Object.values(arch(p).edges).find((e) => e.from === byName(p, 'dense_2').id)!.id], NOW);
    const after = apply(p, plan);
    expect(Object.keys(arch(after).layers)).toHaveLength(8);
    expect(Object.keys(arch(after).edges)).toHaveLength(5);
  });

  it('fills an empty architecture from a template, named after it, and never overwrites layers', () => {
    const p = emptyProject();
    const lenet = ARCHITECTURE_TEMPLATES.find((t) => t.id === 'lenet5')!;
    const after = apply(p, startFromTemplate(p, 'a', lenet, NOW));
    expect(arch(after).name).toBe('LeNet-5');
    expect(inferArchitecture(arch(after)).problems).toEqual([]);
    expect(isRefusal(startFromTemplate(after, 'a', lenet, NOW))).toBe(true);
  });

  it('copies and pastes layers with their inner connections under free names', () => {
    const p = lenetByHand();
    const ids = ['dense_1', 'dense_2'].map((n) => byName(p, n).id);
    const clip = parseLayerClipboard(JSON.stringify(copyLayers(arch(p), ids)))!;
    expect(parseLayerClipboard('{"format":"deepforge/nodes"}')).toBeUndefined();
    const plan = pasteLayers(p, 'a', clip, { x: 40, y: 40 }, NOW);
    const after = apply(p, plan);
    const names = Object.values(arch(after).layers).map((l) => l.name);
    expect(names).toContain('dense_4');
    expect(names).toContain('dense_5');
    expect(Object.keys(arch(after).edges)).toHaveLength(9);
    expect(byName(after, 'dense_4').config.units).toBe(120);
  });
});

describe('the palette, the parameter controls and import', () => {
  it('lists the catalog by section, or the matches of a search', () => {
    const all = paletteSections('');
    expect(all.map((s) => s.title)).toContain('Convolution');
    const hits = paletteSections('conv2d');
    expect(hits[0]!.layers[0]!.type).toBe('conv2d');
    expect(paletteSections('no such layer at all')).toEqual([]);
  });

  it('reads int tuples and shapes typed as text, and says what it cannot read', () => {
    const dense = { type: 'conv2d', config: {} };
    const kernel = paramSpecsFor(dense).find((s) => s.key === 'kernelSize')!;
    expect(parseParam(kernel, '5')).toEqual({ value: 5 });
    expect(parseParam(kernel, '3, 5')).toEqual({ value: [3, 5] });
    expect(parseParam(kernel, '3, a')).toHaveProperty('error');
    expect(parseParam(kernel, '5x5')).toEqual({ value: [5, 5] });
    const shape = paramSpecsFor({ type: 'input', config: {} }).find((s) => s.key === 'shape')!;
    expect(parseParam(shape, '[null, 28, 1]')).toEqual({ value: [null, 28, 1] });
    expect(valueToText([null, 28, 1])).toBe('null, 28, 1');
  });

  it('picks the model.json among the files people pick, and refuses anything else with advice', () => {
    expect(pickModelFile([{ name: 'group1-shard1of1.bin' }, { name: 'model.json' }]).name).toBe('model.json');
    expect(() => pickModelFile([{ name: 'weights.bin' }])).toThrow(/model\.json/);
  });

  it('adds an imported architecture under a name the project does not have yet', () => {
    const p = emptyProject();
    const a: Architecture = { ...arch(p), id: 'b', name: 'Architecture' };
    const after = apply(p, addImported(p, a, NOW));
    expect(after.architectures.b!.name).toBe('Architecture 2');
  });
});

describe('auto layout', () => {
  it('lays a network out top to bottom, every layer below the ones that feed it', async () => {
    const p = lenetByHand();
    const positions = await layoutArchitecture(arch(p));
    for (const e of Object.values(arch(p).edges)) expect(positions[e.to]!.y).toBeGreaterThan(positions[e.from]!.y);
    expect(toElkGraph([{ id: 'x', width: 1, height: 1 }], [{ id: 'e', from: 'x', to: 'gone' }]).edges).toEqual([]);
  });
});

describe('skip connections', () => {
  it('are told apart from the chain and drawn beside the layers they jump over', () => {
    const resnet = ARCHITECTURE_TEMPLATES.find((t) => t.id === 'resnet-block')!.build('r');
    const r: Architecture = { id: 'r', name: 'R', description: '', ...resnet, createdAt: 0, updatedAt: 0 };
    const edges = toFlowEdges(r, inferArchitecture(r), new Set()).edges;
    expect(edges.filter((e) => e.data?.skip)).toHaveLength(1);
    const around = skipPath(0, 0, 0, 400)!;
    expect(around.labelX).toBeGreaterThan(105);
    expect(around.path.startsWith('M 0 0')).toBe(true);
    expect(around.path.endsWith('L 0 400')).toBe(true);
    // Layers side by side, or too close together, keep a plain curve.
    expect(skipPath(0, 0, 400, 400)).toBeUndefined();
    expect(skipPath(0, 0, 0, 30)).toBeUndefined();
  });
});

describe('the order of a merge layer’s inputs', () => {
  it('swaps two inputs in one step, which changes what Concatenate outputs first', () => {
    let p = emptyProject();
    for (const [type, after] of [['input', undefined], ['dense', 'input_1'], ['dense', 'input_1'], ['concatenate', 'dense_1']] as const) {
      p = apply(p, addLayerAfter(p, 'a', type, { x: 0, y: 0 }, NOW, after ? byName(p, after).id : undefined));
    }
    p = apply(p, connect(p, 'a', byName(p, 'dense_2').id, byName(p, 'concatenate_1').id, NOW));
    const into = () => Object.values(arch(p).edges).filter((e) => e.to === byName(p, 'concatenate_1').id).sort((x, y) => (x.slot ?? 0) - (y.slot ?? 0));
    expect(into().map((e) => arch(p).layers[e.from]!.name)).toEqual(['dense_1', 'dense_2']);
    const [first, second] = into();
    p = apply(p, swapInputs(p, 'a', first!.id, second!.id, NOW));
    expect(into().map((e) => arch(p).layers[e.from]!.name)).toEqual(['dense_2', 'dense_1']);
    expect(isRefusal(swapInputs(p, 'a', first!.id, Object.values(arch(p).edges).find((e) => e.to === byName(p, 'dense_1').id)!.id, NOW))).toBe(true);
  });
});
