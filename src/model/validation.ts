/**
 * What is wrong with a pipeline, in words a user can act on, each problem pointing at the exact node or edge.
 * Pure and deterministic: every peer that reads the same document lists the same problems (running is blocked
 * while any error remains, including cycles that concurrent edits created).
 */
import { topologicalOrder } from './graph';
import type { AttributeSchema, AttributeValue, DataType, Id, OperationDefinition, Pipeline, PipelineNode, Port, Project } from './types';

export type ProblemCode =
  | 'missing-operation'
  | 'dangling-edge'
  | 'unknown-port'
  | 'type-mismatch'
  | 'duplicate-input'
  | 'unconnected-input'
  | 'missing-reference'
  | 'invalid-reference'
  | 'invalid-attribute'
  | 'missing-artifact'
  | 'cycle';

export interface Problem {
  code: ProblemCode;
  message: string;
  nodeId?: Id;
  edgeId?: Id;
  /** The attribute, reference or port the problem is about. */
  field?: Id;
}

/** Whether a value of type `from` may flow into a port of type `to`. */
export function isTypeCompatible(from: DataType, to: DataType): boolean {
  return from === to || from === 'any' || to === 'any';
}

/** Why a value does not fit its attribute schema, or null when it does. */
export function checkAttribute(schema: AttributeSchema, value: AttributeValue | undefined): string | null {
  if (value === undefined) return null; // the default applies
  switch (schema.type) {
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || Number.isNaN(value)) return `${schema.name} must be a number.`;
      if (schema.type === 'integer' && !Number.isInteger(value)) return `${schema.name} must be a whole number.`;
      if (schema.min !== undefined && value < schema.min) return `${schema.name} must be at least ${schema.min}.`;
      if (schema.max !== undefined && value > schema.max) return `${schema.name} must be at most ${schema.max}.`;
      return null;
    }
    case 'boolean':
      return typeof value === 'boolean' ? null : `${schema.name} must be true or false.`;
    case 'enum':
      return schema.options?.includes(String(value)) ? null : `${schema.name} must be one of ${(schema.options ?? []).join(', ')}.`;
    case 'string': {
      if (typeof value !== 'string') return `${schema.name} must be text.`;
      if (schema.pattern) {
        let re: RegExp;
        try {
          re = new RegExp(`^(?:${schema.pattern})$`);
        } catch {
          return `${schema.name} has an invalid pattern in its operation; fix the operation's interface.`;
        }
        if (!re.test(value)) return `${schema.name} must match ${schema.pattern}.`;
      }
      return null;
    }
  }
}

/** The ports a node exposes: an operation's, or the single port of an Input/Output node. */
export function portsOf(node: PipelineNode, operations: Record<Id, OperationDefinition>): { inputs: Port[]; outputs: Port[] } {
  const byOrder = (a: Port, b: Port) => a.order - b.order || (a.id < b.id ? -1 : 1);
  if (node.kind === 'input') return { inputs: [], outputs: [{ id: 'out', name: 'data', type: node.dataType ?? 'any', order: 0 }] };
  if (node.kind === 'output') return { inputs: [{ id: 'in', name: 'data', type: node.dataType ?? 'any', order: 0 }], outputs: [] };
  const op = node.operationId ? operations[node.operationId] : undefined;
  if (!op) return { inputs: [], outputs: [] };
  return { inputs: Object.values(op.inputs).sort(byOrder), outputs: Object.values(op.outputs).sort(byOrder) };
}

export function nodeTitle(node: PipelineNode, operations: Record<Id, OperationDefinition>): string {
  if (node.label) return node.label;
  if (node.kind === 'input') return 'Input';
  if (node.kind === 'output') return 'Output';
  return (node.operationId && operations[node.operationId]?.name) || 'Missing operation';
}

