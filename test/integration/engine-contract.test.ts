/**
 * The engine contract: one suite, run against the in-process engine and the worker engine (the same runtime in a
 * Node worker thread). Plans are built from the library's own operation code and the examples' architectures.
 */
import '@tensorflow/tfjs-backend-wasm'; // the in-process engine gets the backends the worker has
import * as tf from '@tensorflow/tfjs';
import { unzipSync } from 'fflate';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Engine, EngineMessage, RunPlan } from '../../src/engine/protocol';
import { decodeValue, MODEL_WEIGHTS_FILE } from '../../src/engine/worker/codec';
import { buildWorkerBundle, ENGINES, from, irisArchitecture, irisPlan, job, plan, recordingHost, type RecordingHost } from './engine-harness';

type Of<T extends EngineMessage['type']> = Extract<EngineMessage, { type: T }>;
const ofType = <T extends EngineMessage['type']>(host: RecordingHost, type: T, jobId?: string) =>
  host.events.filter((e): e is Of<T> => e.type === type && (jobId === undefined || ('jobId' in e && e.jobId === jobId)));
const kinds = (host: RecordingHost, jobId: string) => host.of(jobId).map((e) => e.type).filter((t) => t.startsWith('job-'));

const code = (body: string) => `export default async function run(inputs, attributes, references, ctx) {\n${body}\n}\n`;

beforeAll(async () => {
  await buildWorkerBundle();
}, 60_000);

