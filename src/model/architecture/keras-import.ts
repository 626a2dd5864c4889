/**
 * Import: a model.json as people have them — a tfjs layers-model file (with or without weights beside it), a bare
 * Keras topology, or Keras `model.to_json()` from Keras 2.0 to 2.x, tf.keras and Keras 3 (Sequential with a list or
 * a dict config, functional Model/Functional graphs, Bidirectional and TimeDistributed wrappers) — as an editable
 * architecture. What cannot be mapped is reported by layer and kept as an `unknown` layer, never silently dropped.
 */
import { randomId } from '../../lib/ids';
import type { Architecture, Id, Layer, LayerConfigValue, LayerEdge } from '../types';
import { kernelOf, LAYER_CATALOG } from './catalog';
import { WRAPPED_PREFIX } from './catalog/wrappers';
import { checkParam } from './config';
import { initializerFromKeras, regularizerFromKeras, sidesFromKeras, toCamel } from './keras-format';
import { layeredLayout } from './layout';
import type { ParamSpec } from './spec';

export interface ImportResult {
  architecture: Architecture;
  unmapped: Array<{ layer: string; reason: string }>;
  warnings: string[];
}

/** A file that is not a model we can read; the message says what to do instead. */
export class ModelImportError extends Error {
  readonly code = 'not-a-model';
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

const BY_KERAS: Record<string, string> = Object.fromEntries(Object.values(LAYER_CATALOG).map((t) => [t.keras, t.type]));
Object.assign(BY_KERAS, { MaxPool1D: 'maxPooling1d', MaxPool2D: 'maxPooling2d', MaxPool3D: 'maxPooling3d', AvgPool1D: 'averagePooling1d', AvgPool2D: 'averagePooling2d', AvgPool3D: 'averagePooling3d', GlobalAvgPool1D: 'globalAveragePooling1d', GlobalAvgPool2D: 'globalAveragePooling2d', GlobalMaxPool1D: 'globalMaxPooling1d', GlobalMaxPool2D: 'globalMaxPooling2d', Convolution1D: 'conv1d', Convolution2D: 'conv2d', Convolution3D: 'conv3d', CuDNNLSTM: 'lstm', CuDNNGRU: 'gru', SimpleRNN: 'simpleRNN' });

/** Keras options we leave out without a word when they hold these values (they are tfjs's behaviour anyway). */
const HARMLESS: Record<string, unknown[]> = {
  trainable: [true], dtype: ['*'], dataFormat: ['channelsLast', null], activityRegularizer: [null], kernelConstraint: [null],
  biasConstraint: [null], recurrentConstraint: [null], depthwiseConstraint: [null], pointwiseConstraint: [null], embeddingsConstraint: [null],
  betaConstraint: [null], gammaConstraint: [null], alphaConstraint: [null], betaRegularizer: [null], gammaRegularizer: [null], alphaRegularizer: [null],
  depthwiseRegularizer: [null], pointwiseRegularizer: [null], movingMeanInitializer: ['*'], movingVarianceInitializer: ['*'], stateful: [false],
  unroll: [false], implementation: ['*'], returnState: [false], timeMajor: [false], seed: [null, '*'], noiseShape: [null], sparse: [false], ragged: [false],
  batchSize: [null], inputShape: ['*'], batchInputShape: ['*'], batchShape: ['*'], groups: [1], outputPadding: [null], sharedAxes: [null],
  renorm: [false], renormClipping: [null], renormMomentum: ['*'], fused: [null, true, false], virtualBatchSize: [null], adjustment: [null],
  synchronized: [false], inputDtype: ['*'], loraRank: [null], negativeSlope: [0], threshold: [0],
  resetAfter: [false], keepdims: [false], module: ['*'], registeredName: ['*'], sharedObjectId: ['*'],
};

function harmless(key: string, value: unknown): boolean {
  const allowed = HARMLESS[key];
  return !!allowed && (allowed.includes('*') || allowed.some((a) => JSON.stringify(a) === JSON.stringify(value)));
}

function parse(json: unknown): unknown {
  if (typeof json !== 'string') return json;
  try {
    return JSON.parse(json);
  } catch (error) {
    throw new ModelImportError(`This file is not valid JSON (${(error as Error).message}). Choose the model.json that Keras (model.to_json()) or tfjs (model.save()) wrote.`);
  }
}

/** The Keras topology inside any of the accepted wrappings. */
function topologyOf(doc: unknown): Json {
  if (!isObject(doc)) throw new ModelImportError('This file holds no model: expected a JSON object from Keras model.to_json() or a tfjs model.json.');
  let topo: unknown = doc;
  if ('modelTopology' in doc) topo = doc.modelTopology;
  if (isObject(topo) && isObject(topo.model_config)) topo = topo.model_config;
  if (!isObject(topo) || typeof topo.class_name !== 'string') {
    throw new ModelImportError('This JSON is not a Keras or tfjs model: it has neither "modelTopology" nor "class_name". Export the model with model.to_json() in Keras or model.save() in tfjs and import that file.');
  }
  return topo;
}

interface Ctx {
  unmapped: ImportResult['unmapped'];
  warnings: string[];
}

/** A Keras config value as our config holds it for this parameter, or undefined when it cannot be represented. */
function fromKeras(spec: ParamSpec, value: unknown, layer: string, ctx: Ctx): LayerConfigValue | undefined {
  if (spec.key.endsWith('Initializer')) {
    return initializerFromKeras(value) ?? undefined;
  }
  if (spec.key.endsWith('Regularizer')) {
    const r = regularizerFromKeras(value);
    if (!r.exact) ctx.warnings.push(`${layer}: the ${spec.label.toLowerCase()}'s factor is not 0.01; DeepForge uses ${r.name} with factor 0.01.`);
    return r.name;
  }
  if (spec.kind === 'ints' && spec.length === 4) return sidesFromKeras(value) ?? undefined;
  if (spec.kind === 'integer' && Array.isArray(value) && value.length === 1) return Number(value[0]);
  if (spec.kind === 'ints' && Array.isArray(value)) {
    const nums = value.map(Number);
    return spec.length && nums.every((n) => n === nums[0]) ? nums[0]! : nums;
  }
  if (typeof value === 'string') return toCamel(value);
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value) && value.every((v) => v === null || typeof v === 'number')) return value as number[];
  return undefined;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Our config for a known layer: only values that differ from the catalog's defaults, so re-importing is stable. */
