/**
 * Editor gestures that are more than one domain edit, composed from the pure edits of src/model so each gesture
 * is one undo step and one history entry.
 */
import { removeNodes, disconnect } from '../../model/pipeline-edits';
import { deletionOf, type PlanResult } from '../../model/plan';
import type { Id, Project } from '../../model/types';

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
  return deletionOf(a, b, loose.length);
}
