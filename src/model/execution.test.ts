import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findExample } from './examples';
import { applyRunEvent, applyRunEvents, keepsPoint, type RunEvent } from './execution-events';
import { compareExecutions, compareMetrics, overlayMetrics } from './execution-compare';
import { cacheKeys, canonicalJson, freezePipeline, reproduction, summarize, type Execution, type FreezeRequest, type FrozenJob } from './execution';
import type { Project } from './types';

const sha = async (text: string) => createHash('sha256').update(text).digest('hex');

function mnist(): Project {
  return findExample('mnist-cnn')!.build(1000).project;
}

function request(project: Project, extra: Partial<FreezeRequest> = {}): FreezeRequest {
  return { project, pipelineId: 'main', executionId: 'ex1', projectUrl: 'automerge:abc', heads: ['h1'], now: 5000, ...extra };
}

function frozen(project: Project, extra: Partial<FreezeRequest> = {}): { execution: Execution; jobs: FrozenJob[] } {
  const result = freezePipeline(request(project, extra));
  if ('refused' in result) throw new Error(result.refused);
  return result;
}

describe('freezing a pipeline', () => {
  it('lists the jobs in run order with attributes (defaults applied), references resolved and inputs wired', () => {
    const project = mnist();
    const { execution, jobs } = frozen(project);
    expect(jobs.map((j) => j.name)).toEqual(['Load MNIST', 'Train/Test Split', 'Train', 'Evaluate']);
    const train = jobs[2]!;
    expect(train.attributes).toMatchObject({ epochs: 3, batchSize: 64, optimizer: 'adam', learningRate: 0.003 });
    expect(train.references.net).toEqual(project.architectures.cnn);
    expect(train.inputs).toEqual({ dataset: { kind: 'job', jobId: 'main_split', port: 'train' } });
    expect(jobs[3]!.inputs).toEqual({ model: { kind: 'job', jobId: 'main_train', port: 'model' }, dataset: { kind: 'job', jobId: 'main_split', port: 'test' } });
    expect(train.outputs).toEqual({ model: { portId: 'model', dataType: 'model' } });
    expect(train.source).toBe(project.operations['core.train']!.source);
    expect(execution).toMatchObject({ id: 'ex1', name: 'Train MNIST CNN #1', heads: ['h1'], status: 'pending', pipelineId: 'main', order: jobs.map((j) => j.jobId) });
    expect(Object.values(execution.jobs).every((j) => j.status === 'pending')).toBe(true);
    expect(Object.keys(execution.operations).sort()).toEqual(['core.evaluate', 'core.load-mnist', 'core.split', 'core.train']);
  });

  it('freezes a copy: later edits to the project do not reach the record', () => {
    const project = mnist();
    const { execution } = frozen(project);
    project.pipelines.main!.name = 'Renamed';
    project.architectures.cnn!.name = 'Changed';
    expect(execution.pipeline.name).toBe('Train MNIST CNN');
    expect((execution.plan.main_train!.references.net as { name: string }).name).toBe('Small CNN');
  });

  it('refuses a pipeline with problems, saying what to fix', () => {
    const project = mnist();
    delete project.pipelines.main!.edges['main_split.train-train.dataset'];
    const result = freezePipeline(request(project));
    expect('refused' in result && result.refused).toMatch(/^Fix the pipeline before running it: Train needs its input dataset connected/);
  });

  it('refuses a cycle that concurrent edits created', () => {
    const project = mnist();
    const p = project.pipelines.main!;
    // A loop: evaluate's output fed back into the split (an `any`-typed port would accept it).
    project.operations['core.split']!.inputs.extra = { id: 'extra', name: 'extra', type: 'any', order: 1, optional: true };
    p.edges.loop = { id: 'loop', from: { node: 'main_evaluate', port: 'metrics' }, to: { node: 'main_split', port: 'extra' } };
    const result = freezePipeline(request(project));
    expect('refused' in result && result.problems.some((x) => x.code === 'cycle')).toBe(true);
  });

  it('feeds an Input node’s artifact by id and hash, and records it as an input of the run', () => {
    const project = mnist();
    project.artifacts.a1 = { id: 'a1', name: 'digits.csv', type: 'table', mediaType: 'text/csv', sha256: 'f'.repeat(64), size: 10, createdAt: 1 };
    project.operations.show = { ...project.operations['core.evaluate']!, id: 'show', name: 'Show', inputs: { t: { id: 't', name: 'table', type: 'table', order: 0 } }, outputs: {}, attributes: {}, references: {}, source: undefined };
    const p = project.pipelines.main!;
    p.nodes.in = { id: 'in', kind: 'input', position: { x: 0, y: 0 }, attributes: {}, references: {}, artifactId: 'a1', dataType: 'table' };
    p.nodes.show = { id: 'show', kind: 'operation', operationId: 'show', position: { x: 0, y: 0 }, attributes: {}, references: {} };
    p.edges.e = { id: 'e', from: { node: 'in', port: 'out' }, to: { node: 'show', port: 't' } };
    const { execution, jobs } = frozen(project);
    expect(jobs.find((j) => j.jobId === 'show')!.inputs.table).toEqual({ kind: 'artifact', artifactId: 'a1', sha256: 'f'.repeat(64), mediaType: 'text/csv', dataType: 'table' });
    expect(execution.inputs).toEqual({ in: { artifactId: 'a1', sha256: 'f'.repeat(64) } });
  });
});

