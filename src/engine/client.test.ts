import { describe, expect, it } from 'vitest';
import { FakeEngine } from '../../test/fixtures/fake-engine';
import { findExample } from '../model/examples';
import type { CancelRequest, Execution } from '../model/execution';
import { applyRunEvent } from '../model/execution-events';
import { applyPlanToObject, type Plan } from '../model/plan';
import type { Project } from '../model/types';
import { MemoryArtifactStore } from '../storage/memory-store';
import { MemoryJobCache } from '../storage/job-cache';
import { ExecutionClient, ExecutionError, type ExecutionDoc, type NumberedEvent, type ProjectAccess, type RunLocks } from './client';

/** An execution document as plain data: what was written, every broadcast, and cancel requests written into it. */
class PlainDoc implements ExecutionDoc {
  writes = 0;
  broadcasts: NumberedEvent[][] = [];
  #onCancelRequest = new Set<(request: CancelRequest) => void>();
  constructor(readonly url: string, private doc: Execution) {}
  record(): Execution {
    return structuredClone(this.doc);
  }
  write(events: readonly NumberedEvent[]): void {
    if (events.length === 0) return;
    this.writes++;
    for (const { event } of events) applyRunEvent(this.doc, event);
    this.doc.seq = events.at(-1)!.seq;
  }
  broadcast(events: readonly NumberedEvent[]): void {
    if (events.length) this.broadcasts.push([...events]);
  }
  onCancelRequest(listener: (request: CancelRequest) => void): () => void {
    const once = (request: CancelRequest) => {
      this.#onCancelRequest.delete(once);
      listener(request);
    };
    this.#onCancelRequest.add(once);
    return () => this.#onCancelRequest.delete(once);
  }
  /** What Cancel in another tab writes. */
  requestCancel(request: CancelRequest): void {
    this.doc.cancelRequest = request;
    for (const listener of [...this.#onCancelRequest]) listener(request);
  }
}

function setup(project: Project = findExample('mnist-cnn')!.build(1).project) {
  const docs = new Map<string, PlainDoc>();
  const engines: FakeEngine[] = [];
  const held = new Set<string>();
  const locks: RunLocks = {
    hold: (id) => {
      held.add(id);
      return () => held.delete(id);
    },
    isHeld: async (id) => held.has(id),
  };
  const artifacts = new MemoryArtifactStore();
  const cache = new MemoryJobCache();
  const plans: Plan[] = [];
  const access: ProjectAccess = {
    url: 'automerge:project',
    project: () => project,
    heads: () => ['h1'],
    apply: (plan) => {
      plans.push(plan);
      applyPlanToObject(project, plan);
    },
  };
  const deps = {
    engine: () => {
      const e = new FakeEngine();
      engines.push(e);
      return e;
    },
    artifacts,
    cache,
    createDoc: (execution: Execution) => {
      const doc = new PlainDoc(`automerge:${execution.id}`, structuredClone(execution));
      docs.set(doc.url, doc);
      return doc;
    },
    openDoc: async (url: string) => docs.get(url),
    data: async () => new Uint8Array(),
    locks,
    deviceId: 'device-1',
    broadcastMs: 5,
    writeMs: 20,
  };
  return { client: new ExecutionClient(deps), deps, project, access, docs, engines, artifacts, cache, plans, held };
}

describe('ExecutionClient', () => {
  it('runs a pipeline: record, artifacts, project summary, all in step', async () => {
    const { client, access, docs, engines, artifacts, project, held } = setup();
    const run = await client.run(access, { pipelineId: 'main' });
    expect(project.executions[run.executionId]).toMatchObject({ status: 'running', docUrl: run.url, pipelineName: 'Train MNIST CNN' });
    expect(held.has(run.executionId)).toBe(true);
    const ended = await run.done;
    expect(ended.status).toBe('succeeded');
    const doc = docs.get(run.url)!.record();
    expect(doc.status).toBe('succeeded');
    expect(Object.values(doc.jobs).map((j) => j.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(doc.logs.main_train).toBe('ran Train\n');
    expect(doc.device).toEqual({ backend: 'cpu', reason: 'the fake engine', tfjsVersion: '0.0.0' });
    // Every output's bytes are stored, and listed in the project as made by its job.
    const model = project.artifacts[doc.jobs.main_train!.outputs.model!]!;
    expect(model).toMatchObject({ type: 'model', producedBy: { executionId: run.executionId, jobId: 'main_train' }, name: 'Train · model' });
    expect(await artifacts.has(model.sha256)).toBe(true);
    expect(project.executions[run.executionId]).toMatchObject({ status: 'succeeded', backend: 'cpu', metrics: { main_train_loss: 0.5 } });
    expect(engines[0]!.disposed).toBe(true);
    expect(held.size).toBe(0);
  });

  it('writes to the document at a bounded rate and sends every event live, in order', async () => {
    const { client, access, docs } = setup();
    const run = await client.run(access, { pipelineId: 'main' });
    await run.done;
    const doc = docs.get(run.url)!;
    const seqs = doc.broadcasts.flat().map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(doc.record().seq).toBe(seqs.at(-1));
    expect(doc.writes).toBeLessThan(seqs.length);
  });

  it('reuses unchanged jobs from the cache, and "Run all" ignores it', async () => {
    const { client, access, docs, engines, project } = setup();
    await (await client.run(access, { pipelineId: 'main' })).done;
    project.pipelines.main!.nodes.main_train!.attributes.epochs = 4;
    const second = await client.run(access, { pipelineId: 'main' });
    await second.done;
    const jobs = docs.get(second.url)!.record().jobs;
    expect(Object.values(jobs).map((j) => j.status)).toEqual(['cached', 'cached', 'succeeded', 'succeeded']);
    expect(Object.keys(engines[1]!.runs[0]!.jobs[0]!.cached ?? {})).toEqual(['dataset']);
    // A cached job's metrics are shown again, and its log says where its outputs came from.
    expect(docs.get(second.url)!.record().metrics.main_load!.main_load_loss!.values).toEqual([0.5]);
    expect(docs.get(second.url)!.record().logs.main_load).toBe('Cached: reused the outputs of Train MNIST CNN #1; the code did not run again.\n');
    const all = await client.run(access, { pipelineId: 'main', runAll: true });
    await all.done;
    expect(Object.values(docs.get(all.url)!.record().jobs).map((j) => j.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
  });

  it('refuses a pipeline with problems before creating anything', async () => {
    const { client, access, project, docs } = setup();
    delete project.pipelines.main!.edges['main_train.model-evaluate.model'];
    await expect(client.run(access, { pipelineId: 'main' })).rejects.toBeInstanceOf(ExecutionError);
    expect(docs.size).toBe(0);
    expect(project.executions).toEqual({});
  });

  it('records a failure with its line, skips what depends on it, keeps finished outputs', async () => {
    const { client, access, project, docs } = setup();
    project.operations['core.train']!.code = 'export default async function run() {\n  throw new Error("boom");\n}';
    const run = await client.run(access, { pipelineId: 'main' });
    await run.done;
    const doc = docs.get(run.url)!.record();
    expect(doc.status).toBe('failed');
    expect(doc.jobs.main_train).toMatchObject({ status: 'failed', error: { message: 'Error: boom', line: 2 } });
    expect(doc.jobs.main_evaluate!.status).toBe('skipped');
    expect(doc.jobs.main_split!.outputs.train).toBeDefined();
    expect(project.executions[run.executionId]!.status).toBe('failed');
  });

  it('writes buffered events at once when asked (a tab closing)', async () => {
    const { client, access, project, docs } = setup();
    project.operations['core.train']!.code = 'export default async function run() {\n  while (true) {}\n}';
    const run = await client.run(access, { pipelineId: 'main' });
    await new Promise((r) => setTimeout(r, 5));
    client.flush();
    expect(docs.get(run.url)!.record().jobs.main_train!.status).toBe('running');
    client.cancel(run.executionId);
    await run.done;
  });

  it('cancels a job that never yields', async () => {
    const { client, access, project, docs } = setup();
    project.operations['core.train']!.code = 'export default async function run() {\n  while (true) {}\n}';
    const run = await client.run(access, { pipelineId: 'main' });
    await new Promise((r) => setTimeout(r, 30));
    expect(client.cancel(run.executionId)).toBe(true);
    await run.done;
    const doc = docs.get(run.url)!.record();
    expect(doc.status).toBe('canceled');
    expect([doc.jobs.main_train!.status, doc.jobs.main_evaluate!.status]).toEqual(['canceled', 'skipped']);
  });

  it('cancels when another tab on this device asks through the document, and says who asked', async () => {
    const { client, access, project, docs } = setup();
    project.operations['core.train']!.code = 'export default async function run() {\n  while (true) {}\n}';
    const run = await client.run(access, { pipelineId: 'main' });
    await new Promise((r) => setTimeout(r, 30));
    docs.get(run.url)!.requestCancel({ by: { name: 'Ada Lovelace', color: '#e11d48' }, device: 'device-1', at: Date.now() });
    const ended = await run.done;
    expect(ended.status).toBe('canceled');
    const doc = docs.get(run.url)!.record();
    expect(doc.status).toBe('canceled');
    expect(doc.logs.main_train).toBe('Canceled by Ada Lovelace from another tab.\n');
    expect(project.executions[run.executionId]!.status).toBe('canceled');
  });

  it('fails the job with a clear message when storage is full, losing nothing stored', async () => {
    const ctx = setup();
    const small = new MemoryArtifactStore({ quotaBytes: 60 });
    const client = new ExecutionClient({ ...ctx.deps, artifacts: small });
    const run = await client.run(ctx.access, { pipelineId: 'main' });
    await run.done;
    const doc = ctx.docs.get(run.url)!.record();
    expect(doc.status).toBe('failed');
    const failed = Object.values(doc.jobs).find((j) => j.status === 'failed')!;
    expect(failed.error!.message).toMatch(/storage for DeepForge is full/);
    const kept = await small.list();
    expect(kept.length).toBeGreaterThan(0);
    for (const a of Object.values(ctx.project.artifacts)) expect(await small.has(a.sha256)).toBe(true);
  });

  it('declares a run left running by a closed tab interrupted, but not one still running or another device’s', async () => {
    const { client, access, project, docs, deps } = setup();
    const run = await client.run(access, { pipelineId: 'main' });
    await run.done;
    // As if the tab had closed mid-run: the summary and the document still say running, and no lock is held.
    const doc = docs.get(run.url)!;
    (doc as unknown as { doc: Execution }).doc.status = 'running';
    project.executions[run.executionId]!.status = 'running';
    const other = new ExecutionClient({ ...deps, deviceId: 'device-2' });
    expect(await other.recoverInterrupted(access)).toEqual([]);
    expect(await client.recoverInterrupted(access)).toEqual([run.executionId]);
    expect(doc.record().status).toBe('interrupted');
    expect(project.executions[run.executionId]!.status).toBe('interrupted');
  });

  it('reproduces a run and says whether the metrics match', async () => {
    const { client, access, docs } = setup();
    const first = await client.run(access, { pipelineId: 'main' });
    await first.done;
    const { run, verdict } = await client.reproduce(access, first.url);
    expect(await verdict).toEqual({ matches: true, differences: [] });
    const doc = docs.get(run.url)!.record();
    expect(doc).toMatchObject({ reproduces: first.executionId, requestedBackend: 'cpu', runAll: true });
  });
});
