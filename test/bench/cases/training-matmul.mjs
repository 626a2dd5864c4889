/**
 * Training benchmarks (issue #5): achieved GFLOP/s of a matmul-bound training step in the
 * browser, as a share of this machine's native sgemm ceiling measured in the same run (goal
 * ≥ 25%).
 *
 * The step: `model.trainOnBatch` (SGD, mean squared error) of two dense 2048→2048 ReLU layers
 * on a batch of 256, tfjs-wasm in a Worker, one thread (as the app runs it: no cross-origin
 * isolation). FLOPs counted analytically, matmuls only: per layer 2·B·W² forward, 2·B·W² for the
 * weight gradient and 2·B·W² for the input gradient except on the first layer (nothing needs
 * it), so 2·B·W²·(3L − 1) per step; bias, ReLU, loss and the SGD update are left out (< 1%).
 * Time: the mean of the steps after a warm-up step. The ceiling: the fastest 2048² float32
 * product of /usr/bin/python3 through torch.mm, numpy (both the BLAS they are linked to) and
 * oneDNN (torch's mkldnn linear), all noted.
 *
 * Levers, noted. First, the kernel: tfjs-backend-wasm 4.22 runs BatchMatMul with transposeA or
 * transposeB (the two gradient products of every dense layer) 20–40× slower than the plain
 * product, so the step is timed with those inputs transposed explicitly first, as the engine's WASM kernels do
 * (src/engine/worker/wasm-kernels.ts; `kernels: 'engine'` in _training-browser.mjs), and noted with the
 * stock kernel.
 * Then, with that: batch 64 and 1,024; WASM threads, on a cross-origin isolated page
 * (COOP/COEP), on the page's main thread. tfjs-backend-wasm sizes its pthread pool to
 * min(4, max(1, hardwareConcurrency / 2)), so a 2-core machine gets one thread even when
 * isolated; the two-thread row emulates hardwareConcurrency 4 through CDP to get two.
 *
 * Baseline: the ceiling's path measured again ÷ the ceiling of the case run (A/A, noise floor).
 */
import { launchFresh } from '../browser.mjs';
import { inWorker, onPage, openPlainPage } from './_training-browser.mjs';
import { ensureTorch, torch } from './_training-python.mjs';

const RUNS = process.env.BENCH_RUNS ? undefined : 1;
const WIDTH = 2048;
const LAYERS = 2;
const BATCH = 256;

const flopsPerStep = (batch) => 2 * batch * WIDTH * WIDTH * (3 * LAYERS - 1);

async function tfjsGflops(run, batch, steps, kernels) {
  const { info, result } = await run({ op: 'matmul', backend: 'wasm', width: WIDTH, layers: LAYERS, batch, steps, kernels });
  const ms = result.stepMs.reduce((a, b) => a + b, 0) / result.stepMs.length;
  return { gflops: flopsPerStep(batch) / ms / 1e6, ms, info };
}

async function ceiling(ctx, paths) {
  const r = await torch(ctx, { op: 'sgemm', n: WIDTH, repeats: 5, ...(paths ? { paths } : {}) });
  const [path, gflops] = Object.entries(r.gflops).sort((a, b) => b[1] - a[1])[0];
  return { path, gflops, all: r.gflops, blas: r.blas, threads: r.threads };
}

export default {
  name: 'training: matmul-bound step, tfjs-wasm GFLOP/s as % of native sgemm',
  unit: '%',
  goal: { min: 25 },
  runs: RUNS,
  description: `trainOnBatch of ${LAYERS} dense ${WIDTH}→${WIDTH} layers, batch ${BATCH}, tfjs-wasm in a Worker (1 thread), FLOPs counted analytically, ÷ the best native ${WIDTH}² sgemm (torch/numpy BLAS, oneDNN) of the same run`,
  async setup(ctx) {
    await ensureTorch(ctx);
    const browser = await launchFresh(ctx);
    return { browser, lastCeiling: null };
  },
  async run(ctx, state, { iteration }) {
    const inAWorker = async (batch, steps, kernels) => {
      const page = await openPlainPage(ctx, state.browser.context);
      try {
        return await tfjsGflops((req) => inWorker(page, req), batch, steps, kernels);
      } finally {
        await page.close();
      }
    };
    const onIsolatedPage = async (hardwareConcurrency) => {
      const page = await openPlainPage(ctx, state.browser.context, { isolated: true, hardwareConcurrency });
      try {
        return await tfjsGflops((req) => onPage(page, { ...req, threads: 2 }), BATCH, 2, 'engine');
      } finally {
        await page.close();
      }
    };
    let tfjs, native;
    // The value: tfjs-wasm with the kernels the engine registers (transposed matmuls made explicit).
    if (iteration % 2 === 0) {
      tfjs = await inAWorker(BATCH, 2, 'engine');
      native = await ceiling(ctx);
    } else {
      native = await ceiling(ctx);
      tfjs = await inAWorker(BATCH, 2, 'engine');
    }
    state.lastCeiling = native;
    const stock = await inAWorker(BATCH, 2);
    const narrow = await inAWorker(64, 3, 'engine');
    const wide = await inAWorker(1024, 1, 'engine');
    const isolated = await onIsolatedPage();
    const twoThreads = await onIsolatedPage(4);
    const pct = (g) => (100 * g) / native.gflops;
    const row = (r) => `${r.gflops.toFixed(2)} GFLOP/s, ${pct(r.gflops).toFixed(1)}% (${r.info.threads} thread${r.info.threads > 1 ? 's' : ''}, ${r.ms.toFixed(0)} ms/step)`;
    return {
      value: pct(tfjs.gflops),
      notes: {
        [`tfjs-wasm with the engine's kernels, Worker, batch ${BATCH} (the value)`]: row(tfjs),
        'native ceiling (GFLOP/s)': `${native.gflops.toFixed(1)} via ${native.path}`,
        ...Object.fromEntries(Object.entries(native.all).map(([path, g]) => [`native ${path} (GFLOP/s)`, g])),
        'native BLAS library / threads': `${native.blas} / ${native.threads}`,
        [`stock tfjs-wasm kernels (transposed operands multiplied in place), batch ${BATCH}`]: row(stock),
        'lever: explicit + batch 64': row(narrow),
        'lever: explicit + batch 1024': row(wide),
        'lever: explicit + WASM threads, isolated page, hardwareConcurrency 2': `${row(isolated)}, ${isolated.info.wasmBinary}`,
        'lever: explicit + WASM threads, isolated page, hardwareConcurrency emulated as 4': `${row(twoThreads)}, ${twoThreads.info.wasmBinary}`,
      },
    };
  },
  baseline: {
    name: 'A/A: the ceiling path measured again ÷ the ceiling of the case run, % (noise floor)',
    async run(ctx, state) {
      const first = state.lastCeiling ?? (await ceiling(ctx));
      const again = await ceiling(ctx, [first.path]);
      return { value: (100 * again.gflops) / first.gflops, notes: { 'native ceiling again (GFLOP/s)': again.gflops } };
    },
  },
  async teardown(ctx, state) {
    await state?.browser.close();
  },
};
