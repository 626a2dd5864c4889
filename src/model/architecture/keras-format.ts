/**
 * The saved format, kept apart from our layer configs (as tfjs-layers keeps `keras_format/`): snake_case ↔ camelCase,
 * initializer and regularizer objects ↔ the flat names our configs hold, and the tuple shapes Keras writes.
 */
import type { LayerConfigValue } from '../types';

/** tfjs's `toSnakeCase`: `kernelSize` → `kernel_size`, `glorotUniform` → `glorot_uniform`. */
export function toSnake(name: string): string {
  const s = name.replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  return s.startsWith('_') ? `private${s}` : s;
}

/** tfjs's `toCamelCase`: `kernel_size` → `kernelSize`. */
export function toCamel(name: string): string {
  return name.length <= 1 || !name.includes('_') ? name : name.replace(/[_]+(\w|$)/g, (_, c: string) => c.toUpperCase());
}

export const INITIALIZER_CLASSES: Record<string, string> = {
  glorotUniform: 'GlorotUniform', glorotNormal: 'GlorotNormal', heUniform: 'HeUniform', heNormal: 'HeNormal',
  leCunUniform: 'LeCunUniform', leCunNormal: 'LeCunNormal', randomUniform: 'RandomUniform', randomNormal: 'RandomNormal',
  truncatedNormal: 'TruncatedNormal', orthogonal: 'Orthogonal', zeros: 'Zeros', ones: 'Ones',
};
const SEEDED = new Set(['glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'leCunUniform', 'leCunNormal', 'randomUniform', 'randomNormal', 'truncatedNormal', 'orthogonal']);

export interface KerasObject {
  class_name: string;
  config: Record<string, unknown>;
}

export function initializerToKeras(name: string, seed: number | null): KerasObject {
  return { class_name: INITIALIZER_CLASSES[name] ?? name, config: SEEDED.has(name) ? { seed } : {} };
}

/** The name our configs use for a saved initializer; VarianceScaling (Keras 2.0–2.2's form of glorot/he/lecun) is matched by its settings. */
export function initializerFromKeras(value: unknown): string | null {
  if (typeof value === 'string') return toCamel(value);
  if (!value || typeof value !== 'object') return null;
  const obj = value as { class_name?: unknown; config?: Record<string, unknown> };
  const cls = String(obj.class_name ?? '');
  if (cls === 'VarianceScaling') {
    const c = obj.config ?? {};
    const mode = toCamel(String(c.mode ?? 'fan_in'));
    const dist = toCamel(String(c.distribution ?? 'normal'));
    const family = c.scale === 2 && mode === 'fanIn' ? 'he' : c.scale === 1 && mode === 'fanAvg' ? 'glorot' : c.scale === 1 && mode === 'fanIn' ? 'leCun' : null;
    if (!family) return null;
    return `${family}${dist === 'uniform' ? 'Uniform' : 'Normal'}`;
  }
  const found = Object.entries(INITIALIZER_CLASSES).find(([, k]) => k === cls || toSnake(k) === cls);
  return found ? found[0] : null;
}

export const REGULARIZER_FACTOR = 0.01;

export function regularizerToKeras(name: LayerConfigValue): KerasObject | null {
  if (name === null) return null;
  const f = REGULARIZER_FACTOR;
  return { class_name: 'L1L2', config: { l1: name === 'l1' || name === 'l1l2' ? f : 0, l2: name === 'l2' || name === 'l1l2' ? f : 0 } };
}

/** `l1`, `l2`, `l1l2` or null, and whether the factor differs from the one our configs assume. */
export function regularizerFromKeras(value: unknown): { name: string | null; exact: boolean } {
  if (value === null || value === undefined) return { name: null, exact: true };
  if (typeof value === 'string') return { name: toCamel(value).toLowerCase(), exact: true };
  const obj = value as { class_name?: unknown; config?: Record<string, unknown> };
  const l1 = Number(obj.config?.l1 ?? 0);
  const l2 = Number(obj.config?.l2 ?? 0);
  const name = l1 && l2 ? 'l1l2' : l1 ? 'l1' : l2 ? 'l2' : null;
  // Keras stores the factor as float32 (0.009999999776482582).
  const close = (x: number) => x === 0 || Math.abs(x - REGULARIZER_FACTOR) < 1e-7;
  return { name, exact: close(l1) && close(l2) };
}

/** Keras writes cropping and zero padding as ((top, bottom), (left, right)); our configs hold [top, bottom, left, right]. */
export function sidesToKeras(v: LayerConfigValue): number[][] {
  if (typeof v === 'number') return [[v, v], [v, v]];
  const a = v as number[];
  if (a.length === 1) return [[a[0]!, a[0]!], [a[0]!, a[0]!]];
  return a.length === 2 ? [[a[0]!, a[0]!], [a[1]!, a[1]!]] : [[a[0]!, a[1]!], [a[2]!, a[3]!]];
}

export function sidesFromKeras(v: unknown): number[] | null {
  if (typeof v === 'number') return [v, v, v, v];
  if (!Array.isArray(v) || v.length !== 2) return null;
  const [h, w] = v as unknown[];
  if (typeof h === 'number' && typeof w === 'number') return [h, h, w, w];
  if (Array.isArray(h) && Array.isArray(w)) return [Number(h[0]), Number(h[1]), Number(w[0]), Number(w[1])];
  return null;
}
