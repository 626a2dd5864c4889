/**
 * Training benchmarks (issue #5): the MNIST MLP and CNN epochs on the best CPU backend in the
 * browser against PyTorch on CPU on this machine (Debian's python3-torch, /usr/bin/python3,
 * torch.set_num_threads(os.cpu_count())), same data, model, batch size and optimizer (goal
 * ≤ 1.0×: beat it).
 *
 * Both sides train the example's model (browser: the Keras JSON the engine builds; PyTorch: the
 * same layers translated by _training-torch.py) with Adam at Train's learning rate and batch
 * size, sparse categorical cross-entropy, shuffled each epoch, on the first N bundled digits,
 * without a validation split. Time per epoch: the median of the epochs after the first (each
 * side times its epochs in-process; the median keeps a stall of this shared machine out;
 * PyTorch, much cheaper per epoch, runs 10 epochs for a steadier median).
 *
 * Browser: a plain `model.fit` in a Worker (_training-browser.mjs) on WASM with the kernels the
 * engine registers (src/engine/worker/wasm-kernels.ts: stock tfjs-backend-wasm 4.22 has no
 * Conv2DBackpropFilter and runs transposed matmuls and convolution gradients slowly). The MLP
 * notes WebGL (SwiftShader), CPU and stock WASM; the CNN notes CPU. Each run measures the browser and PyTorch back to back (the order
 * alternating between runs); the value is their ratio. PyTorch with one thread is noted too
 * (with two, its OpenMP threads stall whenever another process holds a core of this shared
 * 2-core machine: see the A/A). Baseline: PyTorch measured again ÷ the
 * PyTorch of the case run (A/A, the noise floor of the ratio).
 */
import { launchFresh } from '../browser.mjs';
import { inWorker, medianEpochMs, openPlainPage } from './_training-browser.mjs';
import { exampleSpec } from './_training-models.mjs';
import { ensureTorch, torch } from './_training-python.mjs';

const RUNS = process.env.BENCH_RUNS ? undefined : 1;

/** WASM runs with the kernels the engine registers (src/engine/worker/wasm-kernels.ts) unless `kernels` says 'stock'. */
async function browserEpoch(ctx, state, backend, { epochs = state.epochs, kernels = backend === 'wasm' ? 'engine' : undefined } = {}) {
  const { spec, samples } = state;
  const page = await openPlainPage(ctx, state.browser.context);
  try {
    const { info, result } = await inWorker(page, { op: 'fit', backend, topology: spec.topology, samples, ...spec.train, epochs, validationSplit: 0, kernels });
    return { ms: medianEpochMs(result.epochMs), info };
  } finally {
    await page.close();
  }
}

/** PyTorch's epochs are cheap: it times more of them, for a steadier median. */
const TORCH_EPOCHS = 10;

async function torchEpoch(ctx, state, threads) {
  const { spec, samples, epochs } = state;
  const r = await torch(ctx, { op: 'fit', data: `${ctx.root}/public/data/mnist.bin`, layers: spec.layers, samples, epochs: Math.max(epochs, TORCH_EPOCHS), batchSize: spec.train.batchSize, learningRate: spec.train.learningRate, threads });
  return { ms: medianEpochMs(r.epochMs), threads: r.threads, version: r.torch };
}

function torchCase({ id, label, samples, epochs, backends, alsoNoted = [], stockWasm = false }) {
  return {
    name: `training: ${label} epoch, browser (best CPU backend) ÷ PyTorch CPU`,
    unit: '×',
    goal: { max: 1.0 },
    runs: RUNS,
    description: `${label}, ${samples} digits, plain model.fit in a Worker on ${backends.join(' / ')} vs PyTorch on CPU (/usr/bin/python3), time per epoch after the first, ratio per run`,
    async setup(ctx) {
      await ensureTorch(ctx);
      const spec = await exampleSpec(ctx, id);
      const browser = await launchFresh(ctx);
      return { spec, samples, epochs, browser, lastTorchMs: null };
    },
    async run(ctx, state, { iteration }) {
      const measureBrowser = async () => {
        const all = [];
        for (const backend of backends) all.push({ backend, ...(await browserEpoch(ctx, state, backend)) });
        return all.sort((a, b) => a.ms - b.ms);
      };
      let browser, native;
      if (iteration % 2 === 0) {
        browser = await measureBrowser();
        native = await torchEpoch(ctx, state);
      } else {
        native = await torchEpoch(ctx, state);
        browser = await measureBrowser();
      }
      state.lastTorchMs = native.ms;
      const best = browser[0];
      const oneThread = await torchEpoch(ctx, state, 1);
      const noted = [];
      for (const backend of alsoNoted) noted.push({ backend, ...(await browserEpoch(ctx, state, backend, { epochs: 3 })) });
      if (stockWasm) noted.push({ backend: 'wasm with stock tfjs kernels (without the engine\'s)', ...(await browserEpoch(ctx, state, 'wasm', { kernels: 'stock' })) });
      return {
        value: best.ms / native.ms,
        notes: {
          'best browser backend': `${best.info.backend}${best.info.simd ? ' (SIMD)' : ''}${best.info.threads ? `, ${best.info.threads} thread` : ''}`,
          ...Object.fromEntries([...browser, ...noted].map((b) => [`browser ${b.backend}, ms per epoch`, b.ms])),
          'PyTorch CPU, ms per epoch': native.ms,
          PyTorch: `${native.version}, ${native.threads} threads`,
          'PyTorch CPU with 1 thread, ms per epoch': oneThread.ms,
          'digits per epoch × epochs (first left out), batch': `${samples} × ${epochs} (PyTorch × ${Math.max(epochs, TORCH_EPOCHS)}), ${state.spec.train.batchSize}`,
        },
      };
    },
    baseline: {
      name: 'A/A: PyTorch again ÷ the PyTorch of the case run (noise floor of the ratio)',
      async run(ctx, state) {
        const again = await torchEpoch(ctx, state);
        const reference = state.lastTorchMs ?? (await torchEpoch(ctx, state)).ms;
        return { value: again.ms / reference, notes: { 'PyTorch CPU, ms per epoch': again.ms } };
      },
    },
    async teardown(ctx, state) {
      await state?.browser.close();
    },
  };
}

export default [
  torchCase({ id: 'mnist-mlp', label: 'MNIST MLP', samples: 2000, epochs: 4, backends: ['wasm'], alsoNoted: ['webgl', 'cpu'], stockWasm: true }),
  // Stock tfjs-backend-wasm cannot train a CNN at all (no Conv2DBackpropFilter): CPU is noted instead.
  torchCase({ id: 'mnist-cnn', label: 'MNIST CNN', samples: 2000, epochs: 3, backends: ['wasm'], alsoNoted: ['cpu'] }),
];