describe('cache keys', () => {
  it('are stable for unchanged jobs and change downstream of any change', async () => {
    const before = await cacheKeys(frozen(mnist()).jobs, sha);
    expect(await cacheKeys(frozen(mnist()).jobs, sha)).toEqual(before);
    const edited = mnist();
    edited.pipelines.main!.nodes.main_split!.attributes.seed = 7;
    const after = await cacheKeys(frozen(edited).jobs, sha);
    expect(after.main_load).toBe(before.main_load);
    for (const id of ['main_split', 'main_train', 'main_evaluate']) expect(after[id]).not.toBe(before[id]);
  });

  it('depend on code, references and the library version', async () => {
    const base = await cacheKeys(frozen(mnist()).jobs, sha);
    const code = mnist();
    code.operations['core.evaluate']!.code += '\n// a comment';
    expect((await cacheKeys(frozen(code).jobs, sha)).main_evaluate).not.toBe(base.main_evaluate);
    const arch = mnist();
    arch.architectures.cnn!.layers.cnn_l6!.config.units = 10.5;
    const archKeys = await cacheKeys(frozen(arch).jobs, sha);
    expect(archKeys.main_train).not.toBe(base.main_train);
    expect(archKeys.main_split).toBe(base.main_split);
    const lib = mnist();
    lib.operations['core.load-mnist']!.source = 'deepforge-core@9.9.9';
    expect((await cacheKeys(frozen(lib).jobs, sha)).main_load).not.toBe(base.main_load);
  });

  it('hash a canonical JSON: key order does not matter', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
  });
});

