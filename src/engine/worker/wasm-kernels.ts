/**
 * Kernels the WASM backend lacks or runs slowly, and training needs.
 *
 * Its convolution gradients are plain loops: tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter at all (a CNN would
 * leave the fastest CPU backend for the plain-JavaScript one at its first gradient step), and its
 * Conv2DBackpropInput runs 10× slower than the forward convolution, which is XNNPACK's. Both are rewritten here
 * onto the fast kernels: the filter gradient as one matrix product over the input's patches (im2col), the input
 * gradient as a forward convolution of the padded output gradient with the flipped filter.
 */
import * as tf from '@tensorflow/tfjs';

type Backend = Parameters<tf.KernelFunc>[0]['backend'] & { disposeData(dataId: unknown): void };
type Info = tf.TensorInfo;

/** Runs one of the backend's own kernels. */
function run(name: string, inputs: tf.NamedTensorInfoMap | Info[], attrs: object, backend: Backend): Info {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`Kernel '${name}' not registered for backend 'wasm'`);
  return kernel.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend, attrs: attrs as tf.NamedAttrMap }) as Info;
}
const reshaped = (t: Info, shape: number[]): Info => ({ ...t, shape });
const free = (backend: Backend, ...infos: Info[]) => infos.forEach((t) => backend.disposeData(t.dataId));

type Conv2DGradAttrs = {
  strides: [number, number] | number;
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
};

const notHere = (what: string) => new Error(`Kernel '${what}' not registered for backend 'wasm' (only NHWC is)`);

/** Patches (im2col) of at most `patchFloats` floats per step (64 MiB): a larger batch goes in parts. Tests lower it. */
export const wasmKernelLimits = { patchFloats: 16 * 1024 * 1024 };

type WasmBackend = Backend & {
  makeOutput(shape: number[], dtype: 'float32'): Info;
  typedArrayFromHeap(info: Info): Float32Array;
};

/**
 * dW[kh, kw, ci, co] = Σ over samples and output positions of x's patch × dy: the product of the patch matrix
 * [kh·kw·ci, positions] with dy [positions, co], whose rows come out in the filter's own order. The patches are
 * copied here, straight between the backend's buffers: its Slice kernel first copies the whole input out of
 * WebAssembly memory, for every slice. With the image turned to [h, w, ci, n] (Transpose runs in WebAssembly), each
 * filter tap's window is oh runs of ow·ci·n contiguous numbers (of ci·n with a horizontal stride).
 */
function conv2dBackpropFilter({ inputs, backend: b, attrs }: Parameters<tf.KernelFunc>[0]): Info {
  const backend = b as WasmBackend;
  const { x, dy } = inputs as { x: Info; dy: Info };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DGradAttrs;
  if (dataFormat !== 'NHWC') throw notHere('Conv2DBackpropFilter');
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape!, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co, strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const { top, bottom, left, right } = info.padInfo;
  const pw = inWidth + left + right;
  const perStep = Math.max(1, Math.floor(wasmKernelLimits.patchFloats / (oh * ow * kh * kw * ci)));

  let sum: Info | undefined;
  for (let start = 0; start < batchSize; start += perStep) {
    const n = Math.min(perStep, batchSize - start);
    const whole = n === batchSize;
    const temps: Info[] = [];
    const keep = (t: Info) => (temps.push(t), t);
    const xs = whole ? x : keep(run('Slice', { x }, { begin: [start, 0, 0, 0], size: [n, inHeight, inWidth, ci] }, backend));
    const dys = whole ? dy : keep(run('Slice', { x: dy }, { begin: [start, 0, 0, 0], size: [n, oh, ow, co] }, backend));
    const padded = top || bottom || left || right ? keep(run('PadV2', { x: xs }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 }, backend)) : xs;
    const image = keep(run('Transpose', { x: padded }, { perm: [1, 2, 3, 0] }, backend)); // [h, w, ci, n]
    const windows = keep(backend.makeOutput([kh * kw, oh * ow, ci, n], 'float32'));
    // Views after the allocation: growing WebAssembly memory detaches earlier ones.
    const from = backend.typedArrayFromHeap(image);
    const to = backend.typedArrayFromHeap(windows);
    const cell = ci * n;
    let at = 0;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        for (let y = 0; y < oh; y++) {
          const rowStart = ((i + y * sh) * pw + j) * cell;
          if (sw === 1) {
            to.set(from.subarray(rowStart, rowStart + ow * cell), at);
            at += ow * cell;
          } else {
            for (let z = 0; z < ow; z++, at += cell) to.set(from.subarray(rowStart + z * sw * cell, rowStart + (z * sw + 1) * cell), at);
          }
        }
      }
    }
    const patches = keep(run('Transpose', { x: windows }, { perm: [0, 2, 1, 3] }, backend)); // [taps, ci, positions, n]
    const grads = keep(run('Transpose', { x: dys }, { perm: [1, 2, 0, 3] }, backend)); // [oh, ow, n, co]
    const rows = oh * ow * n;
    const product = run('BatchMatMul', { a: reshaped(patches, [1, kh * kw * ci, rows]), b: reshaped(grads, [1, rows, co]) }, { transposeA: false, transposeB: false }, backend);
    free(backend, ...temps);
    if (!sum) sum = product;
    else {
      const next = run('Add', { a: sum, b: product }, {}, backend);
      free(backend, sum, product);
      sum = next;
    }
  }
  return reshaped(sum!, [kh, kw, ci, co]);
}

