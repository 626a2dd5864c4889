/**
 * The architecture document and its inference as Svelte Flow nodes and edges. The document is the only truth: the
 * canvas is rebuilt from it after every local or remote change, and only what the canvas owns for a moment (a layer
 * being dragged, its measured size) is carried over from the previous build.
 */
import type { Edge, Node } from '@xyflow/svelte';
import { layerType, WRAPPED_PREFIX, type Inference, type LayerCategory } from '../../model/architecture';
import type { Architecture, Id, Layer, LayerConfigValue } from '../../model/types';
import { mergeEdges as mergeFlowEdges, mergeNodes as mergeFlowNodes } from '../graph/flow-merge';
import { formatShape, keyConfig } from './format';

export interface LayerData extends Record<string, unknown> {
  /** The layer's name in the document (`conv2d_1`); also the node's accessible name. */
  name: string;
  /** The catalog's title (`Conv2D`), or the original class of a layer the catalog does not know. */
  title: string;
  category: LayerCategory | 'Unknown';
  doc: string;
  /** A few config values worth a glance: "6 · 5×5 · valid". */
  summary: string;
  /** The output shape as tfjs prints it, or `?` when it cannot be known. */
  shape: string;
  params: number;
  errors: string[];
  /** 0 for an Input (no handle on top), 1, or 'many' for merge layers. */
  arity: 0 | 1 | 'many';
}

export interface ShapeData extends Record<string, unknown> {
  /** The tensor shape flowing along the connection. */
  shape: string;
  /** Which input of a merge layer this is (1-based), shown when the order matters. */
  slot?: number;
  /** The connection jumps over layers (a skip connection): drawn around them rather than through them. */
  skip?: boolean;
  problem?: string;
}

export type LayerNode = Node<LayerData, 'layer'>;
export type ShapeEdge = Edge<ShapeData, 'shape'>;

/** A card colour per catalog section, readable on both themes. */
export const CATEGORY_COLORS: Record<LayerCategory | 'Unknown', string> = {
  Input: '#6366f1',
  Core: '#0ea5e9',
  Convolution: '#8b5cf6',
  Pooling: '#14b8a6',
  Normalization: '#eab308',
  Recurrent: '#f97316',
  Merge: '#ec4899',
  Activation: '#10b981',
  Noise: '#94a3b8',
  Unknown: '#ef4444',
};

/** The class name an imported layer of an unknown type came with (kept in its config). */
function unknownClass(layer: Layer): string {
  return typeof layer.config.className === 'string' ? layer.config.className : layer.type;
}

/** The card's summary; a wrapper shows what it wraps and that layer's key values: "LSTM · 64 · sequences". */
export function layerSummary(layer: Pick<Layer, 'type' | 'config'>): string {
  const wrapped = layer.config.layer;
  if (typeof wrapped === 'string' && (layer.type === 'bidirectional' || layer.type === 'timeDistributed')) {
    const inner: Record<string, LayerConfigValue> = {};
    for (const [k, v] of Object.entries(layer.config)) if (k.startsWith(WRAPPED_PREFIX)) inner[k.slice(WRAPPED_PREFIX.length)] = v;
    const title = layerType(wrapped)?.title ?? wrapped;
    return [title, keyConfig(inner, 2)].filter(Boolean).join(' · ');
  }
  return keyConfig(layer.config);
}

export function layerTitle(layer: Layer): string {
  return layerType(layer.type)?.title ?? unknownClass(layer);
}

