/**
 * Seeded random architectures over the whole catalog, for comparing our inference with tfjs and for the bench:
 * chains and branches that merge, from image, sequence, vector and token inputs. A layer is kept only when our
 * inference accepts it, so every graph is one we claim is valid (tfjs then has the last word).
 */
import { seededRandom } from '../../src/lib/random';
import { inferArchitecture, LAYER_CATALOG, type ParamSpec, type Shape } from '../../src/model/architecture';
import type { Architecture, Layer, LayerConfigValue, LayerEdge } from '../../src/model/types';

type Rand = () => number;
const pick = <T>(r: Rand, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

const SINGLE = Object.values(LAYER_CATALOG).filter((t) => t.inputs === 1).map((t) => t.type);
const MERGES = Object.values(LAYER_CATALOG).filter((t) => t.inputs === 'many').map((t) => t.type);

function sample(r: Rand, spec: ParamSpec, shape: Shape): LayerConfigValue | undefined {
  const rank = shape.length;
  switch (spec.key) {
    case 'units': case 'filters': case 'outputDim': return int(r, 1, 12);
    case 'inputDim': return int(r, 5, 50);
    case 'kernelSize': case 'poolSize': return spec.length && r() < 0.3 ? Array.from({ length: spec.length }, () => int(r, 1, 3)) : int(r, 1, 3);
    case 'strides': return r() < 0.2 && spec.optional ? null : int(r, 1, 2);
    case 'dilationRate': return 1;
    case 'depthMultiplier': case 'n': return int(r, 1, 3);
    case 'size': return int(r, 1, 2);
    case 'cropping': case 'padding':
      if (spec.kind === 'ints') return [int(r, 0, 1), int(r, 0, 1), int(r, 0, 1), int(r, 0, 1)];
      return pick(r, spec.options!);
    case 'axis': return spec.key === 'axis' && rank > 2 && r() < 0.3 ? rank - 1 : -1;
    case 'axes': return -1;
    case 'dims': {
      const dims = Array.from({ length: rank - 1 }, (_, i) => i + 1);
      for (let i = dims.length - 1; i > 0; i--) {
        const j = int(r, 0, i);
        [dims[i], dims[j]] = [dims[j]!, dims[i]!];
      }
      return dims;
    }
    case 'targetShape': {
      const size = shape.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1);
      const divisors = Array.from({ length: size }, (_, i) => i + 1).filter((d) => size % d === 0);
      const d = pick(r, divisors);
      // Written out: a -1 leaves the size unknown to later layers in tfjs (tested in the unit tests).
      return r() < 0.5 ? [size] : [d, size / d];
    }
    case 'inputLength': case 'maxValue': case 'layer': return undefined;
  }
  if (spec.kind === 'enum') return spec.optional && r() < 0.6 ? null : pick(r, spec.options!);
  if (spec.kind === 'boolean') return r() < 0.5;
  if (spec.kind === 'number') return Math.round(((spec.min ?? 0) + r() * Math.min(1, (spec.max ?? 1) - (spec.min ?? 0))) * 100) / 100 || 0.1;
  return undefined;
}

function randomConfig(r: Rand, type: string, shape: Shape): Record<string, LayerConfigValue> {
  const config: Record<string, LayerConfigValue> = {};
  for (const spec of LAYER_CATALOG[type]!.params) {
    if (r() < 0.4 && spec.key !== 'targetShape' && spec.key !== 'dims') continue;
    const v = sample(r, spec, shape);
    if (v !== undefined) config[spec.key] = v;
  }
  if (type === 'bidirectional') {
    config.layer = pick(r, ['lstm', 'gru', 'simpleRNN']);
    config['layer.units'] = int(r, 1, 8);
    config['layer.returnSequences'] = r() < 0.5;
  }
  if (type === 'timeDistributed') {
    config.layer = 'dense';
    config['layer.units'] = int(r, 1, 8);
  }
  return config;
}

const INPUTS: Array<(r: Rand) => { shape: number[]; dtype?: string }> = [
  (r) => ({ shape: [int(r, 6, 16), int(r, 6, 16), int(r, 1, 3)] }),
  (r) => ({ shape: [int(r, 4, 12), int(r, 1, 6)] }),
  (r) => ({ shape: [int(r, 2, 20)] }),
  (r) => ({ shape: [int(r, 4, 10)], dtype: 'int32' }),
  (r) => ({ shape: [int(r, 3, 6), int(r, 3, 6), int(r, 3, 6), 2] }),
];

/** A random valid architecture of about `size` layers (not counting inputs). */
export function randomArchitecture(seed: number, size = 8): Architecture {
  const r = seededRandom(seed);
  const arch: Architecture = { id: `rnd${seed}`, name: `random ${seed}`, description: '', layers: {}, edges: {}, createdAt: 0, updatedAt: 0 };
  let n = 0;
  const add = (type: string, config: Record<string, LayerConfigValue>, from: string[]): string => {
    const id = `L${n++}`;
    arch.layers[id] = { id, type, name: `${type}_${n}`, config, position: { x: n, y: n } } satisfies Layer;
    from.forEach((f, slot) => {
      const eid = `${f}-${id}-${slot}`;
      arch.edges[eid] = { id: eid, from: f, to: id, ...(from.length > 1 || LAYER_CATALOG[type]!.inputs === 'many' ? { slot } : {}) } satisfies LayerEdge;
    });
    return id;
  };
  const remove = (id: string) => {
    delete arch.layers[id];
    for (const e of Object.values(arch.edges)) if (e.to === id) delete arch.edges[e.id];
  };
  const inputCount = r() < 0.3 ? 2 : 1;
  const open: string[] = [];
  const firstKind = int(r, 0, INPUTS.length - 1);
  for (let i = 0; i < inputCount; i++) {
    const { shape, dtype } = INPUTS[i === 0 ? firstKind : int(r, 0, INPUTS.length - 1)]!(r);
    open.push(add('input', { shape, ...(dtype ? { dtype } : {}) }, []));
  }
  let added = 0;
  for (let attempt = 0; added < size && attempt < size * 40; attempt++) {
    const inference = inferArchitecture(arch);
    const shapes = Object.fromEntries(Object.entries(inference.layers).filter(([, l]) => l.outputShape).map(([id, l]) => [id, l.outputShape!]));
    const ids = Object.keys(shapes);
    let id: string;
    if (r() < 0.2 && ids.length > 1) {
      const a = pick(r, ids.slice(-6));
      const partners = ids.filter((b) => b !== a && shapes[b]!.length === shapes[a]!.length);
      if (partners.length === 0) continue;
      const type = pick(r, MERGES);
      const config: Record<string, LayerConfigValue> = type === 'concatenate' ? { axis: -1 } : type === 'dot' ? { axes: -1 } : {};
      id = add(type, config, [a, pick(r, partners)]);
    } else {
      const from = pick(r, open.length && r() < 0.7 ? open.slice(-2) : ids);
      const type = pick(r, SINGLE);
      if (type === 'input') continue;
      id = add(type, randomConfig(r, type, shapes[from]!), [from]);
    }
    const after = inferArchitecture(arch);
    const shape = after.layers[id]!.outputShape;
    if (after.problems.some((p) => p.code !== 'unused-input') || !shape || shape.some((d, i) => i > 0 && (d === null || d > 4096)) || after.totalParams > 2_000_000) {
      remove(id);
      n--;
      continue;
    }
    open.push(id);
    added++;
  }
  const unused = inferArchitecture(arch).problems.filter((p) => p.code === 'unused-input');
  for (const p of unused) remove(p.layerId!);
  return arch;
}
