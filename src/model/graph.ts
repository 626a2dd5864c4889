/**
 * Graph algorithms shared by pipelines (operation nodes) and architectures (layers).
 * Deterministic by construction: node ids are visited in sorted order, so every peer that reads the
 * same document reaches the same order and the same verdict about cycles.
 */

export interface DirectedEdge {
  id: string;
  from: string;
  to: string;
}

export interface TopologicalResult {
  /** Nodes in an order where every edge points forward; nodes on or after a cycle are left out. */
  order: string[];
  /** Ids of the edges that lie on a cycle (empty when the graph is a DAG). */
  cycleEdges: string[];
  /** Ids of the nodes that lie on a cycle. */
  cycleNodes: string[];
}

function byId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Kahn's algorithm with a sorted frontier, plus the exact edges that close cycles. */
export function topologicalOrder(nodeIds: Iterable<string>, edges: readonly DirectedEdge[]): TopologicalResult {
  const nodes = [...new Set(nodeIds)].sort(byId);
  const known = new Set(nodes);
  const indegree = new Map<string, number>(nodes.map((n) => [n, 0]));
  const out = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const e of edges) {
    if (!known.has(e.from) || !known.has(e.to)) continue; // dangling edges are a validation problem, not a graph one
    out.get(e.from)!.push(e.to);
    indegree.set(e.to, indegree.get(e.to)! + 1);
  }
  const frontier = nodes.filter((n) => indegree.get(n) === 0);
  const order: string[] = [];
  while (frontier.length > 0) {
    const n = frontier.shift()!;
    order.push(n);
    const next: string[] = [];
    for (const m of out.get(n)!) {
      const d = indegree.get(m)! - 1;
      indegree.set(m, d);
      if (d === 0) next.push(m);
    }
    if (next.length) {
      frontier.push(...next);
      frontier.sort(byId);
    }
  }
  if (order.length === nodes.length) return { order, cycleEdges: [], cycleNodes: [] };
  const { cycleNodes, cycleEdges } = findCycles(nodes, edges);
  return { order, cycleEdges, cycleNodes };
}

/**
 * Strongly connected components (Tarjan, iterative): an edge lies on a cycle when both ends are in the same
 * component of more than one node, or it is a self-loop.
 */
export function findCycles(nodeIds: Iterable<string>, edges: readonly DirectedEdge[]): { cycleNodes: string[]; cycleEdges: string[] } {
  const nodes = [...new Set(nodeIds)].sort(byId);
  const known = new Set(nodes);
  const out = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const e of edges) if (known.has(e.from) && known.has(e.to)) out.get(e.from)!.push(e.to);
  for (const list of out.values()) list.sort(byId);

  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const component = new Map<string, number>();
  const componentSize: number[] = [];

  for (const root of nodes) {
    if (idx.has(root)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: root, next: 0 }];
    idx.set(root, index);
    low.set(root, index++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const succ = out.get(frame.node)!;
      if (frame.next < succ.length) {
        const m = succ[frame.next++]!;
        if (!idx.has(m)) {
          idx.set(m, index);
          low.set(m, index++);
          stack.push(m);
          onStack.add(m);
          work.push({ node: m, next: 0 });
        } else if (onStack.has(m)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, idx.get(m)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === idx.get(frame.node)) {
        const c = componentSize.length;
        let size = 0;
        let m: string;
        do {
          m = stack.pop()!;
          onStack.delete(m);
          component.set(m, c);
          size++;
        } while (m !== frame.node);
        componentSize.push(size);
      }
    }
  }

  const cycleEdges: string[] = [];
  const cycleNodes = new Set<string>();
  for (const e of edges) {
    if (!known.has(e.from) || !known.has(e.to)) continue;
    const c = component.get(e.from)!;
    if (e.from === e.to || (c === component.get(e.to) && componentSize[c]! > 1)) {
      cycleEdges.push(e.id);
      cycleNodes.add(e.from);
      cycleNodes.add(e.to);
    }
  }
  return { cycleNodes: [...cycleNodes].sort(byId), cycleEdges: cycleEdges.sort(byId) };
}

/** Whether adding `from → to` would close a cycle: true when `from` is reachable from `to` (or they are equal). */
export function wouldCreateCycle(edges: readonly DirectedEdge[], from: string, to: string): boolean {
  if (from === to) return true;
  const out = new Map<string, string[]>();
  for (const e of edges) {
    const list = out.get(e.from);
    if (list) list.push(e.to);
    else out.set(e.from, [e.to]);
  }
  const seen = new Set<string>([to]);
  const todo = [to];
  while (todo.length > 0) {
    const n = todo.pop()!;
    if (n === from) return true;
    for (const m of out.get(n) ?? []) {
      if (!seen.has(m)) {
        seen.add(m);
        todo.push(m);
      }
    }
  }
  return false;
}
