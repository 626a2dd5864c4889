const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * A short random id (about 62 bits) for things people create: nodes, edges, layers, items.
 * Random rather than sequential so that two peers creating things offline never collide.
 */
export function randomId(prefix = ''): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return prefix ? `${prefix}_${out}` : out;
}
