/**
 * Kernels the WASM backend lacks and training needs. tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter, so any CNN
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

/** Registers the missing kernels once; harmless where the backend is absent or already has them. */
export function registerMissingWasmKernels(): void {
  if (!tf.getKernel('Conv3DBackpropFilterV2', 'wasm') || tf.getKernel('Conv2DBackpropFilter', 'wasm')) return;
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilterViaConv3d });
}
