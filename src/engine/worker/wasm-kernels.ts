/**
 * Kernels the WASM backend lacks or runs slowly, and training needs. tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter, so any CNN
 * would leave the fastest CPU backend for the plain-JavaScript one at its first gradient step. A 2-D convolution
 * is a 3-D one of depth 1, and the backend has Conv3DBackpropFilterV2: the same memory, read with one more axis.
 * Done for stride 1 (the common case, e.g. the example CNNs).
 */
import * as tf from '@tensorflow/tfjs';

type Conv2DBackpropFilterAttrs = {
  strides: [number, number] | number;
  pad: unknown;
  dataFormat: 'NHWC' | 'NCHW';
  filterShape: [number, number, number, number];
};

function conv2dBackpropFilterViaConv3d({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
  // Beyond stride 1 the backend's Conv3DBackpropFilterV2 gives wrong gradients (tfjs-backend-wasm 4.22, checked
  // against the CPU backend); such layers fall back to the next backend, like any missing kernel.
  if (dataFormat !== 'NHWC' || (pad !== 'same' && pad !== 'valid') || sh !== 1 || sw !== 1) {
    throw new Error("Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm' (only stride 1, NHWC, same/valid padding are)");
  }
  const [kh, kw, ci, co] = filterShape;
  const conv3d = tf.getKernel('Conv3DBackpropFilterV2', 'wasm')!.kernelFunc;
  const [b, h, w] = x.shape as number[];
  const [, oh, ow] = dy.shape as number[];
  const dw = conv3d({
    inputs: { x: { ...x, shape: [b!, 1, h!, w!, ci] }, dy: { ...dy, shape: [b!, 1, oh!, ow!, co] } },
    backend,
    attrs: { strides: [1, sh, sw], pad, filterShape: [1, kh, kw, ci, co] },
  }) as tf.TensorInfo;
  return { ...dw, shape: [kh, kw, ci, co] };
}

/**
 * tfjs-backend-wasm 4.22 multiplies with a transposed operand 20–40× slower than without (measured at 256×2048 ·
 * 2048²: 30 GFLOP/s plain, 1.6 with transposeB, 0.8 with transposeA), and every dense layer's backward pass asks for
 * exactly that. Transposing the operand first, then multiplying, gives the same numbers several times faster.
 */
const FAST_MATMUL = Symbol.for('deepforge.wasm.batchMatMul');

function explicitTransposes(): void {
  const matMul = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!matMul || !transpose || (matMul as unknown as Record<symbol, boolean>)[FAST_MATMUL]) return;
  const swapLast = (x: tf.TensorInfo, backend: Parameters<tf.KernelFunc>[0]['backend']): tf.TensorInfo => {
    const perm = x.shape.map((_, i) => i);
    [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1]!, perm[perm.length - 2]!];
    return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
  };
  const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = attrs as { transposeA?: boolean; transposeB?: boolean };
    if (!transposeA && !transposeB) return matMul.kernelFunc({ inputs, backend, attrs });
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const left = transposeA ? swapLast(a, backend) : a;
    const right = transposeB ? swapLast(b, backend) : b;
    const out = matMul.kernelFunc({ inputs: { a: left, b: right }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    const data = backend as { disposeData(dataId: unknown): void };
    if (left !== a) data.disposeData(left.dataId);
    if (right !== b) data.disposeData(right.dataId);
    return out;
  };
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ ...matMul, kernelFunc, [FAST_MATMUL]: true } as tf.KernelConfig);
}

/** Registers the missing and faster kernels once; harmless where the backend is absent or already has them. */
export function registerMissingWasmKernels(): void {
  explicitTransposes();
  if (!tf.getKernel('Conv3DBackpropFilterV2', 'wasm') || tf.getKernel('Conv2DBackpropFilter', 'wasm')) return;
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilterViaConv3d });
}
