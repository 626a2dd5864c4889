/**
 * The engine in Node, for the tensor-count benchmark: the runtime's worker_threads entry
 * (src/engine/worker/node-entry.ts, tfjs with the WASM backend) bundled with rolldown, as
 * test/integration/engine-harness.ts does, and driven over the engine protocol directly: `run`
 * a plan, answer its `request`s for the bundled data, collect its events until `run-finished`.
 * And the same training as a plain `model.fit` in a worker thread of its own
 * (`_training-plain-node.mjs`), for the baseline.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { rolldown } from 'rolldown';

const EXTERNAL = /^(@tensorflow\/tfjs(-core|-backend-wasm|-backend-cpu|-layers)?|fflate|papaparse|acorn)$/;

/** The bundled worker entry; written under node_modules/.cache so that its bare imports resolve. */
function engineBundle(ctx) {
  ctx.shared.engineBundle ??= (async () => {
    const outDir = join(ctx.root, 'node_modules/.cache/deepforge-bench-engine');
    mkdirSync(outDir, { recursive: true });
    const build = await rolldown({
      input: join(ctx.root, 'src/engine/worker/node-entry.ts'),
      platform: 'node',
      external: (id) => id.startsWith('node:') || EXTERNAL.test(id),
      logLevel: 'silent',
    });
    const file = join(outDir, 'node-entry.mjs');
    await build.write({ file, format: 'esm' });
    await build.close();
    return file;
  })();
  return ctx.shared.engineBundle;
}

function mnistBytes(ctx) {
  return new Uint8Array(readFileSync(join(ctx.root, 'public/data/mnist.bin')));
}

/** Runs `plan` in a fresh engine worker; resolves to every event it sent, `run-finished` last. */
export async function runOnEngine(ctx, plan, { timeout = 300_000 } = {}) {
  const worker = new Worker(await engineBundle(ctx));
  const stop = ctx.runOnce(() => worker.terminate());
  ctx.onCleanup(stop);
  const events = [];
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the engine did not finish within ${timeout / 1000} s`)), timeout);
      worker.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      worker.on('message', (m) => {
        if (m.type === 'ready') worker.postMessage({ type: 'run', plan });
        else if (m.type === 'request') {
          const bytes = m.what === 'data' && m.name === 'mnist' ? mnistBytes(ctx) : undefined;
          worker.postMessage({ type: 'reply', requestId: m.requestId, ...(bytes ? { bytes } : { error: `the bench serves no ${m.what} ${m.name ?? m.sha256}` }) });
        } else {
          events.push(m);
          if (m.type === 'run-finished') {
            clearTimeout(timer);
            resolve();
          }
        }
      });
    });
  } finally {
    await stop();
  }
  return events;
}

/** Runs `_training-plain-node.mjs` with `request` in a worker thread; resolves to its answer. */
export async function plainFitInNode(ctx, request) {
  const worker = new Worker(join(import.meta.dirname, '_training-plain-node.mjs'), { workerData: { ...request, data: join(ctx.root, 'public/data/mnist.bin') } });
  const stop = ctx.runOnce(() => worker.terminate());
  ctx.onCleanup(stop);
  try {
    const reply = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (!reply.ok) throw new Error(`plain model.fit in Node failed: ${reply.error}`);
    return reply.result;
  } finally {
    await stop();
  }
}