function mapConfig(type: string, raw: Json, name: string, ctx: Ctx, prefix = ''): Record<string, LayerConfigValue> {
  const k = kernelOf(type)!;
  const config: Record<string, LayerConfigValue> = {};
  for (const [rawKey, value] of Object.entries(raw)) {
    const key = toCamel(rawKey);
    if (key === 'name' || key === 'layer') continue;
    const spec = k.params.find((p) => p.key === key);
    if (!spec) {
      if (key === 'resetAfter' && value === true) ctx.warnings.push(`${name}: GRU with reset_after is built by tfjs without it, so it has fewer weights than in Keras.`);
      else if (!harmless(key, typeof value === 'string' ? toCamel(value) : value)) ctx.warnings.push(`${name}: option ${rawKey} = ${JSON.stringify(value)} is not supported and was left out.`);
      continue;
    }
    const mapped = fromKeras(spec, value, name, ctx);
    if (mapped === undefined) {
      ctx.warnings.push(`${name}: ${rawKey} = ${JSON.stringify(value)} cannot be represented; the default is used.`);
      continue;
    }
    if (checkParam(spec, mapped) === null && same(mapped, spec.default)) continue;
    config[prefix + key] = mapped;
  }
  return config;
}

interface Imported {
  type: string;
  name: string;
  config: Record<string, LayerConfigValue>;
}

function importLayer(entry: Json, ctx: Ctx): Imported {
  const cls = String(entry.class_name);
  const raw = isObject(entry.config) ? entry.config : {};
  const name = String(raw.name ?? entry.name ?? cls.toLowerCase());
  const type = BY_KERAS[cls];
  if (!type) {
    ctx.unmapped.push({ layer: name, reason: `${cls} is not a layer DeepForge can build; it is kept as an unknown layer so the graph stays connected.` });
    return { type: 'unknown', name, config: { className: cls } };
  }
  if (type === 'input') {
    const shape = (raw.batch_input_shape ?? raw.batch_shape) as unknown[] | undefined;
    const config: Record<string, LayerConfigValue> = { shape: Array.isArray(shape) ? (shape.slice(1) as number[]) : [] };
    if (raw.dtype && raw.dtype !== 'float32') config.dtype = String(raw.dtype);
    return { type, name, config };
  }
  const config = mapConfig(type, raw, name, ctx);
  if (type === 'bidirectional' || type === 'timeDistributed') {
    const inner = isObject(raw.layer) ? raw.layer : {};
    const innerType = BY_KERAS[String(inner.class_name)];
    const allowed = kernelOf(type)!.params.find((p) => p.key === 'layer')!.options!;
    if (!innerType || !allowed.includes(innerType)) {
      ctx.unmapped.push({ layer: name, reason: `${cls} wraps ${String(inner.class_name)}, which DeepForge cannot wrap; it is kept as an unknown layer.` });
      return { type: 'unknown', name, config: { className: `${cls}(${String(inner.class_name)})` } };
    }
    config.layer = innerType;
    Object.assign(config, mapConfig(innerType, isObject(inner.config) ? inner.config : {}, name, ctx, WRAPPED_PREFIX));
  }
  return { type, name, config };
}

/** The first input shape a Sequential's first layer declares (Keras puts it on that layer). */
function declaredShape(raw: Json): Array<number | null> | null {
  const batch = raw.batch_input_shape ?? raw.batch_shape;
  if (Array.isArray(batch)) return batch.slice(1) as Array<number | null>;
  if (Array.isArray(raw.input_shape)) return raw.input_shape as Array<number | null>;
  return null;
}

