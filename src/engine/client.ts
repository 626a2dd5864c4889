/**
 * The execution client: the main-thread side of a run. It freezes the pipeline (src/model/execution.ts), reuses
 * unchanged jobs from the job cache, creates the execution document and links it from the project, hands the plan
 * to an engine, stores what comes back (artifact bytes under their SHA-256, then their metadata in the project),
 * and writes the run's events into the execution document at a bounded rate while sending them live to watchers.
 * A run is canceled by this tab's Cancel or by a cancel request that another tab or device writes into its document.
 * It knows the engine only through the protocol (./protocol.ts) and documents only through the small interfaces
 * below, which src/sync and the app implement; tests pass fakes or the in-process engine.
 */
import { randomId } from '../lib/ids';
import { cacheKeys, freezePipeline, lastMetrics, recordExecution, reproduction, summarize, type CancelRequest, type Execution, type FrozenJob } from '../model/execution';
import { compareMetrics, type MetricMatch } from '../model/execution-compare';
import { applyRunEvent, isActive, isFinished, type RunEvent } from '../model/execution-events';
import type { Plan } from '../model/plan';
import type { Id, Project } from '../model/types';
import { StorageError, type ArtifactStore } from '../storage/artifact-store';
import type { JobCache, JobCacheEntry } from '../storage/job-cache';
import { sha256Hex } from '../storage/sha256';
import { ENGINE_PROTOCOL_VERSION, type BackendName, type Engine, type EngineMessage, type EngineRun, type JobPlan, type RunPlan } from './protocol';
import { recordArtifact } from './record-artifact';

/** A run's events with their numbers (see src/sync/executions.ts). */
export interface NumberedEvent {
  seq: number;
  event: RunEvent;
}

/** An execution document, as the client writes it. */
export interface ExecutionDoc {
  readonly url: string;
  record(): Execution;
  write(events: readonly NumberedEvent[], message: string): void;
  broadcast(events: readonly NumberedEvent[]): void;
  /** Call `listener` once, when another tab or device asks in the document that the run stop; returns a stop function. */
  onCancelRequest(listener: (request: CancelRequest) => void): () => void;
}

/** The open project the run belongs to. */
export interface ProjectAccess {
  readonly url: string;
  project(): Project;
  heads(): string[];
  apply(plan: Plan): void;
}

/** Marks runs in progress on this device, so that a run left "running" by a closed tab can be told apart. */
export interface RunLocks {
  /** Hold the mark until the returned function is called (or the tab closes). */
  hold(executionId: Id): () => void;
  isHeld(executionId: Id): Promise<boolean>;
}

export interface ExecutionClientDeps {
  /** A fresh engine for each run; disposed when the run ends. */
  engine(): Engine | Promise<Engine>;
  artifacts: ArtifactStore;
  cache: JobCache;
  createDoc(execution: Execution): ExecutionDoc;
  openDoc(url: string): Promise<ExecutionDoc | undefined>;
  /** Bytes of a bundled dataset (/data/iris.json, /data/mnist.bin). */
  data(name: 'iris' | 'mnist'): Promise<Uint8Array>;
  locks: RunLocks;
  /** This device, recorded on each run it starts. */
  deviceId: string;
  now?: () => number;
  /**
   * How often live events go out to watchers (default 4 per second, as often as a watcher redraws), and how often
   * they are written to the document (default once a second: every write is Automerge work, a save and a sync on
   * the tab that is also feeding the training worker).
   */
  broadcastMs?: number;
  writeMs?: number;
}

export interface RunRequest {
  pipelineId: Id;
  backend?: BackendName;
  /** Ignore the job cache: run every job. */
  runAll?: boolean;
}

export interface ActiveRun {
  executionId: Id;
  url: string;
  cancel(): void;
  /** The execution as it ended. */
  readonly done: Promise<Execution>;
}

export type ExecutionErrorCode = 'invalid-pipeline' | 'not-found';

export class ExecutionError extends Error {
  override readonly name = 'ExecutionError';
  constructor(readonly code: ExecutionErrorCode, message: string) {
    super(message);
  }
}

