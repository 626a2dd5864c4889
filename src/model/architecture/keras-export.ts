/**
 * Export: an architecture as the `modelTopology` of a tfjs layers-model model.json (Keras JSON, class `Model`), which
 * `tf.models.modelFromJSON` builds, and as a short tfjs code snippet. Inputs and outputs of the model are ordered as
 * the user sees them: left to right on the canvas (then top to bottom, then by name).
 */
import type { Architecture, Id, Layer, LayerConfigValue } from '../types';
import { kernelOf } from './catalog';
import { WRAPPED_PREFIX } from './catalog/wrappers';
import { configValue, paramSpecsFor } from './config';
import { inferArchitecture } from './infer';
import { initializerToKeras, regularizerToKeras, sidesToKeras, toSnake } from './keras-format';
import type { ParamSpec } from './spec';

export interface TopologyOptions {
  /** Give every initializer a seed derived from this one, so that two builds get identical weights. */
  seed?: number;
}

/** The tfjs-layers version whose model.json format this writes. */
const FORMAT_VERSION = 'tfjs-layers 4.22.0';

class Seeds {
  #next: number | null;
  constructor(seed: number | undefined) {
    this.#next = seed ?? null;
  }
  take(): number | null {
    return this.#next === null ? null : this.#next++;
  }
}

function kerasValue(spec: ParamSpec, value: LayerConfigValue, seeds: Seeds): unknown {
  if (spec.key.endsWith('Initializer')) return initializerToKeras(String(value), seeds.take());
  if (spec.key.endsWith('Regularizer')) return regularizerToKeras(value);
  if (value === null) return null;
  if (spec.kind === 'ints' && spec.length === 4) return sidesToKeras(value);
  if (spec.kind === 'ints' && spec.length) return typeof value === 'number' ? Array<number>(spec.length).fill(value) : value;
  if (typeof value === 'string') return toSnake(value);
  return value;
}

/** A layer's own parameters as Keras config entries; `prefix` reads a wrapped layer's keys. */
function kerasParams(layer: Layer, params: readonly ParamSpec[], seeds: Seeds, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of params) {
    if (spec.key.startsWith(WRAPPED_PREFIX)) continue;
    const value = configValue(layer, prefix + spec.key) ?? null;
    out[toSnake(spec.key)] = kerasValue(spec, value, seeds);
  }
  return out;
}

function kerasLayer(layer: Layer, seeds: Seeds): { class_name: string; config: Record<string, unknown> } {
  const k = kernelOf(layer.type)!;
  if (layer.type === 'input') {
    const shape = configValue(layer, 'shape') as Array<number | null>;
    return { class_name: 'InputLayer', config: { batch_input_shape: [null, ...shape], dtype: configValue(layer, 'dtype'), sparse: false, name: layer.name } };
  }
  const own = paramSpecsFor(layer).filter((p) => p.key !== 'layer');
  const config: Record<string, unknown> = { name: layer.name, trainable: true, dtype: 'float32', ...kerasParams(layer, own, seeds) };
  if (k.params.some((p) => p.key === 'layer')) {
    const inner = kernelOf(String(configValue(layer, 'layer')))!;
    config.layer = { class_name: inner.keras, config: { name: `${layer.name}_${inner.type}`, trainable: true, dtype: 'float32', ...kerasParams(layer, inner.params, seeds, WRAPPED_PREFIX) } };
  }
  return { class_name: k.keras, config };
}

/** Inputs and outputs in reading order: left to right, then top to bottom, then by name. */
function readingOrder(arch: Architecture, ids: Id[]): Id[] {
  return [...ids].sort((a, b) => {
    const la = arch.layers[a]!;
    const lb = arch.layers[b]!;
    return la.position.x - lb.position.x || la.position.y - lb.position.y || la.name.localeCompare(lb.name);
  });
}

