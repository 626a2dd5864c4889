/**
 * Every edit of an architecture as a pure function: it reads the project and returns a plan on
 * `['architectures', id, ...]`, or a refusal that says why (a loop, a layer that takes no more inputs, a value that
 * breaks its parameter's spec), so the editor can show the reason and nothing invalid is written.
 */
import { randomId } from '../../lib/ids';
import { wouldCreateCycle } from '../graph';
import { del, put, type Edit, type Plan, type PlanResult } from '../plan';
import { uniqueName } from '../project';
import type { Architecture, Id, Layer, LayerConfigValue, LayerEdge, Position, Project } from '../types';
import { kernelOf } from './catalog';
import { WRAPPED_PREFIX } from './catalog/wrappers';
import { checkParam, paramSpecsFor } from './config';
import { templateById } from './templates';

const gone = (what = 'architecture'): { refused: string } => ({ refused: `That ${what} no longer exists; someone may have deleted it.` });

const touch = (archId: Id, now: number): Edit[] => [put(['architectures', archId, 'updatedAt'], now), put(['updatedAt'], now)];

const item = (archId: Id) => `architectures/${archId}`;

/** Names tfjs accepts for layers (it builds weight names from them). */
const LAYER_NAME = /^[A-Za-z0-9][-A-Za-z0-9._/]*$/;

const title = (layer: Layer): string => kernelOf(layer.type)?.title ?? layer.type;

/** `conv2d_1`, `conv2d_2`, ...: the first free name for a layer of this type, as Keras numbers them. */
export function freshLayerName(arch: Architecture, type: string): string {
  const taken = new Set(Object.values(arch.layers).map((l) => l.name.toLowerCase()));
  for (let i = 1; ; i++) if (!taken.has(`${type}_${i}`.toLowerCase())) return `${type}_${i}`;
}

/** The catalog's defaults, written out so that the layer keeps meaning the same if a default ever changes. */
export function defaultConfig(type: string, overrides: Record<string, LayerConfigValue> = {}): Record<string, LayerConfigValue> {
  const config: Record<string, LayerConfigValue> = {};
  for (const p of paramSpecsFor({ type, config: overrides })) if (p.default !== null) config[p.key] = p.default;
  return { ...config, ...overrides };
}

export function addLayer(project: Project, archId: Id, type: string, position: Position, now: number, id: Id = randomId('l'), config: Record<string, LayerConfigValue> = {}): (Plan & { id: Id }) | { refused: string } {
  const arch = project.architectures[archId];
  if (!arch) return gone();
  const k = kernelOf(type);
  if (!k) return { refused: `There is no layer type "${type}" in the catalog.` };
  const layer: Layer = { id, type, name: freshLayerName(arch, type), config: defaultConfig(type, config), position: { x: Math.round(position.x), y: Math.round(position.y) } };
  return { id, message: `added layer ${k.title} to architecture ${arch.name}`, item: item(archId), edits: [put(['architectures', archId, 'layers', id], layer), ...touch(archId, now)] };
}

/** Remove layers together with every connection to or from them, so no edge is left dangling. */
export function removeLayers(project: Project, archId: Id, layerIds: Id[], now: number): PlanResult {
  const arch = project.architectures[archId];
  if (!arch) return gone();
  const ids = new Set(layerIds.filter((id) => arch.layers[id]));
  if (ids.size === 0) return { message: 'removed layers', edits: [] };
  const edges = Object.values(arch.edges).filter((e) => ids.has(e.from) || ids.has(e.to));
  return {
    message: ids.size === 1 ? `removed layer ${arch.layers[[...ids][0]!]!.name} from architecture ${arch.name}` : `removed ${ids.size} layers from architecture ${arch.name}`,
    item: item(archId),
    edits: [...edges.map((e) => del(['architectures', archId, 'edges', e.id])), ...[...ids].map((id) => del(['architectures', archId, 'layers', id])), ...touch(archId, now)],
  };
}