/** One Svelte Flow node per layer, in a stable order, with the selection applied. */
export function toFlowNodes(arch: Architecture, inference: Inference, selected: ReadonlySet<Id>): LayerNode[] {
  return Object.values(arch.layers)
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((layer) => {
      const type = layerType(layer.type);
      const info = inference.layers[layer.id];
      const data: LayerData = {
        name: layer.name,
        title: layerTitle(layer),
        category: type?.category ?? 'Unknown',
        doc: type?.doc ?? `${unknownClass(layer)} is not in the layer catalog; replace it with a layer that is.`,
        summary: layerSummary(layer),
        shape: formatShape(info?.outputShape),
        params: info?.params ?? 0,
        errors: (info?.errors ?? []).map((p) => p.message),
        arity: type?.inputs ?? 1,
      };
      return {
        id: layer.id,
        type: 'layer',
        position: { x: layer.position.x, y: layer.position.y },
        data,
        ariaLabel: layer.name,
        selected: selected.has(layer.id),
      } satisfies LayerNode;
    });
}

/**
 * The connections that can be drawn, each labelled with the shape it carries. A connection whose layer is gone has
 * nothing to attach to: it is left out and listed in `broken` so the editor can offer to remove it.
 */
export function toFlowEdges(arch: Architecture, inference: Inference, selected: ReadonlySet<Id>): { edges: ShapeEdge[]; broken: Id[] } {
  const edges: ShapeEdge[] = [];
  const broken: Id[] = [];
  const inputsOf = new Map<Id, number>();
  for (const e of Object.values(arch.edges)) inputsOf.set(e.to, (inputsOf.get(e.to) ?? 0) + 1);
  const depth = depths(arch, inference.order);
  for (const e of Object.values(arch.edges).sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const from = arch.layers[e.from];
    const to = arch.layers[e.to];
    if (!from || !to) {
      broken.push(e.id);
      continue;
    }
    const info = inference.edges[e.id];
    const shape = formatShape(info?.shape);
    const problem = info?.error?.message;
    const ordered = layerType(to.type)?.inputs === 'many' && (inputsOf.get(to.id) ?? 0) > 1;
    const slot = ordered ? slotNumber(arch, e.id) : undefined;
    const label = `${from.name} to ${to.name}${slot ? ` (input ${slot})` : ''}: ${shape}`;
    const skip = (depth.get(e.to) ?? 0) - (depth.get(e.from) ?? 0) > 1;
    edges.push({
      id: e.id,
      type: 'shape',
      source: e.from,
      target: e.to,
      data: { shape, ...(slot ? { slot } : {}), ...(skip ? { skip } : {}), ...(problem ? { problem } : {}) },
      class: problem ? 'problem' : undefined,
      ariaLabel: problem ? `${label}: ${problem}` : label,
      selected: selected.has(e.id),
    });
  }
  return { edges, broken };
}

/** How far each layer is from the inputs (the longest path to it), along the topological order. */
function depths(arch: Architecture, order: Id[]): Map<Id, number> {
  const incoming = new Map<Id, Id[]>();
  for (const e of Object.values(arch.edges)) incoming.set(e.to, [...(incoming.get(e.to) ?? []), e.from]);
  const depth = new Map<Id, number>();
  for (const id of order) depth.set(id, Math.max(-1, ...(incoming.get(id) ?? []).map((from) => depth.get(from) ?? 0)) + 1);
  return depth;
}

/** The 1-based position of an edge among the inputs of its target, in slot order (ties broken by id). */
export function slotNumber(arch: Architecture, edgeId: Id): number {
  const edge = arch.edges[edgeId]!;
  const siblings = Object.values(arch.edges)
    .filter((e) => e.to === edge.to)
    .sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0) || (a.id < b.id ? -1 : 1));
  return siblings.findIndex((e) => e.id === edgeId) + 1;
}

/** Merge a fresh build into what the canvas shows (see ../graph/flow-merge.ts); a changed layer keeps its measured size. */
export function mergeNodes(next: LayerNode[], previous: LayerNode[], held: ReadonlySet<Id>): LayerNode[] {
  return mergeFlowNodes(next, previous, held, () => true);
}

export function mergeEdges(next: ShapeEdge[], previous: ShapeEdge[]): ShapeEdge[] {
  return mergeFlowEdges(next, previous, (old, e) => JSON.stringify(old.data) === JSON.stringify(e.data));
}