describe('applying run events', () => {
  const events: RunEvent[] = [
    { type: 'run-started', at: 10 },
    { type: 'device', backend: 'wasm', reason: 'WebGPU unavailable', tfjsVersion: '4.22.0' },
    { type: 'job-started', jobId: 'main_load', at: 11 },
    { type: 'log', jobId: 'main_load', at: 12, level: 'info', text: 'Loaded 2000 digits' },
    { type: 'job-finished', jobId: 'main_load', at: 20, outputs: { dataset: { sha256: 'a'.repeat(64), mediaType: 'application/x-deepforge-value', dataType: 'dataset', size: 4 } } },
    { type: 'job-cached', jobId: 'main_split', at: 21 },
    { type: 'job-started', jobId: 'main_train', at: 22 },
    { type: 'metric', jobId: 'main_train', name: 'loss', value: 0.9, step: 1 },
    { type: 'metric', jobId: 'main_train', name: 'loss', value: 0.5, step: 2 },
    { type: 'progress', jobId: 'main_train', fraction: 0.5 },
    { type: 'artifact', jobId: 'main_train', port: 'model', name: 'model', artifactId: 'art1' },
    { type: 'job-failed', jobId: 'main_train', at: 30, error: { message: 'boom', line: 3 } },
    { type: 'job-skipped', jobId: 'main_evaluate', reason: 'Train failed' },
    { type: 'run-finished', status: 'failed', at: 31 },
  ];

  it('tracks statuses, timing, logs, metrics, outputs and errors', () => {
    const { execution } = frozen(mnist());
    for (const e of events) applyRunEvent(execution, e);
    expect(execution.status).toBe('failed');
    expect([execution.startedAt, execution.finishedAt]).toEqual([10, 31]);
    expect(execution.device).toEqual({ backend: 'wasm', reason: 'WebGPU unavailable', tfjsVersion: '4.22.0' });
    expect(Object.values(execution.jobs).map((j) => j.status)).toEqual(['succeeded', 'cached', 'failed', 'skipped']);
    expect(execution.jobs.main_train).toMatchObject({ startedAt: 22, finishedAt: 30, error: { message: 'boom', line: 3 }, outputs: { model: 'art1' }, progress: 0.5 });
    expect(execution.logs.main_train).toBe('error: boom (line 3)\n');
    expect(execution.logs.main_load).toBe('Loaded 2000 digits\n');
    expect(execution.metrics.main_train!.loss).toEqual({ steps: [1, 2], values: [0.9, 0.5] });
    expect(execution.jobs.main_evaluate!.skippedReason).toBe('Train failed');
  });

  it('appends log text through the given appender', () => {
    const { execution } = frozen(mnist());
    const appended: string[] = [];
    applyRunEvent(execution, { type: 'log', jobId: 'main_load', at: 1, level: 'warn', text: 'slow' }, (_p, key, text) => appended.push(`${key}:${text}`));
    expect(appended).toEqual(['main_load:warn: slow\n']);
  });

  it('marks an interrupted run: the running job canceled, the rest skipped', () => {
    const { execution } = frozen(mnist());
    applyRunEvent(execution, { type: 'job-started', jobId: 'main_load', at: 1 });
    applyRunEvent(execution, { type: 'run-interrupted', at: 9 });
    expect(execution.status).toBe('interrupted');
    expect(Object.values(execution.jobs).map((j) => j.status)).toEqual(['canceled', 'skipped', 'skipped', 'skipped']);
  });

  it('summarizes for the project: status, backend and the last value of each metric', () => {
    const { execution } = frozen(mnist());
    for (const e of events) applyRunEvent(execution, e);
    applyRunEvent(execution, { type: 'metric', jobId: 'main_evaluate', name: 'test_accuracy', value: 0.973, step: 0 });
    expect(summarize(execution, 'automerge:ex')).toEqual({
      id: 'ex1', name: 'Train MNIST CNN #1', pipelineId: 'main', pipelineName: 'Train MNIST CNN', docUrl: 'automerge:ex',
      status: 'failed', createdAt: 5000, finishedAt: 31, backend: 'wasm', metrics: { loss: 0.5, test_accuracy: 0.973 },
    });
  });
});

