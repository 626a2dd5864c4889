import { describe, expect, it } from 'vitest';
import { EXAMPLES } from '../../model/examples';
import { applyPlanToObject, isRefusal, type PlanResult } from '../../model/plan';
import type { Project } from '../../model/types';
import { validatePipeline } from '../../model/validation';
import { portOptions } from './connect-options';
import { deleteSelection } from './edits';
import { indexProblems, mergeNodes, toFlowEdges, toFlowNodes } from './flow';
import { layeredLayout, toElkGraph } from './layout';
import { filterPalette, paletteEntries } from './palette';

const NOW = 1_700_000_000_000;
const iris = (): Project => EXAMPLES.find((e) => e.id === 'iris-mlp')!.build(NOW).project;
const apply = (p: Project, plan: PlanResult) => {
  if (isRefusal(plan)) throw new Error(plan.refused);
  return applyPlanToObject(p, plan);
};
const build = (p: Project, selected: string[] = []) => {
  const pipeline = p.pipelines.main!;
  const problems = indexProblems(validatePipeline(p, pipeline));
  return { nodes: toFlowNodes(p, pipeline, problems, new Set(selected)), ...toFlowEdges(p, pipeline, problems, new Set()) };
};

describe('the canvas built from the document', () => {
  it('names every node by its title and draws every connection', () => {
    const { nodes, edges, broken } = build(iris(), ['main_train']);
    expect(nodes.map((n) => n.ariaLabel).sort()).toEqual(['Evaluate', 'Load Iris', 'Standardize', 'Train', 'Train/Test Split']);
    expect(nodes.find((n) => n.id === 'main_train')!.selected).toBe(true);
    expect(nodes.find((n) => n.id === 'main_train')!.data.inputs.map((p) => `${p.name}:${p.type}`)).toEqual(['dataset:dataset']);
    expect(edges).toHaveLength(5);
    expect(broken).toEqual([]);
    expect(edges.every((e) => !e.data?.problem)).toBe(true);
  });

  it('leaves out connections whose node is gone, and marks wrong ones with the reason', () => {
    const p = iris();
    // A collaborator deleted Standardize while another added a json → dataset connection (as merges can).
    delete p.pipelines.main!.nodes.main_scale;
    p.operations['core.evaluate']!.outputs.metrics!.type = 'json';
    p.pipelines.main!.edges.bad = { id: 'bad', from: { node: 'main_evaluate', port: 'metrics' }, to: { node: 'main_split', port: 'dataset' } };
    const { edges, broken, nodes } = build(p);
    expect(broken.sort()).toEqual(['main_load.dataset-scale.dataset', 'main_scale.dataset-split.dataset'].sort());
    const bad = edges.find((e) => e.id === 'bad')!;
    expect(bad.class).toBe('problem');
    expect(bad.data?.problem).toMatch(/gives json, but Train\/Test Split.dataset takes dataset/);
    expect(bad.data?.problem).toMatch(/cycle/);
    expect(nodes.find((n) => n.id === 'main_load')!.data.problems).toEqual([]);
  });

  it('keeps unchanged nodes as they were, and the position of a node being dragged', () => {
    const p = iris();
    const first = build(p).nodes;
    expect(mergeNodes(build(p).nodes, first, new Set())).toBe(first);
    const dragged = first.map((n) => (n.id === 'main_train' ? { ...n, position: { x: 999, y: 999 }, measured: { width: 180, height: 70 } } : n));
    p.pipelines.main!.nodes.main_load!.position = { x: 5, y: 5 };
    const merged = mergeNodes(build(p).nodes, dragged, new Set(['main_train']));
    expect(merged.find((n) => n.id === 'main_train')).toBe(dragged.find((n) => n.id === 'main_train'));
    expect(merged.find((n) => n.id === 'main_load')!.position).toEqual({ x: 5, y: 5 });
  });
});

describe('editor gestures', () => {
  it('deletes nodes with their connections and other selected connections as one step', () => {
    const p = iris();
    const plan = deleteSelection(p, 'main', ['main_train'], ['main_load.dataset-scale.dataset', 'main_train.model-evaluate.model'], NOW);
    expect(isRefusal(plan) ? plan.refused : plan.message).toBe('removed node Train from pipeline Train Iris MLP and 1 connection');
    apply(p, plan);
    expect(Object.keys(p.pipelines.main!.nodes)).not.toContain('main_train');
    expect(Object.keys(p.pipelines.main!.edges)).toHaveLength(2);
  });

  it('offers library operations the project lacks, grouped, plus Input and Output', () => {
    const p = iris();
    const entries = paletteEntries(p);
    expect(entries.filter((e) => e.name === 'Load Iris')).toHaveLength(1);
    expect(entries.find((e) => e.name === 'Load MNIST')?.origin).toBe('library');
    const groups = filterPalette(entries, 'load');
    expect(groups.map((g) => g.category)).toContain('Data');
    expect(filterPalette(entries, 'output').at(-1)!.entries.map((e) => e.name)).toContain('Output');
  });

  it('lists ports for the keyboard Connect form in run order', () => {
    const { outputs, inputs } = portOptions(iris(), iris().pipelines.main!);
    expect(outputs[0]!.label).toBe('Load Iris.dataset (dataset)');
    expect(inputs.map((o) => o.label)).toContain('Evaluate.model (model)');
  });

  it('hands ELK the graph with fixed ports, left to right', () => {
    const g = toElkGraph(
      [
        { id: 'a', width: 100, height: 50, inputs: [], outputs: [{ id: 'o', x: 100, y: 30 }] },
        { id: 'b', width: 100, height: 50, inputs: [{ id: 'i', x: 0, y: 30 }], outputs: [] },
      ],
      [{ id: 'e', source: 'a', sourcePort: 'o', target: 'b', targetPort: 'i' }, { id: 'gone', source: 'a', sourcePort: 'o', target: 'x', targetPort: 'i' }],
    );
    expect(g.layoutOptions?.['elk.direction']).toBe('RIGHT');
    expect(g.edges).toHaveLength(1);
    expect(g.children![1]!.ports![0]!.layoutOptions?.['elk.port.side']).toBe('WEST');
  });

  it('lays a chain out from left to right', async () => {
    const node = (id: string) => ({ id, width: 180, height: 60, inputs: [{ id: 'i', x: 0, y: 40 }], outputs: [{ id: 'o', x: 180, y: 40 }] });
    const edge = (a: string, b: string) => ({ id: `${a}${b}`, source: a, sourcePort: 'o', target: b, targetPort: 'i' });
    const at = await layeredLayout([node('c'), node('a'), node('b')], [edge('a', 'b'), edge('b', 'c')]);
    expect(at.a!.x).toBeLessThan(at.b!.x);
    expect(at.b!.x + 180).toBeLessThan(at.c!.x);
  });
});