describe.each(ENGINES)('$name', ({ create, canStopBusyCode }) => {
  let engine: Engine;
  beforeEach(() => {
    engine = create();
  });
  afterEach(() => engine.dispose());

  async function run(p: RunPlan, host = recordingHost()) {
    const { status } = await engine.run(p, host).done;
    return { status, host };
  }

  it('runs the Iris pipeline from the library\'s code, passing values between jobs in memory', async () => {
    const { status, host } = await run(irisPlan(8));
    expect(status).toBe('succeeded');
    // The device first, then each job in order, each started before its events and finished with its outputs.
    expect(host.events[0]!.type).toBe('device');
    const order = host.events.filter((e) => e.type === 'job-started' || e.type === 'job-finished').map((e) => `${e.type}:${(e as Of<'job-started'>).jobId}`);
    expect(order).toEqual(['load', 'scale', 'split', 'train', 'evaluate'].flatMap((j) => [`job-started:${j}`, `job-finished:${j}`]));
    for (const jobId of ['load', 'scale', 'split', 'train', 'evaluate']) {
      const finished = ofType(host, 'job-finished', jobId)[0]!;
      const artifacts = ofType(host, 'artifact', jobId);
      expect(Object.values(finished.outputs).map((r) => r.sha256).sort()).toEqual(artifacts.map((a) => a.ref.sha256).sort());
    }
    expect(host.events.at(-1)).toMatchObject({ type: 'run-finished', status: 'succeeded' });
    expect(host.requests).toEqual(['iris']); // only the data: everything else passed in memory
    // Evaluate got the trained model and the test split from earlier jobs.
    const metrics = ofType(host, 'artifact', 'evaluate')[0]!;
    const { loss, accuracy } = JSON.parse(new TextDecoder().decode(metrics.bytes)) as { loss: number; accuracy: number };
    expect(accuracy).toBeGreaterThan(0.8);
    expect(loss).toBeLessThan(0.6);
    expect(ofType(host, 'log', 'split').map((l) => l.text)).toEqual(['120 for training, 30 for testing']);
    expect(ofType(host, 'metric', 'evaluate').map((m) => m.name)).toEqual(['test_loss', 'test_accuracy']);
  });

  it('streams loss and accuracy per batch and per epoch during fit, with progress', async () => {
    const { host } = await run(irisPlan(3));
    const names = new Set(ofType(host, 'metric', 'train').map((m) => m.name));
    expect([...names].sort()).toEqual(['accuracy', 'batch/accuracy', 'batch/loss', 'loss', 'val_accuracy', 'val_loss']);
    // 108 training rows (after the 10% validation split) in batches of 16: 7 batches per epoch.
    expect(ofType(host, 'metric', 'train').filter((m) => m.name === 'batch/loss').map((m) => m.step)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(ofType(host, 'metric', 'train').filter((m) => m.name === 'loss').map((m) => m.step)).toEqual([1, 2, 3]);
    const progress = ofType(host, 'progress', 'train').map((p) => p.fraction);
    expect(progress.at(-1)).toBeCloseTo(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    // Every metric arrives before its job finishes.
    const finishedAt = host.events.findIndex((e) => e.type === 'job-finished' && e.jobId === 'train');
    expect(host.events.findLastIndex((e) => e.type === 'metric' && e.jobId === 'train')).toBeLessThan(finishedAt);
  });

  it('sends console.log and console.error of operation code to the job log', async () => {
    const p = plan([job('talk', { code: code(`  console.log('hello', 42, { a: 1 });\n  console.error('careful');\n  console.warn(tf.zeros([2, 3]));\n  ctx.log('via ctx');\n  return {};`) })]);
    const { status, host } = await run(p);
    expect(status).toBe('succeeded');
    expect(ofType(host, 'log', 'talk').map((l) => [l.level, l.text])).toEqual([
      ['info', 'hello 42 {"a":1}'],
      ['error', 'careful'],
      ['warn', 'Tensor float32 [2, 3]'],
      ['info', 'via ctx'],
    ]);
  });

  it('fails a job with the line of the error in its code, skips what depends on it, and runs what does not', async () => {
    const p = plan([
      job('broken', { code: code(`  ctx.log('starting');\n  const t = tf.ones([2]);\n  throw new Error('no good');`), outputs: { value: 'json' } }),
      job('after', { code: code('  return {};') }, { inputs: { value: from('broken', 'value') } }),
      job('independent', { code: code('  return { value: 7 };'), outputs: { value: 'number' } }),
      job('kernel', { code: code(`  const a = tf.ones([2, 3]);\n  const b = tf.ones([4, 5]);\n  return { value: tf.matMul(a, b) };`), outputs: { value: 'tensor' } }),
    ]);
    const { status, host } = await run(p);
    expect(status).toBe('failed');
    expect(ofType(host, 'job-failed', 'broken')[0]!.error).toMatchObject({ message: 'no good', line: 4 });
    expect(ofType(host, 'job-failed', 'broken')[0]!.error.stack).toMatch(/operation-broken\.js:4:/);
    expect(ofType(host, 'job-skipped', 'after')[0]!.reason).toMatch(/"broken" did not succeed/);
    expect(kinds(host, 'independent')).toEqual(['job-started', 'job-finished']);
    // An error thrown inside tfjs is placed on the line of the operation that called it.
    expect(ofType(host, 'job-failed', 'kernel')[0]!.error).toMatchObject({ line: 4 });
    expect(host.events.at(-1)).toMatchObject({ type: 'run-finished', status: 'failed' });
  });

  it('explains code that cannot run: a syntax error (with its line), an import, a missing output', async () => {
    const p = plan([
      job('syntax', { code: code('  const x = ;\n  return {};') }),
      job('imports', { code: `import x from 'https://example.com/x.js';\n${code('  return {};')}` }),
      job('missing', { code: code('  return { other: 1 };'), outputs: { result: 'json' } }),
      job('nothing', { code: code('  return 3;') }),
    ]);
    const { host } = await run(p);
    expect(ofType(host, 'job-failed', 'syntax')[0]!.error).toMatchObject({ line: 2, message: expect.stringMatching(/^Syntax error/) });
    expect(ofType(host, 'job-failed', 'imports')[0]!.error).toMatchObject({ line: 1, message: expect.stringMatching(/cannot import/) });
    expect(ofType(host, 'job-failed', 'missing')[0]!.error.message).toMatch(/returned no value for its output "result"/);
    expect(ofType(host, 'log', 'missing').map((l) => l.text)).toEqual(['Ignored values for outputs this operation does not declare: other.']);
    expect(ofType(host, 'job-failed', 'nothing')[0]!.error.message).toMatch(/must return an object/);
  });

  it('decodes a cached job\'s stored outputs for the jobs after it', async () => {
    const first = await run(irisPlan(2));
    const splitRefs = ofType(first.host, 'job-finished', 'split')[0]!.outputs;
    const cachedPlan = irisPlan(2);
    cachedPlan.jobs = cachedPlan.jobs.filter((j) => j.jobId !== 'load' && j.jobId !== 'scale');
    cachedPlan.jobs[0]!.cached = splitRefs;
    const host = recordingHost(first.host.artifacts);
    const { status } = await run(cachedPlan, host);
    expect(status).toBe('succeeded');
    expect(kinds(host, 'split')).toEqual(['job-cached']);
    expect(host.requests.sort()).toEqual(Object.values(splitRefs).map((r) => r.sha256).sort());
    // Same inputs, same seed: the training after the cache gives the very same model.
    expect(ofType(host, 'job-finished', 'train')[0]!.outputs.model!.sha256).toBe(ofType(first.host, 'job-finished', 'train')[0]!.outputs.model!.sha256);
  });

  it('repeats exactly with the same seed on the cpu backend', async () => {
    const a = await run(irisPlan(3, { backend: 'cpu', seed: 11 }));
    const b = await run(irisPlan(3, { backend: 'cpu', seed: 11 }));
    expect(ofType(a.host, 'device')[0]!.backend).toBe('cpu');
    const series = (h: RecordingHost) => ofType(h, 'metric').map((m) => `${m.jobId} ${m.name} ${m.step} ${m.value}`);
    expect(series(a.host).length).toBeGreaterThan(50);
    expect(series(b.host)).toEqual(series(a.host));
  });

  it('keeps the number of tensors constant across 100 epochs, and frees everything at the end', async () => {
    const p = plan([
      job(
        'long',
        {
          code: code(`  const model = ctx.buildModel(references.net, { seed: 1 });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const x = tf.randomNormal([64, 4], 0, 1, 'float32', 7);
  const y = tf.tensor1d(Array.from({ length: 64 }, (_, i) => i % 3));
  const counts = [];
  const count = new (class extends tf.Callback { async onEpochEnd() { counts.push(tf.memory().numTensors); } })();
  await model.fit(x, y, { epochs: 100, batchSize: 16, callbacks: [ctx.fitCallbacks(), count] });
  return { counts };`),
          outputs: { counts: 'json' },
        },
        { references: { net: irisArchitecture() } },
      ),
    ]);
    const { status, host } = await run(p);
    expect(status).toBe('succeeded');
    const counts = JSON.parse(new TextDecoder().decode(ofType(host, 'artifact', 'long')[0]!.bytes)) as number[];
    expect(counts).toHaveLength(100);
    // After the optimizer has made its slots in the first epoch, nothing grows.
    expect(new Set(counts.slice(1)).size).toBe(1);
    console.log(`[engine] numTensors over 100 epochs: first ${counts[0]}, then ${counts[1]} … ${counts[99]}`);
    expect(ofType(host, 'run-finished')[0]!.numTensors).toBe(0);
  });

  it('stores a trained model in tfjs format that tf.loadLayersModel opens', async () => {
    const { host } = await run(irisPlan(2));
    const artifact = ofType(host, 'artifact', 'train')[0]!;
    expect(artifact.ref).toMatchObject({ mediaType: 'application/vnd.deepforge.tfjs-model+zip', dataType: 'model' });
    const files = unzipSync(artifact.bytes);
    expect(Object.keys(files).sort()).toEqual([MODEL_WEIGHTS_FILE, 'model.json']);
    const json = JSON.parse(new TextDecoder().decode(files['model.json'])) as tf.io.ModelJSON;
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData: files[MODEL_WEIGHTS_FILE]!.slice().buffer }),
    );
    expect(model.outputs[0]!.shape).toEqual([null, 3]);
    const decoded = (await decodeValue(artifact.bytes, artifact.ref.mediaType, 'model')) as tf.LayersModel;
    const x = tf.ones([1, 4]);
    expect(Array.from(await (decoded.predict(x) as tf.Tensor).data())).toEqual(Array.from(await (model.predict(x) as tf.Tensor).data()));
    x.dispose();
    model.dispose();
    decoded.dispose();
  });

  it('turns ctx.save, ctx.image, ctx.plot and ctx.progress into events', async () => {
    const p = plan([
      job('show', {
        code: code(`  const saved = await ctx.save('weights', tf.tensor2d([[1, 2], [3, 4]]));
  await ctx.image('ramp', tf.linspace(0, 1, 12).reshape([3, 4]));
  ctx.plot('curve', { x: [1, 2, 3], y: [3, 1, 2] });
  ctx.progress(0.5);
  ctx.metric('custom', 3);
  ctx.metric('custom', 4);
  return { id: saved.artifactId };`),
        outputs: { id: 'string' },
      }),
    ]);
    const { status, host } = await run(p);
    expect(status).toBe('succeeded');
    const saved = ofType(host, 'artifact', 'show').find((a) => a.name === 'weights')!;
    expect(saved.ref).toMatchObject({ mediaType: 'application/x-npy', dataType: 'tensor' });
    expect(saved.port).toBeUndefined();
    const id = JSON.parse(new TextDecoder().decode(ofType(host, 'artifact', 'show').find((a) => a.port === 'id')!.bytes)) as string;
    expect(saved.artifactId).toBe(id);
    const image = ofType(host, 'image', 'show')[0]!;
    expect([image.width, image.height, image.png.subarray(1, 4)]).toEqual([4, 3, new TextEncoder().encode('PNG')]);
    expect(ofType(host, 'plot', 'show')[0]).toMatchObject({ name: 'curve', series: { x: [1, 2, 3], y: [3, 1, 2] } });
    expect(ofType(host, 'progress', 'show').map((e) => e.fraction)).toEqual([0.5]);
    expect(ofType(host, 'metric', 'show').map((m) => [m.step, m.value])).toEqual([[1, 3], [2, 4]]);
  });

  it('reruns a job on the next backend when a kernel is missing on the first', async () => {
    const p = plan([
      job('picky', {
        code: code(`  if (tf.getBackend() === 'wasm') throw new Error("Kernel 'Fancy' not registered for backend 'wasm'");
  return { backend: tf.getBackend() };`),
        outputs: { backend: 'string' },
      }),
    ]);
    const { status, host } = await run(p);
    expect(status).toBe('succeeded');
    expect(ofType(host, 'device').map((d) => d.backend)).toEqual(['wasm', 'cpu']);
    expect(ofType(host, 'device')[1]!.reason).toMatch(/after wasm failed: Kernel 'Fancy' not registered/);
    expect(ofType(host, 'log', 'picky')[0]!.text).toMatch(/The wasm backend failed .* running this job again on the next backend/);
    expect(kinds(host, 'picky')).toEqual(['job-started', 'job-finished']);
  });

  it('honours a forced backend and says so', async () => {
    const { host } = await run(plan([job('m', { code: code('  return { b: tf.getBackend() };'), outputs: { b: 'string' } })], { backend: 'cpu' }));
    expect(ofType(host, 'device')[0]).toMatchObject({ backend: 'cpu', reason: 'cpu as requested', adapter: 'JavaScript' });
  });

  it(canStopBusyCode ? 'cancels a run stuck in while (true) {} within one second' : 'cancels cooperative code within one second (busy code cannot be stopped in-process)', async () => {
    const body = canStopBusyCode ? '  while (true) {}' : '  while (!ctx.signal.aborted) await new Promise((r) => setTimeout(r, 5));\n  return { out: 1 };';
    const p = plan([
      job('first', { code: code('  return { out: 1 };'), outputs: { out: 'number' } }),
      job('stuck', { code: code(body), outputs: { out: 'number' } }),
      job('later', { code: code('  return {};') }, { inputs: { x: from('stuck', 'out') } }),
    ]);
    const host = recordingHost();
    const handle = engine.run(p, host);
    await expect.poll(() => host.events.some((e) => e.type === 'job-started' && e.jobId === 'stuck'), { timeout: 10_000 }).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    const pressed = Date.now();
    handle.cancel();
    const { status } = await handle.done;
    const took = Date.now() - pressed;
    console.log(`[engine] cancel took ${took} ms`);
    expect(status).toBe('canceled');
    expect(took).toBeLessThan(1000);
    expect(kinds(host, 'first')).toEqual(['job-started', 'job-finished']); // finished outputs are kept
    expect(kinds(host, 'stuck')).toEqual(['job-started', 'job-canceled']);
    expect(kinds(host, 'later')).toEqual(['job-skipped']);
    expect(host.events.at(-1)).toMatchObject({ type: 'run-finished', status: 'canceled' });
    // The engine runs again afterwards.
    const again = await run(plan([job('ok', { code: code('  return {};') })]));
    expect(again.status).toBe('succeeded');
  });

  it('stops training at once on cancel', async () => {
    const p = irisPlan(5000);
    const host = recordingHost();
    const handle = engine.run(p, host);
    await expect.poll(() => host.events.some((e) => e.type === 'metric' && e.name === 'loss'), { timeout: 20_000 }).toBe(true);
    const pressed = Date.now();
    handle.cancel();
    expect((await handle.done).status).toBe('canceled');
    expect(Date.now() - pressed).toBeLessThan(1000);
    expect(kinds(host, 'train')).toEqual(['job-started', 'job-canceled']);
  });
});
