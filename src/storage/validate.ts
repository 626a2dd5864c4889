import { StorageError } from './artifact-store';
import { sha256Hex } from './sha256';
import type { PutInfo } from './artifact-store';

const SHA256_HEX = /^[0-9a-f]{64}$/;

export const DEFAULT_MEDIA_TYPE = 'application/octet-stream';

/**
 * Only the canonical form (64 lowercase hex) is accepted: it is the key, and accepting
 * uppercase in one place but not another would make the same artifact look missing.
 */
export function assertSha256(sha256: unknown): asserts sha256 is string {
  if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) {
    const shown = typeof sha256 === 'string' ? JSON.stringify(sha256.slice(0, 80)) : typeof sha256;
    throw new StorageError('invalid-input', { detail: `not a SHA-256 hex digest: ${shown}` });
  }
}

/**
 * A private copy of the caller's bytes, taken before hashing so that a caller mutating its
 * array while the hash is computed cannot store bytes that differ from their name.
 * `new Uint8Array(x)` always copies, unlike Buffer#slice, which shares memory.
 */
export function copyInput(bytes: unknown): Uint8Array<ArrayBuffer> {
  if (!(bytes instanceof Uint8Array)) {
    throw new StorageError('invalid-input', { detail: 'bytes must be a Uint8Array' });
  }
  return new Uint8Array(bytes);
}

export function mediaTypeOf(info: PutInfo | undefined): string {
  const mediaType = info?.mediaType;
  if (mediaType === undefined || mediaType === '') return DEFAULT_MEDIA_TYPE;
  if (typeof mediaType !== 'string') {
    throw new StorageError('invalid-input', { detail: 'mediaType must be a string' });
  }
  return mediaType;
}

/** Names the two hashes in a mismatch by their first characters, enough to tell them apart in a report. */
export function mismatch(claimed: string, actual: string): StorageError {
  return new StorageError('hash-mismatch', { detail: `expected ${claimed.slice(0, 12)}…, got ${actual.slice(0, 12)}…` });
}

/**
 * What every store does before storing: check the input, take a private copy, and name it by its hash. With
 * `claimed` (bytes that arrive under a name, e.g. from a peer), a name that does not match is refused.
 */
export async function named(bytes: unknown, info: PutInfo | undefined, claimed?: string): Promise<{ sha256: string; bytes: Uint8Array<ArrayBuffer>; mediaType: string }> {
  if (claimed !== undefined) assertSha256(claimed);
  const mediaType = mediaTypeOf(info);
  const copy = copyInput(bytes);
  const sha256 = await sha256Hex(copy);
  if (claimed !== undefined && sha256 !== claimed) throw mismatch(claimed, sha256);
  return { sha256, bytes: copy, mediaType };
}
