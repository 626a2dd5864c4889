/** Plain data made ready for Automerge; kept apart from apply.ts so that it pulls no Automerge code into the first chunk. */

/** Automerge refuses `undefined`; optional fields that are unset are simply left out. */
export function storable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(storable);
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array) && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = storable(v);
    return out;
  }
  return value;
}
