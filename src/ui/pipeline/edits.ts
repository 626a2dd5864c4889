/**
 * Editor gestures that are more than one domain edit, composed from the pure edits of src/model so each gesture
 * is one undo step and one history entry.
 */
import { removeNodes, disconnect } from '../../model/pipeline-edits';
import { isRefusal, type PlanResult } from '../../model/plan';
import type { Id, Pipeline, Position, Project } from '../../model/types';

/** Delete nodes (with their connections) and the other selected connections, as one plan. */
export function deleteSelection(project: Project, pipelineId: Id, nodeIds: Id[], edgeIds: Id[], now: number): PlanResult {
  const pipeline = project.pipelines[pipelineId];
  if (!pipeline) return { refused: 'That pipeline no longer exists; someone may have deleted it.' };
  const nodes = new Set(nodeIds.filter((id) => pipeline.nodes[id]));
  const loose = edgeIds.filter((id) => {
    const e = pipeline.edges[id];
    return e && !nodes.has(e.from.node) && !nodes.has(e.to.node);
  });
  const a = nodes.size ? removeNodes(project, pipelineId, [...nodes], now) : undefined;
  const b = loose.length ? disconnect(project, pipelineId, loose, now) : undefined;
  if (a && isRefusal(a)) return a;
  if (b && isRefusal(b)) return b;
  if (!a && !b) return { message: 'deleted nothing', edits: [] };
  if (!a) return b!;
  if (!b) return a;
  const n = loose.length;
  return { message: `${a.message} and ${n} connection${n === 1 ? '' : 's'}`, item: a.item, edits: [...a.edits, ...b.edits] };
}

/** Moved nodes whose position differs from the document's (rounded as the document stores them). */
export function changedPositions(pipeline: Pipeline, positions: Array<{ id: Id; position: Position }>): Record<Id, Position> {
  const out: Record<Id, Position> = {};
  for (const { id, position } of positions) {
    const stored = pipeline.nodes[id]?.position;
    if (stored && (Math.round(position.x) !== stored.x || Math.round(position.y) !== stored.y)) out[id] = position;
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