/** Why `from → to` cannot be added, or null; merge layers take any number of inputs, others one, Input none. */
export function whyNotConnect(arch: Architecture, from: Id, to: Id): string | null {
  const source = arch.layers[from];
  const target = arch.layers[to];
  if (!source || !target) return 'One end of that connection no longer exists.';
  if (from === to) return 'A layer cannot feed itself.';
  const k = kernelOf(target.type);
  if (k?.inputs === 0) return `${target.name} is an Input layer: data enters there, nothing can feed it.`;
  if (wouldCreateCycle(Object.values(arch.edges), from, to)) return `Connecting ${source.name} to ${target.name} would close a loop; data must flow one way.`;
  const incoming = Object.values(arch.edges).filter((e) => e.to === to);
  if (k?.inputs === 1 && incoming.length > 0) {
    const current = arch.layers[incoming[0]!.from]?.name ?? 'another layer';
    return `${title(target)} ${target.name} takes one input and already has one from ${current}. Remove that connection first, or join both with a merge layer (Add, Concatenate).`;
  }
  return null;
}

export function connect(project: Project, archId: Id, from: Id, to: Id, now: number, id: Id = randomId('e')): PlanResult {
  const arch = project.architectures[archId];
  if (!arch) return gone();
  const why = whyNotConnect(arch, from, to);
  if (why) return { refused: why };
  const edge: LayerEdge = { id, from, to };
  if (kernelOf(arch.layers[to]!.type)?.inputs === 'many') edge.slot = nextSlot(arch, to);
  return { message: `connected ${arch.layers[from]!.name} to ${arch.layers[to]!.name}`, item: item(archId), edits: [put(['architectures', archId, 'edges', id], edge), ...touch(archId, now)] };
}

function nextSlot(arch: Architecture, to: Id): number {
  return Object.values(arch.edges).filter((e) => e.to === to).reduce((max, e) => Math.max(max, (e.slot ?? 0) + 1), 0);
}

export function disconnect(project: Project, archId: Id, edgeIds: Id[], now: number): PlanResult {
  const arch = project.architectures[archId];
  if (!arch) return gone();
  const present = edgeIds.filter((id) => arch.edges[id]);
  if (present.length === 0) return { message: 'removed connections', edits: [] };
  return {
    message: present.length === 1 ? 'removed a connection' : `removed ${present.length} connections`,
    item: item(archId),
    edits: [...present.map((id) => del(['architectures', archId, 'edges', id])), ...touch(archId, now)],
  };
}

/**
 * Set one parameter (undefined resets it to the default); a value that breaks its spec is refused. Choosing another
 * wrapped layer for a wrapper replaces the wrapped layer's parameters with the new one's defaults.
 */
export function setLayerConfig(project: Project, archId: Id, layerId: Id, key: string, value: LayerConfigValue | undefined, now: number): PlanResult {
  const arch = project.architectures[archId];
  const layer = arch?.layers[layerId];
  if (!arch || !layer) return gone('layer');
  const spec = paramSpecsFor(layer).find((p) => p.key === key);
  if (!spec) return { refused: `${title(layer)} has no parameter ${key}.` };
  const path = ['architectures', archId, 'layers', layerId, 'config', key];
  if (value === undefined) {
    if (layer.config[key] === undefined) return { message: 'reset parameter', edits: [] };
    return { message: `reset ${spec.label} of ${layer.name} to its default`, item: item(archId), edits: [del(path), ...touch(archId, now)] };
  }
  const why = checkParam(spec, value);
  if (why) return { refused: why };
  if (JSON.stringify(layer.config[key]) === JSON.stringify(value)) return { message: 'set parameter', edits: [] };
  const edits: Edit[] = [put(path, value)];
  if (key === 'layer' && kernelOf(layer.type)?.params.some((p) => p.key === 'layer')) {
    for (const k of Object.keys(layer.config)) if (k.startsWith(WRAPPED_PREFIX)) edits.push(del(['architectures', archId, 'layers', layerId, 'config', k]));
    for (const [k, v] of Object.entries(defaultConfig(String(value)))) edits.push(put(['architectures', archId, 'layers', layerId, 'config', WRAPPED_PREFIX + k], v));
  }
  return { message: `set ${spec.label} of ${layer.name} to ${JSON.stringify(value)}`, item: item(archId), edits: [...edits, ...touch(archId, now)] };
}

