/**
 * Plain tfjs in Chromium, for the training benchmarks: a loopback server with a blank page and a
 * script (/plain-tfjs.js) that runs as a classic Worker (or on the page itself, see onPage), loads
 * tfjs 4.22 from node_modules (the `dist/` UMD bundles of @tensorflow/tfjs and
 * @tensorflow/tfjs-backend-wasm, the same version the app bundles) and
 *
 *   - `fit`: trains a Keras-JSON model (the app's own topology of an example) on the first
 *     `samples` bundled MNIST digits with a plain `model.fit`, timing each epoch (a tf.Callback
 *     that only waits for the epoch's values and stamps `performance.now()`);
 *   - `matmul`: times `model.trainOnBatch` of `layers` dense width→width layers (matmul-bound).
 *
 * Request: `{ op, backend, threads?, kernels? }` plus the op's fields (see fit, matmul). `kernels:
 * 'engine'` registers the WASM kernels the engine adds or replaces (src/engine/worker/wasm-kernels.ts,
 * bundled as /engine-kernels.js with tfjs as the global `tf`), so that the plain side trains with the
 * same kernels as the pipeline; without it the backend is stock tfjs 4.22.
 * Paths under `/isolated/` are the same files sent with COOP/COEP, so that a page there is
 * cross-origin isolated (SharedArrayBuffer, hence multi-threaded WASM); WASM threads are used
 * only when a request asks for `threads` > 1 (the app uses none). A fresh Worker runs each
 * request (no state carried over).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const PAGE = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>plain tfjs</title><link rel="icon" href="data:,"></head><body>plain tfjs</body></html>';

/**
 * Runs in a Worker or a page (stringified, as /plain-tfjs.js): defines `self.runPlainTfjs(request)`
 * → `{ info, result }`; in a Worker it also answers messages with `{ ok, info, result }` or
 * `{ ok: false, error }`. A page loads tf.min.js and tf-backend-wasm.min.js before it.
 */
function plainTfjs() {
  /* global tf, importScripts */
  function load(backend, threads) {
    if (typeof importScripts === 'function') {
      importScripts('tf/tf.min.js');
      if (backend === 'wasm') importScripts('tf/tf-backend-wasm.min.js');
    }
    if (backend !== 'wasm') return;
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads > 1);
    if (threads > 1) tf.wasm.setThreadsCount(threads);
    tf.wasm.setWasmPaths(new URL('tf/', self.location.href).href);
  }

  /** The engine's WASM kernels (see the file comment), loaded once into this Worker or page. */
  function engineKernels() {
    if (typeof importScripts === 'function') importScripts('engine-kernels.js');
    self.deepforgeKernels.registerMissingWasmKernels();
  }

  async function mnist(samples) {
    const bytes = new Uint8Array(await (await fetch('data/mnist.bin')).arrayBuffer());
    const total = new DataView(bytes.buffer).getUint32(4, true);
    const n = Math.min(samples, total);
    return { n, labels: bytes.slice(8, 8 + n), images: bytes.slice(8 + total, 8 + total + n * 784) };
  }

  async function fit(req) {
    const { n, labels, images } = await mnist(req.samples);
    // As the library's Load MNIST makes them (float32 labels: tfjs 4.22's
    // sparseCategoricalCrossentropy calls floor() on them, which refuses int32).
    const x = tf.tidy(() => tf.tensor4d(images, [n, 28, 28, 1]).div(255));
    const y = tf.tensor1d(labels, 'float32');
    const model = await tf.models.modelFromJSON({ modelTopology: req.topology });
    model.compile({ optimizer: tf.train[req.optimizer](req.learningRate), loss: req.loss, metrics: ['accuracy'] });
    const ends = [];
    const tensors = [];
    class Clock extends tf.Callback {
      async onEpochEnd(epoch, logs) {
        // Wait for the epoch's values: on a GPU backend the ops are only queued until read.
        await Promise.all(Object.values(logs ?? {}).map((v) => (v instanceof tf.Tensor ? v.data() : v)));
        ends.push(performance.now());
        tensors.push(tf.memory().numTensors);
      }
    }
    const start = performance.now();
    await model.fit(x, y, { epochs: req.epochs, batchSize: req.batchSize, validationSplit: req.validationSplit, shuffle: true, callbacks: [new Clock()] });
    model.optimizer.dispose();
    model.dispose();
    x.dispose();
    y.dispose();
    const epochMs = ends.map((t, i) => t - (i === 0 ? start : ends[i - 1]));
    return { samples: n, epochMs, tensorsAtEpochEnd: tensors, tensorsAfter: tf.memory().numTensors };
  }

  async function matmul(req) {
    const { width, layers, batch, steps } = req;
    const model = tf.sequential();
    for (let i = 0; i < layers; i++) model.add(tf.layers.dense({ units: width, activation: 'relu', ...(i === 0 ? { inputShape: [width] } : {}) }));
    model.compile({ optimizer: tf.train.sgd(1e-4), loss: 'meanSquaredError' });
    const x = tf.randomNormal([batch, width]);
    const y = tf.randomNormal([batch, width]);
    const stepMs = [];
    for (let i = 0; i < steps + 1; i++) {
      const t0 = performance.now();
      await model.trainOnBatch(x, y);
      if (i > 0) stepMs.push(performance.now() - t0);
    }
    model.optimizer.dispose();
    model.dispose();
    x.dispose();
    y.dispose();
    return { stepMs };
  }

  self.runPlainTfjs = async (req) => {
    load(req.backend, req.threads ?? 1);
    if (!(await tf.setBackend(req.backend))) throw new Error(`the ${req.backend} backend did not initialise`);
    if (req.kernels === 'engine') engineKernels();
    const info = {
      backend: tf.getBackend(),
      tfjs: tf.version.tfjs,
      crossOriginIsolated: self.crossOriginIsolated,
      hardwareConcurrency: navigator.hardwareConcurrency,
      threads: req.backend === 'wasm' ? tf.wasm.getThreadsCount() : null,
      simd: req.backend === 'wasm' ? await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') : null,
      wasmBinary: performance.getEntriesByType('resource').map((e) => e.name.split('/').pop()).find((name) => name.endsWith('.wasm')) ?? null,
    };
    const result = req.op === 'fit' ? await fit(req) : await matmul(req);
    return { info, result };
  };

  if (typeof importScripts === 'function') {
    self.onmessage = async ({ data: req }) => {
      try {
        postMessage({ ok: true, ...(await self.runPlainTfjs(req)) });
      } catch (error) {
        postMessage({ ok: false, error: String((error && error.stack) || error) });
      }
    };
  }
}