describe('comparing executions', () => {
  it('says what differed: attributes, code, backend', () => {
    const a = frozen(mnist()).execution;
    const edited = mnist();
    edited.pipelines.main!.nodes.main_train!.attributes.epochs = 5;
    edited.operations['core.evaluate']!.code += '\n';
    const b = frozen(edited, { executionId: 'ex2' }).execution;
    const lines = a.plan.main_evaluate!.code.split('\n').length;
    applyRunEvent(a, { type: 'device', backend: 'wasm', reason: '', tfjsVersion: '4.22.0' });
    applyRunEvent(b, { type: 'device', backend: 'cpu', reason: '', tfjsVersion: '4.22.0' });
    expect(compareExecutions(a, b)).toEqual([
      { what: 'backend', where: 'device', a: 'wasm', b: 'cpu' },
      { what: 'attributes', where: 'Train', field: 'epochs', a: '3', b: '5' },
      { what: 'code', where: 'Evaluate', a: `${lines} lines`, b: `${lines + 1} lines` },
    ]);
    expect(compareExecutions(a, a)).toEqual([]);
  });

  it('overlays metric series by name and checks a reproduction exactly', () => {
    const a = frozen(mnist()).execution;
    const b = frozen(mnist(), { executionId: 'ex2' }).execution;
    for (const [ex, v] of [[a, 0.5], [b, 0.5]] as const) applyRunEvent(ex, { type: 'metric', jobId: 'main_train', name: 'loss', value: v, step: 1 });
    expect(overlayMetrics([a, b]).loss!.map((s) => s.executionId)).toEqual(['ex1', 'ex2']);
    expect(compareMetrics(a, b)).toEqual({ matches: true, differences: [] });
    applyRunEvent(b, { type: 'metric', jobId: 'main_train', name: 'loss', value: 0.4, step: 2 });
    expect(compareMetrics(a, b)).toEqual({ matches: false, differences: [{ name: 'loss', original: 0.5, reproduced: 0.4 }] });
  });
});

describe('reproducing an execution', () => {
  it('runs the frozen jobs again on the same backend, ignoring the cache, starting fresh', () => {
    const { execution: original } = frozen(mnist());
    applyRunEvent(original, { type: 'device', backend: 'wasm', reason: '', tfjsVersion: '4.22.0' });
    applyRunEvent(original, { type: 'job-started', jobId: 'main_load', at: 1 });
    original.plan.main_load!.cached = {};
    const { execution, jobs } = reproduction(original, 'ex9', 77, 'device-1');
    expect(jobs).toEqual(original.order.map((id) => { const { cached: _c, ...j } = original.plan[id]!; return j; }));
    expect(execution).toMatchObject({ id: 'ex9', reproduces: 'ex1', runAll: true, requestedBackend: 'wasm', status: 'pending', createdAt: 77, runner: 'device-1', heads: original.heads });
    expect(Object.values(execution.jobs).every((j) => j.status === 'pending')).toBe(true);
    expect(execution.pipeline).toEqual(original.pipeline);
  });
});

describe('per-batch metric series', () => {
  it('keep every point early, then thin out by powers of two, the same way every time', () => {
    const kept = Array.from({ length: 20_000 }, (_, step) => step).filter((step) => keepsPoint('batch/loss', step));
    expect(kept.slice(0, 200)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(kept.length).toBeLessThan(1_000);
    expect(kept.at(-1)).toBeGreaterThan(19_000);
    expect(Array.from({ length: 20_000 }, (_, step) => step).every((step) => keepsPoint('loss', step))).toBe(true);
  });
});

describe('applying run events in a batch', () => {
  it('gives the same record as applying them one by one', () => {
    const project = findExample('mnist-mlp')!.build(0).project;
    const { execution } = freezePipeline({ project, pipelineId: 'main', executionId: 'ex1', heads: [], projectUrl: 'automerge:x', now: 0 } as FreezeRequest) as { execution: Execution };
    const jobId = Object.keys(execution.jobs)[0]!;
    const events: RunEvent[] = [
      { type: 'job-started', jobId, at: 1 },
      ...Array.from({ length: 500 }, (_, i): RunEvent => ({ type: 'metric', jobId, name: i % 2 ? 'batch/loss' : 'batch/acc', value: i / 10, step: i >> 1 })),
      { type: 'log', jobId, at: 2, level: 'info', text: 'epoch 1' },
      { type: 'metric', jobId, name: 'loss', value: 0.5, step: 0 },
      { type: 'metric', jobId: 'not-a-job', name: 'loss', value: 1, step: 0 },
    ];
    const one = structuredClone(execution);
    for (const e of events) applyRunEvent(one, e);
    const batch = structuredClone(execution);
    applyRunEvents(batch, events);
    expect(batch).toEqual(one);
    expect(batch.metrics[jobId]!['batch/loss']!.values.length).toBe(225);
  });
});
