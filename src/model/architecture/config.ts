/**
 * Reading and checking a layer's config against the catalog: the parameters a layer shows (a wrapper's own plus its
 * wrapped layer's, prefixed), a value with its default applied, and why a value does not fit its spec.
 */
import type { Layer, LayerConfigValue } from '../types';
import { kernelOf } from './catalog';
import { wrappedParams } from './catalog/wrappers';
import type { ParamSpec } from './spec';

/** The parameters the inspector shows for this layer, in order; a wrapper's list follows its chosen inner layer. */
export function paramSpecsFor(layer: Pick<Layer, 'type' | 'config'>): ParamSpec[] {
  const k = kernelOf(layer.type);
  if (!k) return [];
  if (layer.type !== 'bidirectional' && layer.type !== 'timeDistributed') return [...k.params];
  const innerType = layer.config.layer ?? k.params.find((p) => p.key === 'layer')?.default;
  return wrappedParams(k.params, typeof innerType === 'string' ? kernelOf(innerType) : undefined);
}

/** The value the layer uses for `key`: its own, or the catalog default. */
export function configValue(layer: Pick<Layer, 'type' | 'config'>, key: string): LayerConfigValue | undefined {
  if (layer.config[key] !== undefined) return layer.config[key];
  return paramSpecsFor(layer).find((p) => p.key === key)?.default;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function bounds(spec: ParamSpec, v: number): string | null {
  if (spec.min !== undefined && v < spec.min) return `${spec.label} must be at least ${spec.min}.`;
  if (spec.max !== undefined && v > spec.max) return `${spec.label} must be at most ${spec.max}.`;
  return null;
}

/** Why `value` does not fit `spec` (in words for the user), or null when it does. */
export function checkParam(spec: ParamSpec, value: LayerConfigValue): string | null {
  if (value === null) return spec.optional || spec.default === null ? null : `${spec.label} needs a value.`;
  switch (spec.kind) {
    case 'integer':
      return isInt(value) ? bounds(spec, value) : `${spec.label} must be a whole number.`;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? bounds(spec, value) : `${spec.label} must be a number.`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `${spec.label} must be true or false.`;
    case 'enum':
      return typeof value === 'string' && spec.options?.includes(value) ? null : `${spec.label} must be one of ${(spec.options ?? []).join(', ')}.`;
    case 'string':
      return typeof value === 'string' ? null : `${spec.label} must be text.`;
    case 'ints': {
      if (isInt(value)) return bounds(spec, value);
      const n = spec.length;
      if (!Array.isArray(value) || value.length === 0 || !value.every(isInt)) return `${spec.label} must be ${n ? `one whole number or ${n}` : 'a list of whole numbers'}.`;
      if (n && value.length !== n && value.length !== 1) return `${spec.label} needs ${n} numbers (or one for all), got ${value.length}.`;
      for (const v of value) {
        const why = bounds(spec, v);
        if (why) return why;
      }
      return null;
    }
    case 'shape': {
      if (!Array.isArray(value) || !value.every((v) => v === null || isInt(v))) return `${spec.label} must be a list of whole numbers (null for a size that varies), e.g. [28, 28, 1].`;
      for (const v of value) {
        const why = v === null ? null : bounds(spec, v);
        if (why) return why;
      }
      return null;
    }
  }
}
