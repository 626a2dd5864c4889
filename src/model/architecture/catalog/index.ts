/**
 * The layer catalog: every layer type the editor offers, keyed by its tfjs factory name. Built once from the
 * category modules; a duplicate type is a programming error and fails at load, like tfjs's class registry.
 */
import type { LayerCategory, LayerType } from '../spec';
import { LAYER_CATEGORIES } from '../spec';
import { CONVOLUTION } from './convolution';
import { CORE } from './core';
import type { LayerKernel } from './define';
import { MERGE } from './merge';
import { ACTIVATION, NOISE, NORMALIZATION } from './misc';
import { POOLING } from './pooling';
import { RECURRENT } from './recurrent';
import { wrappers } from './wrappers';

const KERNELS: Record<string, LayerKernel> = {};
for (const k of [...CORE, ...CONVOLUTION, ...POOLING, ...NORMALIZATION, ...RECURRENT, ...wrappers((t) => kernelOf(t)), ...MERGE, ...ACTIVATION, ...NOISE]) {
  if (KERNELS[k.type]) throw new Error(`Layer type "${k.type}" is declared twice in the catalog.`);
  KERNELS[k.type] = k;
}

/** Every layer type by its key (`conv2d`), with its parameters and documentation. */
export const LAYER_CATALOG: Readonly<Record<string, LayerType>> = KERNELS;

/** The catalog entry with its inference functions; undefined for a type the catalog does not know. */
export function kernelOf(type: string): LayerKernel | undefined {
  return Object.hasOwn(KERNELS, type) ? KERNELS[type] : undefined;
}

export function layerType(type: string): LayerType | undefined {
  return kernelOf(type);
}

/** The palette's sections, in a fixed order, each sorted by title. */
export function catalogByCategory(): Array<{ category: LayerCategory; layers: LayerType[] }> {
  return LAYER_CATEGORIES.map((category) => ({
    category,
    layers: Object.values(KERNELS).filter((k) => k.category === category).sort((a, b) => a.title.localeCompare(b.title)),
  })).filter((c) => c.layers.length > 0);
}

/** Layers whose title, type, category or documentation contain every word of the query; title matches first. */
export function searchCatalog(query: string): LayerType[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const all = Object.values(KERNELS);
  if (words.length === 0) return all;
  const score = (k: LayerType): number => {
    const title = `${k.title} ${k.type}`.toLowerCase();
    const text = `${title} ${k.category} ${k.keras} ${k.doc}`.toLowerCase();
    if (!words.every((w) => text.includes(w))) return 0;
    return words.every((w) => title.includes(w)) ? (title.startsWith(words[0]!) ? 3 : 2) : 1;
  };
  return all
    .map((k) => ({ k, s: score(k) }))
    .filter((x) => x.s > 0)
    .sort((a, b) => b.s - a.s || a.k.title.localeCompare(b.k.title))
    .map((x) => x.k);
}
