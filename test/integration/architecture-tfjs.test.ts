/**
 * Our shapes and parameter counts against tfjs's own: every template, every example architecture and ~50 seeded
 * random graphs are built by tfjs (wasm backend) from `toModelTopology`, and each layer's output shape and weight count, and the
 * model's total, must equal what `inferArchitecture` says. Also: one seed gives identical initial weights.
 */
import * as tf from '@tensorflow/tfjs';
// The wasm backend runs in Node and initialises big recurrent layers ~15× faster than cpu (orthogonal kernels).
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARCHITECTURE_TEMPLATES, inferArchitecture, LAYER_CATALOG, toModelTopology } from '../../src/model/architecture';
import { EXAMPLES } from '../../src/model/examples';
import type { Architecture } from '../../src/model/types';
import { randomArchitecture } from './architecture-graphs';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

async function build(arch: Architecture, seed?: number): Promise<tf.LayersModel> {
  return tf.models.modelFromJSON({ modelTopology: toModelTopology(arch, seed === undefined ? {} : { seed }) } as tf.io.ModelJSON);
}

const size = (weights: tf.LayerVariable[]) => weights.reduce((a, w) => a + w.shape.reduce<number>((x, d) => x * (d ?? 0), 1), 0);

async function expectSameAsTfjs(arch: Architecture): Promise<void> {
  const ours = inferArchitecture(arch);
  expect(ours.problems.map((p) => p.message)).toEqual([]);
  const model = await build(arch);
  try {
    for (const id of ours.order) {
      const layer = arch.layers[id]!;
      const theirs = model.getLayer(layer.name);
      const info = ours.layers[id]!;
      // Compared as text so that a mismatch names the layer and both values in full.
      const a = JSON.stringify({ layer: layer.name, shape: info.outputShape, params: info.params, trainable: info.trainable });
      const b = JSON.stringify({ layer: layer.name, shape: theirs.outputShape, params: theirs.countParams(), trainable: size(theirs.trainableWeights) });
      if (a !== b) throw new Error(`ours ${a} ≠ tfjs ${b}`);
    }
    expect(ours.totalParams).toBe(model.countParams());
  } finally {
    model.dispose();
  }
}

describe('inference equals tfjs', () => {
  for (const template of ARCHITECTURE_TEMPLATES) {
    it(`template ${template.name}`, async () => {
      const built = template.build('t');
      await expectSameAsTfjs({ id: 't', name: template.name, description: '', ...built, createdAt: 0, updatedAt: 0 });
    });
  }

  for (const example of EXAMPLES) {
    it(`example ${example.title}`, async () => {
      const { project } = example.build(0);
      for (const arch of Object.values(project.architectures)) await expectSameAsTfjs(arch);
    });
  }

  it('options the random graphs leave alone: -1 in Reshape, dilation, Dot axes, variable-length sequences', async () => {
    const layers: Architecture['layers'] = {};
    const edges: Architecture['edges'] = {};
    const add = (id: string, type: string, config: Architecture['layers'][string]['config'], from: string[] = []) => {
      layers[id] = { id, type, name: id, config, position: { x: 0, y: Object.keys(layers).length } };
      from.forEach((f, slot) => (edges[`${f}-${id}`] = { id: `${f}-${id}`, from: f, to: id, ...(from.length > 1 ? { slot } : {}) }));
    };
    add('flat', 'input', { shape: [12] });
    add('reshaped', 'reshape', { targetShape: [-1, 3] }, ['flat']);
    add('seq', 'input', { shape: [null, 6] });
    add('dilated', 'conv1d', { filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same' }, ['seq']);
    add('rnn', 'bidirectional', { layer: 'gru', mergeMode: 'ave', 'layer.units': 6, 'layer.returnSequences': true }, ['dilated']);
    add('scores', 'dot', { axes: [2, 2] }, ['rnn', 'seq']);
    add('img', 'input', { shape: [9, 9, 2] });
    add('strided', 'maxPooling2d', { poolSize: 3, strides: [2, 1], padding: 'same' }, ['img']);
    add('capped', 'reLU', { maxValue: 6 }, ['strided']);
    add('tokens', 'input', { shape: [7], dtype: 'int32' });
    add('embedded', 'embedding', { inputDim: 20, outputDim: 5, inputLength: 7, maskZero: true }, ['tokens']);
    add('swapped', 'permute', { dims: [2, 1] }, ['embedded']);
    const arch: Architecture = { id: 'x', name: 'options', description: '', layers, edges, createdAt: 0, updatedAt: 0 };
    expect(inferArchitecture(arch).layers.reshaped!.outputShape).toEqual([null, null, 3]);
    await expectSameAsTfjs(arch);
  });

  // ARCHITECTURE_GRAPHS=500 searches wider when changing a kernel.
  const count = Number(process.env.ARCHITECTURE_GRAPHS ?? 100);
  it(`${count} random graphs over the catalog`, async () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= count; seed++) {
      const arch = randomArchitecture(seed, 8);
      for (const l of Object.values(arch.layers)) seen.add(l.type);
      try {
        await expectSameAsTfjs(arch);
      } catch (error) {
        throw new Error(`random graph ${seed}: ${(error as Error).message}\n${JSON.stringify(Object.values(arch.layers).map((l) => [l.name, l.config]))}`, { cause: error });
      }
    }
    // The generator reaches every layer type of the catalog.
    if (count >= 100) expect(Object.keys(LAYER_CATALOG).filter((t) => !seen.has(t))).toEqual([]);
  }, 600_000);
});

describe('seeded weights', () => {
  it('the same seed gives identical weights, another seed different ones', async () => {
    // Sine LSTM: glorot kernels, an orthogonal recurrent kernel and a dense head.
    const arch = EXAMPLES.find((e) => e.id === 'sine-lstm')!.build(0).project.architectures.lstm!;
    const values = async (seed: number) => {
      const model = await build(arch, seed);
      const data = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return data;
    };
    const a = await values(7);
    expect(await values(7)).toEqual(a);
    expect(await values(8)).not.toEqual(a);
  });
});
