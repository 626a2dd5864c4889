/**
 * Copy and paste of pipeline nodes, within a pipeline, between pipelines and between projects: the clipboard
 * carries the nodes, the connections among them and the operations they run, as versioned JSON.
 */
import { randomId } from '../lib/ids';
import { put, type Edit, type Plan } from './plan';
import type { Id, OperationDefinition, PipelineEdge, PipelineNode, Position, Project } from './types';

export const CLIPBOARD_FORMAT = 'deepforge/nodes';
export const CLIPBOARD_VERSION = 1;

export interface Clipboard {
  format: typeof CLIPBOARD_FORMAT;
  version: number;
  nodes: PipelineNode[];
  /** Only the connections whose both ends were copied. */
  edges: PipelineEdge[];
  operations: Record<Id, OperationDefinition>;
}

export function copyNodes(project: Project, pipelineId: Id, nodeIds: Id[]): Clipboard | undefined {
  const pipeline = project.pipelines[pipelineId];
  if (!pipeline) return undefined;
  const ids = new Set(nodeIds.filter((id) => pipeline.nodes[id]));
  if (ids.size === 0) return undefined;
  const nodes = [...ids].map((id) => structuredClone(pipeline.nodes[id]!));
  const edges = Object.values(pipeline.edges).filter((e) => ids.has(e.from.node) && ids.has(e.to.node)).map((e) => structuredClone(e));
  const operations: Record<Id, OperationDefinition> = {};
  for (const n of nodes) if (n.operationId && project.operations[n.operationId]) operations[n.operationId] = structuredClone(project.operations[n.operationId]!);
  return { format: CLIPBOARD_FORMAT, version: CLIPBOARD_VERSION, nodes, edges, operations };
}

/** Read clipboard text; anything else (plain text, another app's JSON) is not a clipboard of nodes. */
export function parseClipboard(text: string): Clipboard | undefined {
  try {
    const value = JSON.parse(text) as Partial<Clipboard>;
    if (value.format !== CLIPBOARD_FORMAT || value.version !== CLIPBOARD_VERSION || !Array.isArray(value.nodes) || !Array.isArray(value.edges)) return undefined;
    return { operations: {}, ...value } as Clipboard;
  } catch {
    return undefined;
  }
}

/**
 * Paste with fresh ids (so pasting twice gives two copies), offset so the copies do not hide the originals.
 * Operations the target project lacks come along; references to items the target project lacks are dropped.
 */
export function pasteNodes(
  project: Project,
  pipelineId: Id,
  clip: Clipboard,
  offset: Position,
  now: number,
  newId: (prefix: string) => Id = randomId,
): (Plan & { nodeIds: Id[]; dropped: string[] }) | { refused: string } {
  const pipeline = project.pipelines[pipelineId];
  if (!pipeline) return { refused: 'That pipeline no longer exists; someone may have deleted it.' };
  const idMap = new Map<Id, Id>(clip.nodes.map((n) => [n.id, newId('n')]));
  const edits: Edit[] = [];
  const dropped: string[] = [];
  for (const [id, op] of Object.entries(clip.operations)) {
    if (!project.operations[id]) edits.push(put(['operations', id], { ...op, updatedAt: now }));
  }
  for (const n of clip.nodes) {
    const node: PipelineNode = { ...structuredClone(n), id: idMap.get(n.id)!, position: { x: n.position.x + offset.x, y: n.position.y + offset.y } };
    const op = n.operationId ? (project.operations[n.operationId] ?? clip.operations[n.operationId]) : undefined;
    for (const [ref, target] of Object.entries(n.references)) {
      const kind = op?.references[ref]?.kind;
      if (!kind || !(project[`${kind}s`] as Record<Id, unknown>)[target]) {
        delete node.references[ref];
        dropped.push(`${op?.name ?? 'a node'}.${ref}`);
      }
    }
    if (node.artifactId && !project.artifacts[node.artifactId]) {
      delete node.artifactId;
      dropped.push('an Input node’s artifact');
    }
    edits.push(put(['pipelines', pipelineId, 'nodes', node.id], node));
  }
  for (const e of clip.edges) {
    const id = newId('e');
    edits.push(put(['pipelines', pipelineId, 'edges', id], { id, from: { node: idMap.get(e.from.node)!, port: e.from.port }, to: { node: idMap.get(e.to.node)!, port: e.to.port } }));
  }
  edits.push(put(['pipelines', pipelineId, 'updatedAt'], now), put(['updatedAt'], now));
  const n = clip.nodes.length;
  return { message: `pasted ${n} node${n === 1 ? '' : 's'} into pipeline ${pipeline.name}`, item: `pipelines/${pipelineId}`, edits, nodeIds: [...idMap.values()], dropped };
}
