/**
 * The bundled example projects, openable offline from "Open example". Each is built from the core library and
 * opens on its main pipeline.
 */
import { coreOperation } from './library/core';
import { sequential } from './library/define';
import { newProject } from './project';
import type { Architecture, Id, LayerConfigValue, Pipeline, PipelineEdge, PipelineNode, Project } from './types';

export interface ExampleProject {
  id: string;
  title: string;
  summary: string;
  build(now: number): { project: Project; mainPipelineId: Id };
}

type LayerSpec = Array<[string, Record<string, LayerConfigValue>]>;

function architecture(id: Id, name: string, description: string, layers: LayerSpec, now: number): Architecture {
  return { id, name, description, ...sequential(id, layers), createdAt: now, updatedAt: now };
}

/** A straight chain of operations: the usual load → split → train → evaluate shape. */
function pipeline(
  id: Id,
  name: string,
  description: string,
  nodes: Array<{ key: string; op: string; attributes?: PipelineNode['attributes']; references?: Record<Id, Id> }>,
  links: Array<[from: string, fromPort: string, to: string, toPort: string]>,
  now: number,
): Pipeline {
  const nodeId = (key: string) => `${id}_${key}`;
  const built: Record<Id, PipelineNode> = {};
  nodes.forEach((n, i) => {
    built[nodeId(n.key)] = {
      id: nodeId(n.key),
      kind: 'operation',
      operationId: n.op,
      position: { x: i * 210, y: (i % 2) * 50 },
      attributes: n.attributes ?? {},
      references: n.references ?? {},
    };
  });
  const edges: Record<Id, PipelineEdge> = {};
  for (const [from, fromPort, to, toPort] of links) {
    const eid = `${id}_${from}.${fromPort}-${to}.${toPort}`;
    edges[eid] = { id: eid, from: { node: nodeId(from), port: fromPort }, to: { node: nodeId(to), port: toPort } };
  }
  return { id, name, description, nodes: built, edges, createdAt: now, updatedAt: now };
}

function withOperations(project: Project, ids: string[]): Project {
  for (const id of ids) project.operations[id] = coreOperation(id);
  return project;
}

const CLASSIFY_LINKS: Array<[string, string, string, string]> = [
  ['load', 'dataset', 'split', 'dataset'],
  ['split', 'train', 'train', 'dataset'],
  ['train', 'model', 'evaluate', 'model'],
  ['split', 'test', 'evaluate', 'dataset'],
];

