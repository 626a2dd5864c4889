/**
 * The rest of the built-in library: loading the user's own data (CSV, images), reshaping datasets, models beyond
 * training, and general-purpose steps. Same conventions as core.ts; the context API is in context.ts.
 */
import type { OperationSpec } from './define';

const DATA = '#0ea5e9';
const MODEL = '#8b5cf6';
const EVAL = '#f59e0b';
const OTHER = '#64748b';

export const MORE_SPECS: OperationSpec[] = [
  {
    id: 'core.load-csv',
    name: 'Load CSV',
    category: 'Data',
    color: DATA,
    description: 'A table from a CSV artifact: numeric feature columns and one target column.',
    outputs: [['dataset', 'dataset']],
    references: [{ name: 'file', kind: 'artifact' }],
    attributes: [
      { name: 'header', type: 'enum', default: 'auto', options: ['auto', 'yes', 'no'], description: 'Whether the first row names the columns; auto decides from the data.' },
      { name: 'target', type: 'string', default: '', description: 'The column to predict (name, or index from 0); empty = the last column.' },
      { name: 'delimiter', type: 'enum', default: 'auto', options: ['auto', ',', ';', 'tab'] },
    ],
    code: `export default async function run(inputs, { header, target, delimiter }, { file }, ctx) {
  const text = new TextDecoder().decode(await ctx.artifact(file));
  const sep = delimiter === 'auto' ? undefined : delimiter === 'tab' ? '\\t' : delimiter;
  const { rows, header: names } = ctx.parseCsv(text, { header: header === 'auto' ? 'auto' : header === 'yes', delimiter: sep });
  if (rows.length === 0) throw new Error('The CSV file has no rows.');
  const columns = names ?? rows[0].map((_, i) => \`column \${i}\`);
  const t = target === '' ? columns.length - 1 : /^\\d+$/.test(target) ? Number(target) : columns.indexOf(target);
  if (t < 0 || t >= columns.length) throw new Error(\`No column “\${target}”; the columns are \${columns.join(', ')}.\`);
  const labels = rows.map((r) => r[t]);
  const classes = [...new Set(labels)].sort();
  const numericTarget = labels.every((v) => typeof v === 'number');
  const x = rows.map((r) => r.filter((_, i) => i !== t).map(Number));
  if (x.some((r) => r.some(Number.isNaN))) throw new Error('Some feature values are not numbers; clean the file or drop those columns.');
  ctx.log(\`\${rows.length} rows, \${columns.length - 1} features, target “\${columns[t]}”\`);
  const y = numericTarget ? tf.tensor1d(labels) : tf.tensor1d(labels.map((v) => classes.indexOf(v)), 'float32');
  return { dataset: { x: tf.tensor2d(x), y, classes: numericTarget ? undefined : classes.length, names: numericTarget ? undefined : classes.map(String) } };
}
`,
  },
  {
    id: 'core.load-images',
    name: 'Load Images',
    category: 'Data',
    color: DATA,
    description: 'Images from a zip artifact, labelled by the folder they are in (cats/1.png → “cats”).',
    outputs: [['dataset', 'dataset']],
    references: [{ name: 'archive', kind: 'artifact' }],
    attributes: [
      { name: 'height', type: 'integer', default: 64, min: 8, max: 1024 },
      { name: 'width', type: 'integer', default: 64, min: 8, max: 1024 },
    ],
    code: `export default async function run(inputs, { height, width }, { archive }, ctx) {
  const files = Object.entries(ctx.unzip(await ctx.artifact(archive)))
    .filter(([path]) => /\\.(png|jpe?g|webp)$/i.test(path) && path.includes('/'))
    .sort(([a], [b]) => a.localeCompare(b));
  if (files.length === 0) throw new Error('No images in folders were found in the zip (expected label/image.png).');
  const names = [...new Set(files.map(([path]) => path.split('/').at(-2)))].sort();
  const images = [];
  for (const [i, [, bytes]] of files.entries()) {
    images.push(await ctx.decodeImage(bytes, [height, width]));
    ctx.progress((i + 1) / files.length);
  }
  const x = tf.stack(images).toFloat().div(255);
  tf.dispose(images);
  const y = tf.tensor1d(files.map(([path]) => names.indexOf(path.split('/').at(-2))), 'float32');
  ctx.log(\`\${files.length} images in \${names.length} classes: \${names.join(', ')}\`);
  return { dataset: { x, y, classes: names.length, names } };
}
`,
  },
  {
    id: 'core.one-hot',
    name: 'One-hot',
    category: 'Data',
    color: DATA,
    description: 'Turns class indices into one-hot rows (for categoricalCrossentropy).',
    inputs: [['dataset', 'dataset']],
    outputs: [['dataset', 'dataset']],
    code: `export default async function run({ dataset }, attributes, references, ctx) {
  const depth = dataset.classes ?? (await dataset.y.max().data())[0] + 1;
  return { dataset: { ...dataset, y: tf.oneHot(dataset.y.toInt(), depth) } };
}
`,
  },
  {
    id: 'core.shuffle',
    name: 'Shuffle',
    category: 'Data',
    color: DATA,
    description: 'Reorders the rows of a dataset with a seed.',
    inputs: [['dataset', 'dataset']],
    outputs: [['dataset', 'dataset']],
    attributes: [{ name: 'seed', type: 'integer', default: 0 }],
    code: `export default async function run({ dataset }, { seed }, references, ctx) {
  const order = ctx.shuffle(dataset.x.shape[0], seed);
  return { dataset: { ...dataset, x: tf.gather(dataset.x, order), y: tf.gather(dataset.y, order) } };
}
`,
  },
  {
    id: 'core.batch',
    name: 'Batch',
    category: 'Data',
    color: DATA,
    description: 'Splits a dataset into consecutive batches, for operations that work batch by batch.',
    inputs: [['dataset', 'dataset']],
    outputs: [['batches', 'json']],
    attributes: [{ name: 'size', type: 'integer', default: 32, min: 1 }],
    code: `export default async function run({ dataset }, { size }, references, ctx) {
  const n = dataset.x.shape[0];
  const batches = [];
  for (let start = 0; start < n; start += size) {
    const count = Math.min(size, n - start);
    batches.push({ ...dataset, x: dataset.x.slice(start, count), y: dataset.y.slice(start, count) });
  }
  ctx.log(\`\${batches.length} batches of up to \${size}\`);
  return { batches };
}
`,
  },
  {
    id: 'core.build-model',
    name: 'Build Model',
    category: 'Model',
    color: MODEL,
    description: 'An untrained model built from an architecture, e.g. to train in custom code.',
    outputs: [['model', 'model']],
    references: [{ name: 'net', kind: 'architecture' }],
    attributes: [{ name: 'seed', type: 'integer', default: 1 }],
    code: `export default async function run(inputs, { seed }, { net }, ctx) {
  const model = ctx.buildModel(net, { seed });
  model.summary(undefined, undefined, (line) => ctx.log(line));
  return { model };
}
`,
  },
  {
    id: 'core.predict',
    name: 'Predict',
    category: 'Model',
    color: MODEL,
    description: "A trained model's outputs for every row of a dataset.",
    inputs: [['model', 'model'], ['dataset', 'dataset']],
    outputs: [['predictions', 'tensor']],
    attributes: [{ name: 'batchSize', type: 'integer', default: 256, min: 1 }],
    code: `export default async function run({ model, dataset }, { batchSize }, references, ctx) {
  const predictions = model.predict(dataset.x, { batchSize });
  ctx.log(\`Predicted \${predictions.shape[0]} rows\`);
  return { predictions };
}
`,
  },
  {
    id: 'core.save-model',
    name: 'Save Model',
    category: 'Model',
    color: MODEL,
    description: 'Stores a trained model as an artifact in tfjs format (model.json + weights), downloadable.',
    inputs: [['model', 'model']],
    attributes: [{ name: 'name', type: 'string', default: 'model', pattern: '[\\w .-]{1,80}' }],
    code: `export default async function run({ model }, { name }, references, ctx) {
  const { artifactId } = await ctx.save(name, model);
  ctx.log(\`Saved the model as artifact \${artifactId}\`);
  return {};
}
`,
  },
  {
    id: 'core.confusion-matrix',
    name: 'Confusion Matrix',
    category: 'Evaluation',
    color: EVAL,
    description: 'Which classes a model mistakes for which, as an image and a table in the log.',
    inputs: [['model', 'model'], ['dataset', 'dataset']],
    code: `export default async function run({ model, dataset }, attributes, references, ctx) {
  const classes = dataset.classes ?? 2;
  const predicted = model.predict(dataset.x).argMax(-1);
  const matrix = await tf.math.confusionMatrix(dataset.y.toInt(), predicted, classes).array();
  const max = Math.max(1, ...matrix.flat());
  const cell = 16;
  const pixels = tf.tidy(() => tf.image.resizeNearestNeighbor(tf.tensor3d(matrix.map((row) => row.map((v) => [255 * (1 - v / max), 255 * (1 - v / max), 255])), undefined, 'float32'), [classes * cell, classes * cell]).toInt());
  await ctx.image('confusion matrix', pixels);
  matrix.forEach((row, i) => ctx.log(\`\${dataset.names?.[i] ?? i}: \${row.join(' ')}\`));
  return {};
}
`,
  },
  {
    id: 'core.plot',
    name: 'Plot',
    category: 'Other',
    color: OTHER,
    description: 'Draws series from a JSON value ({ name: [numbers] }) as a figure.',
    inputs: [['series', 'json']],
    attributes: [{ name: 'title', type: 'string', default: 'Figure' }],
    code: `export default async function run({ series }, { title }, references, ctx) {
  const numeric = Object.fromEntries(Object.entries(series).filter(([, v]) => Array.isArray(v) && v.every((n) => typeof n === 'number')));
  if (Object.keys(numeric).length === 0) throw new Error('Plot needs at least one series of numbers, e.g. { loss: [0.9, 0.5, 0.3] }.');
  ctx.plot(title, numeric);
  return {};
}
`,
  },
  {
    id: 'core.log',
    name: 'Log',
    category: 'Other',
    color: OTHER,
    description: 'Writes any value to the job log (tensors are summarised).',
    inputs: [['value', 'any']],
    code: `export default async function run({ value }, attributes, references, ctx) {
  if (value instanceof tf.Tensor) ctx.log(\`Tensor \${value.dtype} [\${value.shape.join(', ')}]\`, (await value.data()).slice(0, 20));
  else ctx.log(JSON.stringify(value, (k, v) => (v instanceof tf.Tensor ? \`Tensor [\${v.shape.join(', ')}]\` : v), 2));
  return {};
}
`,
  },
  {
    id: 'core.custom',
    name: 'Custom Code',
    category: 'Other',
    color: OTHER,
    description: 'A blank step: one input, one output, your code. Duplicate it and make it yours.',
    inputs: [['value', 'any', { optional: true }]],
    outputs: [['result', 'any']],
    code: `export default async function run({ value }, attributes, references, ctx) {
  // Transform the input with tf (TensorFlow.js) and return it.
  const result = value;
  return { result };
}
`,
  },
];
