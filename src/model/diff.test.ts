import { describe, expect, it } from 'vitest';
import { countDiff, diffProjects, isEmptyDiff, summarizeDiff, type DiffDetail, type ItemDiff, type ProjectDiff } from './diff';
import { codeHunks } from './diff-text';
import { EXAMPLES } from './examples';
import type { Architecture, ArtifactMeta, ExecutionSummary, Pipeline, Project } from './types';

const NOW = 1_700_000_000_000;

function mnist(): Project {
  return EXAMPLES.find((e) => e.id === 'mnist-cnn')!.build(NOW).project;
}

/** The example and a copy to mutate. */
function pair(): [Project, Project] {
  const before = mnist();
  return [before, structuredClone(before)];
}

function only(diff: ProjectDiff): ItemDiff {
  expect(diff.items).toHaveLength(1);
  return diff.items[0]!;
}

const summaries = (details: DiffDetail[]) => details.map((d) => d.summary);

const artifact = (id: string, name: string): ArtifactMeta => ({ id, name, type: 'dataset', mediaType: 'application/json', sha256: 'ab', size: 3, createdAt: NOW });
const execution = (id: string, name: string): ExecutionSummary => ({
  id,
  name,
  pipelineId: 'main',
  pipelineName: 'Train MNIST CNN',
  docUrl: 'automerge:x',
  status: 'running',
  createdAt: NOW,
  metrics: {},
});

