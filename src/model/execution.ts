/**
 * Freezing a pipeline into an execution: checks first (a pipeline with problems never runs), then every job with
 * what it needs (code, attributes with defaults applied, references resolved, where each input comes from), the
 * execution record with every job pending, and the cache keys that let a re-run reuse unchanged jobs' outputs.
 * Pure: the execution client (src/engine/client.ts) hands the jobs to an engine and stores the record.
 *
 * The job shapes mirror the engine protocol's JobPlan (src/engine/protocol.ts), which this layer may not import;
 * the client checks at compile time that they stay assignable.
 */
import type { Plan } from './plan';
import { put } from './plan';
import { topologicalOrder } from './graph';
import { nodeTitle, validatePipeline, type Problem } from './validation';
import type { AttributeValue, Author, DataType, DeviceInfo, ExecutionRecord, ExecutionSummary, Id, Job, OperationDefinition, PipelineNode, Project } from './types';
import { CURRENT_SCHEMA_VERSION } from './version';

/** Where a job input comes from (the engine protocol's InputSource). */
export type FrozenInput =
  | { kind: 'job'; jobId: Id; port: string }
  | { kind: 'artifact'; artifactId: Id; sha256: string; mediaType: string; dataType: DataType }
  | { kind: 'none' };

/** An encoded output as stored in the artifact store (the engine protocol's EncodedRef). */
export interface OutputRef {
  sha256: string;
  mediaType: string;
  dataType: DataType;
  size: number;
}

/** One job as the engine runs it (the engine protocol's JobPlan), plus the operation's library version. */
export interface FrozenJob {
  jobId: Id;
  nodeId: Id;
  name: string;
  code: string;
  attributes: Record<string, AttributeValue>;
  references: Record<string, unknown>;
  inputs: Record<string, FrozenInput>;
  outputs: Record<string, { portId: Id; dataType: DataType }>;
  /** "library-id@version" for built-in operations, part of the cache key. */
  source?: string;
  cached?: Record<string, OutputRef>;
}

/** A job as the execution document records it: the Job of the domain, plus what a run adds. */
export interface JobRecord extends Job {
  cacheKey?: string;
  /** 0..1 while running. */
  progress?: number;
  skippedReason?: string;
  /** Output port name → encoded output (also what the job cache keeps). */
  outputRefs?: Record<string, OutputRef>;
  /** Values the operation saved with ctx.save: name → artifact id. */
  saved?: Record<string, Id>;
}

/** Who asked that a run stop, from where and when (Cancel pressed in a tab other than the one running it). */
export interface CancelRequest {
  by: Author;
  /** The asking browser profile's device id: the same as the runner's when it was another tab on that device. */
  device: string;
  at: number;
}

export interface ImageRef {
  name: string;
  sha256: string;
  width: number;
  height: number;
}

/** The execution document: what ran, frozen, and what happened. */
export interface Execution extends ExecutionRecord {
  jobs: Record<Id, JobRecord>;
  pipelineId: Id;
  /** Job ids in the order they run. */
  order: Id[];
  /** Every job as handed to the engine: Reproduce runs exactly this again. */
  plan: Record<Id, FrozenJob>;
  device?: DeviceInfo & { reason?: string };
  /** The backend asked for; absent for "best available". */
  requestedBackend?: string;
  /** Whether the run ignored the job cache ("Run all"). */
  runAll?: boolean;
  /** The execution this one reproduces. */
  reproduces?: Id;
  /** Which device runs it, so that only that device may declare it interrupted. */
  runner?: string;
  /** Set by a tab that is not running it when Cancel is pressed there; the running tab watches for it. */
  cancelRequest?: CancelRequest;
  images: Record<Id, ImageRef[]>;
  plots: Record<Id, Record<string, Record<string, number[]>>>;
  /** The last live event applied to this document (see src/sync/executions.ts). */
  seq: number;
}

export interface FreezeRequest {
  project: Project;
  pipelineId: Id;
  executionId: Id;
  projectUrl: string;
  heads: string[];
  now: number;
  runner?: string;
  backend?: string;
  runAll?: boolean;
}

export type FreezeResult = { execution: Execution; jobs: FrozenJob[] } | { refused: string; problems: Problem[] };

