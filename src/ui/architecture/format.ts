/**
 * How the architecture editor writes numbers and shapes: tensor shapes as tfjs prints them, parameter counts with
 * thousands separators, the one-line summary, and the few config values worth showing on a layer's card.
 */
import { formatCount } from '../../lib/format';
import type { LayerConfigValue } from '../../model/types';

type Dim = number | null;

/** `[null, 26, 26, 32]`: the batch dimension (and any unknown one) as `null`, the way tfjs and Keras print it. */
export function formatShape(shape: readonly Dim[] | undefined): string {
  if (!shape) return '?';
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
}

/** The exact text of the editor's status line, e.g. `Total params: 1,199,882 · 0 errors`. */
export function summaryText(totalParams: number, errors: number): string {
  return `Total params: ${formatCount(totalParams)} · ${errors} error${errors === 1 ? '' : 's'}`;
}

/** `1 error`, `3 errors`. */
export function countText(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/** A compact parameter count for a card: 1,199,882 → `1.2M`, 3,136 → `3.1K`, 84 → `84`. */
export function shortCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${trim(n / 1000)}K`;
  return `${trim(n / 1_000_000)}M`;
}

const trim = (v: number) => (v >= 100 ? String(Math.round(v)) : v.toFixed(1).replace(/\.0$/, ''));

/**
 * The config keys that say most about a layer, in the order a card shows them ("128 · relu", "6 · 5×5 · valid"):
 * sizes first, then the kernel and pooling windows, then what shapes them (padding, activation, rates).
 */
const KEY_PARAMS = [
  'layer',
  'units',
  'filters',
  'inputDim',
  'outputDim',
  'kernelSize',
  'poolSize',
  'size',
  'cropping',
  'padding',
  'strides',
  'targetShape',
  'dims',
  'n',
  'axis',
  'axes',
  'rate',
  'stddev',
  'alpha',
  'theta',
  'maxValue',
  'activation',
  'returnSequences',
  'mergeMode',
] as const;

function showValue(key: string, value: LayerConfigValue): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'boolean') {
    if (key === 'returnSequences') return value ? 'sequences' : undefined;
    return undefined;
  }
  if (Array.isArray(value)) {
    const sizes = key === 'kernelSize' || key === 'poolSize' || key === 'size' || key === 'strides';
    if (sizes && value.every((v) => v === value[0])) {
      if (key === 'strides' && value[0] === 1) return undefined;
      return value.map(String).join('×');
    }
    return sizes ? value.map(String).join('×') : `[${value.map((v) => (v === null ? 'null' : String(v))).join(', ')}]`;
  }
  if (key === 'activation' && value === 'linear') return undefined;
  if (key === 'padding') return value === 'valid' ? undefined : String(value);
  if (key === 'strides') return value === 1 ? undefined : `stride ${value}`;
  if (key === 'rate' || key === 'stddev' || key === 'alpha' || key === 'theta' || key === 'maxValue') return `${key === 'rate' ? 'rate ' : ''}${value}`;
  return String(value);
}

/** The few config values a layer's card shows under its name, joined with ` · `; empty when none says much. */
export function keyConfig(config: Readonly<Record<string, LayerConfigValue>>, max = 3): string {
  const parts: string[] = [];
  for (const key of KEY_PARAMS) {
    if (!(key in config)) continue;
    const text = showValue(key, config[key]!);
    if (text) parts.push(text);
    if (parts.length === max) break;
  }
  return parts.join(' · ');
}
