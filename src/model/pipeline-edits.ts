/**
 * Every edit of a pipeline graph as a pure function: it reads the project and returns a plan, or a refusal that says
 * why (a type mismatch, a cycle), so the editor can show the reason at the pointer and nothing invalid is written.
 */
import { randomId } from '../lib/ids';
import { wouldCreateCycle } from './graph';
import { del, put, type Edit, type Plan, type PlanResult } from './plan';
import type { AttributeValue, DataType, Id, OperationDefinition, Pipeline, PipelineEdge, PipelineNode, PortRef, Position, Project } from './types';
import { checkAttribute, isTypeCompatible, nodeTitle, portsOf } from './validation';

function pipelineOf(project: Project, pipelineId: Id): Pipeline | undefined {
  return project.pipelines[pipelineId];
}

const gone = (what = 'pipeline'): { refused: string } => ({ refused: `That ${what} no longer exists; someone may have deleted it.` });

function touch(pipelineId: Id, now: number): Edit[] {
  return [put(['pipelines', pipelineId, 'updatedAt'], now), put(['updatedAt'], now)];
}

export type NewNode =
  | { kind: 'operation'; operation: OperationDefinition }
  | { kind: 'input'; dataType: DataType; artifactId?: Id }
  | { kind: 'output'; dataType: DataType };

/** Add a node; an operation from the library that the project does not have yet is copied into it first. */
export function addNode(project: Project, pipelineId: Id, spec: NewNode, position: Position, now: number, id: Id = randomId('n')): (Plan & { id: Id }) | { refused: string } {
  const pipeline = pipelineOf(project, pipelineId);
  if (!pipeline) return gone();
  const edits: Edit[] = [];
  const node: PipelineNode = { id, kind: spec.kind, position: { x: Math.round(position.x), y: Math.round(position.y) }, attributes: {}, references: {} };
  let title = spec.kind === 'input' ? 'Input' : 'Output';
  if (spec.kind === 'operation') {
    const existing = project.operations[spec.operation.id];
    if (!existing) edits.push(put(['operations', spec.operation.id], { ...spec.operation, createdAt: now, updatedAt: now }));
    node.operationId = spec.operation.id;
    title = (existing ?? spec.operation).name;
  } else {
    node.dataType = spec.dataType;
    if (spec.kind === 'input' && spec.artifactId) node.artifactId = spec.artifactId;
  }
  edits.push(put(['pipelines', pipelineId, 'nodes', id], node), ...touch(pipelineId, now));
  return { id, message: `added node ${title} to pipeline ${pipeline.name}`, item: `pipelines/${pipelineId}`, edits };
}

/**
 * Connect an output port to an input port. Refused (with the reason) when the ports do not exist, the types do not
 * fit, or the edge would close a cycle; an input that is already connected is re-pointed to the new source.
 */
export function connect(project: Project, pipelineId: Id, from: PortRef, to: PortRef, now: number, id: Id = randomId('e')): PlanResult {
  const pipeline = pipelineOf(project, pipelineId);
  if (!pipeline) return gone();
  const source = pipeline.nodes[from.node];
  const target = pipeline.nodes[to.node];
  if (!source || !target) return { refused: 'One end of that connection no longer exists.' };
  if (source.id === target.id) return { refused: 'A node cannot feed itself.' };
  const out = portsOf(source, project.operations).outputs.find((p) => p.id === from.port);
  const inp = portsOf(target, project.operations).inputs.find((p) => p.id === to.port);
  const sTitle = nodeTitle(source, project.operations);
  const tTitle = nodeTitle(target, project.operations);
  if (!out) return { refused: `${sTitle} has no output ${from.port}.` };
  if (!inp) return { refused: `${tTitle} has no input ${to.port}.` };
  if (!isTypeCompatible(out.type, inp.type)) return { refused: `${sTitle}.${out.name} gives ${out.type}, but ${tTitle}.${inp.name} takes ${inp.type}.` };
  const others = Object.values(pipeline.edges).filter((e) => !(e.to.node === to.node && e.to.port === to.port));
  const nodeEdges = others.map((e) => ({ id: e.id, from: e.from.node, to: e.to.node }));
  if (wouldCreateCycle(nodeEdges, from.node, to.node)) return { refused: `Connecting ${sTitle} to ${tTitle} would close a loop; a pipeline must flow one way.` };
  const edits: Edit[] = [];
  for (const e of Object.values(pipeline.edges)) {
    if (e.to.node === to.node && e.to.port === to.port) {
      if (e.from.node === from.node && e.from.port === from.port) return { message: 'connected', edits: [] };
      edits.push(del(['pipelines', pipelineId, 'edges', e.id]));
    }
  }
  const edge: PipelineEdge = { id, from: { ...from }, to: { ...to } };
  edits.push(put(['pipelines', pipelineId, 'edges', id], edge), ...touch(pipelineId, now));
  return { message: `connected ${sTitle}.${out.name} to ${tTitle}.${inp.name}`, item: `pipelines/${pipelineId}`, edits };
}

