/** Normalisation, advanced activations and noise layers: shape-preserving layers with few or no weights. */
import { initializer, kernel, lastDim, LayerIssue, product, rate, fmt, type LayerKernel } from './define';

const same = ({ inputs }: { inputs: Array<Array<number | null>> }) => inputs[0]!;

/** Normalisation over the last axis (the only axis these layers support here; tfjs's default). */
function lastAxis(k: Parameters<LayerKernel['output']>[0]): Array<number | null> {
  if (k.cfg.num('axis') !== -1 && k.cfg.num('axis') !== k.inputs[0]!.length - 1) {
    throw new LayerIssue('invalid-config', `${k.title} normalises over the last axis here; axis ${k.cfg.num('axis')} of ${fmt(k.inputs[0]!)} is not supported.`, [{ kind: 'set', key: 'axis', value: -1, label: 'Set axis to -1' }], 'axis');
  }
  lastDim(k);
  return k.inputs[0]!;
}

const center = { key: 'center', label: 'Center', kind: 'boolean', default: true, doc: 'Learn an offset (beta).' } as const;
const scale = { key: 'scale', label: 'Scale', kind: 'boolean', default: true, doc: 'Learn a scale (gamma).' } as const;
const axis = { key: 'axis', label: 'Axis', kind: 'integer', default: -1, doc: 'The feature axis; -1 is the last.' } as const;

export const NORMALIZATION: LayerKernel[] = [
  kernel({
    type: 'batchNormalization', title: 'BatchNormalization', category: 'Normalization', keras: 'BatchNormalization', inputs: 1,
    doc: 'Normalises each feature over the batch while training and with running statistics afterwards; speeds up training.',
    params: [
      axis,
      { key: 'momentum', label: 'Momentum', kind: 'number', default: 0.99, min: 0, max: 1, doc: 'How slowly the running statistics move.' },
      { key: 'epsilon', label: 'Epsilon', kind: 'number', default: 0.001, min: 0, doc: 'Added to the variance to avoid dividing by zero.' },
      center, scale,
      initializer('betaInitializer', 'Beta initializer', 'zeros'),
      initializer('gammaInitializer', 'Gamma initializer', 'ones'),
    ],
    output: lastAxis,
    weights: (k) => {
      const c = lastDim(k);
      return { trainable: (k.cfg.bool('center') ? c : 0) + (k.cfg.bool('scale') ? c : 0), nonTrainable: 2 * c };
    },
  }),
  kernel({
    type: 'layerNormalization', title: 'LayerNormalization', category: 'Normalization', keras: 'LayerNormalization', inputs: 1,
    doc: 'Normalises the features of each example on its own; common in recurrent and attention models.',
    params: [axis, { key: 'epsilon', label: 'Epsilon', kind: 'number', default: 0.001, min: 0, doc: 'Added to the variance to avoid dividing by zero.' }, center, scale],
    output: lastAxis,
    weights: (k) => ({ trainable: (k.cfg.bool('center') ? lastDim(k) : 0) + (k.cfg.bool('scale') ? lastDim(k) : 0), nonTrainable: 0 }),
  }),
];

export const ACTIVATION: LayerKernel[] = [
  kernel({
    type: 'reLU', title: 'ReLU', category: 'Activation', keras: 'ReLU', inputs: 1, doc: 'max(x, 0), optionally capped at a maximum value.',
    params: [{ key: 'maxValue', label: 'Max value', kind: 'number', default: null, min: 0, optional: true, doc: 'The cap, e.g. 6 for ReLU6; none by default.' }],
    output: same,
  }),
  kernel({
    type: 'leakyReLU', title: 'LeakyReLU', category: 'Activation', keras: 'LeakyReLU', inputs: 1, doc: 'Like ReLU, but lets a small slope through for negative inputs.',
    params: [{ key: 'alpha', label: 'Alpha', kind: 'number', default: 0.3, min: 0, doc: 'The slope for negative inputs.' }],
    output: same,
  }),
  kernel({
    type: 'prelu', title: 'PReLU', category: 'Activation', keras: 'PReLU', inputs: 1, doc: 'A leaky ReLU whose negative slope is learned for every input element.',
    params: [initializer('alphaInitializer', 'Alpha initializer', 'zeros')],
    output: same,
    weights: (k) => {
      if (k.inputs[0]!.slice(1).includes(null)) throw new LayerIssue('bad-shape', `PReLU learns one slope per element and needs a fully known input shape, got ${fmt(k.inputs[0]!)}.`);
      return { trainable: product(k.inputs[0]!.slice(1)), nonTrainable: 0 };
    },
  }),
  kernel({
    type: 'elu', title: 'ELU', category: 'Activation', keras: 'ELU', inputs: 1, doc: 'Exponential linear unit: smooth below zero (alpha 1; tfjs supports no other).',
    params: [],
    output: same,
  }),
  kernel({
    type: 'thresholdedReLU', title: 'ThresholdedReLU', category: 'Activation', keras: 'ThresholdedReLU', inputs: 1, doc: 'Passes x where x > theta, zero elsewhere.',
    params: [{ key: 'theta', label: 'Theta', kind: 'number', default: 1, min: 0, doc: 'The threshold.' }],
    output: same,
  }),
  kernel({
    type: 'softmax', title: 'Softmax', category: 'Activation', keras: 'Softmax', inputs: 1, doc: 'Turns scores into probabilities that sum to one along an axis.',
    params: [{ key: 'axis', label: 'Axis', kind: 'integer', default: -1, doc: 'The axis normalised; -1 is the last.' }],
    output: same,
  }),
];

export const NOISE: LayerKernel[] = [
  kernel({
    type: 'gaussianNoise', title: 'GaussianNoise', category: 'Noise', keras: 'GaussianNoise', inputs: 1, doc: 'Adds zero-mean Gaussian noise while training (a regulariser).',
    params: [{ key: 'stddev', label: 'Std. deviation', kind: 'number', default: 0.1, min: 0, doc: 'The spread of the noise.' }],
    output: same,
  }),
  kernel({
    type: 'gaussianDropout', title: 'GaussianDropout', category: 'Noise', keras: 'GaussianDropout', inputs: 1, doc: 'Multiplies inputs by Gaussian noise centred on 1 while training.',
    params: [rate('The equivalent dropout rate.', 0.1)],
    output: same,
  }),
  kernel({
    type: 'alphaDropout', title: 'AlphaDropout', category: 'Noise', keras: 'AlphaDropout', inputs: 1, doc: 'Dropout that keeps the mean and variance, for SELU networks.',
    params: [rate('The fraction of inputs dropped.', 0.1)],
    output: same,
  }),
];