describe('diffProjects', () => {
  it('finds nothing between identical states, nor when only timestamps moved', () => {
    const [before, after] = pair();
    expect(isEmptyDiff(diffProjects(before, after))).toBe(true);
    after.updatedAt += 1000;
    after.pipelines.main!.updatedAt += 1000;
    after.operations['core.train']!.updatedAt += 1000;
    const diff = diffProjects(before, after);
    expect(diff).toEqual({ project: [], items: [] });
    expect(summarizeDiff(diff)).toBe('no changes');
  });

  it("reports the project's own name and description", () => {
    const [before, after] = pair();
    after.name = 'MNIST CNN v2';
    after.description = '';
    const diff = diffProjects(before, after);
    expect(summaries(diff.project)).toEqual(['renamed the project MNIST CNN → MNIST CNN v2', 'removed the description']);
    expect(diff.project[0]).toMatchObject({ type: 'field', field: 'name', before: 'MNIST CNN', after: 'MNIST CNN v2' });
    expect(summarizeDiff(diff)).toBe('renamed the project, edited the project description');
  });

  it('lists added and removed items by kind, then name, then id', () => {
    const [before, after] = pair();
    after.pipelines.b = { ...structuredClone(before.pipelines.main!), id: 'b', name: 'b pipeline' };
    after.pipelines.a = { ...structuredClone(before.pipelines.main!), id: 'a', name: 'B pipeline' };
    delete after.architectures.cnn;
    delete after.operations['core.evaluate'];
    after.artifacts.x = artifact('x', 'digits.json');
    after.executions.e1 = execution('e1', 'Run 1');
    before.executions.e0 = execution('e0', 'Run 0');
    const diff = diffProjects(before, after);
    expect(diff.items.map((i) => [i.kind, i.id, i.change, i.summary])).toEqual([
      ['pipelines', 'a', 'added', 'added pipeline B pipeline'],
      ['pipelines', 'b', 'added', 'added pipeline b pipeline'],
      ['architectures', 'cnn', 'removed', 'removed architecture Small CNN'],
      ['operations', 'core.evaluate', 'removed', 'removed operation Evaluate'],
      ['artifacts', 'x', 'added', 'added artifact digits.json'],
      ['executions', 'e0', 'removed', 'removed execution Run 0'],
      ['executions', 'e1', 'added', 'added execution Run 1'],
    ]);
    expect(countDiff(diff)).toEqual({ added: 4, removed: 3, changed: 0, renamed: 0 });
    expect(summarizeDiff(diff)).toBe('4 added, 3 removed');
  });

  it('calls a pure rename "renamed", and a rename among other edits "changed"', () => {
    const [before, after] = pair();
    after.architectures.cnn!.name = 'Tiny CNN';
    const renamed = only(diffProjects(before, after));
    expect(renamed).toMatchObject({ change: 'renamed', name: 'Tiny CNN', previousName: 'Small CNN', summary: 'renamed architecture Small CNN → Tiny CNN' });
    after.architectures.cnn!.description = 'Smaller.';
    const changed = only(diffProjects(before, after));
    expect(changed).toMatchObject({ change: 'changed', previousName: 'Small CNN', summary: 'changed architecture Tiny CNN (2 changes)' });
    expect(summaries(changed.details)).toEqual(['renamed architecture Small CNN → Tiny CNN', 'edited the description']);
    expect(summarizeDiff(diffProjects(before, after))).toBe('1 changed');
  });

  it('describes pipeline nodes, attribute values, references and edges with titles people read', () => {
    const [before, after] = pair();
    const pipeline = after.pipelines.main!;
    const train = pipeline.nodes.main_train!;
    train.attributes.epochs = 20;
    train.attributes.learningRate = 0.01;
    delete train.attributes.batchSize;
    after.architectures.mlp = { ...structuredClone(before.architectures.cnn!), id: 'mlp', name: 'MLP' };
    train.references.net = 'mlp';
    pipeline.nodes.main_load!.label = 'Digits';
    delete pipeline.nodes.main_evaluate;
    delete pipeline.edges['main_train.model-evaluate.model'];
    delete pipeline.edges['main_split.test-evaluate.dataset'];
    pipeline.nodes.scale = { id: 'scale', kind: 'operation', operationId: 'core.split', position: { x: 0, y: 0 }, attributes: {}, references: {} };
    pipeline.edges.e9 = { id: 'e9', from: { node: 'main_load', port: 'dataset' }, to: { node: 'scale', port: 'dataset' } };
    const item = diffProjects(before, after).items.find((i) => i.kind === 'pipelines')!;
    expect(item.change).toBe('changed');
    expect(summaries(item.details)).toEqual([
      'Digits: label none → Digits',
      'removed node Evaluate',
      'Train: batchSize 64 → 64 (default)',
      'Train: epochs 3 → 20',
      'Train: learningRate 0.003 → 0.01',
      'Train: net Small CNN → MLP',
      'added node Train/Test Split',
      'added edge Digits.dataset → Train/Test Split.dataset',
      'removed edge Train.model → Evaluate.model',
      'removed edge Train/Test Split.test → Evaluate.dataset',
    ]);
    expect(item.details).toContainEqual({ type: 'node-attribute', node: 'main_train', title: 'Train', attribute: 'epochs', name: 'epochs', before: 3, after: 20, summary: 'Train: epochs 3 → 20' });
    expect(item.details).toContainEqual(expect.objectContaining({ type: 'node-reference', reference: 'net', before: 'cnn', after: 'mlp' }));
  });

  it('matches connections by their ends, and counts moved nodes without listing them', () => {
    const [before, after] = pair();
    const pipeline = after.pipelines.main!;
    const [id, edge] = Object.entries(pipeline.edges)[0]!;
    delete pipeline.edges[id];
    pipeline.edges.redrawn = { ...edge, id: 'redrawn' };
    expect(isEmptyDiff(diffProjects(before, after))).toBe(true);
    pipeline.nodes.main_load!.position = { x: 40, y: 10 };
    pipeline.nodes.main_split!.position.x += 1;
    expect(only(diffProjects(before, after)).details).toEqual([{ type: 'layout', moved: 2, summary: 'moved 2 nodes' }]);
  });

  it('describes layers added, removed and changed, and architecture edges', () => {
    const [before, after] = pair();
    const arch = after.architectures.cnn!;
    arch.layers.cnn_l6!.config.units = 12;
    arch.layers.cnn_l6!.config.useBias = false;
    arch.layers.cnn_l1!.type = 'separableConv2d';
    arch.layers.cnn_l3!.name = 'conv_big';
    delete arch.layers.cnn_l4;
    delete arch.edges.cnn_e4;
    delete arch.edges.cnn_e5;
    arch.layers.drop = { id: 'drop', type: 'dropout', name: 'dropout_1', config: { rate: 0.5 }, position: { x: 0, y: 0 } };
    arch.edges.d1 = { id: 'd1', from: 'cnn_l3', to: 'drop' };
    arch.edges.d2 = { id: 'd2', from: 'drop', to: 'cnn_l5' };
    const item = only(diffProjects(before, after));
    expect(summaries(item.details)).toEqual([
      'conv2d_1: type conv2d → separableConv2d',
      'renamed layer conv2d_2 → conv_big',
      'dense_1: units 10 → 12',
      'dense_1: useBias none → false',
      'added layer dropout_1',
      'removed layer maxPooling2d_2',
      'removed edge conv2d_2 → maxPooling2d_2',
      'added edge conv_big → dropout_1',
      'added edge dropout_1 → flatten_1',
      'removed edge maxPooling2d_2 → flatten_1',
    ]);
    expect(item.details).toContainEqual({ type: 'layer-field', layer: 'cnn_l6', name: 'dense_1', field: 'config', key: 'units', before: 10, after: 12, summary: 'dense_1: units 10 → 12' });
    expect(item.details).toContainEqual({ type: 'layer', change: 'removed', layer: 'cnn_l4', name: 'maxPooling2d_2', layerType: 'maxPooling2d', summary: 'removed layer maxPooling2d_2' });
  });

  it('describes operation ports, attributes, references, fields and code', () => {
    const [before, after] = pair();
    const op = after.operations['core.train']!;
    op.category = 'Training';
    op.inputs.weights = { id: 'weights', name: 'weights', type: 'tensor', order: 1, optional: true };
    delete op.outputs.model;
    op.attributes.epochs!.default = 10;
    op.attributes.epochs!.max = 100;
    op.references.net!.kind = 'pipeline';
    op.code = op.code.replace('shuffle: true', 'shuffle: false');
    const item = only(diffProjects(before, after));
    expect(summaries(item.details)).toEqual([
      'category Model → Training',
      'added input weights',
      'removed output model',
      'changed attribute epochs: default 5 → 10, max 1000 → 100',
      'changed reference net: kind architecture → pipeline',
      'edited code (+1 −1 lines)',
    ]);
    const code = item.details.at(-1)!;
    expect(code.type === 'code' && code.hunks.filter((h) => h.kind !== 'same' && h.kind !== 'skip')).toEqual([
      { kind: 'remove', text: '    shuffle: true,', lines: 1 },
      { kind: 'add', text: '    shuffle: false,', lines: 1 },
    ]);
    expect(item.details).toContainEqual(expect.objectContaining({ type: 'member', group: 'attributes', fields: [{ field: 'default', before: 5, after: 10 }, { field: 'max', before: 1000, after: 100 }] }));
  });

  it('reports artifacts and executions renamed, and an execution finishing', () => {
    const [before, after] = pair();
    before.artifacts.x = artifact('x', 'a.json');
    after.artifacts.x = artifact('x', 'b.json');
    before.executions.e = execution('e', 'Run 1');
    after.executions.e = { ...execution('e', 'Run 1'), status: 'succeeded', metrics: { accuracy: 0.98 } };
    expect(diffProjects(before, after).items.map((i) => [i.change, i.summary])).toEqual([
      ['renamed', 'renamed artifact a.json → b.json'],
      ['changed', 'changed execution Run 1: status running → succeeded'],
    ]);
  });

  it('treats collections missing from older documents as empty', () => {
    const [before, after] = pair();
    const old = before as Partial<Project>;
    delete old.executions;
    delete old.artifacts;
    delete (before.pipelines.main as Partial<Pipeline>).edges;
    delete (before.architectures.cnn as Partial<Architecture>).edges;
    after.executions.e = execution('e', 'Run 1');
    const diff = diffProjects(before, after);
    expect(diff.items.map((i) => [i.kind, i.change, i.details.length])).toEqual([
      ['pipelines', 'changed', 4],
      ['architectures', 'changed', 6],
      ['executions', 'added', 0],
    ]);
    expect(() => diffProjects(after, before)).not.toThrow();
  });

  it('is symmetric: swapping the states swaps added and removed, and before and after', () => {
    const [before, after] = pair();
    after.name = 'Other';
    after.pipelines.main!.nodes.main_train!.attributes.epochs = 9;
    delete after.pipelines.main!.nodes.main_evaluate;
    delete after.pipelines.main!.edges['main_train.model-evaluate.model'];
    after.architectures.cnn!.layers.cnn_l6!.config.units = 12;
    delete after.architectures.cnn!.layers.cnn_l5;
    after.operations['core.train']!.code += '\n// tuned\n';
    after.operations['core.train']!.inputs.extra = { id: 'extra', name: 'extra', type: 'any', order: 2 };
    after.pipelines.copy = { ...structuredClone(before.pipelines.main!), id: 'copy', name: 'Copy' };
    delete after.operations['core.evaluate'];
    const forward = diffProjects(before, after);
    const backward = diffProjects(after, before);
    const swap = { added: 'removed', removed: 'added' } as Record<string, string>;
    const shape = (diff: ProjectDiff, flip: boolean) => {
      const f = (c: string) => (flip ? (swap[c] ?? c) : c);
      const detail = (d: DiffDetail) => {
        const parts: unknown[] = [d.type, 'change' in d ? f(d.change) : null];
        if ('before' in d) parts.push(...(flip ? [d.after, d.before] : [d.before, d.after]));
        if (d.type === 'code') parts.push(...(flip ? [d.removed, d.added] : [d.added, d.removed]));
        return JSON.stringify(parts);
      };
      const all = [...diff.project.map(detail), ...diff.items.map((i) => JSON.stringify([i.kind, i.id, f(i.change), i.details.map(detail).sort()]))];
      return all.sort();
    };
    expect(shape(backward, true)).toEqual(shape(forward, false));
    expect(countDiff(backward)).toEqual({ ...countDiff(forward), added: countDiff(forward).removed, removed: countDiff(forward).added });
  });

  it('returns plain JSON data', () => {
    const [before, after] = pair();
    after.pipelines.main!.nodes.main_train!.attributes.seed = 3;
    after.operations['core.split']!.attributes.seed!.description = undefined;
    after.architectures.cnn!.layers.cnn_l0!.config.shape = [32, 32, 3];
    after.operations['core.train']!.code = 'x';
    const diff = diffProjects(before, after);
    expect(JSON.parse(JSON.stringify(diff))).toStrictEqual(diff);
  });
});

