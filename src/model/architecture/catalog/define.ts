/**
 * The pieces every layer definition is built from: shared parameter specs (activation, initializers, padding...),
 * the kernel interface (output shape and weight count from input shapes, exactly as tfjs computes them), a reader
 * for a layer's config with its defaults applied, and the issue a kernel raises when the input does not fit.
 */
import type { LayerConfigValue } from '../../types';
import type { LayerType, ParamSpec, ProblemCode, Shape } from '../spec';

export const ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hardSigmoid', 'tanh', 'softmax', 'softplus', 'softsign', 'swish', 'mish', 'gelu'] as const;
export const INITIALIZERS = ['glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'leCunUniform', 'leCunNormal', 'randomUniform', 'randomNormal', 'truncatedNormal', 'orthogonal', 'zeros', 'ones'] as const;
export const REGULARIZERS = ['l1', 'l2', 'l1l2'] as const;

/** A way the user can repair an issue; `infer.ts` turns it into a Fix with a plan. */
export type Remedy =
  | { kind: 'insert-before'; type: string; config?: Record<string, LayerConfigValue>; label: string }
  | { kind: 'set'; key: string; value: LayerConfigValue; label: string }
  /** Change the layer that feeds this one (offered only when that layer has the key). */
  | { kind: 'set-source'; key: string; value: LayerConfigValue; label: string };

/** Raised by a kernel when its input does not fit: the message says what is wrong and what to do. */
export class LayerIssue extends Error {
  constructor(
    readonly code: ProblemCode,
    message: string,
    readonly remedies: Remedy[] = [],
    readonly field?: string,
  ) {
    super(message);
  }
}

/** A layer's config with the catalog's defaults applied, read with the type each parameter has. */
export class Cfg {
  constructor(
    private readonly config: Record<string, LayerConfigValue>,
    private readonly params: readonly ParamSpec[],
    private readonly prefix = '',
  ) {}

  get(key: string): LayerConfigValue {
    const value = this.config[this.prefix + key];
    if (value !== undefined) return value;
    return this.params.find((p) => p.key === key)?.default ?? null;
  }

  /** The config of a wrapped layer: its keys carry the `layer.` prefix (see wrappers.ts). */
  wrapped(params: readonly ParamSpec[]): Cfg {
    return new Cfg(this.config, params, `${this.prefix}layer.`);
  }

  num(key: string): number {
    return Number(this.get(key));
  }

  str(key: string): string {
    return String(this.get(key));
  }

  bool(key: string): boolean {
    return this.get(key) === true;
  }

  /** An int tuple of `n` values; a single number means the same for every axis. */
  ints(key: string, n: number): number[] {
    const v = this.get(key);
    if (typeof v === 'number') return Array<number>(n).fill(v);
    if (Array.isArray(v) && v.length === 1 && n > 1) return Array<number>(n).fill(Number(v[0]));
    return (v as number[]).map(Number);
  }

  /** Like `ints`, but `null` stays null (strides of pooling default to the pool size). */
  intsOrNull(key: string, n: number): number[] | null {
    const v = this.get(key);
    return v === null || (Array.isArray(v) && v.length === 0) ? null : this.ints(key, n);
  }
}

export interface KernelInput {
  /** Shapes of the incoming tensors in slot order, each with the batch dimension first. */
  inputs: Shape[];
  cfg: Cfg;
  title: string;
}

export interface Weights {
  trainable: number;
  nonTrainable: number;
}

/** A catalog entry: the declaration the editor reads plus the two functions inference runs. */
export interface LayerKernel extends LayerType {
  output(input: KernelInput): Shape;
  weights?(input: KernelInput): Weights;
}

export const NONE: Weights = { trainable: 0, nonTrainable: 0 };

export const product = (dims: Array<number | null>): number => dims.reduce<number>((a, d) => a * (d ?? 0), 1);

export function fmt(shape: Shape): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(',')}]`;
}

/** The one input of a single-input layer, checked for rank (`exact` or `min`). */
export function single({ inputs, title }: KernelInput, rank: { exact?: number; min?: number }, remedies: Remedy[] = []): Shape {
  const shape = inputs[0]!;
  const r = shape.length;
  if (rank.exact !== undefined && r !== rank.exact) {
    throw new LayerIssue('wrong-rank', `${title} needs a rank-${rank.exact} input, got rank-${r} ${fmt(shape)}${remedyHint(remedies)}`, remedies);
  }
  if (rank.min !== undefined && r < rank.min) {
    throw new LayerIssue('wrong-rank', `${title} needs an input of rank ${rank.min} or more, got rank-${r} ${fmt(shape)}${remedyHint(remedies)}`, remedies);
  }
  return shape;
}

export function remedyHint(remedies: Remedy[]): string {
  return remedies.length ? `; ${remedies[0]!.label.charAt(0).toLowerCase()}${remedies[0]!.label.slice(1)}?` : '.';
}

/** The last dimension, which must be known (weights are sized by it). */
export function lastDim({ inputs, title }: KernelInput): number {
  const shape = inputs[0]!;
  const d = shape[shape.length - 1];
  if (d === null || d === undefined) throw new LayerIssue('bad-shape', `${title} needs a known last dimension, got ${fmt(shape)}; give the input a full shape (a Reshape with -1 leaves that size unknown: write it out).`);
  return d;
}

/** tfjs `convOutputLength`: the length along one spatial axis after a convolution or pooling window. */
export function convLength(length: number | null, kernel: number, padding: string, stride: number, dilation = 1): number | null {
  if (length === null) return null;
  const dilated = kernel + (kernel - 1) * (dilation - 1);
  const out = padding === 'same' ? length : length - dilated + 1;
  return Math.floor((out + stride - 1) / stride);
}

/** Every spatial output length must be positive; otherwise the window is larger than the input. */
export function checkPositive(title: string, input: Shape, output: Shape, padding: string): Shape {
  if (output.some((d, i) => i > 0 && d !== null && d <= 0)) {
    const remedies: Remedy[] = padding === 'valid' ? [{ kind: 'set', key: 'padding', value: 'same', label: "Switch padding to 'same'" }] : [];
    throw new LayerIssue(
      'non-positive-dim',
      `${title} would output ${fmt(output)} from ${fmt(input)}: the window is larger than the input. Use a smaller kernel or pool size${padding === 'valid' ? ", or padding 'same'" : ''}.`,
      remedies,
    );
  }
  return output;
}

// Parameter specs shared by many layers.
export const activation = (def: string = 'linear', key = 'activation', label = 'Activation'): ParamSpec => ({
  key, label, kind: 'enum', default: def, options: ACTIVATIONS, doc: 'The function applied to the output.',
});
export const useBias: ParamSpec = { key: 'useBias', label: 'Use bias', kind: 'boolean', default: true, doc: 'Whether the layer adds a learned bias.' };
/** Weight matrices may start orthogonal; vectors (biases, beta, gamma, alpha) cannot, as in tfjs and Keras. */
const MATRICES = new Set(['kernelInitializer', 'recurrentInitializer', 'depthwiseInitializer', 'pointwiseInitializer', 'embeddingsInitializer']);
export const initializer = (key: string, label: string, def: string): ParamSpec => ({
  key, label, kind: 'enum', default: def, options: MATRICES.has(key) ? INITIALIZERS : INITIALIZERS.filter((i) => i !== 'orthogonal'), doc: 'How the weights are drawn before training.',
});
export const regularizer = (key: string, label: string): ParamSpec => ({
  key, label, kind: 'enum', default: null, optional: true, options: REGULARIZERS, doc: 'A penalty on the weights (factor 0.01) added to the loss; none by default.',
});
export const padding = (options: readonly string[] = ['valid', 'same']): ParamSpec => ({
  key: 'padding', label: 'Padding', kind: 'enum', default: 'valid', options, doc: "'valid' shrinks the output by the window; 'same' keeps the size (divided by the stride).",
});
export const ints = (key: string, label: string, length: number, def: number | number[] | null, doc: string, optional = false): ParamSpec => ({
  key, label, kind: 'ints', length, default: def, min: 1, doc, ...(optional ? { optional } : {}),
});
export const rate = (doc: string, def = 0.5): ParamSpec => ({ key: 'rate', label: 'Rate', kind: 'number', default: def, min: 0, max: 0.999, doc });

export function kernel(spec: LayerKernel): LayerKernel {
  return spec;
}