const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.bin': 'application/octet-stream', '.html': 'text/html; charset=utf-8' };

/** src/engine/worker/wasm-kernels.ts as a classic script defining `self.deepforgeKernels`, tfjs taken from `tf`. */
async function engineKernelsScript(root) {
  const { rolldown } = await import('rolldown');
  const build = await rolldown({ input: join(root, 'src/engine/worker/wasm-kernels.ts'), external: ['@tensorflow/tfjs'], logLevel: 'silent' });
  const { output } = await build.generate({ format: 'iife', name: 'deepforgeKernels', globals: { '@tensorflow/tfjs': 'tf' } });
  await build.close();
  return output[0].code;
}

/** The files the page and worker may load, by path (without the `/isolated` prefix). */
function files(root, kernels) {
  const tfjs = join(root, 'node_modules/@tensorflow/tfjs/dist');
  const wasm = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  const data = join(root, 'public/data/mnist.bin');
  if (!existsSync(data)) {
    const r = spawnSync(process.execPath, [join(root, 'scripts/build-data.mjs')], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`scripts/build-data.mjs failed:\n${r.stderr}`);
  }
  return {
    '/': { body: PAGE, type: TYPES['.html'] },
    '/plain-tfjs.js': { body: `(${plainTfjs.toString()})();\n`, type: TYPES['.js'] },
    '/engine-kernels.js': { body: kernels, type: TYPES['.js'] },
    '/tf/tf.min.js': { file: join(tfjs, 'tf.min.js') },
    '/tf/tf-backend-wasm.min.js': { file: join(wasm, 'tf-backend-wasm.min.js') },
    '/tf/tfjs-backend-wasm.wasm': { file: join(wasm, 'tfjs-backend-wasm.wasm') },
    '/tf/tfjs-backend-wasm-simd.wasm': { file: join(wasm, 'tfjs-backend-wasm-simd.wasm') },
    '/tf/tfjs-backend-wasm-threaded-simd.wasm': { file: join(wasm, 'tfjs-backend-wasm-threaded-simd.wasm') },
    '/data/mnist.bin': { file: data },
  };
}

