/**
 * The kernels the engine adds to the WASM backend or replaces there give the CPU backend's numbers: the convolution
 * gradients (filter: missing from the backend; input: rewritten onto the fast forward convolution) for every padding
 * and stride, and matrix products with a transposed operand.
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { registerMissingWasmKernels, wasmKernelLimits } from '../../src/engine/worker/wasm-kernels';

type Pad = 'same' | 'valid' | number;

/** The gradients of a convolution's filter and input, on one backend. */
async function gradients(backend: string, pad: Pad, stride: number): Promise<{ filter: number[]; input: number[] }> {
  await tf.setBackend(backend);
  const x = tf.randomNormal([3, 9, 8, 2], 0, 1, 'float32', 1);
  // tfjs sizes a numeric padding's output as if the filter were square (computeOutputShape2D), so square it there.
  const filterShape: [number, number, number, number] = typeof pad === 'number' ? [3, 3, 2, 4] : [3, 2, 2, 4];
  const filter = tf.randomNormal(filterShape, 0, 1, 'float32', 2);
  const before = tf.memory().numTensors;
  const [dx, dw] = tf.grads((a, f) => tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, stride, pad).square().sum())([x, filter]);
  expect(dw!.shape).toEqual(filterShape);
  expect(dx!.shape).toEqual([3, 9, 8, 2]);
  const values = { filter: Array.from(await dw!.data()), input: Array.from(await dx!.data()) };
  tf.dispose([dx!, dw!]);
  expect(tf.memory().numTensors, 'tensors left behind').toBe(before);
  tf.dispose([x, filter]);
  return values;
}

const expectClose = (actual: number[], expected: number[], digits = 3) =>
  actual.forEach((v, i) => expect(v, `value ${i}`).toBeCloseTo(expected[i]!, digits));

describe('WASM kernels added by the engine', () => {
  registerMissingWasmKernels();
  for (const pad of ['same', 'valid', 1] as const) {
    for (const stride of [1, 2, 3]) {
      it(`Conv2D gradients (filter and input), padding ${pad}, stride ${stride}: the same as on the CPU`, async () => {
        const cpu = await gradients('cpu', pad, stride);
        const wasm = await gradients('wasm', pad, stride);
        expectClose(wasm.filter, cpu.filter);
        expectClose(wasm.input, cpu.input);
      });
    }
  }

  for (const [pool, stride, pad] of [[2, 2, 'valid'], [3, 2, 'same'], [3, 1, 'same'], [2, 1, 'valid']] as const) {
    it(`MaxPool gradient, pool ${pool}, stride ${stride}, padding ${pad}: the same as on the CPU, ties included`, async () => {
      const gradient = async (backend: string) => {
        await tf.setBackend(backend);
        // After a ReLU many values are 0: windows with several equal largest values, where only the first may win.
        const x = tf.tidy(() => tf.relu(tf.randomNormal([2, 7, 6, 3], 0, 1, 'float32', 5)));
        // A different weight per output, so that a gradient sent to the wrong input shows.
        const pooled = tf.maxPool(x as tf.Tensor4D, pool, stride, pad);
        const weights = tf.range(1, 1 + pooled.size).reshape(pooled.shape);
        const dx = tf.grad((a) => tf.maxPool(a as tf.Tensor4D, pool, stride, pad).mul(weights).sum())(x);
        const values = Array.from(await dx.data());
        tf.dispose([x, pooled, weights, dx]);
        return values;
      };
      expectClose(await gradient('wasm'), await gradient('cpu'));
    });
  }

  it('slices like the CPU backend, along any axes', async () => {
    const slices = async (backend: string) => {
      await tf.setBackend(backend);
      const x = tf.range(0, 2 * 5 * 4 * 3).reshape([2, 5, 4, 3]);
      const ints = tf.range(0, 24, 1, 'int32').reshape([4, 6]);
      const out = [x.slice([1, 0, 0, 0], [1, -1, -1, -1]), x.slice([0, 1, 1, 0], [2, 3, 2, 3]), x.slice([0, 0, 0, 1], [2, 5, 4, 2]), x.slice([1, 4, 3, 2], [1, 1, 1, 1]), ints.slice([1, 2], [2, 3]), x.slice([0, 2, 0, 0], [2, 0, 4, 3])];
      const values = await Promise.all(out.map(async (t) => ({ shape: t.shape, dtype: t.dtype, values: Array.from(await t.data()) })));
      tf.dispose([x, ints, ...out]);
      return values;
    };
    expect(await slices('wasm')).toEqual(await slices('cpu'));
  });

  it('takes the filter gradient of a large batch in parts, with the same result', async () => {
    const whole = await gradients('wasm', 'same', 1);
    const saved = wasmKernelLimits.patchFloats;
    wasmKernelLimits.patchFloats = 9 * 8 * 3 * 2 * 2 * 2; // two samples' patches per step: batch 3 takes two steps
    try {
      expectClose((await gradients('wasm', 'same', 1)).filter, whole.filter);
    } finally {
      wasmKernelLimits.patchFloats = saved;
    }
  });

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
