/**
 * The built-in operation library. Built-in operations are ordinary operations: copied into a project when used,
 * readable and forkable there. Code runs in the engine worker with `tf` (TensorFlow.js) in scope.
 */
import { defineOperation, type OperationSpec } from './define';
import { MORE_SPECS } from './more';
import type { OperationDefinition } from '../types';

export const CORE_LIBRARY_VERSION = '0.2.0';

const DATA = '#0ea5e9';
const MODEL = '#8b5cf6';
const EVAL = '#f59e0b';

const specs: OperationSpec[] = [
  {
    id: 'core.load-iris',
    name: 'Load Iris',
    category: 'Data',
    color: DATA,
    description: "Fisher's Iris flowers: 150 rows, 4 measurements, 3 species.",
    outputs: [['dataset', 'dataset']],
    code: `export default async function run(inputs, attributes, references, ctx) {
  const rows = await ctx.data('iris');
  ctx.log(\`Loaded \${rows.x.length} flowers\`);
  return { dataset: { x: tf.tensor2d(rows.x), y: tf.tensor1d(rows.y, 'float32'), classes: 3 } };
}
`,
  },
  {
    id: 'core.load-mnist',
    name: 'Load MNIST',
    category: 'Data',
    color: DATA,
    description: 'Handwritten digits, 28×28 grey images with labels 0–9, bundled with the app.',
    outputs: [['dataset', 'dataset']],
    attributes: [{ name: 'samples', type: 'integer', default: 10000, min: 100, max: 10000, description: 'How many digits to load.' }],
    code: `export default async function run(inputs, { samples }, references, ctx) {
  const { images, labels } = await ctx.data('mnist', { samples });
  ctx.log(\`Loaded \${labels.length} digits\`);
  const x = tf.tensor4d(images, [labels.length, 28, 28, 1]).div(255);
  return { dataset: { x, y: tf.tensor1d(labels, 'float32'), classes: 10 } };
}
`,
  },
  {
    id: 'core.sine-sequences',
    name: 'Sine Sequences',
    category: 'Data',
    color: DATA,
    description: 'Windows of a noisy sine wave; the target is the next value. A small sequence-learning task.',
    outputs: [['dataset', 'dataset']],
    attributes: [
      { name: 'windows', type: 'integer', default: 2000, min: 10, max: 100000 },
      { name: 'length', type: 'integer', default: 32, min: 2, max: 1000 },
      { name: 'seed', type: 'integer', default: 7 },
    ],
    code: `export default async function run(inputs, { windows, length, seed }, references, ctx) {
  const rand = ctx.random(seed);
  const xs = [], ys = [];
  for (let i = 0; i < windows; i++) {
    const start = rand() * Math.PI * 2;
    const w = Array.from({ length: length + 1 }, (_, t) => Math.sin(start + t * 0.2) + (rand() - 0.5) * 0.05);
    xs.push(w.slice(0, length).map((v) => [v]));
    ys.push([w[length]]);
  }
  return { dataset: { x: tf.tensor3d(xs), y: tf.tensor2d(ys) } };
}
`,
  },
  {
    id: 'core.split',
    name: 'Train/Test Split',
    category: 'Data',
    color: DATA,
    description: 'Shuffles with a seed and splits a dataset into training and test parts.',
    inputs: [['dataset', 'dataset']],
    outputs: [['train', 'dataset'], ['test', 'dataset']],
    attributes: [
      { name: 'testFraction', type: 'number', default: 0.2, min: 0.01, max: 0.99 },
      { name: 'seed', type: 'integer', default: 42 },
    ],
    code: `export default async function run({ dataset }, { testFraction, seed }, references, ctx) {
  const n = dataset.x.shape[0];
  const order = ctx.shuffle(n, seed);
  const nTest = Math.round(n * testFraction);
  const pick = (idx) => ({ ...dataset, x: tf.gather(dataset.x, idx), y: tf.gather(dataset.y, idx) });
  ctx.log(\`\${n - nTest} for training, \${nTest} for testing\`);
  return { train: pick(order.slice(nTest)), test: pick(order.slice(0, nTest)) };
}
`,
  },
  {
    id: 'core.normalize',
    name: 'Standardize',
    category: 'Data',
    color: DATA,
    description: 'Scales every feature to zero mean and unit variance.',
    inputs: [['dataset', 'dataset']],
    outputs: [['dataset', 'dataset']],
    code: `export default async function run({ dataset }, attributes, references, ctx) {
  const { mean, variance } = tf.moments(dataset.x, 0);
  const x = dataset.x.sub(mean).div(variance.sqrt().add(1e-7));
  return { dataset: { ...dataset, x } };
}
`,
  },
  {
    id: 'core.train',
    name: 'Train',
    category: 'Model',
    color: MODEL,
    description: 'Builds the referenced architecture and fits it to a dataset, streaming loss and accuracy.',
    inputs: [['dataset', 'dataset']],
    outputs: [['model', 'model']],
    references: [{ name: 'net', kind: 'architecture' }],
    attributes: [
      { name: 'epochs', type: 'integer', default: 5, min: 1, max: 1000 },
      { name: 'batchSize', type: 'integer', default: 64, min: 1, max: 4096 },
      { name: 'optimizer', type: 'enum', default: 'adam', options: ['adam', 'sgd', 'rmsprop', 'adagrad'] },
      { name: 'learningRate', type: 'number', default: 0.001, min: 0 },
      { name: 'loss', type: 'enum', default: 'sparseCategoricalCrossentropy', options: ['sparseCategoricalCrossentropy', 'categoricalCrossentropy', 'meanSquaredError', 'binaryCrossentropy'] },
      { name: 'validationSplit', type: 'number', default: 0.1, min: 0, max: 0.9 },
      { name: 'seed', type: 'integer', default: 1 },
    ],
    code: `export default async function run({ dataset }, attrs, { net }, ctx) {
  const model = ctx.buildModel(net, { seed: attrs.seed });
  model.compile({
    optimizer: tf.train[attrs.optimizer](attrs.learningRate),
    loss: attrs.loss,
    metrics: attrs.loss === 'meanSquaredError' ? [] : ['accuracy'],
  });
  await model.fit(dataset.x, dataset.y, {
    epochs: attrs.epochs,
    batchSize: attrs.batchSize,
    validationSplit: attrs.validationSplit,
    shuffle: true,
    callbacks: ctx.fitCallbacks(),
  });
  return { model };
}
`,
  },
  {
    id: 'core.evaluate',
    name: 'Evaluate',
    category: 'Evaluation',
    color: EVAL,
    description: 'Loss and accuracy of a trained model on held-out data.',
    inputs: [['model', 'model'], ['dataset', 'dataset']],
    outputs: [['metrics', 'json']],
    code: `export default async function run({ model, dataset }, attributes, references, ctx) {
  const result = model.evaluate(dataset.x, dataset.y);
  const [loss, accuracy] = await Promise.all([].concat(result).map((t) => t.data().then((d) => d[0])));
  ctx.metric('test_loss', loss);
  if (accuracy !== undefined) ctx.metric('test_accuracy', accuracy);
  ctx.log(\`Test loss \${loss.toFixed(4)}\${accuracy !== undefined ? \`, accuracy \${(accuracy * 100).toFixed(2)}%\` : ''}\`);
  return { metrics: { loss, accuracy } };
}
`,
  },
];

/** The library's operations, by id. */
export const CORE_OPERATIONS: Record<string, OperationDefinition> = Object.fromEntries(
  [...specs, ...MORE_SPECS].map((s) => [s.id, defineOperation(s, CORE_LIBRARY_VERSION)]),
);

export function coreOperation(id: string): OperationDefinition {
  const op = CORE_OPERATIONS[id];
  if (!op) throw new Error(`No built-in operation ${id}`);
  return structuredClone(op);
}
