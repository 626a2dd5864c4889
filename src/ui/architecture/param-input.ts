/**
 * Text ↔ value for the parameter controls that are typed as text: int tuples ("5, 5" or "5") and shapes
 * ("28, 28, 1", with `null` for a size that varies). Parsing never guesses: what it cannot read it says.
 */
import type { ParamSpec } from '../../model/architecture';
import type { LayerConfigValue } from '../../model/types';

export function valueToText(value: LayerConfigValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((v) => (v === null ? 'null' : String(v))).join(', ');
  return String(value);
}

/** The value typed into a text or number control, or a reason it is not one. */
export function parseParam(spec: ParamSpec, text: string): { value: LayerConfigValue } | { error: string } {
  const t = text.trim();
  if (t === '') return spec.optional || spec.default === null ? { value: null } : { error: `${spec.label} needs a value.` };
  switch (spec.kind) {
    case 'integer':
    case 'number': {
      const n = Number(t);
      return Number.isFinite(n) ? { value: n } : { error: `${spec.label} must be a number.` };
    }
    case 'ints':
    case 'shape': {
      const parts = t.replace(/^\[|\]$/g, '').split(/[\s,×x]+/).filter(Boolean);
      const values: Array<number | null> = [];
      for (const p of parts) {
        if (spec.kind === 'shape' && /^(null|none|\?)$/i.test(p)) values.push(null);
        else if (/^-?\d+$/.test(p)) values.push(Number(p));
        else return { error: `“${p}” is not a whole number${spec.kind === 'shape' ? ' (write null for a size that varies)' : ''}.` };
      }
      if (spec.kind === 'ints' && values.length === 1) return { value: values[0]! };
      return { value: values as number[] };
    }
    default:
      return { value: t };
  }
}

/** What a control shows as the hint under an int tuple or a shape. */
export function formatHint(spec: ParamSpec): string | undefined {
  if (spec.kind === 'ints') return spec.length && spec.length > 1 ? `${spec.length} whole numbers, or one for all` : undefined;
  if (spec.kind === 'shape') return 'Comma-separated sizes; null for one that varies';
  return undefined;
}
