/**
 * Where things land on a graph editor's canvas (pipelines and architectures alike): a free spot for a new card,
 * the offset that moves pasted cards to a point, and which moved cards the document has to hear about.
 */
import type { Id, Position } from '../../model/types';

/** Moved nodes whose position differs from the document's (rounded as the document stores them). */
export function changedPositions(stored: Record<Id, { position: Position }>, positions: Array<{ id: Id; position: Position }>): Record<Id, Position> {
  const out: Record<Id, Position> = {};
  for (const { id, position } of positions) {
    const at = stored[id]?.position;
    if (at && (Math.round(position.x) !== at.x || Math.round(position.y) !== at.y)) out[id] = position;
  }
  return out;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The first place at or below `at` where a box of `size` overlaps none of `taken` (with a margin), so a new node
 * never lands on top of another one.
 */
export function freeSpot(taken: Box[], at: Position, size = { width: 200, height: 90 }, margin = 24): Position {
  const p = { x: Math.round(at.x), y: Math.round(at.y) };
  const hits = (q: Position) =>
    taken.find((t) => q.x < t.x + t.width + margin && q.x + size.width + margin > t.x && q.y < t.y + t.height + margin && q.y + size.height + margin > t.y);
  for (let i = 0; i < 100; i++) {
    const hit = hits(p);
    if (!hit) break;
    p.y = Math.round(hit.y + hit.height + margin);
  }
  return p;
}

/** The offset that puts pasted nodes' top-left corner at `at`. */
export function offsetTo(nodes: Array<{ position: Position }>, at: Position): Position {
  if (nodes.length === 0) return { x: 0, y: 0 };
  const x = Math.min(...nodes.map((n) => n.position.x));
  const y = Math.min(...nodes.map((n) => n.position.y));
  return { x: Math.round(at.x - x), y: Math.round(at.y - y) };
}
