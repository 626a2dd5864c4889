import { describe, expect, it } from 'vitest';
import { findCycles, topologicalOrder, wouldCreateCycle, type DirectedEdge } from './graph';

const e = (id: string, from: string, to: string): DirectedEdge => ({ id, from, to });

describe('topologicalOrder', () => {
  it('orders a DAG so that every edge points forward', () => {
    const edges = [e('1', 'load', 'split'), e('2', 'split', 'train'), e('3', 'split', 'eval'), e('4', 'train', 'eval')];
    const { order, cycleEdges } = topologicalOrder(['eval', 'train', 'split', 'load'], edges);
    expect(cycleEdges).toEqual([]);
    expect(order).toEqual(['load', 'split', 'train', 'eval']);
    for (const edge of edges) expect(order.indexOf(edge.from)).toBeLessThan(order.indexOf(edge.to));
  });

  it('is deterministic whatever order the nodes and edges arrive in', () => {
    const edges = [e('a', 'x', 'z'), e('b', 'y', 'z'), e('c', 'w', 'y')];
    const one = topologicalOrder(['x', 'y', 'z', 'w'], edges).order;
    const two = topologicalOrder(['w', 'z', 'y', 'x'], [...edges].reverse()).order;
    expect(one).toEqual(two);
  });

  it('names exactly the edges of a cycle and leaves the rest alone', () => {
    const edges = [e('in', 'src', 'a'), e('ab', 'a', 'b'), e('bc', 'b', 'c'), e('ca', 'c', 'a'), e('out', 'c', 'sink')];
    const r = topologicalOrder(['src', 'a', 'b', 'c', 'sink'], edges);
    expect(r.cycleEdges).toEqual(['ab', 'bc', 'ca']);
    expect(r.cycleNodes).toEqual(['a', 'b', 'c']);
    expect(r.order).toEqual(['src']);
  });

  it('treats a self-loop as a cycle', () => {
    expect(findCycles(['a'], [e('aa', 'a', 'a')]).cycleEdges).toEqual(['aa']);
  });

  it('ignores edges to nodes that do not exist', () => {
    const r = topologicalOrder(['a', 'b'], [e('1', 'a', 'b'), e('2', 'b', 'ghost')]);
    expect(r.order).toEqual(['a', 'b']);
    expect(r.cycleEdges).toEqual([]);
  });

  it('handles long chains without recursion limits', () => {
    const n = 20_000;
    const ids = Array.from({ length: n }, (_, i) => `n${String(i).padStart(6, '0')}`);
    const edges = ids.slice(1).map((id, i) => e(`e${i}`, ids[i]!, id));
    edges.push(e('back', ids[n - 1]!, ids[0]!));
    expect(findCycles(ids, edges).cycleEdges).toHaveLength(n);
  });
});

describe('wouldCreateCycle', () => {
  const edges = [e('1', 'a', 'b'), e('2', 'b', 'c')];
  it('refuses an edge that closes a loop', () => {
    expect(wouldCreateCycle(edges, 'c', 'a')).toBe(true);
    expect(wouldCreateCycle(edges, 'a', 'a')).toBe(true);
  });
  it('allows an edge that keeps the graph acyclic', () => {
    expect(wouldCreateCycle(edges, 'a', 'c')).toBe(false);
  });
});
