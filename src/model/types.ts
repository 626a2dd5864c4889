/**
 * The domain as the user sees it: projects holding operations, pipelines, architectures, artifacts and
 * executions. Plain data, no behaviour; every collection people edit concurrently is a map keyed by a stable id.
 */

export type Id = string;

/** Types that flow along pipeline edges. `any` connects to everything. */
export const DATA_TYPES = ['any', 'number', 'string', 'boolean', 'json', 'tensor', 'dataset', 'model', 'image', 'table'] as const;
export type DataType = (typeof DATA_TYPES)[number];

export interface Port {
  id: Id;
  name: string;
  type: DataType;
  description?: string;
  /** Display order; ports are kept in a map so that concurrent additions merge. */
  order: number;
  /** An optional input may stay unconnected. */
  optional?: boolean;
}

export const ATTRIBUTE_TYPES = ['number', 'integer', 'string', 'boolean', 'enum'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];
export type AttributeValue = number | string | boolean;

/** A design-time parameter of an operation, with the schema that typed controls and validation are built from. */
export interface AttributeSchema {
  id: Id;
  name: string;
  type: AttributeType;
  default: AttributeValue;
  min?: number;
  max?: number;
  /** A regular expression that string values must match in full. */
  pattern?: string;
  /** The allowed values of an enum attribute. */
  options?: string[];
  description?: string;
  order: number;
}

export const REFERENCE_KINDS = ['architecture', 'pipeline', 'operation', 'artifact'] as const;
export type ReferenceKind = (typeof REFERENCE_KINDS)[number];

/** A pointer from an operation to another item of the project, e.g. `net` → an architecture. */
export interface ReferenceSchema {
  id: Id;
  name: string;
  kind: ReferenceKind;
  optional?: boolean;
  order: number;
}

export interface OperationDefinition {
  id: Id;
  name: string;
  description: string;
  category: string;
  /** A CSS colour for the node's accent. */
  color: string;
  inputs: Record<Id, Port>;
  outputs: Record<Id, Port>;
  attributes: Record<Id, AttributeSchema>;
  references: Record<Id, ReferenceSchema>;
  /** JavaScript run by the engine with tfjs; stored as collaborative text. */
  code: string;
  /** Set for operations that came from the built-in library: "library-id@version". */
  source?: string;
  createdAt: number;
  updatedAt: number;
}

export type NodeKind = 'operation' | 'input' | 'output';

export interface Position {
  x: number;
  y: number;
}

export interface PipelineNode {
  id: Id;
  kind: NodeKind;
  /** The operation this node runs (kind `operation`). */
  operationId?: Id;
  /** A title shown instead of the operation's name. */
  label?: string;
  position: Position;
  /** Attribute values set on this node, by attribute id; a missing value means the schema's default. */
  attributes: Record<Id, AttributeValue>;
  /** Reference targets by reference id. */
  references: Record<Id, Id>;
  /** For Input nodes: the artifact fed in. For Input/Output nodes: the type carried. */
  artifactId?: Id;
  dataType?: DataType;
}

export interface PortRef {
  node: Id;
  port: Id;
}

export interface PipelineEdge {
  id: Id;
  from: PortRef;
  to: PortRef;
}

export interface Pipeline {
  id: Id;
  name: string;
  description: string;
  nodes: Record<Id, PipelineNode>;
  edges: Record<Id, PipelineEdge>;
  createdAt: number;
  updatedAt: number;
}

/** `Array<number | null>` holds shapes whose unknown sizes are null, e.g. an input of `[null, 8]` (any length). */
export type LayerConfigValue = number | string | boolean | null | number[] | string[] | Array<number | null>;

export interface Layer {
  id: Id;
  /** The layer's class in the catalog, e.g. `dense`, `conv2d`. */
  type: string;
  name: string;
  config: Record<string, LayerConfigValue>;
  position: Position;
}

export interface LayerEdge {
  id: Id;
  from: Id;
  to: Id;
  /** Input slot on the target for layers with several inputs (merge layers); ordered ascending. */
  slot?: number;
}

export interface Architecture {
  id: Id;
  name: string;
  description: string;
  layers: Record<Id, Layer>;
  edges: Record<Id, LayerEdge>;
  createdAt: number;
  updatedAt: number;
}

/** Metadata of stored bytes; the bytes themselves live in the artifact store under `sha256`. */
export interface ArtifactMeta {
  id: Id;
  name: string;
  type: DataType;
  mediaType: string;
  sha256: string;
  size: number;
  createdAt: number;
  producedBy?: { executionId: Id; jobId: Id };
}

export const JOB_STATUSES = ['pending', 'queued', 'running', 'succeeded', 'failed', 'canceled', 'skipped', 'cached'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const EXECUTION_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'canceled', 'interrupted'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** What the project document keeps of a run; the detail lives in the execution's own document. */
export interface ExecutionSummary {
  id: Id;
  name: string;
  pipelineId: Id;
  pipelineName: string;
  /** The automerge URL of the execution document. */
  docUrl: string;
  status: ExecutionStatus;
  createdAt: number;
  finishedAt?: number;
  backend?: string;
  /** Last value of the headline metrics, e.g. `{ accuracy: 0.973 }`. */
  metrics: Record<string, number>;
}

export interface Job {
  id: Id;
  nodeId: Id;
  operationId?: Id;
  name: string;
  status: JobStatus;
  startedAt?: number;
  finishedAt?: number;
  error?: { message: string; line?: number };
  /** Output port id → artifact id. */
  outputs: Record<Id, Id>;
}

export interface MetricSeries {
  steps: number[];
  values: number[];
}

export interface DeviceInfo {
  backend: string;
  adapter?: string;
  tfjsVersion?: string;
}

/** One run of a pipeline, frozen: what ran (heads, pipeline, operations, inputs) and what happened (jobs, logs, metrics). */
export interface ExecutionRecord {
  schemaVersion: number;
  kind: 'deepforge/execution';
  id: Id;
  name: string;
  projectUrl: string;
  /** The project document's heads the run was frozen from. */
  heads: string[];
  pipeline: Pipeline;
  operations: Record<Id, OperationDefinition>;
  inputs: Record<Id, { artifactId: Id; sha256: string }>;
  device?: DeviceInfo;
  status: ExecutionStatus;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  jobs: Record<Id, Job>;
  logs: Record<Id, string>;
  metrics: Record<Id, Record<string, MetricSeries>>;
}

export interface Author {
  name: string;
  color: string;
}

/** A label on a point of the project's history. */
export interface NamedVersion {
  id: Id;
  name: string;
  heads: string[];
  createdAt: number;
  author?: Author;
}

export interface Project {
  schemaVersion: number;
  kind: 'deepforge/project';
  name: string;
  description: string;
  createdAt: number;
  updatedAt: number;
  operations: Record<Id, OperationDefinition>;
  pipelines: Record<Id, Pipeline>;
  architectures: Record<Id, Architecture>;
  artifacts: Record<Id, ArtifactMeta>;
  executions: Record<Id, ExecutionSummary>;
  versions: Record<Id, NamedVersion>;
}

/** The kinds of item the project sidebar lists, each a collection of the project. */
export const ITEM_KINDS = ['pipelines', 'architectures', 'operations', 'artifacts', 'executions'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];
