/**
 * The pipeline document as Svelte Flow nodes and edges. The document is the only truth: the canvas is rebuilt from
 * it after every local or remote change, and only what the canvas owns for a moment (a node being dragged, its
 * measured size) is carried over from the previous build.
 */
import type { Edge, Node } from '@xyflow/svelte';
import type { DataType, Id, NodeKind, Pipeline, Project } from '../../model/types';
import { nodeTitle, portsOf, type Problem } from '../../model/validation';
import { mergeEdges as mergeFlowEdges, mergeNodes as mergeFlowNodes } from '../graph/flow-merge';

export interface PortView {
  id: Id;
  name: string;
  type: DataType;
  optional: boolean;
  /** Why this port is not right yet (e.g. a required input left unconnected). */
  problem?: string;
}

export interface StepData extends Record<string, unknown> {
  kind: NodeKind;
  title: string;
  category?: string;
  color: string;
  description?: string;
  dataType?: DataType;
  inputs: PortView[];
  outputs: PortView[];
  problems: string[];
}

export interface LinkData extends Record<string, unknown> {
  /** Why this connection is wrong (type mismatch, cycle, duplicate input); drawn red with this as its tooltip. */
  problem?: string;
}

export type StepNode = Node<StepData, 'operation' | 'endpoint'>;
export type LinkEdge = Edge<LinkData, 'link'>;

export interface ProblemIndex {
  nodes: Map<Id, string[]>;
  edges: Map<Id, string[]>;
  /** `${nodeId}\u0000${portId}` → message. */
  ports: Map<string, string>;
}

export const portKey = (node: Id, port: Id): string => `${node}\u0000${port}`;

export function indexProblems(problems: Problem[]): ProblemIndex {
  const index: ProblemIndex = { nodes: new Map(), edges: new Map(), ports: new Map() };
  const push = (map: Map<Id, string[]>, id: Id, message: string) => map.set(id, [...(map.get(id) ?? []), message]);
  for (const p of problems) {
    if (p.edgeId) push(index.edges, p.edgeId, p.message);
    else if (p.nodeId) push(index.nodes, p.nodeId, p.message);
    if (p.nodeId && p.field && p.code === 'unconnected-input') index.ports.set(portKey(p.nodeId, p.field), p.message);
  }
  return index;
}

/** One Svelte Flow node per pipeline node, in a stable order, with the selection applied. */
export function toFlowNodes(project: Project, pipeline: Pipeline, problems: ProblemIndex, selected: ReadonlySet<Id>): StepNode[] {
  return Object.values(pipeline.nodes)
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((node) => {
      const op = node.operationId ? project.operations[node.operationId] : undefined;
      const ports = portsOf(node, project.operations);
      const title = nodeTitle(node, project.operations);
      const view = (p: (typeof ports.inputs)[number]): PortView => ({
        id: p.id,
        name: p.name,
        type: p.type,
        optional: !!p.optional,
        ...(problems.ports.has(portKey(node.id, p.id)) ? { problem: problems.ports.get(portKey(node.id, p.id))! } : {}),
      });
      const data: StepData = {
        kind: node.kind,
        title,
        color: op?.color ?? (node.kind === 'operation' ? 'var(--danger)' : 'var(--accent)'),
        inputs: ports.inputs.map(view),
        outputs: ports.outputs.map(view),
        problems: problems.nodes.get(node.id) ?? [],
      };
      if (op) {
        data.category = op.category;
        data.description = op.description;
      }
      if (node.kind !== 'operation') data.dataType = node.dataType ?? 'any';
      return {
        id: node.id,
        type: node.kind === 'operation' ? 'operation' : 'endpoint',
        position: { x: node.position.x, y: node.position.y },
        data,
        ariaLabel: title,
        selected: selected.has(node.id),
      } satisfies StepNode;
    });
}

/**
 * The connections that can be drawn. An edge whose node is gone, or whose port no longer exists, has nothing to
 * attach to: it is left out of the canvas and listed in `broken` so the editor can offer to remove it.
 */
export function toFlowEdges(project: Project, pipeline: Pipeline, problems: ProblemIndex, selected: ReadonlySet<Id>): { edges: LinkEdge[]; broken: Id[] } {
  const edges: LinkEdge[] = [];
  const broken: Id[] = [];
  const ports = new Map(Object.values(pipeline.nodes).map((n) => [n.id, portsOf(n, project.operations)]));
  for (const e of Object.values(pipeline.edges).sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const from = pipeline.nodes[e.from.node];
    const to = pipeline.nodes[e.to.node];
    const out = ports.get(e.from.node)?.outputs.find((p) => p.id === e.from.port);
    const inp = ports.get(e.to.node)?.inputs.find((p) => p.id === e.to.port);
    if (!from || !to || !out || !inp) {
      broken.push(e.id);
      continue;
    }
    const problem = problems.edges.get(e.id)?.join(' ');
    const label = `${nodeTitle(from, project.operations)}.${out.name} to ${nodeTitle(to, project.operations)}.${inp.name}`;
    edges.push({
      id: e.id,
      type: 'link',
      source: e.from.node,
      sourceHandle: e.from.port,
      target: e.to.node,
      targetHandle: e.to.port,
      data: problem ? { problem } : {},
      class: problem ? 'problem' : undefined,
      ariaLabel: problem ? `${label}: ${problem}` : label,
      selected: selected.has(e.id),
    });
  }
  return { edges, broken };
}

const portsSignature = (d: StepData) => JSON.stringify([d.inputs.map((p) => p.id), d.outputs.map((p) => p.id)]);

/** Merge a fresh build into what the canvas shows (see ../graph/flow-merge.ts); a node whose ports did not change keeps its size. */
export function mergeNodes(next: StepNode[], previous: StepNode[], held: ReadonlySet<Id>): StepNode[] {
  return mergeFlowNodes(next, previous, held, (old, n) => portsSignature(old.data) === portsSignature(n.data));
}

export function mergeEdges(next: LinkEdge[], previous: LinkEdge[]): LinkEdge[] {
  return mergeFlowEdges(next, previous, (old, e) => old.data?.problem === e.data?.problem && old.sourceHandle === e.sourceHandle && old.targetHandle === e.targetHandle);
}