/**
 * The gradient of max pooling: each output's gradient goes to the first largest input of its window (row by row, as
 * the CPU backend does). The backend's own kernel takes 5× longer on a CNN's first pooling layer.
 */
function maxPoolGrad({ inputs, backend: b, attrs }: Parameters<tf.KernelFunc>[0]): Info {
  const backend = b as WasmBackend;
  const { dy, input } = inputs as { dy: Info; input: Info };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as { filterSize: [number, number] | number; strides: [number, number] | number; pad: 'same' | 'valid' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const { top, left } = info.padInfo;
  const dx = backend.makeOutput(input.shape as number[], 'float32');
  const x = backend.typedArrayFromHeap(input);
  const g = backend.typedArrayFromHeap(dy);
  const out = backend.typedArrayFromHeap(dx);
  out.fill(0);
  const best = new Float32Array(c);
  const at = new Int32Array(c);
  for (let n = 0, o = 0; n < batchSize; n++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, o += c) {
        best.fill(-Infinity);
        at.fill(-1);
        for (let wy = 0; wy < fh; wy++) {
          const y = oy * sh - top + wy;
          if (y < 0 || y >= h) continue;
          for (let wx = 0; wx < fw; wx++) {
            const xx = ox * sw - left + wx;
            if (xx < 0 || xx >= w) continue;
            const base = ((n * h + y) * w + xx) * c;
            for (let ch = 0; ch < c; ch++) {
              if (x[base + ch]! > best[ch]!) {
                best[ch] = x[base + ch]!;
                at[ch] = base + ch;
              }
            }
          }
        }
        for (let ch = 0; ch < c; ch++) {
          const i = at[ch]!;
          if (i >= 0) out[i] = out[i]! + g[o + ch]!;
        }
      }
    }
  }
  return dx;
}

/**
 * Slice, reading the input in place: the backend's own first copies the whole input out of WebAssembly memory,
 * which makes every batch sliced from a dataset cost as much as copying the dataset.
 */
