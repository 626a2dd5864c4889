/**
 * Import and export of model.json: Keras files as each Keras version writes them and a tfjs layers-model as tfjs 4
 * saves it (test/fixtures/models/) become architectures whose parameter counts equal Keras's summary; the exported
 * topology is accepted by tfjs with the same counts; import → export → import keeps topology and config; the tfjs
 * code snippet builds the same model.
 */
import * as tf from '@tensorflow/tfjs';
// The wasm backend runs in Node and initialises big recurrent layers ~15× faster than cpu (orthogonal kernels).
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARCHITECTURE_TEMPLATES, importModel, inferArchitecture, ModelImportError, toModelJson, toModelTopology, toTfjsCode } from '../../src/model/architecture';
import type { Architecture } from '../../src/model/types';

const FIXTURES = join(import.meta.dirname, '../fixtures/models');
const read = (file: string) => readFileSync(join(FIXTURES, file), 'utf8');

beforeAll(async () => {
  await tf.setBackend('wasm');
});

/** What must survive a round trip: each layer's name, type, config and inputs (by name, in slot order). */
function topology(arch: Architecture) {
  const byId = (id: string) => arch.layers[id]!.name;
  return Object.values(arch.layers)
    .map((l) => ({
      name: l.name,
      type: l.type,
      config: l.config,
      inputs: Object.values(arch.edges).filter((e) => e.to === l.id).sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0)).map((e) => byId(e.from)),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

async function tfjsParams(arch: Architecture): Promise<{ total: number; shapes: Record<string, unknown> }> {
  const model = await tf.models.modelFromJSON({ modelTopology: toModelTopology(arch) } as tf.io.ModelJSON);
  const shapes = Object.fromEntries(model.layers.map((l) => [l.name, l.outputShape]));
  const total = model.countParams();
  model.dispose();
  return { total, shapes };
}

/** Each fixture and the parameter count Keras's model.summary() gives for it. */
const CASES: Array<{ file: string; what: string; total: number; layers: number; warnings?: string[] }> = [
  { file: 'keras-2.0-sequential-list.json', what: 'Keras 2.0 Sequential, list-style config (a CNN)', total: 1_199_882, layers: 9 },
  { file: 'keras-2.2-sequential-dict.json', what: 'Keras 2.2 Sequential, dict-style config, batch norm and L2', total: 1_665, layers: 5 },
  { file: 'tf-keras-2-functional-skip.json', what: 'tf.keras 2 Functional with a skip connection', total: 5_258, layers: 8 },
  { file: 'keras-2.0-bidirectional-lstm.json', what: 'Keras 2.0 Embedding + Bidirectional(LSTM)', total: 191_686, layers: 5 },
  { file: 'tf-keras-2-timedistributed-dense.json', what: 'tf.keras 2 Sequential with InputLayer, LSTM and TimeDistributed(Dense)', total: 1_668, layers: 3 },
  { file: 'keras-3-functional-two-inputs.json', what: 'Keras 3 Functional, dict-form inbound nodes, two inputs', total: 207, layers: 5 },
  {
    file: 'tfjs-4-layers-model.json', what: 'tfjs 4 layers-model with a weights manifest', total: 11_738, layers: 5,
    warnings: ["The weights beside this model.json are not imported: an architecture holds the network's structure; train it to get weights."],
  },
];

describe('import model.json', () => {
  for (const c of CASES) {
    it(`${c.what}: imports every layer, counts like Keras, round-trips, tfjs accepts the export`, async () => {
      const first = importModel(read(c.file), c.file);
      expect(first.unmapped).toEqual([]);
      expect(first.warnings).toEqual(c.warnings ?? []);
      expect(Object.keys(first.architecture.layers)).toHaveLength(c.layers);
      const inference = inferArchitecture(first.architecture);
      expect(inference.problems.map((p) => p.message)).toEqual([]);
      expect(inference.totalParams).toBe(c.total);

      const exported = toModelTopology(first.architecture);
      const again = importModel(exported);
      expect(again.unmapped).toEqual([]);
      expect(again.warnings).toEqual([]);
      expect(topology(again.architecture)).toEqual(topology(first.architecture));

      const theirs = await tfjsParams(first.architecture);
      expect(theirs.total).toBe(c.total);
      for (const id of inference.order) expect(theirs.shapes[first.architecture.layers[id]!.name]).toEqual(inference.layers[id]!.outputShape);
    });
  }

  it('lays an import out top to bottom, every connection pointing down', () => {
    const { architecture: a } = importModel(read('tf-keras-2-functional-skip.json'));
    for (const e of Object.values(a.edges)) expect(a.layers[e.to]!.position.y).toBeGreaterThan(a.layers[e.from]!.position.y);
  });

  it('maps Keras 2 VarianceScaling initializers, snake_case values and the float32 regularizer factor', () => {
    const { architecture: a, warnings } = importModel(read('keras-2.2-sequential-dict.json'));
    const out = Object.values(a.layers).find((l) => l.name === 'dense_2')!;
    expect(out.config).toEqual({ units: 1, activation: 'sigmoid', kernelInitializer: 'glorotUniform', kernelRegularizer: 'l2' });
    expect(warnings).toEqual([]);
    const lstm = importModel(read('keras-2.0-bidirectional-lstm.json')).architecture;
    expect(Object.values(lstm.layers).find((l) => l.type === 'bidirectional')!.config).toMatchObject({ layer: 'lstm', 'layer.units': 48, 'layer.kernelInitializer': 'glorotUniform' });
  });

  it('reports layers it cannot map, by name, and keeps the graph connected', () => {
    const json = JSON.stringify({
      class_name: 'Sequential',
      config: { name: 's', layers: [
        { class_name: 'Dense', config: { name: 'dense_1', units: 4, batch_input_shape: [null, 3] } },
        { class_name: 'Lambda', config: { name: 'lambda_1', function: ['4wEAAAAA', null, null] } },
        { class_name: 'Dense', config: { name: 'dense_2', units: 2, kernel_constraint: { class_name: 'MaxNorm', config: { max_value: 2 } } } },
      ] },
    });
    const { architecture: a, unmapped, warnings } = importModel(json, 'custom.json');
    expect(unmapped).toEqual([{ layer: 'lambda_1', reason: expect.stringContaining('Lambda') }]);
    expect(warnings).toEqual(['dense_2: option kernel_constraint = {"class_name":"MaxNorm","config":{"max_value":2}} is not supported and was left out.']);
    expect(a.name).toBe('custom');
    expect(Object.keys(a.edges)).toHaveLength(3);
    const problems = inferArchitecture(a).problems;
    expect(problems.map((p) => [a.layers[p.layerId!]!.name, p.code])).toEqual([['lambda_1', 'unknown-type']]);
  });

  it('says what to do with files that are not models', () => {
    expect(() => importModel('{ nope')).toThrow(ModelImportError);
    expect(() => importModel('{ nope')).toThrow(/not valid JSON/);
    expect(() => importModel({ hello: 1 })).toThrow(/neither "modelTopology" nor "class_name"/);
    expect(() => importModel({ class_name: 'Graph', config: { layers: [{ class_name: 'Dense', config: {} }] } })).toThrow(/Sequential, Model and Functional/);
  });
});

describe('export', () => {
  for (const template of ARCHITECTURE_TEMPLATES) {
    it(`template ${template.name}: model.json round-trips and the tfjs snippet builds the same model`, async () => {
      const arch: Architecture = { id: 't', name: template.name, description: '', ...template.build('t'), createdAt: 0, updatedAt: 0 };
      const json = toModelJson(arch);
      expect(json).toMatchObject({ format: 'layers-model', generatedBy: 'DeepForge' });
      const loaded = await tf.models.modelFromJSON(json as unknown as tf.io.ModelJSON);
      expect(loaded.countParams()).toBe(inferArchitecture(arch).totalParams);
      loaded.dispose();
      const back = importModel(JSON.stringify(json));
      expect(back.unmapped).toEqual([]);
      expect(back.warnings).toEqual([]);
      // Defaults written out on export come back as defaults: compare what each config means.
      expect(topology(back.architecture).map((l) => [l.name, l.type, l.inputs])).toEqual(topology(arch).map((l) => [l.name, l.type, l.inputs]));
      expect(toModelTopology(back.architecture)).toEqual(toModelTopology(arch));

      const inference = inferArchitecture(arch);
      const code = toTfjsCode(arch);
      const model = new Function('tf', `${code}\nreturn model;`)(tf) as tf.LayersModel;
      try {
        expect(model.countParams()).toBe(inference.totalParams);
        const outputs = inference.outputs.map((id) => inference.layers[id]!.outputShape);
        expect(model.outputs.map((o) => o.shape)).toEqual(expect.arrayContaining(outputs));
      } finally {
        model.dispose();
      }
    }, 60_000);
  }

  it('a chain is written with tf.sequential, a graph with the functional API', () => {
    const lenet = ARCHITECTURE_TEMPLATES.find((t) => t.id === 'lenet5')!;
    const chain = toTfjsCode({ id: 'l', name: 'LeNet', description: '', ...lenet.build('l'), createdAt: 0, updatedAt: 0 });
    expect(chain.split('\n')[0]).toBe('const model = tf.sequential();');
    expect(chain).toContain("model.add(tf.layers.conv2d({inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation: 'tanh'}));");
    const resnet = ARCHITECTURE_TEMPLATES.find((t) => t.id === 'resnet-block')!;
    const graph = toTfjsCode({ id: 'r', name: 'ResNet', description: '', ...resnet.build('r'), createdAt: 0, updatedAt: 0 });
    expect(graph).toContain('tf.layers.add({}).apply([conv2d_1, batchNormalization_1]);');
    expect(graph.trim().split('\n').at(-1)).toBe('const model = tf.model({inputs: input_1, outputs: dense_1});');
  });

  it('refuses to export an architecture with problems, naming the layer', () => {
    const arch: Architecture = { id: 'x', name: 'broken', description: '', layers: { d: { id: 'd', type: 'dense', name: 'dense_1', config: {}, position: { x: 0, y: 0 } } }, edges: {}, createdAt: 0, updatedAt: 0 };
    expect(() => toModelTopology(arch)).toThrow('Architecture broken cannot be built: layer dense_1: Dense dense_1 has no input; connect a layer to it, or add an Input layer.');
  });
});
