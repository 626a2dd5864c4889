/** Convolution layers (1D, 2D, 3D, transposed, separable, depthwise) and the 2D cropping, padding and upsampling. */
import type { ParamSpec, Shape } from '../spec';
import {
  activation, checkPositive, convLength, initializer, ints, kernel, lastDim, LayerIssue, padding, regularizer, single, useBias, fmt,
  type KernelInput, type LayerKernel, type Remedy,
} from './define';

const AXES = ['', 'length', 'height, width', 'depth, height, width'];

/** Conv2D wants a rank-4 input: a flat vector can be reshaped into an image. */
function rankRemedies(dims: number, input: Shape): Remedy[] {
  const size = input[1];
  if (dims === 2 && input.length === 2 && typeof size === 'number') {
    const side = Math.round(Math.sqrt(size));
    if (side * side === size) return [{ kind: 'insert-before', type: 'reshape', config: { targetShape: [side, side, 1] }, label: `Insert Reshape to [${side}, ${side}, 1]` }];
  }
  if (dims === 1 && input.length === 2) return [{ kind: 'insert-before', type: 'reshape', config: { targetShape: [-1, 1] }, label: 'Insert Reshape to [-1, 1]' }];
  return [];
}

function spatialInput(k: KernelInput, dims: number): Shape {
  return single(k, { exact: dims + 2 }, rankRemedies(dims, k.inputs[0]!));
}

function convParams(dims: number, extra: ParamSpec[] = [], paddings?: readonly string[]): ParamSpec[] {
  return [
    { key: 'filters', label: 'Filters', kind: 'integer', default: 32, min: 1, doc: 'How many feature maps the layer outputs.' },
    ints('kernelSize', 'Kernel size', dims, 3, `The window size (${AXES[dims]}).`),
    ints('strides', 'Strides', dims, 1, 'How far the window moves each step.'),
    padding(paddings),
    ...extra,
    activation(), useBias,
    initializer('kernelInitializer', 'Kernel initializer', 'glorotNormal'),
    initializer('biasInitializer', 'Bias initializer', 'zeros'),
    regularizer('kernelRegularizer', 'Kernel regularizer'),
    regularizer('biasRegularizer', 'Bias regularizer'),
  ];
}

const dilation = (dims: number): ParamSpec => ints('dilationRate', 'Dilation rate', dims, 1, 'Spacing between kernel taps (atrous convolution); strides must then be 1.');

function convOutput(k: KernelInput, dims: number, filters: number): Shape {
  const input = spatialInput(k, dims);
  lastDim(k);
  const size = k.cfg.ints('kernelSize', dims);
  const strides = k.cfg.ints('strides', dims);
  const rates = k.cfg.get('dilationRate') === null ? Array<number>(dims).fill(1) : k.cfg.ints('dilationRate', dims);
  if (strides.some((s) => s > 1) && rates.some((r) => r > 1)) {
    throw new LayerIssue('invalid-config', `${k.title} cannot combine strides above 1 with a dilation rate above 1 (tfjs refuses it when training); set one of them to 1.`, [{ kind: 'set', key: 'dilationRate', value: 1, label: 'Set dilation rate to 1' }], 'dilationRate');
  }
  const pad = k.cfg.str('padding');
  const out: Shape = [null, ...input.slice(1, -1).map((d, i) => convLength(d, size[i]!, pad, strides[i]!, rates[i]!)), filters];
  return checkPositive(k.title, input, out, pad);
}

function conv(type: string, title: string, keras: string, dims: number, doc: string): LayerKernel {
  return kernel({
    type, title, keras, category: 'Convolution', inputs: 1, doc,
    params: convParams(dims, dims < 3 ? [dilation(dims)] : []),
    output: (k) => convOutput(k, dims, k.cfg.num('filters')),
    weights: (k) => {
      const f = k.cfg.num('filters');
      return { trainable: k.cfg.ints('kernelSize', dims).reduce((a, b) => a * b, 1) * lastDim(k) * f + (k.cfg.bool('useBias') ? f : 0), nonTrainable: 0 };
    },
  });
}

/** tfjs `deconvLength`. */
function deconvLength(d: number | null, stride: number, size: number, pad: string): number | null {
  if (d === null) return null;
  return pad === 'valid' ? d * stride + Math.max(size - stride, 0) : d * stride;
}

/** Cropping and padding amounts as [top, bottom, left, right]. */
function fourSides(k: KernelInput, key: string): number[] {
  const v = k.cfg.get(key);
  if (typeof v === 'number') return [v, v, v, v];
  const a = v as number[];
  if (a.length === 1) return [a[0]!, a[0]!, a[0]!, a[0]!];
  return a.length === 2 ? [a[0]!, a[0]!, a[1]!, a[1]!] : a;
}

const sides = (key: string, label: string, doc: string): ParamSpec => ({ key, label, kind: 'ints', length: 4, default: [1, 1, 1, 1], min: 0, doc: `${doc} as [top, bottom, left, right] (or one number for all four).` });

