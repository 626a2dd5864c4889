/**
 * Training benchmarks (issue #5): tensors held across 100 epochs. The MNIST MLP example's model
 * (784-128-10) trained for 100 epochs on 500 digits through the engine (its Node worker_threads
 * runtime, WASM backend): Load MNIST → Train/Test Split → Train, the library's own code, with
 * Train's `callbacks` given one more tf.Callback that reports `tf.memory().numTensors` at each
 * epoch end as a metric (`bench/numTensors`). Value: growth per epoch, (last − first) / 99.
 * Baseline: the same model, data and fit settings as a plain `model.fit` in a Node worker thread.
 * tfjs's own History callback holds each epoch's logs (4 scalars) until fit ends, so plain
 * tfjs grows by 4 per epoch too: a ratio of 1.00× means the engine adds nothing per epoch.
 * The check is that the engine holds no tensor at all once the run is over (its `run-finished`
 * message carries `tf.memory().numTensors`).
 *
 * Should the library's Load MNIST make int32 labels again, the plan makes them float32 (tfjs
 * 4.22's sparseCategoricalCrossentropy calls floor() on them, which refuses int32).
 */
import { runOnEngine, plainFitInNode } from './_training-engine.mjs';
import { engineSources, exampleSpec } from './_training-models.mjs';

const EPOCHS = 100;
const SAMPLES = 500;
const COUNTER = 'bench/numTensors';

/** A job of the plan running library operation `op` (attributes by name, defaults applied). */
function job(op, jobId, { attributes = {}, references = {}, inputs = {}, code = op.code } = {}) {
  const defaults = Object.fromEntries(Object.values(op.attributes).map((a) => [a.name, a.default]));
  const outputs = Object.fromEntries(Object.values(op.outputs).map((p) => [p.name, { portId: p.id, dataType: p.type }]));
  return { jobId, nodeId: jobId, name: op.name, code, attributes: { ...defaults, ...attributes }, references, inputs, outputs };
}

/** `code` with `from` replaced by `to`; refuses when the library's code no longer has `from`. */
function edit(code, from, to, what) {
  if (!code.includes(from)) throw new Error(`The library's ${what} code changed (no \`${from}\`); update test/bench/cases/training-tensors.mjs.`);
  return code.replace(from, to);
}

async function plan(ctx, spec) {
  const { operations: ops, protocol } = await engineSources(ctx);
  const load = ops['core.load-mnist'];
  const train = ops['core.train'];
  const loadCode = load.code.includes("'int32'") ? edit(load.code, "'int32'", "'float32'", 'Load MNIST') : load.code;
  const counter = `[ctx.fitCallbacks(), new (class extends tf.Callback { async onEpochEnd() { ctx.metric('${COUNTER}', tf.memory().numTensors); } })()]`;
  const trainCode = edit(train.code, 'callbacks: ctx.fitCallbacks()', `callbacks: ${counter}`, 'Train');
  const from = (jobId, port) => ({ kind: 'job', jobId, port });
  return {
    protocol,
    executionId: 'bench-tensors',
    backend: 'wasm',
    jobs: [
      job(load, 'load', { attributes: { samples: SAMPLES }, code: loadCode }),
      job(ops['core.split'], 'split', { attributes: spec.split, inputs: { dataset: from('load', 'dataset') } }),
      job(train, 'train', { attributes: { ...spec.train, epochs: EPOCHS }, references: { net: spec.architecture }, inputs: { dataset: from('split', 'train') }, code: trainCode }),
    ],
  };
}

const perEpoch = (counts) => (counts.at(-1) - counts[0]) / (counts.length - 1);

export default {
  name: 'training: tensors held per epoch over 100 epochs (engine, WASM in Node)',
  unit: 'tensors/epoch',
  runs: process.env.BENCH_RUNS ? undefined : 1,
  description:
    'numTensors at each epoch end of a 100-epoch Train through the engine (Node worker_threads runtime, WASM), growth per epoch; baseline: the same plain model.fit; check: the engine holds no tensor after the run',
  async setup(ctx) {
    const spec = await exampleSpec(ctx, 'mnist-mlp');
    return { spec, plan: await plan(ctx, spec) };
  },
  async run(ctx, { plan }) {
    const events = await runOnEngine(ctx, plan);
    const finished = events.at(-1);
    const failed = events.filter((e) => e.type === 'job-failed' || e.type === 'job-skipped');
    if (finished.status !== 'succeeded') throw new Error(`The engine run ${finished.status}: ${failed.map((e) => `${e.jobId}: ${e.error?.message ?? e.reason}`).join('; ')}`);
    const counts = events.filter((e) => e.type === 'metric' && e.name === COUNTER).map((e) => e.value);
    const device = events.find((e) => e.type === 'device');
    return {
      value: perEpoch(counts),
      notes: {
        'numTensors at the first / last epoch end': `${counts[0]} / ${counts.at(-1)} (${counts.length} epochs)`,
        'numTensors after the run (engine)': finished.numTensors,
        backend: `${device?.backend} (${device?.adapter ?? ''})`,
      },
      checks: [{ name: 'the engine holds no tensor after the run', ok: finished.numTensors === 0, detail: `${finished.numTensors} left` }],
    };
  },
  baseline: {
    name: 'plain model.fit in a Node worker thread (tfjs + WASM), same model, data and settings',
    async run(ctx, { spec }) {
      const r = await plainFitInNode(ctx, {
        backend: 'wasm',
        topology: spec.topology,
        samples: spec.trainSamples(SAMPLES),
        ...spec.train,
        epochs: EPOCHS,
      });
      return {
        value: perEpoch(r.atEpochEnd),
        notes: {
          'numTensors at the first / last epoch end': `${r.atEpochEnd[0]} / ${r.atEpochEnd.at(-1)}`,
          'numTensors before the fit / after disposing the model and data': `${r.before} / ${r.after}`,
        },
      };
    },
  },
};
