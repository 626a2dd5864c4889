/**
 * Auto layout of an architecture with ELK's layered algorithm, top to bottom the way data flows through a network:
 * inputs at the top, outputs at the bottom, a merge below the branches that feed it. ELK is loaded only when
 * someone asks for a layout (or an import needs one), never with the editor.
 */
import type { ElkNode } from 'elkjs/lib/elk-api';
import type { Architecture, Id, Position } from '../../model/types';

export interface LayoutBox {
  id: Id;
  width: number;
  height: number;
}

/** A typical layer card, for layers the canvas has not measured yet (e.g. right after an import). */
export const CARD = { width: 210, height: 78 };

export function toElkGraph(boxes: LayoutBox[], edges: Array<{ id: Id; from: Id; to: Id; slot?: number }>): ElkNode {
  const known = new Set(boxes.map((b) => b.id));
  // Edges in slot order, so that a merge's first input is laid out to the left of its second.
  const ordered = [...edges].sort((a, b) => (a.to === b.to ? (a.slot ?? 0) - (b.slot ?? 0) : 0));
  return {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.edgeRouting': 'SPLINES',
      'elk.spacing.nodeNode': '36',
      'elk.layered.spacing.nodeNodeBetweenLayers': '44',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    },
    children: boxes.map((b) => ({ id: b.id, width: b.width, height: b.height })),
    edges: ordered.filter((e) => known.has(e.from) && known.has(e.to) && e.from !== e.to).map((e) => ({ id: e.id, sources: [e.from], targets: [e.to] })),
  };
}

/** New top-left positions for every layer, from the sizes the canvas measured (or typical ones). */
export async function layoutArchitecture(architecture: Architecture, size: (id: Id) => { width: number; height: number } | undefined = () => undefined): Promise<Record<Id, Position>> {
  // In reading order of where the layers are now, so that a layout keeps the arrangement people gave them.
  const ids = Object.values(architecture.layers)
    .sort((a, b) => a.position.y - b.position.y || a.position.x - b.position.x || (a.id < b.id ? -1 : 1))
    .map((l) => l.id);
  if (ids.length === 0) return {};
  const boxes = ids.map((id) => ({ id, ...(size(id) ?? CARD) }));
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  const result = await new ELK().layout(toElkGraph(boxes, Object.values(architecture.edges)));
  const positions: Record<Id, Position> = {};
  for (const child of result.children ?? []) positions[child.id] = { x: Math.round(child.x ?? 0), y: Math.round(child.y ?? 0) };
  return positions;
}