export function validatePipeline(project: Project, pipeline: Pipeline): Problem[] {
  const problems: Problem[] = [];
  const ops = project.operations;
  const nodes = pipeline.nodes;
  const ports = new Map(Object.values(nodes).map((n) => [n.id, portsOf(n, ops)]));
  const title = (id: Id) => (nodes[id] ? nodeTitle(nodes[id], ops) : 'a deleted node');
  const incoming = new Map<string, Id[]>();

  const liveEdges = [];
  for (const edge of Object.values(pipeline.edges).sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const from = nodes[edge.from.node];
    const to = nodes[edge.to.node];
    if (!from || !to) {
      problems.push({ code: 'dangling-edge', edgeId: edge.id, message: `A connection points to ${!from ? title(edge.from.node) : title(edge.to.node)}; delete it.` });
      continue;
    }
    liveEdges.push(edge);
    const out = ports.get(from.id)!.outputs.find((p) => p.id === edge.from.port);
    const inp = ports.get(to.id)!.inputs.find((p) => p.id === edge.to.port);
    if (!out || !inp) {
      problems.push({ code: 'unknown-port', edgeId: edge.id, message: `A connection from ${title(from.id)} to ${title(to.id)} uses a port that no longer exists; delete it and reconnect.` });
      continue;
    }
    if (!isTypeCompatible(out.type, inp.type)) {
      problems.push({ code: 'type-mismatch', edgeId: edge.id, field: inp.id, message: `${title(from.id)}.${out.name} gives ${out.type}, but ${title(to.id)}.${inp.name} takes ${inp.type}.` });
    }
    const key = `${to.id}\u0000${inp.id}`;
    incoming.set(key, [...(incoming.get(key) ?? []), edge.id]);
  }
  for (const [key, edgeIds] of incoming) {
    if (edgeIds.length > 1) {
      const [nodeId, portId] = key.split('\u0000') as [string, string];
      const port = ports.get(nodeId)!.inputs.find((p) => p.id === portId)!;
      for (const edgeId of edgeIds.slice(1)) {
        problems.push({ code: 'duplicate-input', edgeId, nodeId, field: portId, message: `${title(nodeId)}.${port.name} has ${edgeIds.length} connections; an input takes one.` });
      }
    }
  }

  for (const node of Object.values(nodes).sort((a, b) => (a.id < b.id ? -1 : 1))) {
    if (node.kind === 'operation') {
      const op = node.operationId ? ops[node.operationId] : undefined;
      if (!op) {
        problems.push({ code: 'missing-operation', nodeId: node.id, message: `This node's operation was deleted; delete the node or pick another operation.` });
        continue;
      }
      for (const port of ports.get(node.id)!.inputs) {
        if (!port.optional && !incoming.has(`${node.id}\u0000${port.id}`)) {
          problems.push({ code: 'unconnected-input', nodeId: node.id, field: port.id, message: `${title(node.id)} needs its input ${port.name} connected.` });
        }
      }
      for (const schema of Object.values(op.attributes)) {
        const why = checkAttribute(schema, node.attributes[schema.id]);
        if (why) problems.push({ code: 'invalid-attribute', nodeId: node.id, field: schema.id, message: `${title(node.id)}: ${why}` });
      }
      for (const ref of Object.values(op.references)) {
        const target = node.references[ref.id];
        if (!target) {
          if (!ref.optional) problems.push({ code: 'missing-reference', nodeId: node.id, field: ref.id, message: `${title(node.id)} needs ${ref.name} set to an ${ref.kind}.` });
        } else if (!(project[`${ref.kind}s`] as Record<Id, unknown>)[target]) {
          problems.push({ code: 'invalid-reference', nodeId: node.id, field: ref.id, message: `${title(node.id)}.${ref.name} points to an ${ref.kind} that no longer exists.` });
        }
      }
    } else if (node.kind === 'input') {
      if (node.artifactId && !project.artifacts[node.artifactId]) {
        problems.push({ code: 'missing-artifact', nodeId: node.id, message: `${title(node.id)} reads an artifact that was deleted; pick another.` });
      } else if (!node.artifactId && !incoming.has(`${node.id}\u0000in`)) {
        problems.push({ code: 'missing-artifact', nodeId: node.id, message: `${title(node.id)} has no artifact; pick one to feed in.` });
      }
    }
  }

  const nodeEdges = liveEdges.map((e) => ({ id: e.id, from: e.from.node, to: e.to.node }));
  const { cycleEdges } = topologicalOrder(Object.keys(nodes), nodeEdges);
  for (const edgeId of cycleEdges) {
    problems.push({ code: 'cycle', edgeId, message: 'This connection is part of a cycle; a pipeline must flow one way. Delete one connection of the loop.' });
  }
  return problems;
}
