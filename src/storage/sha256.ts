/**
 * SHA-256 of `bytes` as 64 lowercase hex characters: the name every artifact is stored under.
 * Web Crypto rather than a JS implementation so hashing a multi-gigabyte weight file stays
 * native-speed, and so the same code runs in browsers, workers and Node 20+.
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  // digest() wants a BufferSource backed by an ArrayBuffer; a view over a SharedArrayBuffer
  // (possible with cross-origin isolation) is not one, so such input is copied first.
  const input = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', input));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}
