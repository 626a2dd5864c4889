/**
 * A worker thread (see _training-engine.mjs) that trains a Keras-JSON model with a plain
 * `model.fit` in Node (tfjs + WASM backend) on the first `samples` bundled MNIST digits, as the
 * library's Load MNIST → Train do (pixels / 255, validation split, shuffle), and records
 * `tf.memory().numTensors` before the fit, at every epoch end, and after disposing everything.
 * Posts `{ ok, result }` or `{ ok: false, error }`.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

async function fit(req) {
  await tf.setBackend(req.backend);
  const bytes = new Uint8Array(readFileSync(req.data));
  const total = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
  const n = Math.min(req.samples, total);
  const before = tf.memory().numTensors;
  const x = tf.tidy(() => tf.tensor4d(bytes.slice(8 + total, 8 + total + n * 784), [n, 28, 28, 1]).div(255));
  const y = tf.tensor1d(bytes.slice(8, 8 + n), 'float32');
  const model = await tf.models.modelFromJSON({ modelTopology: req.topology });
  model.compile({ optimizer: tf.train[req.optimizer](req.learningRate), loss: req.loss, metrics: ['accuracy'] });
  const atEpochEnd = [];
  class Count extends tf.Callback {
    async onEpochEnd() {
      atEpochEnd.push(tf.memory().numTensors);
    }
  }
  await model.fit(x, y, { epochs: req.epochs, batchSize: req.batchSize, validationSplit: req.validationSplit, shuffle: true, callbacks: [new Count()] });
  model.optimizer.dispose();
  model.dispose();
  x.dispose();
  y.dispose();
  return { backend: tf.getBackend(), before, atEpochEnd, after: tf.memory().numTensors };
}

fit(workerData).then(
  (result) => parentPort.postMessage({ ok: true, result }),
  (error) => parentPort.postMessage({ ok: false, error: String(error?.stack ?? error) }),
);
