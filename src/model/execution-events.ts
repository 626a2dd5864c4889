/**
 * What happens during a run, as events, and how each one changes the execution record. The engine's messages
 * (src/engine/protocol.ts) become these once the client has stored their bytes: an image is a reference to stored
 * PNG bytes, an artifact a reference to the ArtifactMeta the client recorded.
 *
 * `applyRunEvent` mutates the draft it is given, so that the same code updates a plain object (a live view) and an
 * Automerge change proxy (the execution document): list appends stay appends, and log text is appended through
 * `appendText` (Automerge text splices instead of rewriting the whole log).
 */
import type { ImageRef, Execution, JobRecord, OutputRef } from './execution';
import type { Id, JobStatus } from './types';

export type RunEvent =
  | { type: 'device'; backend: string; reason: string; adapter?: string; tfjsVersion: string }
  | { type: 'job-started'; jobId: Id; at: number }
  | { type: 'log'; jobId: Id; at: number; level: 'info' | 'warn' | 'error'; text: string }
  | { type: 'metric'; jobId: Id; name: string; value: number; step: number }
  | { type: 'plot'; jobId: Id; name: string; series: Record<string, number[]> }
  | { type: 'image'; jobId: Id; image: ImageRef }
  | { type: 'progress'; jobId: Id; fraction: number }
  /** An output (port set) or a value saved with ctx.save, stored and recorded as an artifact of the project. */
  | { type: 'artifact'; jobId: Id; port?: string; name: string; artifactId: Id }
  | { type: 'job-finished'; jobId: Id; at: number; outputs: Record<string, OutputRef> }
  | { type: 'job-cached'; jobId: Id; at: number; outputs?: Record<string, OutputRef> }
  | { type: 'job-failed'; jobId: Id; at: number; error: { message: string; line?: number } }
  | { type: 'job-skipped'; jobId: Id; reason: string }
  | { type: 'job-canceled'; jobId: Id; at: number }
  | { type: 'run-started'; at: number }
  | { type: 'run-finished'; status: 'succeeded' | 'failed' | 'canceled'; at: number }
  /** The tab that ran it closed mid-run: nothing more will come; the run can be started again. */
  | { type: 'run-interrupted'; at: number };

/** Appends text at `key` of `parent` (a plain string concat by default). */
export type AppendText = (parent: Record<string, string>, key: string, text: string) => void;

const concat: AppendText = (parent, key, text) => {
  parent[key] = (parent[key] ?? '') + text;
};

const FINAL: readonly JobStatus[] = ['succeeded', 'failed', 'canceled', 'skipped', 'cached'];

export function isFinished(status: JobStatus): boolean {
  return FINAL.includes(status);
}

/** Per-batch series keep every point up to this step, then every 2nd, 4th, 8th… as the run gets longer. */
const DENSE_BATCH_STEPS = 200;

/**
 * Whether a metric point is kept. Per-batch series (`batch/<name>`) thin out with the step, deterministically (so a
 * reproduction keeps the same points): a long run stays a few hundred points per series, which is all a chart can
 * show, instead of one Automerge list entry per batch written into the execution document while training runs.
 */
export function keepsPoint(name: string, step: number): boolean {
  if (!name.startsWith('batch/') || step < DENSE_BATCH_STEPS) return true;
  const stride = 2 ** Math.ceil(Math.log2((step + 1) / DENSE_BATCH_STEPS));
  return step % stride === 0;
}

/** Add points to a job's metric series (one list operation for many points: cheap on an Automerge draft). */
function appendPoints(draft: Execution, jobId: Id, name: string, steps: number[], values: number[]): void {
  // Create, then read back: on an Automerge draft, `a.b ??= {}` gives the plain object, not the stored one.
  if (!draft.metrics[jobId]) draft.metrics[jobId] = {};
  const perJob = draft.metrics[jobId]!;
  const series = perJob[name];
  if (series) {
    series.steps.push(...steps);
    series.values.push(...values);
  } else perJob[name] = { steps, values };
}

/**
 * Apply events in order, like {@link applyRunEvent} one by one, but with consecutive metric points of a series
 * appended together: what a running tab writes to the execution document a few times a second.
 */
