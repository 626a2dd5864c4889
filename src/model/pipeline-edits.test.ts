import { describe, expect, it } from 'vitest';
import { EXAMPLES } from './examples';
import { CORE_OPERATIONS } from './library/core';
import { applyPlanToObject, isRefusal, type Plan, type PlanResult } from './plan';
import { addNode, connect, disconnect, moveNodes, removeNodes, setAttribute, setReference } from './pipeline-edits';
import { copyNodes, parseClipboard, pasteNodes } from './clipboard';
import { createPipeline, newProject } from './project';
import type { Project } from './types';
import { validatePipeline } from './validation';
import { invertPlan, UndoStack } from './undo';

const NOW = 1_700_000_000_000;

function ok<T extends Plan>(p: T | { refused: string }): T {
  if (isRefusal(p as PlanResult)) throw new Error((p as { refused: string }).refused);
  return p as T;
}

/** An empty pipeline "p" in a project that has the Iris MLP architecture. */
function fresh(): Project {
  const { project } = EXAMPLES.find((e) => e.id === 'iris-mlp')!.build(NOW);
  applyPlanToObject(project, createPipeline(project, NOW, 'p', 'Iris by hand'));
  return project;
}

function add(project: Project, opId: string, id: string): string {
  applyPlanToObject(project, ok(addNode(project, 'p', { kind: 'operation', operation: CORE_OPERATIONS[opId]! }, { x: 0, y: 0 }, NOW, id)));
  return id;
}

describe('pipeline edits', () => {
  it('adds a library operation, copying it into the project once', () => {
    const p = newProject('x', NOW);
    applyPlanToObject(p, createPipeline(p, NOW, 'p'));
    const first = ok(addNode(p, 'p', { kind: 'operation', operation: CORE_OPERATIONS['core.load-iris']! }, { x: 10.4, y: 20.6 }, NOW, 'a'));
    expect(first.message).toBe('added node Load Iris to pipeline Pipeline');
    applyPlanToObject(p, first);
    expect(p.operations['core.load-iris']).toBeDefined();
    expect(p.pipelines.p!.nodes.a).toMatchObject({ kind: 'operation', operationId: 'core.load-iris', position: { x: 10, y: 21 } });
    const second = ok(addNode(p, 'p', { kind: 'operation', operation: CORE_OPERATIONS['core.load-iris']! }, { x: 0, y: 0 }, NOW, 'b'));
    expect(second.edits.filter((e) => e.path[0] === 'operations')).toEqual([]);
  });

  it('connects compatible ports and refuses a type mismatch with the reason', () => {
    const p = fresh();
    add(p, 'core.load-iris', 'load');
    add(p, 'core.split', 'split');
    add(p, 'core.evaluate', 'eval');
    applyPlanToObject(p, ok(connect(p, 'p', { node: 'load', port: 'dataset' }, { node: 'split', port: 'dataset' }, NOW, 'e1')));
    expect(Object.keys(p.pipelines.p!.edges)).toEqual(['e1']);
    const refused = connect(p, 'p', { node: 'eval', port: 'metrics' }, { node: 'split', port: 'dataset' }, NOW);
    expect(refused).toEqual({ refused: 'Evaluate.metrics gives json, but Train/Test Split.dataset takes dataset.' });
    expect(connect(p, 'p', { node: 'load', port: 'dataset' }, { node: 'load', port: 'dataset' }, NOW)).toEqual({ refused: 'A node cannot feed itself.' });
    expect(isRefusal(connect(p, 'p', { node: 'load', port: 'nope' }, { node: 'split', port: 'dataset' }, NOW))).toBe(true);
  });

  it('refuses a connection that would close a cycle', () => {
    const p = fresh();
    add(p, 'core.normalize', 'a');
    add(p, 'core.normalize', 'b');
    applyPlanToObject(p, ok(connect(p, 'p', { node: 'a', port: 'dataset' }, { node: 'b', port: 'dataset' }, NOW, 'ab')));
    const refused = connect(p, 'p', { node: 'b', port: 'dataset' }, { node: 'a', port: 'dataset' }, NOW);
    expect(isRefusal(refused) && refused.refused).toMatch(/would close a loop/);
  });

  it('re-points an input that is already connected instead of doubling it', () => {
    const p = fresh();
    add(p, 'core.load-iris', 'l1');
    add(p, 'core.load-iris', 'l2');
    add(p, 'core.split', 's');
    applyPlanToObject(p, ok(connect(p, 'p', { node: 'l1', port: 'dataset' }, { node: 's', port: 'dataset' }, NOW, 'e1')));
    applyPlanToObject(p, ok(connect(p, 'p', { node: 'l2', port: 'dataset' }, { node: 's', port: 'dataset' }, NOW, 'e2')));
    expect(Object.values(p.pipelines.p!.edges).map((e) => e.from.node)).toEqual(['l2']);
  });

  it('removes a node together with its connections', () => {
    const p = fresh();
    add(p, 'core.load-iris', 'load');
    add(p, 'core.split', 'split');
    applyPlanToObject(p, ok(connect(p, 'p', { node: 'load', port: 'dataset' }, { node: 'split', port: 'dataset' }, NOW, 'e1')));
    applyPlanToObject(p, ok(removeNodes(p, 'p', ['load'], NOW)));
    expect(p.pipelines.p!.nodes.load).toBeUndefined();
    expect(p.pipelines.p!.edges).toEqual({});
    expect(validatePipeline(p, p.pipelines.p!).some((x) => x.code === 'dangling-edge')).toBe(false);
    applyPlanToObject(p, ok(disconnect(p, 'p', ['nothing'], NOW)));
  });

  it('sets attributes within their schema and references to real items', () => {
    const p = fresh();
    add(p, 'core.train', 't');
    applyPlanToObject(p, ok(setAttribute(p, 'p', 't', 'epochs', 20, NOW)));
    expect(p.pipelines.p!.nodes.t!.attributes.epochs).toBe(20);
    expect(setAttribute(p, 'p', 't', 'epochs', 0, NOW)).toEqual({ refused: 'epochs must be at least 1.' });
    expect(setAttribute(p, 'p', 't', 'optimizer', 'magic', NOW)).toEqual({ refused: 'optimizer must be one of adam, sgd, rmsprop, adagrad.' });
    applyPlanToObject(p, ok(setAttribute(p, 'p', 't', 'epochs', undefined, NOW)));
    expect(p.pipelines.p!.nodes.t!.attributes.epochs).toBeUndefined();
    applyPlanToObject(p, ok(setReference(p, 'p', 't', 'net', 'mlp', NOW)));
    expect(p.pipelines.p!.nodes.t!.references.net).toBe('mlp');
    expect(isRefusal(setReference(p, 'p', 't', 'net', 'no-such', NOW))).toBe(true);
    applyPlanToObject(p, ok(moveNodes(p, 'p', { t: { x: 5.5, y: 7 } })));
    expect(p.pipelines.p!.nodes.t!.position).toEqual({ x: 6, y: 7 });
  });
});