function sliceInPlace(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as WasmBackend;
    const { x } = args.inputs as { x: Info };
    if (x.dtype !== 'float32' && x.dtype !== 'int32' && x.dtype !== 'bool') return original(args);
    const { begin: b0, size: s0 } = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, b0, s0) as [number[], number[]];
    const out = backend.makeOutput(size, x.dtype as 'float32');
    const total = tf.util.sizeFromShape(size);
    if (total === 0) return out;
    const from = backend.typedArrayFromHeap(x);
    const to = backend.typedArrayFromHeap(out);
    const strides = [...tf.util.computeStrides(x.shape), 1];
    const rank = size.length;
    // Copy runs along the innermost axes that are taken whole (all of them for a slice of leading rows).
    let inner = rank - 1;
    while (inner > 0 && begin[inner] === 0 && size[inner] === x.shape[inner]) inner--;
    const span = size.slice(inner).reduce((a, v) => a * v, 1);
    const index = new Array<number>(inner).fill(0);
    for (let copied = 0; copied < total; copied += span) {
      let offset = begin[inner]! * strides[inner]!;
      for (let d = 0; d < inner; d++) offset += (begin[d]! + index[d]!) * strides[d]!;
      to.set(from.subarray(offset, offset + span), copied);
      for (let d = inner - 1; d >= 0; d--) {
        if (++index[d]! < size[d]!) break;
        index[d] = 0;
      }
    }
    return out;
  };
}

/**
 * dx is the "full" convolution of dy with the filter turned by 180° and its channel axes swapped: a forward
 * convolution of dy padded by (filter size − 1 − the forward padding). With a stride s, dy is first spread out, s − 1
 * zeros after each value, in both directions. The backend's own kernel remains for what this does not cover.
 */
function conv2dBackpropInputVia(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as Backend;
    const { dy, filter } = args.inputs as { dy: Info; filter: Info };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as Conv2DGradAttrs;
    if (dataFormat !== 'NHWC') return original(args);
    const info = tf.backend_util.computeConv2DInfo(inputShape!, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode);
    const { batchSize, inHeight, inWidth, outHeight: oh, outWidth: ow, outChannels: co, strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
    const top = kh - 1 - info.padInfo.top;
    const left = kw - 1 - info.padInfo.left;
    if (top < 0 || left < 0) return original(args);
    const temps: Info[] = [];
    let spread = dy;
    if (sh > 1 || sw > 1) {
      const gaps = run('PadV2', { x: reshaped(dy, [batchSize, oh, 1, ow, 1, co]) }, { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 }, backend);
      temps.push(gaps);
      spread = reshaped(gaps, [batchSize, oh * sh, ow * sw, co]);
    }
    // What the valid convolution needs: top + rows + bottom = inHeight + kh − 1; cut spread-out zeros beyond that.
    const [rows, cols] = [Math.min(spread.shape[1]!, inHeight + kh - 1 - top), Math.min(spread.shape[2]!, inWidth + kw - 1 - left)];
    if (rows < spread.shape[1]! || cols < spread.shape[2]!) {
      spread = run('Slice', { x: spread }, { begin: [0, 0, 0, 0], size: [batchSize, rows, cols, co] }, backend);
      temps.push(spread);
    }
    const bottom = inHeight + kh - 1 - top - rows;
    const right = inWidth + kw - 1 - left - cols;
    const padded = top || bottom || left || right ? run('PadV2', { x: spread }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 }, backend) : spread;
    if (padded !== spread) temps.push(padded);
    const reversed = run('Reverse', { x: filter }, { dims: [0, 1] }, backend);
    const flipped = run('Transpose', { x: reversed }, { perm: [0, 1, 3, 2] }, backend);
    const dx = run('Conv2D', { x: padded, filter: flipped }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1 }, backend);
    free(backend, reversed, flipped, ...temps);
    return dx;
  };
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

const REPLACED = Symbol.for('deepforge.wasm.replaced');

/** Puts `make(original)` in place of the backend's kernel `name`, once. */
function replace(name: string, make: (original: tf.KernelFunc) => tf.KernelFunc): void {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel || (kernel as unknown as Record<symbol, boolean>)[REPLACED]) return;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...kernel, kernelFunc: make(kernel.kernelFunc), [REPLACED]: true } as tf.KernelConfig);
}

/** Registers the missing and faster kernels once; harmless where the backend is absent or already has them. */
export function registerMissingWasmKernels(): void {
  explicitTransposes();
  replace('Conv2DBackpropInput', conv2dBackpropInputVia);
  replace('MaxPoolGrad', () => maxPoolGrad);
  replace('Slice', sliceInPlace);
  if (tf.getKernel('Conv2D', 'wasm') && !tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilter });
  }
}
