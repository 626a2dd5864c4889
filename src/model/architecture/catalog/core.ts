/** Input and the core layers: dense, activation, dropout, flatten, reshape, permute, repeatVector, embedding, masking. */
import {
  activation, fmt, initializer, kernel, lastDim, LayerIssue, product, rate, regularizer, single, useBias, type LayerKernel,
} from './define';

export const CORE: LayerKernel[] = [
  kernel({
    type: 'input', title: 'Input', category: 'Input', keras: 'InputLayer', inputs: 0,
    doc: 'Where data enters the network. The shape leaves out the batch dimension: [28, 28, 1] for a grey 28×28 image.',
    params: [
      { key: 'shape', label: 'Shape', kind: 'shape', default: [10], min: 1, doc: 'The shape of one example, without the batch dimension; null for a length that varies.' },
      { key: 'dtype', label: 'Data type', kind: 'enum', default: 'float32', options: ['float32', 'int32'], doc: 'int32 for token ids fed to an Embedding.' },
    ],
    output: ({ cfg }) => {
      const shape = cfg.get('shape');
      if (!Array.isArray(shape) || shape.length === 0) throw new LayerIssue('missing-config', 'Input needs a shape, e.g. [28, 28, 1]; set it in the inspector.', [], 'shape');
      return [null, ...(shape as Array<number | null>)];
    },
  }),
  kernel({
    type: 'dense', title: 'Dense', category: 'Core', keras: 'Dense', inputs: 1,
    doc: 'A fully connected layer: every output unit sees every input feature (of the last axis).',
    params: [
      { key: 'units', label: 'Units', kind: 'integer', default: 32, min: 1, doc: 'How many outputs.' },
      activation(), useBias,
      initializer('kernelInitializer', 'Kernel initializer', 'glorotNormal'),
      initializer('biasInitializer', 'Bias initializer', 'zeros'),
      regularizer('kernelRegularizer', 'Kernel regularizer'),
      regularizer('biasRegularizer', 'Bias regularizer'),
    ],
    output: (k) => {
      const input = k.inputs[0]!;
      if (input.length >= 4) {
        throw new LayerIssue('wrong-rank', `${k.title} got a rank-${input.length} input ${fmt(input)}; insert Flatten?`, [
          { kind: 'insert-before', type: 'flatten', label: 'Insert Flatten' },
          { kind: 'insert-before', type: 'globalAveragePooling2d', label: 'Insert GlobalAveragePooling2D' },
        ]);
      }
      single(k, { min: 2 });
      lastDim(k);
      return [...input.slice(0, -1), k.cfg.num('units')];
    },
    weights: (k) => ({ trainable: lastDim(k) * k.cfg.num('units') + (k.cfg.bool('useBias') ? k.cfg.num('units') : 0), nonTrainable: 0 }),
  }),
  kernel({
    type: 'activation', title: 'Activation', category: 'Core', keras: 'Activation', inputs: 1,
    doc: 'Applies an activation function to every element.',
    params: [activation('relu')],
    output: ({ inputs }) => inputs[0]!,
  }),
  kernel({
    type: 'dropout', title: 'Dropout', category: 'Core', keras: 'Dropout', inputs: 1,
    doc: 'While training, sets a random fraction of the inputs to zero to reduce overfitting.',
    params: [rate('The fraction of inputs dropped.')],
    output: ({ inputs }) => inputs[0]!,
  }),
  kernel({
    type: 'spatialDropout1d', title: 'SpatialDropout1D', category: 'Core', keras: 'SpatialDropout1D', inputs: 1,
    doc: 'Dropout of whole feature channels of a sequence rather than single elements.',
    params: [rate('The fraction of channels dropped.')],
    output: (k) => single(k, { exact: 3 }),
  }),
  kernel({
    type: 'flatten', title: 'Flatten', category: 'Core', keras: 'Flatten', inputs: 1,
    doc: 'Flattens each example into one vector, e.g. [null, 5, 5, 16] → [null, 400].',
    params: [],
    output: (k) => {
      const input = single(k, { min: 3 });
      if (input.slice(1).some((d) => d === null)) throw new LayerIssue('bad-shape', `Flatten needs a fully known input shape, got ${fmt(input)}; give the input a full shape.`);
      return [null, product(input.slice(1))];
    },
  }),
  kernel({
    type: 'reshape', title: 'Reshape', category: 'Core', keras: 'Reshape', inputs: 1,
    doc: 'Gives each example a new shape with the same number of elements; one dimension may be -1 (inferred when running, unknown to later layers).',
    params: [{ key: 'targetShape', label: 'Target shape', kind: 'shape', default: [-1], min: -1, doc: 'The new shape without the batch dimension; -1 once at most, for "whatever is left".' }],
    output: (k) => {
      const input = k.inputs[0]!;
      const target = (k.cfg.get('targetShape') as number[] | null) ?? [];
      if (target.length === 0) throw new LayerIssue('missing-config', 'Reshape needs a target shape; set it in the inspector.', [], 'targetShape');
      if (target.some((d) => d === null || d === 0 || d < -1) || target.filter((d) => d === -1).length > 1) {
        throw new LayerIssue('invalid-config', `Reshape's target shape ${fmt(target)} may hold positive sizes and at most one -1.`, [], 'targetShape');
      }
      if (input.slice(1).some((d) => d === null)) return [null, ...target.map((d) => (d === -1 ? null : d))];
      const size = product(input.slice(1));
      const known = product(target.filter((d) => d !== -1));
      const unknown = target.indexOf(-1);
      if (unknown >= 0 ? size % known !== 0 : size !== known) {
        throw new LayerIssue('bad-shape', `Reshape cannot turn ${fmt(input)} (${size} values per example) into ${fmt(target)}; the sizes must multiply to ${size}.`, [], 'targetShape');
      }
      // tfjs leaves the -1 dimension unknown (null) in the model's shapes, so layers after it see null too.
      return [null, ...target.map((d) => (d === -1 ? null : d))];
    },
  }),
  kernel({
    type: 'permute', title: 'Permute', category: 'Core', keras: 'Permute', inputs: 1,
    doc: 'Reorders the axes of each example; dims are 1-based, e.g. [2, 1] swaps the first two.',
    params: [{ key: 'dims', label: 'Dims', kind: 'ints', default: [2, 1], min: 1, doc: 'A permutation of 1…rank-1 (the batch axis stays first).' }],
    output: (k) => {
      const input = k.inputs[0]!;
      const dims = k.cfg.get('dims') as number[];
      const expected = Array.from({ length: input.length - 1 }, (_, i) => i + 1);
      if (!Array.isArray(dims) || [...dims].sort((a, b) => a - b).join() !== expected.join()) {
        throw new LayerIssue('invalid-config', `Permute's dims must be a permutation of ${fmt(expected)} for input ${fmt(input)}.`, [{ kind: 'set', key: 'dims', value: [...expected].reverse(), label: `Set dims to ${fmt([...expected].reverse())}` }], 'dims');
      }
      return [null, ...dims.map((d) => input[d]!)];
    },
  }),
  kernel({
    type: 'repeatVector', title: 'RepeatVector', category: 'Core', keras: 'RepeatVector', inputs: 1,
    doc: 'Repeats a vector n times, turning [null, d] into a sequence [null, n, d].',
    params: [{ key: 'n', label: 'Repeats', kind: 'integer', default: 4, min: 1, doc: 'How many times the vector is repeated.' }],
    output: (k) => {
      const input = single(k, { exact: 2 }, [{ kind: 'insert-before', type: 'flatten', label: 'Insert Flatten' }]);
      return [null, k.cfg.num('n'), input[1]!];
    },
  }),
  kernel({
    type: 'embedding', title: 'Embedding', category: 'Core', keras: 'Embedding', inputs: 1,
    doc: 'Turns integer ids (e.g. words) into dense vectors learned during training.',
    params: [
      { key: 'inputDim', label: 'Vocabulary size', kind: 'integer', default: 1000, min: 1, doc: 'One more than the largest id.' },
      { key: 'outputDim', label: 'Vector size', kind: 'integer', default: 64, min: 1, doc: 'The size of each embedding vector.' },
      initializer('embeddingsInitializer', 'Embeddings initializer', 'randomUniform'),
      regularizer('embeddingsRegularizer', 'Embeddings regularizer'),
      { key: 'maskZero', label: 'Mask zero', kind: 'boolean', default: false, doc: 'Treat id 0 as padding that later layers skip.' },
      { key: 'inputLength', label: 'Input length', kind: 'integer', default: null, min: 1, optional: true, doc: 'The fixed sequence length, if any.' },
    ],
    output: (k) => [...k.inputs[0]!, k.cfg.num('outputDim')],
    weights: (k) => ({ trainable: k.cfg.num('inputDim') * k.cfg.num('outputDim'), nonTrainable: 0 }),
  }),
  kernel({
    type: 'masking', title: 'Masking', category: 'Core', keras: 'Masking', inputs: 1,
    doc: 'Marks the timesteps whose features all equal the mask value, so recurrent layers skip them.',
    params: [{ key: 'maskValue', label: 'Mask value', kind: 'number', default: 0, doc: 'The padding value.' }],
    output: ({ inputs }) => inputs[0]!,
  }),
];