export function disconnect(project: Project, pipelineId: Id, edgeIds: Id[], now: number): PlanResult {
  const pipeline = pipelineOf(project, pipelineId);
  if (!pipeline) return gone();
  const present = edgeIds.filter((id) => pipeline.edges[id]);
  if (present.length === 0) return { message: 'removed connections', edits: [] };
  return {
    message: present.length === 1 ? 'removed a connection' : `removed ${present.length} connections`,
    item: `pipelines/${pipelineId}`,
    edits: [...present.map((id) => del(['pipelines', pipelineId, 'edges', id])), ...touch(pipelineId, now)],
  };
}

/** Remove nodes together with every connection to or from them, so no edge is left dangling. */
export function removeNodes(project: Project, pipelineId: Id, nodeIds: Id[], now: number): PlanResult {
  const pipeline = pipelineOf(project, pipelineId);
  if (!pipeline) return gone();
  const ids = new Set(nodeIds.filter((id) => pipeline.nodes[id]));
  if (ids.size === 0) return { message: 'removed nodes', edits: [] };
  const edges = Object.values(pipeline.edges).filter((e) => ids.has(e.from.node) || ids.has(e.to.node));
  const names = [...ids].map((id) => nodeTitle(pipeline.nodes[id]!, project.operations));
  return {
    message: ids.size === 1 ? `removed node ${names[0]} from pipeline ${pipeline.name}` : `removed ${ids.size} nodes from pipeline ${pipeline.name}`,
    item: `pipelines/${pipelineId}`,
    edits: [...edges.map((e) => del(['pipelines', pipelineId, 'edges', e.id])), ...[...ids].map((id) => del(['pipelines', pipelineId, 'nodes', id])), ...touch(pipelineId, now)],
  };
}

export function moveNodes(project: Project, pipelineId: Id, positions: Record<Id, Position>): PlanResult {
  const pipeline = pipelineOf(project, pipelineId);
  if (!pipeline) return gone();
  const edits = Object.entries(positions)
    .filter(([id]) => pipeline.nodes[id])
    .map(([id, p]) => put(['pipelines', pipelineId, 'nodes', id, 'position'], { x: Math.round(p.x), y: Math.round(p.y) }));
  return { message: edits.length === 1 ? 'moved a node' : `moved ${edits.length} nodes`, item: `pipelines/${pipelineId}`, edits };
}

/** Set an attribute on a node; a value that breaks the attribute's schema is refused, not saved. */
export function setAttribute(project: Project, pipelineId: Id, nodeId: Id, attributeId: Id, value: AttributeValue | undefined, now: number): PlanResult {
  const pipeline = pipelineOf(project, pipelineId);
  const node = pipeline?.nodes[nodeId];
  if (!pipeline || !node) return gone('node');
  const schema = node.operationId ? project.operations[node.operationId]?.attributes[attributeId] : undefined;
  if (!schema) return { refused: `This node has no attribute ${attributeId}.` };
  const title = nodeTitle(node, project.operations);
  if (value === undefined) {
    if (node.attributes[attributeId] === undefined) return { message: 'reset attribute', edits: [] };
    return { message: `reset ${schema.name} of ${title} to its default`, item: `pipelines/${pipelineId}`, edits: [del(['pipelines', pipelineId, 'nodes', nodeId, 'attributes', attributeId]), ...touch(pipelineId, now)] };
  }
  const why = checkAttribute(schema, value);
  if (why) return { refused: why };
  if (node.attributes[attributeId] === value) return { message: 'set attribute', edits: [] };
  return { message: `set ${schema.name} of ${title} to ${String(value)}`, item: `pipelines/${pipelineId}`, edits: [put(['pipelines', pipelineId, 'nodes', nodeId, 'attributes', attributeId], value), ...touch(pipelineId, now)] };
}

/** Point a node's reference at an item of the project (or clear it with null). */
export function setReference(project: Project, pipelineId: Id, nodeId: Id, referenceId: Id, targetId: Id | null, now: number): PlanResult {
  const pipeline = pipelineOf(project, pipelineId);
  const node = pipeline?.nodes[nodeId];
  if (!pipeline || !node) return gone('node');
  const schema = node.operationId ? project.operations[node.operationId]?.references[referenceId] : undefined;
  if (!schema) return { refused: `This node has no reference ${referenceId}.` };
  const title = nodeTitle(node, project.operations);
  const path = ['pipelines', pipelineId, 'nodes', nodeId, 'references', referenceId];
  if (targetId === null) return { message: `cleared ${schema.name} of ${title}`, item: `pipelines/${pipelineId}`, edits: [del(path), ...touch(pipelineId, now)] };
  const target = (project[`${schema.kind}s`] as Record<Id, { name: string }>)[targetId];
  if (!target) return { refused: `${schema.name} must point to an ${schema.kind} of this project.` };
  return { message: `set ${schema.name} of ${title} to ${target.name}`, item: `pipelines/${pipelineId}`, edits: [put(path, targetId), ...touch(pipelineId, now)] };
}

export function setNodeLabel(project: Project, pipelineId: Id, nodeId: Id, label: string, now: number): PlanResult {
  const node = pipelineOf(project, pipelineId)?.nodes[nodeId];
  if (!node) return gone('node');
  const trimmed = label.trim().slice(0, 80);
  const path = ['pipelines', pipelineId, 'nodes', nodeId, 'label'];
  return { message: trimmed ? `labelled a node ${trimmed}` : 'cleared a node label', item: `pipelines/${pipelineId}`, edits: [trimmed ? put(path, trimmed) : del(path), ...touch(pipelineId, now)] };
}
