/**
 * Creating a project and editing its items as plans. Each function reads the current project and returns a plan
 * (or a refusal with the reason) that the sync layer applies in one change.
 */
import { randomId } from '../lib/ids';
import { del, put, type Plan, type PlanResult } from './plan';
import type { Architecture, Id, ItemKind, OperationDefinition, Pipeline, Project } from './types';
import { CURRENT_SCHEMA_VERSION } from './version';

export function newProject(name: string, now: number): Project {
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    kind: 'deepforge/project',
    name: name.trim() || 'Untitled project',
    description: '',
    createdAt: now,
    updatedAt: now,
    operations: {},
    pipelines: {},
    architectures: {},
    artifacts: {},
    executions: {},
    versions: {},
  };
}

/** Names must be non-empty and short enough to show in a sidebar. */
export function checkName(name: string, what: string): string | null {
  const n = name.trim();
  if (!n) return `A ${what} needs a name.`;
  if (n.length > 120) return `That name is ${n.length} characters long; keep it under 120.`;
  return null;
}

export function renameProject(project: Project, name: string, now: number): PlanResult {
  const problem = checkName(name, 'project');
  if (problem) return { refused: problem };
  const n = name.trim();
  if (n === project.name) return { message: 'renamed project', edits: [] };
  return { message: `renamed project to ${n}`, edits: [put(['name'], n), put(['updatedAt'], now)] };
}

/** "Pipeline", "Pipeline 2", ...: the first free name, so new items never look like duplicates. */
export function uniqueName(base: string, taken: Iterable<string>): string {
  const used = new Set([...taken].map((t) => t.toLowerCase()));
  if (!used.has(base.toLowerCase())) return base;
  for (let i = 2; ; i++) {
    const candidate = `${base} ${i}`;
    if (!used.has(candidate.toLowerCase())) return candidate;
  }
}

const SINGULAR: Record<ItemKind, string> = {
  pipelines: 'pipeline',
  architectures: 'architecture',
  operations: 'operation',
  artifacts: 'artifact',
  executions: 'execution',
};

export function singular(kind: ItemKind): string {
  return SINGULAR[kind];
}

function namesOf(project: Project, kind: ItemKind): string[] {
  return Object.values(project[kind] as Record<Id, { name: string }>).map((i) => i.name);
}

export function createPipeline(project: Project, now: number, id: Id = randomId('pl'), name?: string): Plan & { id: Id } {
  const pipeline: Pipeline = {
    id,
    name: name ?? uniqueName('Pipeline', namesOf(project, 'pipelines')),
    description: '',
    nodes: {},
    edges: {},
    createdAt: now,
    updatedAt: now,
  };
  return { id, item: `pipelines/${id}`, message: `added pipeline ${pipeline.name}`, edits: [put(['pipelines', id], pipeline), put(['updatedAt'], now)] };
}

export function createArchitecture(project: Project, now: number, id: Id = randomId('ar'), name?: string): Plan & { id: Id } {
  const architecture: Architecture = {
    id,
    name: name ?? uniqueName('Architecture', namesOf(project, 'architectures')),
    description: '',
    layers: {},
    edges: {},
    createdAt: now,
    updatedAt: now,
  };
  return {
    id,
    item: `architectures/${id}`,
    message: `added architecture ${architecture.name}`,
    edits: [put(['architectures', id], architecture), put(['updatedAt'], now)],
  };
}

export const NEW_OPERATION_CODE = `// Inputs, attributes and references arrive as arguments; return the outputs by name.
// \`tf\` is TensorFlow.js; \`ctx\` offers log, metric, image, progress and save.
export default async function run(inputs, attributes, references, ctx) {
  ctx.log('Hello from a new operation');
  return {};
}
`;