export function renameLayer(project: Project, archId: Id, layerId: Id, name: string, now: number): PlanResult {
  const arch = project.architectures[archId];
  const layer = arch?.layers[layerId];
  if (!arch || !layer) return gone('layer');
  const n = name.trim();
  if (n === layer.name) return { message: 'renamed layer', edits: [] };
  if (!LAYER_NAME.test(n) || n.length > 100) return { refused: 'A layer name starts with a letter or digit and holds only letters, digits and - _ . / (tfjs names weights after it).' };
  if (Object.values(arch.layers).some((l) => l.id !== layerId && l.name.toLowerCase() === n.toLowerCase())) return { refused: `Another layer is already named ${n}; layer names must be unique.` };
  return { message: `renamed layer ${layer.name} to ${n}`, item: item(archId), edits: [put(['architectures', archId, 'layers', layerId, 'name'], n), ...touch(archId, now)] };
}

export function moveLayers(project: Project, archId: Id, positions: Record<Id, Position>): PlanResult {
  const arch = project.architectures[archId];
  if (!arch) return gone();
  const edits = Object.entries(positions)
    .filter(([id]) => arch.layers[id])
    .map(([id, p]) => put(['architectures', archId, 'layers', id, 'position'], { x: Math.round(p.x), y: Math.round(p.y) }));
  return { message: edits.length === 1 ? 'moved a layer' : `moved ${edits.length} layers`, item: item(archId), edits };
}

/** Put a new layer on a connection (`a → b` becomes `a → new → b`): how most fixes repair a shape. */
export function insertBetween(project: Project, archId: Id, edgeId: Id, type: string, now: number, config: Record<string, LayerConfigValue> = {}, id: Id = randomId('l')): (Plan & { id: Id }) | { refused: string } {
  const arch = project.architectures[archId];
  const edge = arch?.edges[edgeId];
  if (!arch || !edge) return gone('connection');
  const from = arch.layers[edge.from];
  const to = arch.layers[edge.to];
  if (!from || !to) return gone('layer');
  const k = kernelOf(type);
  if (!k || k.inputs !== 1) return { refused: `Only single-input layers can be put on a connection, not "${type}".` };
  const layer: Layer = {
    id, type, name: freshLayerName(arch, type), config: defaultConfig(type, config),
    position: { x: Math.round((from.position.x + to.position.x) / 2), y: Math.round((from.position.y + to.position.y) / 2) },
  };
  const a: LayerEdge = { id: `${id}_in`, from: edge.from, to: id };
  const b: LayerEdge = { id: `${id}_out`, from: id, to: edge.to, ...(edge.slot !== undefined ? { slot: edge.slot } : {}) };
  return {
    id,
    message: `inserted ${k.title} between ${from.name} and ${to.name}`,
    item: item(archId),
    edits: [
      del(['architectures', archId, 'edges', edgeId]),
      put(['architectures', archId, 'layers', id], layer),
      put(['architectures', archId, 'edges', a.id], a),
      put(['architectures', archId, 'edges', b.id], b),
      ...touch(archId, now),
    ],
  };
}

/** Add a whole architecture (from a template or an import) under a name no other architecture of the project has. */
export function addArchitecture(project: Project, arch: Pick<Architecture, 'id' | 'name' | 'description' | 'layers' | 'edges'>, now: number, origin = ''): Plan & { id: Id } {
  const name = uniqueName(arch.name, Object.values(project.architectures).map((a) => a.name));
  const added: Architecture = { id: arch.id, name, description: arch.description, layers: arch.layers, edges: arch.edges, createdAt: now, updatedAt: now };
  return { id: arch.id, item: item(arch.id), message: `added architecture ${name}${origin}`, edits: [put(['architectures', arch.id], added), put(['updatedAt'], now)] };
}

/** A new architecture made from a template. */
export function applyTemplate(project: Project, templateId: string, now: number, id: Id = randomId('ar')): (Plan & { id: Id }) | { refused: string } {
  const template = templateById(templateId);
  if (!template) return { refused: `There is no architecture template "${templateId}".` };
  return addArchitecture(project, { id, name: template.name, description: template.description, ...template.build(id) }, now, ` from the ${template.name} template`);
}