/** Sources of a functional layer's first call: old `[[[name, node, tensor, kwargs], ...]]` or Keras 3 `[{args: [...]}]`. */
function inboundOf(entry: Json, name: string, ctx: Ctx): string[] {
  const nodes = Array.isArray(entry.inbound_nodes) ? entry.inbound_nodes : [];
  if (nodes.length === 0) return [];
  if (nodes.length > 1) ctx.warnings.push(`${name} is used ${nodes.length} times (shared weights); only its first use was imported.`);
  const node = nodes[0];
  const refs: unknown[][] = [];
  if (Array.isArray(node)) for (const r of node) if (Array.isArray(r)) refs.push(r);
  if (isObject(node)) {
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (isObject(v) && isObject(v.config) && Array.isArray(v.config.keras_history)) refs.push(v.config.keras_history);
    };
    walk(node.args);
  }
  return refs.map((r) => {
    if (Number(r[2] ?? 0) !== 0) ctx.warnings.push(`${name} reads output ${String(r[2])} of ${String(r[0])} (e.g. an LSTM's state); DeepForge connects its main output instead.`);
    return String(r[0]);
  });
}

export function importModel(json: unknown, fileName?: string): ImportResult {
  const doc = parse(json);
  const topo = topologyOf(doc);
  const cls = topo.class_name as string;
  const ctx: Ctx = { unmapped: [], warnings: [] };
  const rawConfig = topo.config;
  const entries: Json[] = (Array.isArray(rawConfig) ? rawConfig : isObject(rawConfig) && Array.isArray(rawConfig.layers) ? rawConfig.layers : []).filter(isObject);
  if (entries.length === 0) throw new ModelImportError(`This ${cls} has no layers to import.`);

  const imported: Array<Imported & { inputs: string[] }> = [];
  if (cls === 'Sequential') {
    const first = isObject(entries[0]!.config) ? entries[0]!.config : {};
    if (entries[0]!.class_name !== 'InputLayer') {
      const shape = declaredShape(first);
      if (!shape) ctx.warnings.push('The model does not say what shape its input has; set the shape of the Input layer.');
      const name = `${String(first.name ?? 'model')}_input`;
      imported.push({ type: 'input', name, config: { shape: shape ?? [] }, inputs: [] });
    }
    for (const entry of entries) {
      const layer = importLayer(entry, ctx);
      imported.push({ ...layer, inputs: imported.length ? [imported[imported.length - 1]!.name] : [] });
    }
  } else if (cls === 'Model' || cls === 'Functional') {
    for (const entry of entries) {
      const layer = importLayer(entry, ctx);
      imported.push({ ...layer, inputs: inboundOf(entry, layer.name, ctx) });
    }
  } else {
    throw new ModelImportError(`A ${cls} is not a model DeepForge can import; it reads Sequential, Model and Functional models.`);
  }

  if (isObject(doc) && Array.isArray(doc.weightsManifest) && doc.weightsManifest.length > 0) {
    ctx.warnings.push('The weights beside this model.json are not imported: an architecture holds the network\'s structure; train it to get weights.');
  }
  return { architecture: build(imported, nameOf(topo, fileName), ctx), unmapped: ctx.unmapped, warnings: ctx.warnings };
}

function nameOf(topo: Json, fileName?: string): string {
  const base = fileName?.replace(/^.*[\\/]/, '').replace(/\.json$/i, '');
  const own = isObject(topo.config) && typeof topo.config.name === 'string' ? topo.config.name : undefined;
  return (base && base !== 'model' ? base : own) ?? base ?? 'Imported model';
}

function build(imported: Array<Imported & { inputs: string[] }>, name: string, ctx: Ctx): Architecture {
  const id = randomId('ar');
  const layers: Record<Id, Layer> = {};
  const edges: Record<Id, LayerEdge> = {};
  const idByName = new Map<string, Id>();
  imported.forEach((l, i) => {
    const lid = `${id}_l${i}`;
    idByName.set(l.name, lid);
    layers[lid] = { id: lid, type: l.type, name: l.name, config: l.config, position: { x: 0, y: 0 } };
  });
  imported.forEach((l, i) => {
    const to = `${id}_l${i}`;
    const many = kernelOf(l.type)?.inputs === 'many';
    l.inputs.forEach((src, slot) => {
      const from = idByName.get(src);
      if (!from) {
        ctx.warnings.push(`${l.name} reads from ${src}, which is not a layer of this model; that connection was left out.`);
        return;
      }
      const eid = `${id}_e${i}_${slot}`;
      edges[eid] = { id: eid, from, to, ...(many ? { slot } : {}) };
    });
  });
  const positions = layeredLayout(layers, edges);
  for (const layer of Object.values(layers)) layer.position = positions[layer.id]!;
  return { id, name, description: 'Imported from a model.json.', layers, edges, createdAt: 0, updatedAt: 0 };
}