/** The loopback server (one per bench run). Resolves to its base URL, ending with '/'. */
export function plainTfjsServer(ctx) {
  ctx.shared.plainTfjsServer ??= engineKernelsScript(ctx.root).then((kernels) => new Promise((ok, fail) => {
    const table = files(ctx.root, kernels);
    const cache = new Map();
    const server = createServer((req, res) => {
      let path = new URL(req.url ?? '/', 'http://x').pathname;
      const isolated = path === '/isolated' || path.startsWith('/isolated/');
      if (isolated) path = path.slice('/isolated'.length) || '/';
      const entry = table[path];
      if (!entry) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      if (!cache.has(path)) cache.set(path, entry.file ? readFileSync(entry.file) : Buffer.from(entry.body));
      const body = cache.get(path);
      const type = entry.type ?? TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';
      res.writeHead(200, {
        'Content-Type': type,
        'Content-Length': body.byteLength,
        'Cache-Control': 'no-cache',
        ...(isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      ctx.onCleanup(
        ctx.runOnce(
          () =>
            new Promise((r) => {
              server.closeAllConnections?.();
              server.close(() => r());
            }),
        ),
      );
      ok(`http://127.0.0.1:${server.address().port}/`);
    });
  }));
  return ctx.shared.plainTfjsServer;
}

/**
 * Opens the plain page in `context` (cross-origin isolated when `isolated`; with
 * `navigator.hardwareConcurrency` emulated when given, through CDP); returns the page, which the
 * caller closes.
 */
export async function openPlainPage(ctx, context, { isolated = false, hardwareConcurrency } = {}) {
  const base = await plainTfjsServer(ctx);
  const page = await context.newPage();
  if (hardwareConcurrency) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setHardwareConcurrencyOverride', { hardwareConcurrency });
  }
  await page.goto(isolated ? `${base}isolated/` : base);
  return page;
}

/**
 * Runs one request in a fresh Worker of `page` and returns `{ info, result }`; throws the
 * worker's error. `request`: `{ op: 'fit' | 'matmul', backend, threads?, … }` (see plainTfjs).
 */
export async function inWorker(page, request, { timeout = 300_000 } = {}) {
  const reply = await page.evaluate(
    ({ req, timeout }) =>
      new Promise((resolve) => {
        const worker = new Worker('plain-tfjs.js');
        const done = (value) => {
          clearTimeout(timer);
          worker.terminate();
          resolve(value);
        };
        const timer = setTimeout(() => done({ ok: false, error: `no answer within ${timeout / 1000} s` }), timeout);
        worker.onmessage = (e) => done(e.data);
        worker.onerror = (e) => done({ ok: false, error: e.message || 'the worker failed to start' });
        worker.postMessage(req);
      }),
    { req: request, timeout },
  );
  if (!reply.ok) throw new Error(`plain tfjs (${request.op} on ${request.backend}) failed: ${reply.error}`);
  return { info: reply.info, result: reply.result };
}

/**
 * Time per epoch after the first (warm-up: kernels, WASM pages), from per-epoch times: their
 * mean, i.e. (end of the last epoch − end of the first) / (epochs − 1).
 */
export function msPerEpoch(epochMs) {
  if (epochMs.length < 2) throw new Error(`${epochMs.length} epoch(s) timed; at least 2 are needed.`);
  return epochMs.slice(1).reduce((a, b) => a + b, 0) / (epochMs.length - 1);
}

/**
 * Runs one request on the main thread of `page` (a fresh page from openPlainPage: tfjs is loaded
 * into it on the first call). For what needs the page itself, e.g. emulated hardware concurrency.
 */
export async function onPage(page, request) {
  if (!(await page.evaluate(() => typeof self.runPlainTfjs === 'function'))) {
    await page.addScriptTag({ url: 'tf/tf.min.js' });
    await page.addScriptTag({ url: 'tf/tf-backend-wasm.min.js' });
    if (request.kernels === 'engine') await page.addScriptTag({ url: 'engine-kernels.js' });
    await page.addScriptTag({ url: 'plain-tfjs.js' });
  }
  return page.evaluate((req) => self.runPlainTfjs(req), request);
}

/** The median of the epochs after the first, for in-process timings (robust to a stall). */
export function medianEpochMs(epochMs) {
  if (epochMs.length < 2) throw new Error(`${epochMs.length} epoch(s) timed; at least 2 are needed.`);
  const s = epochMs.slice(1).sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