/** Operation nodes in run order with their inputs resolved through Input nodes; blocks on any problem. */
export function freezePipeline(req: FreezeRequest): FreezeResult {
  const { project, pipelineId } = req;
  const pipeline = project.pipelines[pipelineId];
  if (!pipeline) return { refused: 'This pipeline no longer exists; someone may have deleted it.', problems: [] };
  const problems = validatePipeline(project, pipeline);
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''}; see Checks)` : '';
    return { refused: `Fix the pipeline before running it: ${problems[0]!.message}${more}`, problems };
  }
  const operationNodes = Object.values(pipeline.nodes).filter((n) => n.kind === 'operation');
  if (operationNodes.length === 0) return { refused: 'This pipeline has no operations to run; add one from the palette.', problems: [] };

  const edges = Object.values(pipeline.edges);
  const incoming = (nodeId: Id, portId: Id) => edges.find((e) => e.to.node === nodeId && e.to.port === portId);
  const inputs: Execution['inputs'] = {};
  /** Follow an edge back to the job or artifact it carries, through Input nodes. */
  const sourceOf = (node: PipelineNode, portId: Id, dataType: DataType, seen = new Set<Id>()): FrozenInput => {
    const edge = incoming(node.id, portId);
    if (!edge) return { kind: 'none' };
    const from = pipeline.nodes[edge.from.node]!;
    if (from.kind === 'operation') {
      const op = project.operations[from.operationId!]!;
      return { kind: 'job', jobId: from.id, port: op.outputs[edge.from.port]!.name };
    }
    if (from.artifactId) {
      const meta = project.artifacts[from.artifactId]!;
      inputs[from.id] = { artifactId: meta.id, sha256: meta.sha256 };
      return { kind: 'artifact', artifactId: meta.id, sha256: meta.sha256, mediaType: meta.mediaType, dataType: meta.type === 'any' ? dataType : meta.type };
    }
    if (seen.has(from.id)) return { kind: 'none' };
    return sourceOf(from, 'in', dataType, seen.add(from.id));
  };

  const jobEdges = edges
    .filter((e) => pipeline.nodes[e.to.node]?.kind === 'operation')
    .flatMap((e) => {
      const source = sourceOf(pipeline.nodes[e.to.node]!, e.to.port, 'any');
      return source.kind === 'job' ? [{ id: e.id, from: source.jobId, to: e.to.node }] : [];
    });
  const order = topologicalOrder(operationNodes.map((n) => n.id), jobEdges).order;

  const operations: Record<Id, OperationDefinition> = {};
  const jobs: FrozenJob[] = order.map((nodeId) => {
    const node = pipeline.nodes[nodeId]!;
    const op = project.operations[node.operationId!]!;
    operations[op.id] = structuredClone(op);
    return freezeJob(project, node, op, (portId, type) => sourceOf(node, portId, type));
  });
  const records: Record<Id, JobRecord> = {};
  for (const job of jobs) {
    records[job.jobId] = { id: job.jobId, nodeId: job.nodeId, operationId: pipeline.nodes[job.nodeId]!.operationId, name: job.name, status: 'pending', outputs: {} };
  }
  const runNumber = Object.values(project.executions).filter((e) => e.pipelineId === pipelineId).length + 1;
  const execution: Execution = {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    kind: 'deepforge/execution',
    id: req.executionId,
    name: `${pipeline.name} #${runNumber}`,
    projectUrl: req.projectUrl,
    heads: [...req.heads],
    pipelineId,
    pipeline: structuredClone(pipeline),
    operations,
    inputs,
    status: 'pending',
    createdAt: req.now,
    jobs: records,
    order,
    plan: Object.fromEntries(jobs.map((j) => [j.jobId, j])),
    logs: {},
    metrics: {},
    images: {},
    plots: {},
    seq: 0,
    ...(req.backend ? { requestedBackend: req.backend } : {}),
    ...(req.runAll ? { runAll: true } : {}),
    ...(req.runner ? { runner: req.runner } : {}),
  };
  return { execution, jobs };
}

function freezeJob(project: Project, node: PipelineNode, op: OperationDefinition, source: (portId: Id, type: DataType) => FrozenInput): FrozenJob {
  const attributes: Record<string, AttributeValue> = {};
  for (const schema of Object.values(op.attributes)) attributes[schema.name] = node.attributes[schema.id] ?? schema.default;
  const references: Record<string, unknown> = {};
  for (const ref of Object.values(op.references)) {
    const target = node.references[ref.id];
    if (!target) references[ref.name] = null;
    else if (ref.kind === 'artifact') {
      const meta = project.artifacts[target]!;
      references[ref.name] = { artifactId: meta.id, sha256: meta.sha256, mediaType: meta.mediaType };
    } else references[ref.name] = structuredClone((project[`${ref.kind}s`] as Record<Id, unknown>)[target]);
  }
  const inputs: Record<string, FrozenInput> = {};
  for (const port of Object.values(op.inputs)) inputs[port.name] = source(port.id, port.type);
  const outputs: FrozenJob['outputs'] = {};
  for (const port of Object.values(op.outputs)) outputs[port.name] = { portId: port.id, dataType: port.type };
  return {
    jobId: node.id,
    nodeId: node.id,
    name: nodeTitle(node, project.operations),
    code: op.code,
    attributes,
    references,
    inputs,
    outputs,
    ...(op.source ? { source: op.source } : {}),
  };
}

