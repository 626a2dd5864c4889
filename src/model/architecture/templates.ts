/**
 * Starting points for new architectures: the classic networks of the research list (MLP, LeNet-5, a small VGG, a
 * residual block, a BiLSTM text classifier, a seq2seq encoder–decoder, the ACGAN generator and discriminator).
 * Each builds a fresh graph with readable positions and stable, prefixed ids.
 */
import type { Id, Layer, LayerConfigValue, LayerEdge } from '../types';
import { layeredLayout } from './layout';

export interface ArchitectureTemplate {
  id: string;
  name: string;
  description: string;
  build(prefix: Id): { layers: Record<Id, Layer>; edges: Record<Id, LayerEdge> };
}

type Config = Record<string, LayerConfigValue>;

/** A small builder: `add` returns the layer's key, which later layers list as their inputs (in slot order). */
class GraphBuilder {
  readonly layers: Record<Id, Layer> = {};
  readonly edges: Record<Id, LayerEdge> = {};
  readonly #counts: Record<string, number> = {};
  constructor(private readonly prefix: Id) {}

  add(type: string, config: Config = {}, inputs: string[] = [], name?: string): string {
    this.#counts[type] = (this.#counts[type] ?? 0) + 1;
    const id = `${this.prefix}_${Object.keys(this.layers).length}`;
    this.layers[id] = { id, type, name: name ?? `${type}_${this.#counts[type]}`, config, position: { x: 0, y: 0 } };
    inputs.forEach((from, slot) => {
      const eid = `${from}-${id}${inputs.length > 1 ? `.${slot}` : ''}`;
      this.edges[eid] = { id: eid, from, to: id, ...(inputs.length > 1 ? { slot } : {}) };
    });
    return id;
  }

  /** A chain: each layer takes the previous one as its input. */
  chain(from: string, specs: Array<[string, Config?]>): string {
    return specs.reduce((prev, [type, config]) => this.add(type, config, [prev]), from);
  }

  done(): { layers: Record<Id, Layer>; edges: Record<Id, LayerEdge> } {
    const positions = layeredLayout(this.layers, this.edges);
    for (const layer of Object.values(this.layers)) layer.position = positions[layer.id]!;
    return { layers: this.layers, edges: this.edges };
  }
}

function template(id: string, name: string, description: string, make: (g: GraphBuilder) => void): ArchitectureTemplate {
  return {
    id, name, description,
    build(prefix) {
      const g = new GraphBuilder(prefix);
      make(g);
      return g.done();
    },
  };
}