export function createOperation(project: Project, now: number, id: Id = randomId('op'), name?: string): Plan & { id: Id } {
  const operation: OperationDefinition = {
    id,
    name: name ?? uniqueName('Operation', namesOf(project, 'operations')),
    description: '',
    category: 'Custom',
    color: '#6366f1',
    inputs: {},
    outputs: {},
    attributes: {},
    references: {},
    code: NEW_OPERATION_CODE,
    createdAt: now,
    updatedAt: now,
  };
  return { id, item: `operations/${id}`, message: `added operation ${operation.name}`, edits: [put(['operations', id], operation), put(['updatedAt'], now)] };
}

export function renameItem(project: Project, kind: ItemKind, id: Id, name: string, now: number): PlanResult {
  const item = (project[kind] as Record<Id, { name: string }>)[id];
  if (!item) return { refused: `That ${SINGULAR[kind]} no longer exists; someone may have deleted it.` };
  const problem = checkName(name, SINGULAR[kind]);
  if (problem) return { refused: problem };
  const n = name.trim();
  if (n === item.name) return { message: `renamed ${SINGULAR[kind]}`, edits: [] };
  const edits = [put([kind, id, 'name'], n), put(['updatedAt'], now)];
  if (kind !== 'artifacts' && kind !== 'executions') edits.push(put([kind, id, 'updatedAt'], now));
  return { message: `renamed ${SINGULAR[kind]} ${item.name} to ${n}`, edits, item: `${kind}/${id}` };
}

/** Who uses an item: the reasons it cannot be deleted yet, in words the user can act on. */
export function usagesOf(project: Project, kind: ItemKind, id: Id): string[] {
  const reasons: string[] = [];
  for (const pipeline of Object.values(project.pipelines)) {
    for (const node of Object.values(pipeline.nodes)) {
      const opName = node.operationId ? (project.operations[node.operationId]?.name ?? 'a node') : 'an Input node';
      if (kind === 'operations' && node.operationId === id) reasons.push(`pipeline ${pipeline.name} runs it (node ${node.label ?? opName})`);
      if (kind === 'artifacts' && node.artifactId === id) reasons.push(`pipeline ${pipeline.name} reads it (node ${node.label ?? 'Input'})`);
      if (Object.values(node.references).includes(id)) reasons.push(`pipeline ${pipeline.name} refers to it (node ${node.label ?? opName})`);
    }
  }
  return reasons;
}

export function deleteItem(project: Project, kind: ItemKind, id: Id, now: number): PlanResult {
  const item = (project[kind] as Record<Id, { name: string }>)[id];
  if (!item) return { message: `deleted ${SINGULAR[kind]}`, edits: [] };
  const uses = usagesOf(project, kind, id);
  if (uses.length > 0) {
    return { refused: `${item.name} is still in use: ${uses.join('; ')}. Remove those uses first.` };
  }
  return { message: `deleted ${SINGULAR[kind]} ${item.name}`, edits: [del([kind, id]), put(['updatedAt'], now)], item: `${kind}/${id}` };
}

/** Set the description of the project (no kind) or of one of its items. */
export function describe(project: Project, text: string, now: number, kind?: Exclude<ItemKind, 'artifacts' | 'executions'>, id?: Id): PlanResult {
  if (text.length > 20_000) return { refused: 'That description is very long; keep it under 20,000 characters.' };
  if (!kind) return text === project.description ? { message: 'described project', edits: [] } : { message: 'edited the project description', edits: [put(['description'], text), put(['updatedAt'], now)] };
  const item = (project[kind] as Record<Id, { name: string; description: string }>)[id ?? ''];
  if (!item) return { refused: `That ${SINGULAR[kind]} no longer exists; someone may have deleted it.` };
  if (item.description === text) return { message: `described ${SINGULAR[kind]}`, edits: [] };
  return { message: `edited the description of ${SINGULAR[kind]} ${item.name}`, item: `${kind}/${id}`, edits: [put([kind, id!, 'description'], text), put([kind, id!, 'updatedAt'], now), put(['updatedAt'], now)] };
}