/** Throws, naming the layer, when the architecture cannot be built as it stands. */
function checked(arch: Architecture) {
  const inference = inferArchitecture(arch);
  const problem = inference.problems[0];
  if (problem) {
    const where = problem.layerId ? `layer ${arch.layers[problem.layerId]?.name ?? problem.layerId}` : 'a connection';
    throw new Error(`Architecture ${arch.name} cannot be built: ${where}: ${problem.message}`);
  }
  if (inference.inputs.length === 0) throw new Error(`Architecture ${arch.name} has no Input layer; add one and connect it to the first layer.`);
  return inference;
}

/** The Keras JSON `modelTopology` tfjs builds a LayersModel from (`tf.models.modelFromJSON({ modelTopology })`). */
export function toModelTopology(arch: Architecture, options: TopologyOptions = {}): Record<string, unknown> {
  const inference = checked(arch);
  const seeds = new Seeds(options.seed);
  const incoming = new Map<Id, Array<{ from: Id; slot: number; id: Id }>>();
  for (const e of Object.values(arch.edges)) incoming.set(e.to, [...(incoming.get(e.to) ?? []), { from: e.from, slot: e.slot ?? 0, id: e.id }]);
  const layers = inference.order.map((id) => {
    const layer = arch.layers[id]!;
    const ins = (incoming.get(id) ?? []).sort((a, b) => a.slot - b.slot || (a.id < b.id ? -1 : 1));
    return { ...kerasLayer(layer, seeds), name: layer.name, inbound_nodes: ins.length ? [ins.map((e) => [arch.layers[e.from]!.name, 0, 0, {}])] : [] };
  });
  const ref = (id: Id) => [arch.layers[id]!.name, 0, 0];
  return {
    class_name: 'Model',
    config: { name: modelName(arch), layers, input_layers: readingOrder(arch, inference.inputs).map(ref), output_layers: readingOrder(arch, inference.outputs).map(ref) },
    keras_version: FORMAT_VERSION,
    backend: 'tensor_flow.js',
  };
}

function modelName(arch: Architecture): string {
  return arch.name.replace(/[^A-Za-z0-9._/-]+/g, '_').replace(/^[^A-Za-z0-9]+/, '') || 'model';
}

/**
 * A whole model.json as tfjs writes one, topology only. It has no `weightsManifest`: with an empty one tfjs refuses
 * to load the file ("weights are not set"); without one, `tf.loadLayersModel` builds the model with fresh weights.
 */
export function toModelJson(arch: Architecture): Record<string, unknown> {
  return { format: 'layers-model', generatedBy: 'DeepForge', convertedBy: null, modelTopology: toModelTopology(arch) };
}

