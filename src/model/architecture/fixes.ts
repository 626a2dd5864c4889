/**
 * One-click fixes: what inference suggests, as plans computed from the project at the moment of the click (so a
 * fix offered a while ago still applies to the current state, or is refused with a reason).
 */
import { randomId } from '../../lib/ids';
import { put } from '../plan';
import type { Architecture, Id, Layer, LayerConfigValue, LayerEdge } from '../types';
import { kernelOf } from './catalog';
import type { Remedy } from './catalog/define';
import { WRAPPED_PREFIX } from './catalog/wrappers';
import { paramSpecsFor } from './config';
import { defaultConfig, disconnect, freshLayerName, insertBetween, removeLayers, setLayerConfig } from './edits';
import { ROW } from './layout';
import type { Fix } from './spec';

export function removeEdgeFix(archId: Id, edgeId: Id, label = 'Remove this connection'): Fix {
  return { label, plan: (project, now) => disconnect(project, archId, [edgeId], now) };
}

export function removeLayerFix(archId: Id, layerId: Id): Fix {
  return { label: 'Remove this layer', plan: (project, now) => removeLayers(project, archId, [layerId], now) };
}

export function setFix(archId: Id, layerId: Id, key: string, value: LayerConfigValue | undefined, label: string): Fix {
  return { label, plan: (project, now) => setLayerConfig(project, archId, layerId, key, value, now) };
}

/** Add an Input layer above a layer that has no input, and connect it; the user then sets its shape. */
export function addInputFix(archId: Id, layerId: Id): Fix {
  return {
    label: 'Add an Input layer',
    plan(project, now) {
      const arch = project.architectures[archId];
      const layer = arch?.layers[layerId];
      if (!arch || !layer) return { refused: 'That layer no longer exists; someone may have deleted it.' };
      if (Object.values(arch.edges).some((e) => e.to === layerId)) return { refused: `${layer.name} already has an input.` };
      const input: Layer = { id: randomId('l'), type: 'input', name: freshLayerName(arch, 'input'), config: defaultConfig('input'), position: { x: layer.position.x, y: layer.position.y - ROW } };
      const edge: LayerEdge = { id: randomId('e'), from: input.id, to: layerId, ...(kernelOf(layer.type)?.inputs === 'many' ? { slot: 0 } : {}) };
      return {
        message: `added an Input layer to ${layer.name}`,
        item: `architectures/${archId}`,
        edits: [put(['architectures', archId, 'layers', input.id], input), put(['architectures', archId, 'edges', edge.id], edge), put(['architectures', archId, 'updatedAt'], now), put(['updatedAt'], now)],
      };
    },
  };
}

/** The fixes a kernel's remedies stand for, on the layer `layerId` whose first input arrives over `inEdge`. */
export function remedyFixes(arch: Architecture, layerId: Id, inEdge: Id | undefined, remedies: Remedy[]): Fix[] {
  const fixes: Fix[] = [];
  for (const r of remedies) {
    if (r.kind === 'set') fixes.push(setFix(arch.id, layerId, r.key, r.value, r.label));
    else if (r.kind === 'insert-before' && inEdge) {
      const edgeId = inEdge;
      fixes.push({ label: r.label, plan: (project, now) => insertBetween(project, arch.id, edgeId, r.type, now, r.config) });
    } else if (r.kind === 'set-source' && inEdge) {
      const source = arch.layers[arch.edges[inEdge]?.from ?? ''];
      if (!source || !kernelOf(source.type)) continue;
      const key = paramSpecsFor(source).find((p) => p.key === r.key || p.key === WRAPPED_PREFIX + r.key)?.key;
      if (key) fixes.push(setFix(arch.id, source.id, key, r.value, r.label.replace('the previous layer', source.name)));
    }
  }
  return fixes;
}
