/**
 * Copy and paste of layers, within an architecture and between architectures, tabs and projects: the clipboard
 * carries the layers and the connections among them as versioned JSON; pasting gives them new ids and free names.
 */
import { randomId } from '../../lib/ids';
import { addLayer } from '../../model/architecture';
import { applyPlanToObject, isRefusal, put, type Edit, type Plan } from '../../model/plan';
import type { Architecture, Id, Layer, LayerEdge, Position, Project } from '../../model/types';
import { preview } from './compose';

export const LAYER_CLIPBOARD_FORMAT = 'deepforge/layers';
export const LAYER_CLIPBOARD_VERSION = 1;

export interface LayerClipboard {
  format: typeof LAYER_CLIPBOARD_FORMAT;
  version: number;
  layers: Layer[];
  /** Only the connections whose both ends were copied. */
  edges: LayerEdge[];
}

export function copyLayers(arch: Architecture, layerIds: Id[]): LayerClipboard | undefined {
  const ids = new Set(layerIds.filter((id) => arch.layers[id]));
  if (ids.size === 0) return undefined;
  return {
    format: LAYER_CLIPBOARD_FORMAT,
    version: LAYER_CLIPBOARD_VERSION,
    layers: [...ids].map((id) => structuredClone(arch.layers[id]!)),
    edges: Object.values(arch.edges).filter((e) => ids.has(e.from) && ids.has(e.to)).map((e) => structuredClone(e)),
  };
}

/** Read clipboard text; anything else (plain text, pipeline nodes, another app's JSON) is not layers. */
export function parseLayerClipboard(text: string): LayerClipboard | undefined {
  try {
    const value = JSON.parse(text) as Partial<LayerClipboard>;
    if (value.format !== LAYER_CLIPBOARD_FORMAT || value.version !== LAYER_CLIPBOARD_VERSION || !Array.isArray(value.layers) || !Array.isArray(value.edges)) return undefined;
    return value as LayerClipboard;
  } catch {
    return undefined;
  }
}

/** Paste as new layers moved by `offset`, each named like a new layer of its type; one plan. */
export function pasteLayers(project: Project, archId: Id, clip: LayerClipboard, offset: Position, now: number): (Plan & { layerIds: Id[] }) | { refused: string } {
  const arch = project.architectures[archId];
  if (!arch) return { refused: 'That architecture no longer exists; someone may have deleted it.' };
  // Each layer is added to a draft, so the next one sees its name as taken.
  const draft = preview(project, archId, { message: '', edits: [] });
  const ids = new Map<Id, Id>();
  const edits: Edit[] = [];
  const skipped: string[] = [];
  for (const layer of clip.layers) {
    const id = randomId('l');
    const at = { x: layer.position.x + offset.x, y: layer.position.y + offset.y };
    const plan = addLayer(draft, archId, layer.type, at, now, id, layer.config);
    if (isRefusal(plan)) {
      skipped.push(layer.name);
      continue;
    }
    applyPlanToObject(draft, plan);
    ids.set(layer.id, id);
    edits.push(...plan.edits.filter((e) => e.path[2] === 'layers'));
  }
  if (ids.size === 0) return { refused: `Nothing to paste: ${skipped.join(', ')} ${skipped.length === 1 ? 'is not a layer type' : 'are not layer types'} this editor knows.` };
  for (const e of clip.edges) {
    const from = ids.get(e.from);
    const to = ids.get(e.to);
    if (!from || !to) continue;
    const edge: LayerEdge = { id: randomId('e'), from, to, ...(e.slot !== undefined ? { slot: e.slot } : {}) };
    edits.push(put(['architectures', archId, 'edges', edge.id], edge));
  }
  edits.push(put(['architectures', archId, 'updatedAt'], now), put(['updatedAt'], now));
  const n = ids.size;
  return { layerIds: [...ids.values()], message: `pasted ${n} layer${n === 1 ? '' : 's'} into architecture ${arch.name}`, item: `architectures/${archId}`, edits };
}
