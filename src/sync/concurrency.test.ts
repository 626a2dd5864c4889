import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import { EXAMPLES } from '../model/examples';
import { CORE_OPERATIONS } from '../model/library/core';
import { isRefusal, type Plan, type PlanResult } from '../model/plan';
import { addNode, connect, disconnect, removeNodes } from '../model/pipeline-edits';
import { createPipeline } from '../model/project';
import { topologicalOrder } from '../model/graph';
import type { Project } from '../model/types';
import { validatePipeline } from '../model/validation';
import { applyEdits, storable } from './apply';

const NOW = 1_700_000_000_000;

function ok(p: PlanResult | (Plan & { id: string })): Plan {
  if (isRefusal(p as PlanResult)) throw new Error((p as { refused: string }).refused);
  return p as Plan;
}

/** Apply a plan the way the app does: one Automerge change. */
function apply(doc: A.Doc<Project>, plan: Plan): A.Doc<Project> {
  return A.change(doc, { message: plan.message }, (d) => applyEdits(d as A.Doc<unknown>, plan.edits));
}

function start(): A.Doc<Project> {
  const { project } = EXAMPLES.find((e) => e.id === 'iris-mlp')!.build(NOW);
  let doc = A.from(storable(project) as Record<string, unknown>) as unknown as A.Doc<Project>;
  doc = apply(doc, createPipeline(doc, NOW, 'p', 'Shared'));
  for (const id of ['a', 'b']) doc = apply(doc, ok(addNode(doc, 'p', { kind: 'operation', operation: CORE_OPERATIONS['core.normalize']! }, { x: 0, y: 0 }, NOW, id)));
  return doc;
}

describe('concurrent graph edits', () => {
  it('two peers connecting A→B and B→A at once both see the same cycle, and running is blocked', () => {
    const base = start();
    let ada = A.clone(base, { actor: 'aa'.repeat(16) });
    let bob = A.clone(base, { actor: 'bb'.repeat(16) });
    // Each edit is valid on its own peer.
    ada = apply(ada, ok(connect(ada, 'p', { node: 'a', port: 'dataset' }, { node: 'b', port: 'dataset' }, NOW, 'ab')));
    bob = apply(bob, ok(connect(bob, 'p', { node: 'b', port: 'dataset' }, { node: 'a', port: 'dataset' }, NOW, 'ba')));
    ada = A.merge(ada, bob);
    bob = A.merge(bob, ada);
    expect(A.getHeads(ada).sort()).toEqual(A.getHeads(bob).sort());
    const verdict = (doc: A.Doc<Project>) => validatePipeline(doc, doc.pipelines.p!).filter((x) => x.code === 'cycle').map((x) => x.edgeId);
    expect(verdict(ada)).toEqual(['ab', 'ba']);
    expect(verdict(bob)).toEqual(verdict(ada));
    const edges = Object.values(ada.pipelines.p!.edges).map((e) => ({ id: e.id, from: e.from.node, to: e.to.node }));
    // No order exists in which to run a and b.
    expect(topologicalOrder(Object.keys(ada.pipelines.p!.nodes), edges).order).toEqual([]);
  });

  it('a node deleted while another peer connects to it leaves no edge to show or run', () => {
    const base = start();
    let ada = A.clone(base, { actor: 'aa'.repeat(16) });
    let bob = A.clone(base, { actor: 'bb'.repeat(16) });
    ada = apply(ada, ok(removeNodes(ada, 'p', ['b'], NOW)));
    bob = apply(bob, ok(connect(bob, 'p', { node: 'a', port: 'dataset' }, { node: 'b', port: 'dataset' }, NOW, 'ab')));
    const merged = A.merge(ada, bob);
    const pipeline = merged.pipelines.p!;
    expect(pipeline.nodes.b).toBeUndefined();
    // The edge survives in the document (Automerge keeps both edits) but every reader treats it as dangling:
    const problems = validatePipeline(merged, pipeline);
    expect(problems.filter((x) => x.edgeId === 'ab')).toEqual([expect.objectContaining({ code: 'dangling-edge' })]);
    // ...and node a still needs its input connected: the dangling edge does not count as one.
    expect(problems).toContainEqual(expect.objectContaining({ code: 'unconnected-input', nodeId: 'a' }));
    const edges = Object.values(pipeline.edges).map((e) => ({ id: e.id, from: e.from.node, to: e.to.node }));
    expect(topologicalOrder(Object.keys(pipeline.nodes), edges)).toEqual({ order: ['a'], cycleEdges: [], cycleNodes: [] });
    // Removing the dangling edge is one plan away.
    const cleanup = ok(disconnect(merged, 'p', ['ab'], NOW));
    expect(apply(merged, cleanup).pipelines.p!.edges).toEqual({});
  });
});
