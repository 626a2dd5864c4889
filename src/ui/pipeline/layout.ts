/**
 * Auto layout with ELK's layered algorithm, left to right, ports fixed where the node card draws them so edges
 * between neighbouring layers do not cross needlessly. ELK (about 1.5 MB) is loaded only when someone asks for a
 * layout, never with the editor.
 */
import type { ElkNode } from 'elkjs/lib/elk-api';
import type { InternalNode } from '@xyflow/svelte';
import type { Id, Pipeline, Position } from '../../model/types';

export interface LayoutPort {
  id: Id;
  /** Centre of the handle, relative to the node's top-left corner. */
  x: number;
  y: number;
}

export interface LayoutNode {
  id: Id;
  width: number;
  height: number;
  inputs: LayoutPort[];
  outputs: LayoutPort[];
}

export interface LayoutEdge {
  id: Id;
  source: Id;
  sourcePort: Id;
  target: Id;
  targetPort: Id;
}

const portId = (node: Id, side: 'in' | 'out', port: Id) => `${node}\u0000${side}\u0000${port}`;

export function toElkGraph(nodes: LayoutNode[], edges: LayoutEdge[]): ElkNode {
  const known = new Set(nodes.map((n) => n.id));
  return {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.edgeRouting': 'SPLINES',
      'elk.spacing.nodeNode': '32',
      'elk.layered.spacing.nodeNodeBetweenLayers': '64',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    },
    children: nodes.map((n) => ({
      id: n.id,
      width: n.width,
      height: n.height,
      layoutOptions: { 'elk.portConstraints': 'FIXED_POS' },
      ports: [
        ...n.inputs.map((p) => ({ id: portId(n.id, 'in', p.id), x: 0, y: p.y, width: 1, height: 1, layoutOptions: { 'elk.port.side': 'WEST' } })),
        ...n.outputs.map((p) => ({ id: portId(n.id, 'out', p.id), x: n.width - 1, y: p.y, width: 1, height: 1, layoutOptions: { 'elk.port.side': 'EAST' } })),
      ],
    })),
    edges: edges
      .filter((e) => known.has(e.source) && known.has(e.target))
      .map((e) => ({ id: e.id, sources: [portId(e.source, 'out', e.sourcePort)], targets: [portId(e.target, 'in', e.targetPort)] })),
  };
}

/** New top-left positions for every node. */
export async function layeredLayout(nodes: LayoutNode[], edges: LayoutEdge[]): Promise<Record<Id, Position>> {
  if (nodes.length === 0) return {};
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  const result = await new ELK().layout(toElkGraph(nodes, edges));
  const positions: Record<Id, Position> = {};
  for (const child of result.children ?? []) positions[child.id] = { x: Math.round(child.x ?? 0), y: Math.round(child.y ?? 0) };
  return positions;
}

type Bounds = { id?: string | null; x: number; y: number; width: number; height: number };
const centre = (h: Bounds): LayoutPort => ({ id: h.id ?? '', x: h.x + h.width / 2, y: h.y + h.height / 2 });

/** The pipeline as the canvas measured it: node sizes and handle centres; connections to missing ports left out. */
export function layoutInput(pipeline: Pipeline, measured: (id: Id) => InternalNode | undefined): { nodes: LayoutNode[]; edges: LayoutEdge[] } {
  const nodes: LayoutNode[] = [];
  for (const id of Object.keys(pipeline.nodes)) {
    const n = measured(id);
    if (!n) continue;
    nodes.push({
      id,
      width: n.measured.width ?? 220,
      height: n.measured.height ?? 90,
      inputs: (n.internals.handleBounds?.target ?? []).map(centre),
      outputs: (n.internals.handleBounds?.source ?? []).map(centre),
    });
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const has = (node: Id, side: 'inputs' | 'outputs', port: Id) => !!byId.get(node)?.[side].some((p) => p.id === port);
  const edges = Object.values(pipeline.edges)
    .filter((e) => has(e.from.node, 'outputs', e.from.port) && has(e.to.node, 'inputs', e.to.port))
    .map((e) => ({ id: e.id, source: e.from.node, sourcePort: e.from.port, target: e.to.node, targetPort: e.to.port }));
  return { nodes, edges };
}