export const EXAMPLES: ExampleProject[] = [
  {
    id: 'iris-mlp',
    title: 'Iris MLP',
    summary: 'Classify iris flowers from four measurements with a small dense network.',
    build(now) {
      const p = withOperations(newProject('Iris MLP', now), ['core.load-iris', 'core.normalize', 'core.split', 'core.train', 'core.evaluate']);
      p.description = 'A first experiment: standardize the Iris measurements, train a small MLP, evaluate on held-out flowers.';
      p.architectures.mlp = architecture('mlp', 'Iris MLP', 'Two hidden layers of 16 units.', [
        ['input', { shape: [4] }],
        ['dense', { units: 16, activation: 'relu' }],
        ['dense', { units: 16, activation: 'relu' }],
        ['dense', { units: 3, activation: 'softmax' }],
      ], now);
      p.pipelines.main = pipeline('main', 'Train Iris MLP', 'Load → standardize → split → train → evaluate.', [
        { key: 'load', op: 'core.load-iris' },
        { key: 'scale', op: 'core.normalize' },
        { key: 'split', op: 'core.split', attributes: { testFraction: 0.2, seed: 42 } },
        { key: 'train', op: 'core.train', attributes: { epochs: 60, batchSize: 16, learningRate: 0.01 }, references: { net: 'mlp' } },
        { key: 'evaluate', op: 'core.evaluate' },
      ], [['load', 'dataset', 'scale', 'dataset'], ['scale', 'dataset', 'split', 'dataset'], ...CLASSIFY_LINKS.slice(1)], now);
      return { project: p, mainPipelineId: 'main' };
    },
  },
  {
    id: 'mnist-mlp',
    title: 'MNIST MLP',
    summary: 'Recognise handwritten digits with a 784-128-10 dense network.',
    build(now) {
      const p = withOperations(newProject('MNIST MLP', now), ['core.load-mnist', 'core.split', 'core.train', 'core.evaluate']);
      p.description = 'The classic digits benchmark with a multilayer perceptron.';
      p.architectures.mlp = architecture('mlp', 'MLP 784-128-10', 'One hidden layer of 128 units.', [
        ['input', { shape: [28, 28, 1] }],
        ['flatten', {}],
        ['dense', { units: 128, activation: 'relu' }],
        ['dense', { units: 10, activation: 'softmax' }],
      ], now);
      p.pipelines.main = pipeline('main', 'Train MNIST MLP', 'Load digits → split → train → evaluate.', [
        { key: 'load', op: 'core.load-mnist' },
        { key: 'split', op: 'core.split', attributes: { testFraction: 0.2, seed: 42 } },
        { key: 'train', op: 'core.train', attributes: { epochs: 5, batchSize: 64 }, references: { net: 'mlp' } },
        { key: 'evaluate', op: 'core.evaluate' },
      ], CLASSIFY_LINKS, now);
      return { project: p, mainPipelineId: 'main' };
    },
  },
  {
    id: 'mnist-cnn',
    title: 'MNIST CNN',
    summary: 'A small convolutional network that reaches about 95% on the bundled digits in three epochs.',
    build(now) {
      const p = withOperations(newProject('MNIST CNN', now), ['core.load-mnist', 'core.split', 'core.train', 'core.evaluate']);
      p.description = 'Two convolution blocks and a dense head: the standard first CNN.';
      p.architectures.cnn = architecture('cnn', 'Small CNN', 'conv(8) → pool → conv(16) → pool → dense(10).', [
        ['input', { shape: [28, 28, 1] }],
        ['conv2d', { filters: 8, kernelSize: 5, activation: 'relu' }],
        ['maxPooling2d', { poolSize: 2 }],
        ['conv2d', { filters: 16, kernelSize: 5, activation: 'relu' }],
        ['maxPooling2d', { poolSize: 2 }],
        ['flatten', {}],
        ['dense', { units: 10, activation: 'softmax' }],
      ], now);
      p.pipelines.main = pipeline('main', 'Train MNIST CNN', 'Load digits → split → train → evaluate.', [
        { key: 'load', op: 'core.load-mnist' },
        { key: 'split', op: 'core.split', attributes: { testFraction: 0.2, seed: 42 } },
        { key: 'train', op: 'core.train', attributes: { epochs: 3, batchSize: 64, learningRate: 0.003 }, references: { net: 'cnn' } },
        { key: 'evaluate', op: 'core.evaluate' },
      ], CLASSIFY_LINKS, now);
      return { project: p, mainPipelineId: 'main' };
    },
  },
  {
    id: 'sine-lstm',
    title: 'Sine LSTM',
    summary: 'Predict the next value of a noisy sine wave with an LSTM.',
    build(now) {
      const p = withOperations(newProject('Sine LSTM', now), ['core.sine-sequences', 'core.split', 'core.train', 'core.evaluate']);
      p.description = 'Sequence learning on generated data: windows of a sine wave in, the next value out.';
      p.architectures.lstm = architecture('lstm', 'LSTM regressor', 'LSTM(32) → dense(1).', [
        ['input', { shape: [32, 1] }],
        ['lstm', { units: 32 }],
        ['dense', { units: 1 }],
      ], now);
      p.pipelines.main = pipeline('main', 'Train sine LSTM', 'Generate windows → split → train → evaluate.', [
        { key: 'load', op: 'core.sine-sequences' },
        { key: 'split', op: 'core.split', attributes: { testFraction: 0.2, seed: 42 } },
        { key: 'train', op: 'core.train', attributes: { epochs: 10, batchSize: 32, loss: 'meanSquaredError', learningRate: 0.01 }, references: { net: 'lstm' } },
        { key: 'evaluate', op: 'core.evaluate' },
      ], CLASSIFY_LINKS, now);
      return { project: p, mainPipelineId: 'main' };
    },
  },
];

export function findExample(id: string): ExampleProject | undefined {
  return EXAMPLES.find((e) => e.id === id);
}
