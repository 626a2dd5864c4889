/**
 * Training benchmarks (issue #5): an epoch of the MNIST MLP and CNN examples trained through the
 * pipeline in the app, against the same model trained by a plain `model.fit` in the same browser
 * on the same backend (goal ≤ 1.05×).
 *
 * Pipeline side (_training-app.mjs): the built app served by the relay, the example opened from
 * "Open example", the backend picked in the Run bar, "Run all" pressed; epoch ends are when the
 * page receives the engine's per-epoch metrics. Plain side (_training-browser.mjs): a Worker on
 * a loopback page in the same browser, tfjs 4.22 from node_modules, the example's own model
 * (the Keras JSON the engine builds) with Train's settings (optimizer, learning rate, loss,
 * batch size, epochs, validation split, shuffle), on as many digits as Train gets after the split.
 *
 * Time per epoch, both sides: (end of the last epoch − end of the first) / (epochs − 1), so the
 * first epoch (warm-up: kernels, WASM pages) is left out, and a pause of the page's main thread
 * between two epoch messages moves no time from one epoch to another.
 *
 * Each run measures both sides back to back (the order alternating between runs), and the value
 * is their ratio. Baseline: the plain fit measured again, divided by the plain fit of the case's
 * run (A/A: how far apart two identical trainings land here, i.e. the noise floor of the ratio).
 *
 * Both run on WASM, the engine's choice on this machine, with the kernels the engine registers
 * (src/engine/worker/wasm-kernels.ts) on both sides, so that the ratio is the pipeline's overhead alone.
 */
import { exampleSpec } from './_training-models.mjs';
import { openExample, runPipeline } from './_training-app.mjs';
import { inWorker, msPerEpoch, openPlainPage } from './_training-browser.mjs';

const RUNS = process.env.BENCH_RUNS ? undefined : 1;

function plainRequest(state) {
  const { spec, samples, backend } = state;
  // The plain script gets the engine's WASM kernels too, so that the ratio is the pipeline's overhead alone.
  return { op: 'fit', backend, topology: spec.topology, samples: spec.trainSamples(samples), ...spec.train, ...(backend === 'wasm' ? { kernels: 'engine' } : {}) };
}

async function plainFit(ctx, state) {
  const page = await openPlainPage(ctx, state.session.context);
  try {
    const { info, result } = await inWorker(page, plainRequest(state));
    return { ms: msPerEpoch(result.epochMs), info, result };
  } finally {
    await page.close();
  }
}

function pipelineCase({ id, label, backend, samples }) {
  return {
    name: `training: ${label} epoch, pipeline ÷ plain model.fit (${backend})`,
    unit: '×',
    goal: { max: 1.05 },
    runs: RUNS,
    description: `${label} example run from the app (Run all, backend ${backend}) vs the same model.fit in a Worker, same browser; time per epoch after the first, ratio per run`,
    async setup(ctx) {
      const spec = await exampleSpec(ctx, id);
      const defaults = samples ? { 'Load MNIST': { samples } } : {};
      const session = await openExample(ctx, { title: spec.title, pipelineName: spec.pipelineName, defaults });
      return { spec, session, backend, samples: samples ?? spec.load.samples, lastPlainMs: null };
    },
    async run(ctx, state, { iteration }) {
      const { spec, session } = state;
      const pipelineFirst = iteration % 2 === 0;
      let plain;
      if (!pipelineFirst) plain = await plainFit(ctx, state);
      const run = await runPipeline(session, { backend, trainJob: spec.trainJob });
      if (pipelineFirst) plain = await plainFit(ctx, state);
      state.lastPlainMs = plain.ms;
      if (run.status !== 'succeeded') throw new Error(`The pipeline run ${run.status}: ${run.failures.join('; ')}`);
      const pipelineMs = msPerEpoch(run.epochEnds.map((t, i) => t - (run.epochEnds[i - 1] ?? t)));
      return {
        value: pipelineMs / plain.ms,
        notes: {
          'pipeline, ms per epoch': pipelineMs,
          'plain model.fit, ms per epoch': plain.ms,
          'epochs (first left out) × digits per epoch': `${spec.train.epochs} × ${Math.round(spec.trainSamples(state.samples) * (1 - spec.train.validationSplit))} (+ ${Math.round(spec.trainSamples(state.samples) * spec.train.validationSplit)} validation), batch ${spec.train.batchSize}`,
          'engine device': run.device ? `${run.device.backend}: ${run.device.reason}` : '–',
          'plain device': `${plain.info.backend}${plain.info.simd ? ' (SIMD)' : ''}, tfjs ${plain.info.tfjs}`,
          'numTensors in the engine after the run': run.numTensors ?? '–',
          "app page's main thread busy during the run (% of the run)": (100 * run.mainThreadBusyMs) / run.runMs,
        },
        checks: [
          { name: `the pipeline ran on ${backend}`, ok: run.devices.every((b) => b === backend), detail: `engine used ${run.devices.join(' → ')}` },
          { name: 'the engine holds no tensor after the run', ok: run.numTensors === 0, detail: `${run.numTensors} left` },
          { name: 'no page errors', ok: session.errors.length === 0, detail: session.errors.slice(0, 3).join('; ') },
        ],
      };
    },
    baseline: {
      name: 'A/A: the plain model.fit again ÷ the plain model.fit of the case run (noise floor of the ratio)',
      async run(ctx, state) {
        const again = await plainFit(ctx, state);
        const reference = state.lastPlainMs ?? (await plainFit(ctx, state)).ms;
        return { value: again.ms / reference, notes: { 'plain model.fit, ms per epoch': again.ms } };
      },
    },
    async teardown(ctx, state) {
      await state?.session.close();
    },
  };
}

export default [
  pipelineCase({ id: 'mnist-mlp', label: 'MNIST MLP', backend: 'wasm' }),
  pipelineCase({ id: 'mnist-cnn', label: 'MNIST CNN', backend: 'wasm' }),
];