export const CONVOLUTION: LayerKernel[] = [
  conv('conv1d', 'Conv1D', 'Conv1D', 1, 'Slides learned filters along a sequence ([null, steps, channels]).'),
  conv('conv2d', 'Conv2D', 'Conv2D', 2, 'Slides learned filters over an image ([null, height, width, channels]).'),
  conv('conv3d', 'Conv3D', 'Conv3D', 3, 'Slides learned filters over a volume ([null, depth, height, width, channels]).'),
  kernel({
    type: 'conv2dTranspose', title: 'Conv2DTranspose', category: 'Convolution', keras: 'Conv2DTranspose', inputs: 1,
    doc: 'A learned upsampling ("deconvolution"): the output grows by the stride.',
    params: convParams(2),
    output: (k) => {
      const input = spatialInput(k, 2);
      lastDim(k);
      const size = k.cfg.ints('kernelSize', 2);
      const strides = k.cfg.ints('strides', 2);
      const pad = k.cfg.str('padding');
      return [null, deconvLength(input[1]!, strides[0]!, size[0]!, pad), deconvLength(input[2]!, strides[1]!, size[1]!, pad), k.cfg.num('filters')];
    },
    weights: (k) => {
      const f = k.cfg.num('filters');
      const [h, w] = k.cfg.ints('kernelSize', 2);
      return { trainable: h! * w! * lastDim(k) * f + (k.cfg.bool('useBias') ? f : 0), nonTrainable: 0 };
    },
  }),
  kernel({
    type: 'separableConv2d', title: 'SeparableConv2D', category: 'Convolution', keras: 'SeparableConv2D', inputs: 1,
    doc: 'A depthwise convolution per channel followed by a 1×1 convolution: far fewer weights than Conv2D.',
    params: [
      ...convParams(2, [dilation(2), { key: 'depthMultiplier', label: 'Depth multiplier', kind: 'integer', default: 1, min: 1, doc: 'Depthwise outputs per input channel.' }]).filter((p) => p.key !== 'kernelInitializer' && p.key !== 'kernelRegularizer'),
      initializer('depthwiseInitializer', 'Depthwise initializer', 'glorotUniform'),
      initializer('pointwiseInitializer', 'Pointwise initializer', 'glorotUniform'),
    ],
    output: (k) => convOutput(k, 2, k.cfg.num('filters')),
    weights: (k) => {
      const c = lastDim(k);
      const m = k.cfg.num('depthMultiplier');
      const f = k.cfg.num('filters');
      const [h, w] = k.cfg.ints('kernelSize', 2);
      return { trainable: h! * w! * c * m + c * m * f + (k.cfg.bool('useBias') ? f : 0), nonTrainable: 0 };
    },
  }),
  kernel({
    type: 'depthwiseConv2d', title: 'DepthwiseConv2D', category: 'Convolution', keras: 'DepthwiseConv2D', inputs: 1,
    doc: 'Convolves each input channel with its own filters, without mixing channels.',
    params: [
      ints('kernelSize', 'Kernel size', 2, 3, 'The window size (height, width).'),
      ints('strides', 'Strides', 2, 1, 'How far the window moves each step.'),
      padding(),
      { key: 'depthMultiplier', label: 'Depth multiplier', kind: 'integer', default: 1, min: 1, doc: 'Outputs per input channel.' },
      dilation(2), activation(), useBias,
      initializer('depthwiseInitializer', 'Depthwise initializer', 'glorotUniform'),
      initializer('biasInitializer', 'Bias initializer', 'zeros'),
    ],
    output: (k) => convOutput(k, 2, lastDim(k) * k.cfg.num('depthMultiplier')),
    weights: (k) => {
      const cm = lastDim(k) * k.cfg.num('depthMultiplier');
      const [h, w] = k.cfg.ints('kernelSize', 2);
      return { trainable: h! * w! * cm + (k.cfg.bool('useBias') ? cm : 0), nonTrainable: 0 };
    },
  }),
  kernel({
    type: 'cropping2D', title: 'Cropping2D', category: 'Convolution', keras: 'Cropping2D', inputs: 1,
    doc: 'Cuts rows and columns off the edges of an image.',
    params: [sides('cropping', 'Cropping', 'Rows and columns removed')],
    output: (k) => {
      const input = spatialInput(k, 2);
      const [t, b, l, r] = fourSides(k, 'cropping');
      const out: Shape = [null, input[1] === null ? null : input[1]! - t! - b!, input[2] === null ? null : input[2]! - l! - r!, input[3]!];
      if (out.some((d) => d !== null && d <= 0)) throw new LayerIssue('non-positive-dim', `Cropping2D would crop ${fmt(input)} to ${fmt(out)}; crop less.`, [], 'cropping');
      return out;
    },
  }),
  kernel({
    type: 'zeroPadding2d', title: 'ZeroPadding2D', category: 'Convolution', keras: 'ZeroPadding2D', inputs: 1,
    doc: 'Adds rows and columns of zeros around an image.',
    params: [sides('padding', 'Padding', 'Rows and columns of zeros added')],
    output: (k) => {
      const input = spatialInput(k, 2);
      const [t, b, l, r] = fourSides(k, 'padding');
      return [null, input[1] === null ? null : input[1]! + t! + b!, input[2] === null ? null : input[2]! + l! + r!, input[3]!];
    },
  }),
  kernel({
    type: 'upSampling2d', title: 'UpSampling2D', category: 'Convolution', keras: 'UpSampling2D', inputs: 1,
    doc: 'Enlarges an image by repeating (or interpolating) its rows and columns.',
    params: [
      ints('size', 'Size', 2, 2, 'The factors for rows and columns.'),
      { key: 'interpolation', label: 'Interpolation', kind: 'enum', default: 'nearest', options: ['nearest', 'bilinear'], doc: 'How new pixels are filled.' },
    ],
    output: (k) => {
      const input = spatialInput(k, 2);
      const [sh, sw] = k.cfg.ints('size', 2);
      return [null, input[1] === null ? null : input[1]! * sh!, input[2] === null ? null : input[2]! * sw!, input[3]!];
    },
  }),
];
