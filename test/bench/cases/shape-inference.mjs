/**
 * Shape inference after an edit (the goal: a 200-layer architecture within 50 ms of an edit). Node only, no
 * browser: the architecture model (TypeScript, pure) is bundled once with rolldown and imported. The workload is a
 * deep mix of 200 layers: a convolutional stem, 3 stages of residual blocks (conv → batch norm → add with the skip)
 * with pooling between, global pooling and a dense head with dropout. Each run changes one layer's config (the width
 * of the first dense layer, so every shape after it changes) and times `inferArchitecture` on the result, as the
 * editor does on every edit. Baseline: the topological sort of the same graph (`graph.ts`), the least any
 * inference must do, measured on the same edited graph.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFileSync } from 'node:fs';

const LAYERS = 200;

/** The model code as one ES module (inference + the graph sort it builds on). */
async function loadModel(ctx) {
  const { build } = await import('rolldown');
  const dir = ctx.tempDir('deepforge-bench-arch-').path;
  const entry = join(dir, 'entry.ts');
  writeFileSync(
    entry,
    `export { inferArchitecture } from ${JSON.stringify(join(ctx.root, 'src/model/architecture/index.ts'))};\n` +
      `export { topologicalOrder } from ${JSON.stringify(join(ctx.root, 'src/model/graph.ts'))};\n`,
  );
  const file = join(dir, 'architecture.mjs');
  await build({ input: entry, output: { file, format: 'esm' }, logLevel: 'silent' });
  return import(pathToFileURL(file).href);
}

/** 200 layers: stem, 3 residual stages with pooling, then a dense head. */
function deepMix() {
  const arch = { id: 'bench', name: 'bench', description: '', layers: {}, edges: {}, createdAt: 0, updatedAt: 0 };
  let n = 0;
  const add = (type, config, inputs) => {
    const id = `l${n++}`;
    arch.layers[id] = { id, type, name: `${type}_${n}`, config, position: { x: 0, y: n * 100 } };
    inputs.forEach((from, slot) => {
      arch.edges[`${from}-${id}`] = { id: `${from}-${id}`, from, to: id, ...(inputs.length > 1 ? { slot } : {}) };
    });
    return id;
  };
  let x = add('input', { shape: [64, 64, 3] }, []);
  x = add('conv2d', { filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }, [x]);
  const stages = 3;
  const blocks = 18;
  for (let s = 0; s < stages; s++) {
    for (let b = 0; b < blocks; b++) {
      const c = add('conv2d', { filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }, [x]);
      const bn = add('batchNormalization', {}, [c]);
      x = add('add', {}, [x, bn]);
    }
    x = add('maxPooling2d', { poolSize: 2 }, [x]);
  }
  x = add('globalAveragePooling2d', {}, [x]);
  const head = LAYERS - n - 1;
  for (let i = 0; i < head; i++) x = add(i % 2 ? 'dropout' : 'dense', i % 2 ? { rate: 0.1 } : { units: 64, activation: 'relu' }, [x]);
  add('dense', { units: 10, activation: 'softmax' }, [x]);
  return arch;
}

/** One config edit, as the editor makes it: the width of the first dense layer. */
function edit(arch, iteration) {
  const dense = Object.values(arch.layers).find((l) => l.type === 'dense');
  dense.config = { ...dense.config, units: 64 + (iteration % 7) };
}

export default {
  name: 'architecture: shape inference after an edit (200 layers)',
  unit: 'ms',
  goal: { max: 50 },
  runs: 15,
  warmup: 3,
  description: 'inferArchitecture on a 200-layer conv/residual/dense architecture after a one-layer config edit; baseline: topological sort of the same graph.',
  async setup(ctx) {
    const model = await loadModel(ctx);
    return { model, arch: deepMix() };
  },
  async run(ctx, { model, arch }, { iteration }) {
    edit(arch, iteration);
    const start = performance.now();
    const inference = model.inferArchitecture(arch);
    const value = performance.now() - start;
    return {
      value,
      notes: { layers: Object.keys(arch.layers).length, 'total params': inference.totalParams },
      checks: [
        { name: '200 layers, no problems', ok: Object.keys(arch.layers).length === LAYERS && inference.problems.length === 0, detail: inference.problems[0]?.message },
        { name: 'every layer has a shape', ok: Object.values(inference.layers).every((l) => l.outputShape) },
      ],
    };
  },
  baseline: {
    name: 'topological sort of the same graph',
    async run(ctx, { model, arch }, { iteration }) {
      edit(arch, iteration);
      const start = performance.now();
      model.topologicalOrder(Object.keys(arch.layers), Object.values(arch.edges));
      return performance.now() - start;
    },
  },
};
