/**
 * The engine protocol: what the execution client (main thread) hands to the engine (a sandboxed worker) and what
 * comes back. Versioned, one typed union each way, plain structured-cloneable data (bytes as Uint8Array, which the
 * sender may transfer). The in-process engine used by Node tests speaks the same messages.
 *
 *   client → engine: `run` (a plan: jobs in topological order with everything they need), `cancel`, `reply`
 *   engine → client: `ready`, `device`, job events, `request` (bytes the engine may not fetch itself), `run-finished`
 */
import type { AttributeValue, DataType, Id } from '../model/types';

export const ENGINE_PROTOCOL_VERSION = 1;

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Where a job input comes from. */
export type InputSource =
  /** An output of an earlier job of this run, passed in memory. `port` is the producing output port's name. */
  | { kind: 'job'; jobId: Id; port: string }
  /** An artifact of the project (an Input node's artifact): its bytes are requested from the client. */
  | { kind: 'artifact'; artifactId: Id; sha256: string; mediaType: string; dataType: DataType }
  /** An optional input left unconnected: the operation receives `undefined`. */
  | { kind: 'none' };

/** An encoded value as stored in the artifact store and job cache; see the engine's value codec. */
export interface EncodedRef {
  sha256: string;
  mediaType: string;
  dataType: DataType;
  size: number;
}

export interface JobPlan {
  jobId: Id;
  nodeId: Id;
  /** The node's title, for logs and errors. */
  name: string;
  /** The operation's source: `export default async function run(inputs, attributes, references, ctx) {…}`. */
  code: string;
  /** By attribute name, defaults applied. */
  attributes: Record<string, AttributeValue>;
  /**
   * By reference name, resolved by the client: an architecture reference is the Architecture itself (plain data),
   * an artifact reference `{ artifactId, sha256, mediaType }`, other kinds the referenced item as plain data.
   */
  references: Record<string, unknown>;
  /** By input port name. */
  inputs: Record<string, InputSource>;
  /** The output ports, by name, with their declared type. */
  outputs: Record<string, { portId: Id; dataType: DataType }>;
  /**
   * Set when the client found this job's outputs in the cache: the engine does not run the code but decodes these
   * (their bytes are requested like artifacts) so that later jobs receive them; reported as `job-cached`.
   */
  cached?: Record<string, EncodedRef>;
}

export interface RunPlan {
  protocol: typeof ENGINE_PROTOCOL_VERSION;
  executionId: Id;
  /** Jobs in a topological order; a job may start once the jobs its inputs come from have succeeded. */
  jobs: JobPlan[];
  /** Force a backend; otherwise the best available is picked (webgpu → webgl → wasm → cpu). */
  backend?: BackendName;
  /** Seed for anything random the engine itself does (e.g. initial weights when an operation gives none). */
  seed?: number;
}

export type ClientMessage =
  | { type: 'run'; plan: RunPlan }
  | { type: 'cancel' }
  /** The answer to a `request`: bytes, or an error message the job fails with. */
  | { type: 'reply'; requestId: number; bytes?: Uint8Array; error?: string };

export type JobEvent =
  | { type: 'job-started'; jobId: Id; at: number }
  | { type: 'log'; jobId: Id; at: number; level: 'info' | 'warn' | 'error'; text: string }
  /** ctx.fitCallbacks() names its series `batch/<name>` per batch and `<name>` per epoch (`loss`, `accuracy`, `val_loss`…). */
  | { type: 'metric'; jobId: Id; name: string; value: number; step: number }
  | { type: 'plot'; jobId: Id; name: string; series: Record<string, number[]> }
  /** A PNG of an image the operation showed. */
  | { type: 'image'; jobId: Id; name: string; width: number; height: number; png: Uint8Array }
  | { type: 'progress'; jobId: Id; fraction: number }
  /**
   * Bytes to store: an output of the job (`port` set) or a value the operation saved with ctx.save (`name` set).
   * The client stores them under `ref.sha256` (checked) before it records the artifact. `artifactId` (ctx.save
   * only) is the id ctx.save returned to the operation: the client should record the artifact under it.
   */
  | { type: 'artifact'; jobId: Id; port?: string; name: string; ref: EncodedRef; bytes: Uint8Array; artifactId?: Id }
  | { type: 'job-finished'; jobId: Id; at: number; outputs: Record<string, EncodedRef> }
  | { type: 'job-cached'; jobId: Id; at: number }
  /** `line` is the line in the operation's code where the error was thrown, when known. */
  | { type: 'job-failed'; jobId: Id; at: number; error: { message: string; line?: number; stack?: string } }
  | { type: 'job-skipped'; jobId: Id; reason: string }
  | { type: 'job-canceled'; jobId: Id; at: number };

export type EngineMessage =
  | { type: 'ready'; protocol: typeof ENGINE_PROTOCOL_VERSION }
  /** The backend in use, why it was chosen (or why others were not), and what it runs on. */
  | { type: 'device'; backend: BackendName; reason: string; adapter?: string; tfjsVersion: string }
  /** The engine needs bytes it may not fetch itself (it has no network and no storage). */
  | { type: 'request'; requestId: number; what: 'artifact'; sha256: string; artifactId?: Id }
  | { type: 'request'; requestId: number; what: 'data'; name: 'iris' | 'mnist' }
  | JobEvent
  | { type: 'run-finished'; status: 'succeeded' | 'failed' | 'canceled'; at: number; numTensors?: number };

/**
 * What the client side sees of an engine, whatever runs it (a sandboxed worker in the browser, in-process in tests).
 * `run` resolves when the run has finished; events arrive through `onEvent` in order.
 */
export interface Engine {
  run(plan: RunPlan, host: EngineHost): EngineRun;
  /** Stop everything and free the worker. */
  dispose(): void;
}

export interface EngineHost {
  onEvent(message: EngineMessage): void;
  /** Bytes of a stored artifact (project artifact or cached output), checked against the hash by the client. */
  artifact(sha256: string, artifactId?: Id): Promise<Uint8Array>;
  /** The bytes of a bundled dataset: /data/iris.json or /data/mnist.bin. */
  data(name: 'iris' | 'mnist'): Promise<Uint8Array>;
}

export interface EngineRun {
  /** Cancel: within one second the run finishes as canceled, even when user code never yields. */
  cancel(): void;
  readonly done: Promise<{ status: 'succeeded' | 'failed' | 'canceled' }>;
}