export const ARCHITECTURE_TEMPLATES: readonly ArchitectureTemplate[] = [
  template('mlp', 'MLP', 'A multilayer perceptron for flat features: 784 → 128 → 64 → 10.', (g) => {
    g.chain(g.add('input', { shape: [784] }), [['dense', { units: 128, activation: 'relu' }], ['dropout', { rate: 0.2 }], ['dense', { units: 64, activation: 'relu' }], ['dense', { units: 10, activation: 'softmax' }]]);
  }),
  template('lenet5', 'LeNet-5', 'LeCun et al. (1998) for 28×28 digits: two convolution + average-pooling stages, then 120 → 84 → 10.', (g) => {
    g.chain(g.add('input', { shape: [28, 28, 1] }), [
      ['conv2d', { filters: 6, kernelSize: 5, padding: 'same', activation: 'tanh' }],
      ['averagePooling2d', { poolSize: 2 }],
      ['conv2d', { filters: 16, kernelSize: 5, activation: 'tanh' }],
      ['averagePooling2d', { poolSize: 2 }],
      ['flatten'],
      ['dense', { units: 120, activation: 'tanh' }],
      ['dense', { units: 84, activation: 'tanh' }],
      ['dense', { units: 10, activation: 'softmax' }],
    ]);
  }),
  template('vgg-small', 'Small VGG', 'Two VGG blocks (two 3×3 convolutions and a max pool each) and a dense head, for 32×32 colour images.', (g) => {
    g.chain(g.add('input', { shape: [32, 32, 3] }), [
      ['conv2d', { filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }],
      ['conv2d', { filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }],
      ['maxPooling2d', { poolSize: 2 }],
      ['conv2d', { filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }],
      ['conv2d', { filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }],
      ['maxPooling2d', { poolSize: 2 }],
      ['flatten'],
      ['dense', { units: 256, activation: 'relu' }],
      ['dropout', { rate: 0.5 }],
      ['dense', { units: 10, activation: 'softmax' }],
    ]);
  }),
  template('resnet-block', 'ResNet block', 'A residual block (He et al. 2016): two convolutions whose output is added to their input through a skip connection.', (g) => {
    const stem = g.chain(g.add('input', { shape: [32, 32, 3] }), [['conv2d', { filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }]]);
    const branch = g.chain(stem, [
      ['conv2d', { filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }],
      ['conv2d', { filters: 16, kernelSize: 3, padding: 'same' }],
      ['batchNormalization'],
    ]);
    const sum = g.add('add', {}, [stem, branch]);
    g.chain(sum, [['activation', { activation: 'relu' }], ['globalAveragePooling2d'], ['dense', { units: 10, activation: 'softmax' }]]);
  }),
  template('bilstm-text', 'BiLSTM text classifier', 'Token ids → embeddings → a bidirectional LSTM → a sigmoid: sentiment-style binary classification of texts of 100 tokens.', (g) => {
    g.chain(g.add('input', { shape: [100], dtype: 'int32' }), [
      ['embedding', { inputDim: 10000, outputDim: 64 }],
      ['bidirectional', { layer: 'lstm', mergeMode: 'concat', 'layer.units': 64 }],
      ['dropout', { rate: 0.5 }],
      ['dense', { units: 1, activation: 'sigmoid' }],
    ]);
  }),
  template('seq2seq', 'Seq2seq encoder–decoder', 'An encoder LSTM summarises the source sequence; the decoder reads that summary beside the target sequence and predicts a token per step.', (g) => {
    const encoder = g.chain(g.add('input', { shape: [20], dtype: 'int32' }, [], 'encoder_input'), [['embedding', { inputDim: 5000, outputDim: 64 }], ['lstm', { units: 128 }], ['repeatVector', { n: 15 }]]);
    const decoder = g.chain(g.add('input', { shape: [15], dtype: 'int32' }, [], 'decoder_input'), [['embedding', { inputDim: 5000, outputDim: 64 }]]);
    const joined = g.add('concatenate', {}, [encoder, decoder]);
    g.chain(joined, [['lstm', { units: 128, returnSequences: true }], ['timeDistributed', { layer: 'dense', 'layer.units': 5000, 'layer.activation': 'softmax' }]]);
  }),
  template('acgan-generator', 'ACGAN generator', 'The generator of an auxiliary-classifier GAN (Odena et al. 2017, as in tfjs-examples): noise times a class embedding, upsampled to a 28×28 image.', (g) => {
    const latent = g.add('input', { shape: [100] }, [], 'latent');
    const label = g.chain(g.add('input', { shape: [1], dtype: 'int32' }, [], 'image_class'), [['embedding', { inputDim: 10, outputDim: 100, embeddingsInitializer: 'glorotNormal' }], ['flatten']]);
    const h = g.add('multiply', {}, [latent, label]);
    g.chain(h, [
      ['dense', { units: 3 * 3 * 384, activation: 'relu' }],
      ['reshape', { targetShape: [3, 3, 384] }],
      ['conv2dTranspose', { filters: 192, kernelSize: 5, strides: 1, padding: 'valid', activation: 'relu', kernelInitializer: 'glorotNormal' }],
      ['batchNormalization'],
      ['conv2dTranspose', { filters: 96, kernelSize: 5, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: 'glorotNormal' }],
      ['batchNormalization'],
      ['conv2dTranspose', { filters: 1, kernelSize: 5, strides: 2, padding: 'same', activation: 'tanh', kernelInitializer: 'glorotNormal' }],
    ]);
  }),
  template('acgan-discriminator', 'ACGAN discriminator', 'The discriminator of an auxiliary-classifier GAN: strided convolutions, then two heads — real or fake, and which class.', (g) => {
    const features = g.chain(g.add('input', { shape: [28, 28, 1] }), [
      ['conv2d', { filters: 32, kernelSize: 3, strides: 2, padding: 'same' }], ['leakyReLU', { alpha: 0.2 }], ['dropout', { rate: 0.3 }],
      ['conv2d', { filters: 64, kernelSize: 3, strides: 1, padding: 'same' }], ['leakyReLU', { alpha: 0.2 }], ['dropout', { rate: 0.3 }],
      ['conv2d', { filters: 128, kernelSize: 3, strides: 2, padding: 'same' }], ['leakyReLU', { alpha: 0.2 }], ['dropout', { rate: 0.3 }],
      ['conv2d', { filters: 256, kernelSize: 3, strides: 1, padding: 'same' }], ['leakyReLU', { alpha: 0.2 }], ['dropout', { rate: 0.3 }],
      ['flatten'],
    ]);
    g.add('dense', { units: 1, activation: 'sigmoid' }, [features], 'real_or_fake');
    g.add('dense', { units: 10, activation: 'softmax' }, [features], 'image_class');
  }),
];

export function templateById(id: string): ArchitectureTemplate | undefined {
  return ARCHITECTURE_TEMPLATES.find((t) => t.id === id);
}