describe('copy and paste', () => {
  it('pastes with fresh ids, keeps inner connections, and brings operations and only valid references', () => {
    const source = EXAMPLES.find((e) => e.id === 'mnist-cnn')!.build(NOW).project;
    const clip = parseClipboard(JSON.stringify(copyNodes(source, 'main', ['main_split', 'main_train'])))!;
    expect(clip.edges).toHaveLength(1);
    const target = fresh();
    let n = 0;
    const pasted = ok(pasteNodes(target, 'p', clip, { x: 40, y: 40 }, NOW, (prefix) => `${prefix}${++n}`));
    applyPlanToObject(target, pasted);
    const nodes = target.pipelines.p!.nodes;
    expect(Object.keys(nodes).sort()).toEqual(['n1', 'n2']);
    expect(Object.values(target.pipelines.p!.edges)).toEqual([{ id: 'e3', from: { node: 'n1', port: 'train' }, to: { node: 'n2', port: 'dataset' } }]);
    // The CNN architecture does not exist in the Iris project: the reference is dropped and reported.
    expect(nodes.n2!.references).toEqual({});
    expect(pasted.dropped).toEqual(['Train.net']);
    // Pasting twice gives two copies.
    applyPlanToObject(target, ok(pasteNodes(target, 'p', clip, { x: 80, y: 80 }, NOW, (prefix) => `${prefix}${++n}`)));
    expect(Object.keys(target.pipelines.p!.nodes)).toHaveLength(4);
    expect(parseClipboard('hello')).toBeUndefined();
    expect(parseClipboard('{"format":"other"}')).toBeUndefined();
  });
});

describe('undo', () => {
  it('inverts puts, deletes and new keys, and redoes', () => {
    const p = fresh();
    const stack = new UndoStack();
    const plan = ok(addNode(p, 'p', { kind: 'operation', operation: CORE_OPERATIONS['core.train']! }, { x: 0, y: 0 }, NOW, 't'));
    const before = structuredClone(p);
    stack.record(p, plan);
    applyPlanToObject(p, plan);
    const rename = ok(setAttribute(p, 'p', 't', 'epochs', 9, NOW + 1));
    stack.record(p, rename);
    applyPlanToObject(p, rename);
    applyPlanToObject(p, stack.undo(p)!);
    expect(p.pipelines.p!.nodes.t!.attributes.epochs).toBeUndefined();
    const undoAdd = stack.undo(p)!;
    expect(undoAdd.message).toBe('undid: added node Train to pipeline Iris by hand');
    applyPlanToObject(p, undoAdd);
    expect(p).toEqual(before);
    applyPlanToObject(p, stack.redo(p)!);
    expect(p.pipelines.p!.nodes.t).toBeDefined();
    applyPlanToObject(p, stack.redo(p)!);
    expect(p.pipelines.p!.nodes.t!.attributes.epochs).toBe(9);
    expect(stack.canRedo).toBe(false);
  });

  it('inverts a text splice', () => {
    const doc = { code: 'hello world' };
    const plan: Plan = { message: 'edit', edits: [{ op: 'splice', path: ['code'], index: 6, remove: 5, insert: 'there' }] };
    const inverse = invertPlan(doc, plan);
    applyPlanToObject(doc, plan);
    expect(doc.code).toBe('hello there');
    applyPlanToObject(doc, inverse);
    expect(doc.code).toBe('hello world');
  });
});
