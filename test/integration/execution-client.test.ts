/**
 * The execution client end to end in Node: real automerge-repo documents (two peers on an in-memory network), the
 * real engine in-process (tfjs), the artifact store and job cache in memory. The Sine LSTM example, made small,
 * trains in a few seconds.
 */
import '@tensorflow/tfjs-backend-wasm'; // registers the WASM backend (as the worker does) for the CNN reproduction
import { type DocHandle } from '@automerge/automerge-repo';
import { afterAll, describe, expect, it } from 'vitest';
import { createInProcessEngine } from '../../src/engine/worker/in-process';
import { findExample } from '../../src/model/examples';
import type { Execution } from '../../src/model/execution';
import { MemoryArtifactStore } from '../../src/storage/memory-store';
import { applyPlan } from '../../src/sync/apply';
import { findExecutionDoc, watchExecution } from '../../src/sync/executions';
import { bundledData } from './engine-harness';
import { clientOn, openProject, twoPeers, until } from './execution-peers';

const { ada, bob, shutdown } = twoPeers();
afterAll(shutdown);

const artifacts = new MemoryArtifactStore();
const client = clientOn(ada, { engine: () => createInProcessEngine(), artifacts, data: async (name) => bundledData(name) });

const { project } = findExample('sine-lstm')!.build(Date.now());
project.pipelines.main!.nodes.main_load!.attributes.windows = 300;
project.pipelines.main!.nodes.main_train!.attributes.epochs = 4;
const { handle, access } = openProject(ada, project);

describe('running a pipeline through the execution client', () => {
  let firstUrl = '';

  it('trains, records everything, and a collaborator follows it live', async () => {
    const run = await client.run(access, { pipelineId: 'main', backend: 'cpu' });
    firstUrl = run.url;
    // Bob opens the run while it is going, and watches it.
    const bobHandle = (await bob.find<Execution>(run.url as never)) as DocHandle<Execution>;
    const seen: string[] = [];
    let latest: Execution | undefined;
    const stop = watchExecution(bobHandle, (ex) => {
      latest = ex;
      seen.push(ex.status);
    });
    const ended = await run.done;
    expect(Object.values(ended.jobs).map((j) => j.error?.message ?? j.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(ended.status).toBe('succeeded');
    const testLoss = ended.metrics.main_evaluate!.test_loss!.values[0]!;
    expect(testLoss).toBeLessThan(ended.metrics.main_train!['batch/loss']!.values[0]!);
    // Ada's document holds the whole run; the project links it with its summary.
    const stored = (await findExecutionDoc(ada, run.url))!.record();
    expect(Object.values(stored.jobs).map((j) => j.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(stored.logs.main_split).toContain('240 for training, 60 for testing');
    expect(stored.metrics.main_train!.loss!.values.length).toBe(4);
    expect(stored.metrics).toEqual(ended.metrics);
    expect(stored.device?.backend).toBe('cpu');
    const summary = handle.doc().executions[run.executionId]!;
    expect(summary).toMatchObject({ status: 'succeeded', backend: 'cpu', docUrl: run.url });
    expect(summary.metrics.test_loss).toBe(testLoss);
    // The trained model is an artifact of the project, its bytes in the store, made by the Train job.
    const model = handle.doc().artifacts[stored.jobs.main_train!.outputs.model!]!;
    expect(model).toMatchObject({ type: 'model', producedBy: { executionId: run.executionId, jobId: 'main_train' } });
    expect(await artifacts.has(model.sha256)).toBe(true);
    // Bob saw it run and saw it finish, with the same metrics.
    expect(seen).toContain('running');
    await until(() => (latest?.status === 'succeeded' ? true : undefined), 20_000);
    stop();
    expect(latest!.metrics.main_evaluate).toEqual(stored.metrics.main_evaluate);
  }, 60_000);

  it('re-runs only what changed, and "Run all" runs everything', async () => {
    applyPlan(handle, { message: 'more epochs', edits: [{ op: 'put', path: ['pipelines', 'main', 'nodes', 'main_train', 'attributes', 'epochs'], value: 5 }] });
    const second = await (await client.run(access, { pipelineId: 'main', backend: 'cpu' })).done;
    expect(second.order.map((id) => second.jobs[id]!.status)).toEqual(['cached', 'cached', 'succeeded', 'succeeded']);
    const all = await (await client.run(access, { pipelineId: 'main', backend: 'cpu', runAll: true })).done;
    expect(all.order.map((id) => all.jobs[id]!.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
  }, 60_000);

  it('reproduces a seeded run on the CPU backend with exactly the same metrics', async () => {
    const { run, verdict } = await client.reproduce(access, firstUrl);
    await run.done;
    expect(await verdict).toEqual({ matches: true, differences: [] });
  }, 60_000);

  it('reproduces a seeded CNN run on the WASM backend (with the engine convolution kernels) with exactly the same metrics', async () => {
    const cnn = findExample('mnist-cnn')!.build(Date.now()).project;
    cnn.pipelines.main!.nodes.main_load!.attributes.samples = 400;
    cnn.pipelines.main!.nodes.main_train!.attributes.epochs = 2;
    const { access: cnnAccess } = openProject(ada, cnn);
    const first = await client.run(cnnAccess, { pipelineId: 'main', backend: 'wasm' });
    const ended = await first.done;
    expect(ended.status, JSON.stringify(Object.values(ended.jobs).map((j) => j.error?.message))).toBe('succeeded');
    expect(ended.device?.backend, JSON.stringify(ended.device)).toBe('wasm');
    const { run, verdict } = await client.reproduce(cnnAccess, first.url);
    await run.done;
    expect(await verdict).toEqual({ matches: true, differences: [] });
  }, 120_000);
});