export function applyRunEvents(draft: Execution, events: readonly RunEvent[], appendText: AppendText = concat): void {
  const points = new Map<string, { jobId: Id; name: string; steps: number[]; values: number[] }>();
  const flush = () => {
    for (const p of points.values()) appendPoints(draft, p.jobId, p.name, p.steps, p.values);
    points.clear();
  };
  for (const event of events) {
    if (event.type !== 'metric') {
      flush();
      applyRunEvent(draft, event, appendText);
      continue;
    }
    if (!draft.jobs[event.jobId] || !keepsPoint(event.name, event.step)) continue;
    const key = `${event.jobId}\u0000${event.name}`;
    const p = points.get(key) ?? { jobId: event.jobId, name: event.name, steps: [], values: [] };
    p.steps.push(event.step);
    p.values.push(event.value);
    points.set(key, p);
  }
  flush();
}

/** Apply one event to a draft of the execution; unknown jobs are ignored (a stale or foreign event). */
export function applyRunEvent(draft: Execution, event: RunEvent, appendText: AppendText = concat): void {
  if (event.type === 'device') {
    draft.device = { backend: event.backend, reason: event.reason, tfjsVersion: event.tfjsVersion, ...(event.adapter ? { adapter: event.adapter } : {}) };
    return;
  }
  if (event.type === 'run-started') {
    draft.status = 'running';
    draft.startedAt = event.at;
    return;
  }
  if (event.type === 'run-finished' || event.type === 'run-interrupted') {
    draft.status = event.type === 'run-interrupted' ? 'interrupted' : event.status;
    draft.finishedAt = event.at;
    for (const jobId of Object.keys(draft.jobs)) {
      const job = draft.jobs[jobId]!;
      if (job.status === 'running') {
        job.status = 'canceled';
        job.finishedAt = event.at;
      } else if (job.status === 'pending' || job.status === 'queued') {
        job.status = 'skipped';
        job.skippedReason = event.type === 'run-interrupted' ? 'The run was interrupted before this job started.' : 'The run ended before this job started.';
      }
    }
    return;
  }
  const job = draft.jobs[event.jobId];
  if (!job) return;
  switch (event.type) {
    case 'job-started':
      job.status = 'running';
      job.startedAt = event.at;
      if (draft.status === 'pending') {
        draft.status = 'running';
        if (draft.startedAt === undefined) draft.startedAt = event.at;
      }
      return;
    case 'log': {
      const prefix = event.level === 'info' ? '' : `${event.level}: `;
      appendText(draft.logs, event.jobId, `${prefix}${event.text}\n`);
      return;
    }
    case 'metric':
      if (keepsPoint(event.name, event.step)) appendPoints(draft, event.jobId, event.name, [event.step], [event.value]);
      return;
    case 'plot':
      if (!draft.plots[event.jobId]) draft.plots[event.jobId] = {};
      draft.plots[event.jobId]![event.name] = event.series;
      return;
    case 'image': {
      const list = draft.images[event.jobId];
      if (list) list.push(event.image);
      else draft.images[event.jobId] = [event.image];
      return;
    }
    case 'progress':
      job.progress = Math.max(0, Math.min(1, event.fraction));
      return;
    case 'artifact':
      if (event.port !== undefined) {
        const portId = draft.plan[event.jobId]?.outputs[event.port]?.portId ?? event.port;
        job.outputs[portId] = event.artifactId;
      } else {
        if (!job.saved) job.saved = {};
        job.saved[event.name] = event.artifactId;
      }
      return;
    case 'job-finished':
      finish(job, 'succeeded', event.at);
      job.outputRefs = event.outputs;
      job.progress = 1;
      return;
    case 'job-cached':
      finish(job, 'cached', event.at);
      if (job.startedAt === undefined) job.startedAt = event.at;
      if (event.outputs) job.outputRefs = event.outputs;
      return;
    case 'job-failed':
      finish(job, 'failed', event.at);
      job.error = event.error.line !== undefined ? { message: event.error.message, line: event.error.line } : { message: event.error.message };
      appendText(draft.logs, event.jobId, `error: ${event.error.message}${event.error.line !== undefined ? ` (line ${event.error.line})` : ''}\n`);
      return;
    case 'job-skipped':
      job.status = 'skipped';
      job.skippedReason = event.reason;
      return;
    case 'job-canceled':
      finish(job, 'canceled', event.at);
      return;
  }
}

function finish(job: JobRecord, status: JobStatus, at: number): void {
  job.status = status;
  job.finishedAt = at;
}

/** Whether this run may still change: a tab is (or was) running it. */
export function isActive(execution: Pick<Execution, 'status'>): boolean {
  return execution.status === 'pending' || execution.status === 'running';
}