/** A JavaScript literal as a person would write it: `[3, 3]`, `'relu'`, `{units: 10}`. */
function literal(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(literal).join(', ')}]`;
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (v && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k}: ${literal(x)}`).join(', ')}}`;
  return String(v);
}

/** Options tfjs has no default for (or whose value a reader wants to see): always written in code. */
const ESSENTIAL = new Set(['units', 'filters', 'kernelSize', 'poolSize', 'rate', 'inputDim', 'outputDim', 'n', 'targetShape', 'dims', 'stddev', 'axes', 'cropping', 'size', 'alpha', 'theta', 'activation.activation']);
/** Where tfjs's own default differs from the catalog's (Softmax normalises axis 1 in tfjs, the last axis in Keras). */
const TFJS_DEFAULTS: Record<string, LayerConfigValue> = { 'softmax.axis': 1 };

/** The options a person would pass to `tf.layers.<type>()`: the essential ones and what differs from tfjs's defaults. */
function codeArgs(layer: Layer, prefix = ''): Record<string, unknown> {
  const k = kernelOf(prefix ? String(configValue(layer, 'layer')) : layer.type)!;
  const args: Record<string, unknown> = {};
  for (const spec of k.params) {
    if (spec.key === 'layer' || (layer.type === 'input' && spec.key === 'shape')) continue;
    const value = configValue(layer, prefix + spec.key) ?? null;
    const tfjsDefault = Object.hasOwn(TFJS_DEFAULTS, `${k.type}.${spec.key}`) ? TFJS_DEFAULTS[`${k.type}.${spec.key}`] : spec.default;
    if (!ESSENTIAL.has(spec.key) && !ESSENTIAL.has(`${k.type}.${spec.key}`) && JSON.stringify(value) === JSON.stringify(tfjsDefault)) continue;
    if (spec.key.endsWith('Regularizer')) args[spec.key] = { __code: `tf.regularizers.${value === 'l1l2' ? 'l1l2({l1: 0.01, l2: 0.01})' : `${String(value)}({${String(value)}: 0.01})`}` };
    else if (spec.kind === 'ints' && spec.length === 4) args[spec.key] = sidesToKeras(value);
    else args[spec.key] = value;
  }
  if (!prefix && k.params.some((p) => p.key === 'layer')) {
    args.layer = { __code: `tf.layers.${String(configValue(layer, 'layer'))}(${argsText(codeArgs(layer, WRAPPED_PREFIX))})` };
  }
  return args;
}

function argsText(args: Record<string, unknown>): string {
  const entries = Object.entries(args);
  if (entries.length === 0) return '{}'; // some tfjs factories read their argument unconditionally
  const text = (v: unknown): string => (v && typeof v === 'object' && '__code' in v ? String((v as { __code: string }).__code) : literal(v));
  return `{${entries.map(([k, v]) => `${k}: ${text(v)}`).join(', ')}}`;
}

const variable = (name: string): string => {
  const v = name.replace(/[^A-Za-z0-9_$]/g, '_');
  return /^[0-9]/.test(v) ? `_${v}` : v;
};

/** A short tfjs snippet building the same model: `tf.sequential` for a chain, the functional API otherwise. */
export function toTfjsCode(arch: Architecture): string {
  const inference = checked(arch);
  const edges = Object.values(arch.edges);
  const isChain = inference.inputs.length === 1 && inference.outputs.length === 1 && inference.order.every((id) => edges.filter((e) => e.to === id).length <= 1 && edges.filter((e) => e.from === id).length <= 1);
  const shapeOf = (id: Id) => literal(configValue(arch.layers[id]!, 'shape'));
  if (isChain) {
    const [input, ...rest] = inference.order;
    const lines = ['const model = tf.sequential();'];
    rest.forEach((id, i) => {
      const layer = arch.layers[id]!;
      const args = codeArgs(layer);
      const withShape = i === 0 ? { inputShape: { __code: shapeOf(input!) }, ...args } : args;
      lines.push(`model.add(tf.layers.${layer.type}(${argsText(withShape)}));`);
    });
    return `${lines.join('\n')}\n`;
  }
  const lines: string[] = [];
  for (const id of inference.order) {
    const layer = arch.layers[id]!;
    if (layer.type === 'input') {
      const dtype = configValue(layer, 'dtype') === 'float32' ? '' : `, dtype: '${String(configValue(layer, 'dtype'))}'`;
      lines.push(`const ${variable(layer.name)} = tf.input({shape: ${shapeOf(id)}${dtype}, name: ${literal(layer.name)}});`);
      continue;
    }
    const ins = edges.filter((e) => e.to === id).sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0)).map((e) => variable(arch.layers[e.from]!.name));
    const applied = ins.length === 1 ? ins[0] : `[${ins.join(', ')}]`;
    lines.push(`const ${variable(layer.name)} = tf.layers.${layer.type}(${argsText(codeArgs(layer))}).apply(${applied});`);
  }
  const list = (ids: Id[]) => (ids.length === 1 ? variable(arch.layers[ids[0]!]!.name) : `[${ids.map((id) => variable(arch.layers[id]!.name)).join(', ')}]`);
  lines.push(`const model = tf.model({inputs: ${list(readingOrder(arch, inference.inputs))}, outputs: ${list(readingOrder(arch, inference.outputs))}});`);
  return `${lines.join('\n')}\n`;
}