// The model mirrors the protocol's job shape; this fails to compile if they drift apart.
const asJobPlan = (job: FrozenJob): JobPlan => job;

export class ExecutionClient {
  readonly #deps: ExecutionClientDeps;
  readonly #active = new Map<Id, ActiveRun>();
  /** Per active run: write its buffered events into its document now. */
  readonly #writers = new Map<Id, () => void>();

  constructor(deps: ExecutionClientDeps) {
    this.#deps = deps;
  }

  #now(): number {
    return this.#deps.now?.() ?? Date.now();
  }

  /** Freeze the pipeline and start running it; refuses (ExecutionError) a pipeline with problems. */
  async run(access: ProjectAccess, request: RunRequest): Promise<ActiveRun> {
    const executionId = randomId('ex');
    const frozen = freezePipeline({
      project: access.project(),
      pipelineId: request.pipelineId,
      executionId,
      projectUrl: access.url,
      heads: access.heads(),
      now: this.#now(),
      runner: this.#deps.deviceId,
      ...(request.backend ? { backend: request.backend } : {}),
      ...(request.runAll ? { runAll: true } : {}),
    });
    if ('refused' in frozen) throw new ExecutionError('invalid-pipeline', frozen.refused);
    return this.#start(access, frozen.execution, frozen.jobs, request.runAll ?? false);
  }

  /** Run what `original` ran again, and say whether the metrics came out the same. */
  async reproduce(access: ProjectAccess, originalUrl: string): Promise<{ run: ActiveRun; verdict: Promise<MetricMatch> }> {
    const doc = await this.#deps.openDoc(originalUrl);
    if (!doc) throw new ExecutionError('not-found', 'The original execution is not on this device yet; wait for it to sync, then try again.');
    const original = doc.record();
    const { execution, jobs } = reproduction(original, randomId('ex'), this.#now(), this.#deps.deviceId);
    const run = await this.#start(access, execution, jobs, true);
    return { run, verdict: run.done.then((ended) => compareMetrics(original, ended)) };
  }

  cancel(executionId: Id): boolean {
    const run = this.#active.get(executionId);
    run?.cancel();
    return run !== undefined;
  }

  isRunning(executionId: Id): boolean {
    return this.#active.has(executionId);
  }

  /** Write every run's buffered events now: the tab is closing, and what it has seen must not be lost. */
  flush(): void {
    for (const write of this.#writers.values()) write();
  }

  /**
   * Runs this device started that a closed tab left running become "interrupted" (and can be run again). Runs
   * of other devices are theirs to settle.
   */
  async recoverInterrupted(access: ProjectAccess): Promise<Id[]> {
    const recovered: Id[] = [];
    for (const summary of Object.values(access.project().executions ?? {})) {
      if (!isActive(summary) || this.#active.has(summary.id)) continue;
      const doc = await this.#deps.openDoc(summary.docUrl);
      const record = doc?.record();
      if (!doc || !record || record.runner !== this.#deps.deviceId || !isActive(record)) continue;
      if (await this.#deps.locks.isHeld(summary.id)) continue;
      doc.write([{ seq: record.seq + 1, event: { type: 'run-interrupted', at: this.#now() } }], `${record.name} interrupted`);
      access.apply(recordExecution(summarize(doc.record(), doc.url), false));
      recovered.push(summary.id);
    }
    return recovered;
  }

  async #start(access: ProjectAccess, execution: Execution, jobs: FrozenJob[], runAll: boolean): Promise<ActiveRun> {
    const deps = this.#deps;
    const keys = await cacheKeys(jobs, (text) => sha256Hex(new TextEncoder().encode(text)));
    const reused = new Map<Id, JobCacheEntry>();
    for (const job of jobs) {
      const key = keys[job.jobId]!;
      execution.jobs[job.jobId]!.cacheKey = key;
      if (runAll) continue;
      const entry = await deps.cache.get(key);
      if (entry && (await everyStored(deps.artifacts, entry))) {
        reused.set(job.jobId, entry);
        job.cached = entry.outputs;
      }
    }
    execution.plan = Object.fromEntries(jobs.map((j) => [j.jobId, j]));
    const doc = deps.createDoc(execution);
    // Listed as running from the start: the run begins right away, and the next summary is written when it ends.
    access.apply(recordExecution({ ...summarize(execution, doc.url), status: 'running' }, true));
    const release = deps.locks.hold(execution.id);

    const live = structuredClone(execution);
    let seq = 0;
    let unsent: NumberedEvent[] = [];
    let unwritten: NumberedEvent[] = [];
    const emit = (event: RunEvent) => {
      const numbered = { seq: ++seq, event };
      applyRunEvent(live, event);
      unsent.push(numbered);
      unwritten.push(numbered);
    };
    const broadcast = () => {
      doc.broadcast(unsent);
      unsent = [];
    };
    const write = () => {
      doc.write(unwritten, `progress of ${execution.name}`);
      unwritten = [];
    };
    this.#writers.set(execution.id, write);
    const broadcastTimer = setInterval(broadcast, deps.broadcastMs ?? 250);
    const writeTimer = setInterval(write, deps.writeMs ?? 1000);

    let engineRun: EngineRun | undefined;
    let canceled = false;
    const cancel = () => {
      canceled = true;
      engineRun?.cancel();
    };
    // Cancel pressed in another tab or on another device: stop as this tab's Cancel does, and say who asked.
    const stopListening = doc.onCancelRequest((request) => {
      if (canceled) return;
      const job = jobs.find((j) => !isFinished(live.jobs[j.jobId]!.status)) ?? jobs.at(-1)!;
      const where = request.device === deps.deviceId ? 'another tab' : 'another device';
      emit({ type: 'log', jobId: job.jobId, at: this.#now(), level: 'info', text: `Canceled by ${request.by.name} from ${where}.` });
      cancel();
    });
    /** Set when storing an output failed: the run ends as failed with that message, whatever the engine says. */
    let storageFailure: string | undefined;
    let queue = Promise.resolve();
    const onEngineMessage = async (message: EngineMessage) => {
      if (storageFailure && message.type !== 'run-finished') return;
      try {
        for (const event of await this.#translate(message, access, live, reused)) emit(event);
      } catch (err) {
        if (!(err instanceof StorageError) || !('jobId' in message)) throw err;
        storageFailure = err.message;
        emit({ type: 'job-failed', jobId: message.jobId, at: this.#now(), error: { message: err.message } });
        engineRun?.cancel();
        return;
      }
      if (message.type === 'job-finished') await this.#remember(live, message.jobId, execution.id);
    };

    emit({ type: 'run-started', at: this.#now() });
    const finished = (async (): Promise<Execution> => {
      let status: 'succeeded' | 'failed' | 'canceled' = 'failed';
      let engine: Engine | undefined;
      try {
        engine = await deps.engine();
        const plan: RunPlan = {
          protocol: ENGINE_PROTOCOL_VERSION,
          executionId: execution.id,
          jobs: jobs.map(asJobPlan),
          ...(execution.requestedBackend ? { backend: execution.requestedBackend as BackendName } : {}),
        };
        engineRun = engine.run(plan, {
          onEvent: (message) => {
            queue = queue.then(() => onEngineMessage(message)).catch((err: unknown) => console.error('DeepForge: a run event could not be recorded', err));
          },
          artifact: (sha256) => readVerified(deps.artifacts, sha256),
          data: (name) => deps.data(name),
        });
        if (canceled) engineRun.cancel();
        status = (await engineRun.done).status;
      } catch (err) {
        const first = jobs.find((j) => live.jobs[j.jobId]!.status === 'running') ?? jobs[0]!;
        emit({ type: 'job-failed', jobId: first.jobId, at: this.#now(), error: { message: `The engine could not run: ${err instanceof Error ? err.message : String(err)}` } });
      } finally {
        // A request that arrives from now on finds the run already ended: it changes nothing.
        stopListening();
        await queue;
        engine?.dispose();
      }
      if (storageFailure) status = 'failed';
      emit({ type: 'run-finished', status, at: this.#now() });
      clearInterval(broadcastTimer);
      clearInterval(writeTimer);
      broadcast();
      write();
      release();
      this.#active.delete(execution.id);
      this.#writers.delete(execution.id);
      access.apply(recordExecution(summarize(live, doc.url), false));
      return live;
    })();

    const active: ActiveRun = {
      executionId: execution.id,
      url: doc.url,
      cancel,
      done: finished,
    };
    this.#active.set(execution.id, active);
    return active;
  }

  /** The run events an engine message stands for, once its bytes are stored. */
  async #translate(message: EngineMessage, access: ProjectAccess, live: Execution, reused: Map<Id, JobCacheEntry>): Promise<RunEvent[]> {
    switch (message.type) {
      case 'ready':
      case 'request':
      case 'run-finished':
        return [];
      case 'device':
        return [{ type: 'device', backend: message.backend, reason: message.reason, tfjsVersion: message.tfjsVersion, ...(message.adapter ? { adapter: message.adapter } : {}) }];
      case 'image': {
        const { sha256 } = await this.#deps.artifacts.put(message.png, { mediaType: 'image/png' });
        return [{ type: 'image', jobId: message.jobId, image: { name: message.name, sha256, width: message.width, height: message.height } }];
      }
      case 'artifact': {
        const made = { executionId: live.id, jobName: live.jobs[message.jobId]?.name ?? message.jobId };
        const artifactId = await recordArtifact(this.#deps.artifacts, access, message, made, this.#now());
        return [{ type: 'artifact', jobId: message.jobId, name: message.name, artifactId, ...(message.port !== undefined ? { port: message.port } : {}) }];
      }
      case 'job-cached': {
        const entry = reused.get(message.jobId);
        const metrics = Object.entries(entry?.metrics ?? {}).map(([name, value]): RunEvent => ({ type: 'metric', jobId: message.jobId, name, value, step: 0 }));
        const from = entry && access.project().executions?.[entry.executionId]?.name;
        const note: RunEvent = { type: 'log', jobId: message.jobId, at: message.at, level: 'info', text: `Cached: reused the outputs of ${from ?? 'an earlier run'}; the code did not run again.` };
        return [note, ...metrics, { type: 'job-cached', jobId: message.jobId, at: message.at, ...(entry ? { outputs: entry.outputs } : {}) }];
      }
      case 'job-failed':
        return [{ type: 'job-failed', jobId: message.jobId, at: message.at, error: message.error.line !== undefined ? { message: message.error.message, line: message.error.line } : { message: message.error.message } }];
      default:
        return [message];
    }
  }

  /** A finished job's outputs go into the job cache, with its metrics, for the next run to reuse. */
  async #remember(live: Execution, jobId: Id, executionId: Id): Promise<void> {
    const job = live.jobs[jobId];
    const key = job?.cacheKey;
    if (!job || !key || !job.outputRefs) return;
    const metrics = lastMetrics({ metrics: { [jobId]: live.metrics[jobId] ?? {} }, order: [jobId] });
    await this.#deps.cache.put({ key, outputs: job.outputRefs, executionId, jobId, metrics, storedAt: this.#now() });
  }
}

async function everyStored(store: ArtifactStore, entry: JobCacheEntry): Promise<boolean> {
  for (const out of Object.values(entry.outputs)) if (!(await store.has(out.sha256))) return false;
  return true;
}

/** Bytes for the engine, checked against the name they are asked for. */
async function readVerified(store: ArtifactStore, sha256: string): Promise<Uint8Array> {
  const bytes = await store.get(sha256);
  if (!bytes) throw new Error(`The artifact ${sha256.slice(0, 12)}… is not on this device. Open the project where it was added (or sync with that device), then run again.`);
  const actual = await sha256Hex(bytes);
  if (actual !== sha256) throw new Error(`The stored artifact ${sha256.slice(0, 12)}… is damaged (its bytes hash to ${actual.slice(0, 12)}…). Upload it again.`);
  return bytes;
}
