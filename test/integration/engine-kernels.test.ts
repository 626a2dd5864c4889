/**
 * The kernel the engine adds to the WASM backend (Conv2DBackpropFilter, through Conv3DBackpropFilterV2) gives the
 * CPU backend's filter gradients for stride 1, both paddings, so CNNs train on WASM.
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { registerMissingWasmKernels } from '../../src/engine/worker/wasm-kernels';

async function filterGradient(backend: string, pad: 'same' | 'valid', stride: number): Promise<number[]> {
  await tf.setBackend(backend);
  const x = tf.randomNormal([3, 9, 8, 2], 0, 1, 'float32', 1);
  const filter = tf.randomNormal([3, 2, 2, 4], 0, 1, 'float32', 2);
  const gradient = tf.grad((f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, stride, pad).square().sum())(filter);
  const values = Array.from(await gradient.data());
  expect(gradient.shape).toEqual([3, 2, 2, 4]);
  tf.dispose([x, filter, gradient]);
  return values;
}

describe('WASM kernels added by the engine', () => {
  registerMissingWasmKernels();
  for (const pad of ['same', 'valid'] as const) {
    it(`Conv2DBackpropFilter, padding ${pad}: the same as on the CPU`, async () => {
      const cpu = await filterGradient('cpu', pad, 1);
      const wasm = await filterGradient('wasm', pad, 1);
      wasm.forEach((v, i) => expect(v, `value ${i}`).toBeCloseTo(cpu[i]!, 3));
    });
  }

  for (const [transposeA, transposeB] of [[true, false], [false, true], [true, true], [false, false]]) {
    it(`BatchMatMul with transposeA ${transposeA}, transposeB ${transposeB}: the same as on the CPU, and nothing leaks`, async () => {
      const product = async (backend: string) => {
        await tf.setBackend(backend);
        const a = tf.randomNormal([2, 5, 7], 0, 1, 'float32', 3);
        const b = tf.randomNormal([2, 5, 7], 0, 1, 'float32', 4);
        const before = tf.memory().numTensors;
        const left = transposeA ? a : a.transpose([0, 2, 1]);
        const right = transposeB ? b.transpose([0, 2, 1]) : b;
        const out = tf.matMul(left, right, transposeA, transposeB);
        const values = Array.from(await out.data());
        tf.dispose([left, right, out].filter((t) => t !== a && t !== b));
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([a, b]);
        return values;
      };
      const cpu = await product('cpu');
      const wasm = await product('wasm');
      wasm.forEach((v, i) => expect(v, `value ${i}`).toBeCloseTo(cpu[i]!, 4));
    });
  }

  it('leaves strides above 1 missing, so that the engine moves such jobs to the next backend', async () => {
    await expect(filterGradient('wasm', 'same', 2)).rejects.toThrow(/not registered for backend 'wasm'/);
  });

  it('trains a small CNN on WASM', async () => {
    await tf.setBackend('wasm');
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    // Bright top half → class 1, bright bottom half → class 0.
    const xs = tf.tidy(() => tf.concat([tf.ones([16, 4, 8, 1]).concat(tf.zeros([16, 4, 8, 1]), 1), tf.zeros([16, 4, 8, 1]).concat(tf.ones([16, 4, 8, 1]), 1)]));
    const ys = tf.tensor1d([...Array(16).fill(1), ...Array(16).fill(0)]);
    const history = await model.fit(xs, ys, { epochs: 15, batchSize: 8 });
    expect(history.history.acc!.at(-1)).toBe(1);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