describe('codeHunks', () => {
  const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`);
  const text = (ls: string[]) => `${ls.join('\n')}\n`;

  it('folds long unchanged stretches to three lines of context around each change', () => {
    const before = text(lines(1, 30));
    const after = text([...lines(1, 9), 'changed 10', ...lines(11, 30)]);
    expect(codeHunks(before, after)).toEqual([
      { kind: 'skip', text: '6 unchanged lines', lines: 6 },
      { kind: 'same', text: 'line 7\nline 8\nline 9', lines: 3 },
      { kind: 'remove', text: 'line 10', lines: 1 },
      { kind: 'add', text: 'changed 10', lines: 1 },
      { kind: 'same', text: 'line 11\nline 12\nline 13', lines: 3 },
      { kind: 'skip', text: '17 unchanged lines', lines: 17 },
    ]);
  });

  it('keeps short stretches between changes whole, folds long ones in the middle', () => {
    const before = text(lines(1, 20));
    const after = text(['new 1', ...lines(2, 7), 'new 8', ...lines(9, 19), 'new 20']);
    const hunks = codeHunks(before, after);
    expect(hunks.map((h) => [h.kind, h.lines])).toEqual([
      ['remove', 1], ['add', 1], ['same', 6], ['remove', 1], ['add', 1],
      ['same', 3], ['skip', 5], ['same', 3], ['remove', 1], ['add', 1],
    ]);
  });

  it('is empty for equal code and whole for new code', () => {
    expect(codeHunks('a\nb\n', 'a\nb\n')).toEqual([]);
    expect(codeHunks('', 'a\nb\n')).toEqual([{ kind: 'add', text: 'a\nb', lines: 2 }]);
  });
});