/** JSON with object keys sorted at every level: equal data, equal text, on every peer. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * What a job's cache key is the hash of: its code, attributes, references, library version and the identity of its
 * inputs. An input from an earlier job is named by that job's key (and port), so a change anywhere upstream changes
 * every key below it, before anything has run.
 */
export function cacheKeyMaterial(job: FrozenJob, upstreamKeys: Record<Id, string>): string {
  const inputs: Record<string, unknown> = {};
  for (const [port, input] of Object.entries(job.inputs)) {
    if (input.kind === 'job') inputs[port] = { job: upstreamKeys[input.jobId] ?? null, port: input.port };
    else if (input.kind === 'artifact') inputs[port] = { sha256: input.sha256 };
    else inputs[port] = null;
  }
  return canonicalJson({ v: 1, code: job.code, attributes: job.attributes, references: job.references, source: job.source ?? null, inputs });
}

/** Every job's cache key, in run order (jobs must be topologically ordered); `hash` is SHA-256 as hex. */
export async function cacheKeys(jobs: readonly FrozenJob[], hash: (text: string) => Promise<string>): Promise<Record<Id, string>> {
  const keys: Record<Id, string> = {};
  for (const job of jobs) keys[job.jobId] = await hash(cacheKeyMaterial(job, keys));
  return keys;
}

/** The headline of a run for the project document: status, timing, backend and the last value of each metric. */
export function summarize(execution: Execution, docUrl: string): ExecutionSummary {
  return {
    id: execution.id,
    name: execution.name,
    pipelineId: execution.pipelineId,
    pipelineName: execution.pipeline.name,
    docUrl,
    status: execution.status,
    createdAt: execution.createdAt,
    ...(execution.finishedAt !== undefined ? { finishedAt: execution.finishedAt } : {}),
    ...(execution.device ? { backend: execution.device.backend } : {}),
    metrics: lastMetrics(execution),
  };
}

/** The last value of every metric series, jobs in run order (a later job's metric of the same name wins). */
export function lastMetrics(execution: Pick<Execution, 'metrics' | 'order'>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const jobId of execution.order) {
    for (const [name, series] of Object.entries(execution.metrics[jobId] ?? {})) {
      const last = series.values[series.values.length - 1];
      if (last !== undefined) out[name] = last;
    }
  }
  return out;
}

/** Link a new execution from the project (or update its summary): one change in the project's history. */
export function recordExecution(summary: ExecutionSummary, started: boolean): Plan {
  return {
    message: started ? `ran pipeline ${summary.pipelineName} (${summary.name})` : `${summary.name} ${summary.status}`,
    item: `executions/${summary.id}`,
    edits: [put(['executions', summary.id], summary)],
  };
}

/**
 * A new execution that runs exactly what `original` ran (its frozen jobs, on its backend), ignoring the cache, so
 * that its metrics can be compared with the original's.
 */
export function reproduction(original: Execution, executionId: Id, now: number, runner?: string): { execution: Execution; jobs: FrozenJob[] } {
  const jobs = original.order.map((id) => {
    const { cached: _cached, ...job } = structuredClone(original.plan[id]!);
    return job;
  });
  const records: Record<Id, JobRecord> = {};
  for (const id of original.order) {
    const { id: jobId, nodeId, operationId, name } = original.jobs[id]!;
    records[id] = { id: jobId, nodeId, name, status: 'pending', outputs: {}, ...(operationId ? { operationId } : {}) };
  }
  const backend = original.device?.backend ?? original.requestedBackend;
  const execution: Execution = {
    ...structuredClone({ pipeline: original.pipeline, operations: original.operations, inputs: original.inputs, heads: original.heads }),
    schemaVersion: CURRENT_SCHEMA_VERSION,
    kind: 'deepforge/execution',
    id: executionId,
    name: `${original.name} (reproduction)`,
    projectUrl: original.projectUrl,
    pipelineId: original.pipelineId,
    status: 'pending',
    createdAt: now,
    jobs: records,
    order: [...original.order],
    plan: Object.fromEntries(jobs.map((j) => [j.jobId, j])),
    logs: {},
    metrics: {},
    images: {},
    plots: {},
    seq: 0,
    runAll: true,
    reproduces: original.id,
    ...(backend ? { requestedBackend: backend } : {}),
    ...(runner ? { runner } : {}),
  };
  return { execution, jobs };
}

/** The jobs of a run that read a job's output port: "used by" for the artifact that output became. */
export function consumersOf(execution: Pick<Execution, 'plan' | 'order'>, jobId: Id, port: string): Id[] {
  return execution.order.filter((id) => Object.values(execution.plan[id]?.inputs ?? {}).some((i) => i.kind === 'job' && i.jobId === jobId && i.port === port));
}
