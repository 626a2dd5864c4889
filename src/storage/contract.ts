import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArtifactStore } from './artifact-store';
import { StorageError } from './artifact-store';
import type { StorageErrorCode } from './artifact-store';

/** SHA-256 test vectors from FIPS 180-2, so the store's hashing is checked against outside truth. */
const VECTORS = {
  empty: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  abc: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  twoBlocks: '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  millionA: 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
};

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Deterministic, non-repeating-looking bytes: a constant buffer would hide offset bugs. */
function pattern(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Element-wise comparison; expect().toEqual on megabytes is slow and prints unreadable diffs. */
function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (!a || a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function expectCode(promise: Promise<unknown>, code: StorageErrorCode): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StorageError);
  expect((err as StorageError).code).toBe(code);
}

/**
 * The behaviour every ArtifactStore must share, run once per implementation so that code
 * written against the memory store in tests behaves the same on IndexedDB. `makeStore` is
 * called before every test and must return an empty store.
 */
export function runArtifactStoreContract(
  name: string,
  makeStore: () => Promise<{ store: ArtifactStore; cleanup?: () => Promise<void> }>,
): void {
  describe(`ArtifactStore contract: ${name}`, () => {
    let store: ArtifactStore;
    let cleanup: (() => Promise<void>) | undefined;

    beforeEach(async () => {
      ({ store, cleanup } = await makeStore());
    });
    afterEach(async () => {
      await cleanup?.();
    });

    describe('put and get', () => {
      it('round-trips bytes exactly', async () => {
        const bytes = pattern(1000);
        const { sha256, size } = await store.put(bytes);
        expect(size).toBe(1000);
        expect(sameBytes(await store.get(sha256), bytes)).toBe(true);
      });

      it('round-trips empty bytes', async () => {
        const { sha256, size } = await store.put(new Uint8Array(0));
        expect(sha256).toBe(VECTORS.empty);
        expect(size).toBe(0);
        const got = await store.get(sha256);
        expect(got).toBeInstanceOf(Uint8Array);
        expect(got?.byteLength).toBe(0);
      });

      it('round-trips a 5 MB buffer', async () => {
        const bytes = pattern(5 * 1024 * 1024 + 3, 7);
        const { sha256, size } = await store.put(bytes);
        expect(size).toBe(bytes.byteLength);
        expect(sameBytes(await store.get(sha256), bytes)).toBe(true);
      });

      it('stores a view by its own bytes, not its whole buffer', async () => {
        const buffer = text('xxabcxx');
        const { sha256, size } = await store.put(buffer.subarray(2, 5));
        expect(sha256).toBe(VECTORS.abc);
        expect(size).toBe(3);
        expect(sameBytes(await store.get(sha256), text('abc'))).toBe(true);
      });

      it('names bytes by their standard SHA-256', async () => {
        expect((await store.put(text('abc'))).sha256).toBe(VECTORS.abc);
        expect((await store.put(text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).sha256).toBe(
          VECTORS.twoBlocks,
        );
        expect((await store.put(new Uint8Array(1_000_000).fill(0x61))).sha256).toBe(VECTORS.millionA);
      });

      it('returns undefined for a hash it does not have', async () => {
        expect(await store.get(VECTORS.abc)).toBeUndefined();
      });

      it('stores the same bytes once', async () => {
        const first = await store.put(text('abc'), { mediaType: 'text/plain' });
        const second = await store.put(text('abc'), { mediaType: 'application/json' });
        expect(second).toEqual(first);
        expect(await store.list()).toHaveLength(1);
        expect(await store.usage()).toEqual({ count: 1, bytes: 3 });
        // The first put's metadata stands: a re-put is a no-op.
        expect((await store.stat(first.sha256))?.mediaType).toBe('text/plain');
      });

      it('stores the same bytes once when put concurrently', async () => {
        const results = await Promise.all([store.put(text('abc')), store.put(text('abc')), store.put(text('abc'))]);
        expect(new Set(results.map((r) => r.sha256)).size).toBe(1);
        expect(await store.usage()).toEqual({ count: 1, bytes: 3 });
      });
    });

    describe('aliasing', () => {
      it('is not changed by mutating the array that was put', async () => {
        const bytes = text('abc');
        const { sha256 } = await store.put(bytes);
        bytes[0] = 0x7a;
        expect(sameBytes(await store.get(sha256), text('abc'))).toBe(true);
      });

      it('is not changed by mutating the input while put is in flight', async () => {
        const bytes = text('abc');
        const pending = store.put(bytes);
        bytes[0] = 0x7a;
        const { sha256 } = await pending;
        expect(sha256).toBe(VECTORS.abc);
        expect(sameBytes(await store.get(sha256), text('abc'))).toBe(true);
      });

      it('is not changed by mutating an array that get returned', async () => {
        const { sha256 } = await store.put(text('abc'));
        const got = await store.get(sha256);
        expect(got).toBeDefined();
        got?.fill(0);
        expect(sameBytes(await store.get(sha256), text('abc'))).toBe(true);
      });
    });

    describe('has, stat, list and usage', () => {
      it('starts empty', async () => {
        expect(await store.list()).toEqual([]);
        expect(await store.usage()).toEqual({ count: 0, bytes: 0 });
        expect(await store.has(VECTORS.abc)).toBe(false);
        expect(await store.stat(VECTORS.abc)).toBeUndefined();
      });

      it('describes what was stored', async () => {
        const before = Date.now();
        const { sha256 } = await store.put(text('abc'), { mediaType: 'text/plain' });
        const after = Date.now();
        expect(await store.has(sha256)).toBe(true);
        const stat = await store.stat(sha256);
        expect(stat).toEqual({ sha256, size: 3, mediaType: 'text/plain', storedAt: expect.any(Number) });
        expect(stat?.storedAt).toBeGreaterThanOrEqual(before);
        expect(stat?.storedAt).toBeLessThanOrEqual(after);
      });

      it('gives bytes without a media type the generic one', async () => {
        const { sha256 } = await store.put(text('abc'));
        expect((await store.stat(sha256))?.mediaType).toBe('application/octet-stream');
      });

      it('lists every artifact, ordered by hash, and totals their sizes', async () => {
        const a = await store.put(text('abc'));
        const b = await store.put(pattern(100));
        const c = await store.put(new Uint8Array(0));
        const listed = await store.list();
        expect(listed.map((x) => x.sha256)).toEqual([a.sha256, b.sha256, c.sha256].sort());
        expect(listed.find((x) => x.sha256 === b.sha256)?.size).toBe(100);
        for (const entry of listed) expect(Object.keys(entry).sort()).toEqual(['mediaType', 'sha256', 'size', 'storedAt']);
        expect(await store.usage()).toEqual({ count: 3, bytes: 103 });
      });
    });

    describe('delete', () => {
      it('removes the artifact and only that one', async () => {
        const a = await store.put(text('abc'));
        const b = await store.put(pattern(10));
        await store.delete(a.sha256);
        expect(await store.has(a.sha256)).toBe(false);
        expect(await store.get(a.sha256)).toBeUndefined();
        expect(await store.stat(a.sha256)).toBeUndefined();
        expect(await store.has(b.sha256)).toBe(true);
        expect(await store.usage()).toEqual({ count: 1, bytes: 10 });
      });

      it('is a no-op for a hash it does not have', async () => {
        await store.put(text('abc'));
        await expect(store.delete(VECTORS.empty)).resolves.toBeUndefined();
        expect(await store.usage()).toEqual({ count: 1, bytes: 3 });
      });

      it('allows the same bytes to be stored again', async () => {
        const { sha256 } = await store.put(text('abc'));
        await store.delete(sha256);
        await store.put(text('abc'));
        expect(sameBytes(await store.get(sha256), text('abc'))).toBe(true);
      });
    });

    describe('putVerified', () => {
      it('accepts bytes that match their hash', async () => {
        const result = await store.putVerified(VECTORS.abc, text('abc'), { mediaType: 'text/plain' });
        expect(result).toEqual({ sha256: VECTORS.abc, size: 3 });
        expect(sameBytes(await store.get(VECTORS.abc), text('abc'))).toBe(true);
        expect((await store.stat(VECTORS.abc))?.mediaType).toBe('text/plain');
      });

      it('refuses bytes that do not match, storing nothing', async () => {
        await expectCode(store.putVerified(VECTORS.abc, text('abd')), 'hash-mismatch');
        expect(await store.has(VECTORS.abc)).toBe(false);
        expect(await store.list()).toEqual([]);
        expect(await store.usage()).toEqual({ count: 0, bytes: 0 });
      });

      it('is idempotent like put', async () => {
        await store.put(text('abc'));
        await store.putVerified(VECTORS.abc, text('abc'));
        expect(await store.usage()).toEqual({ count: 1, bytes: 3 });
      });
    });

    describe('invalid input', () => {
      const bad = ['', 'abc', VECTORS.abc.toUpperCase(), `${VECTORS.abc}0`, VECTORS.abc.slice(1), `${VECTORS.abc.slice(1)}g`];

      it('rejects malformed hashes everywhere a hash is taken', async () => {
        for (const hash of bad) {
          await expectCode(store.get(hash), 'invalid-input');
          await expectCode(store.has(hash), 'invalid-input');
          await expectCode(store.stat(hash), 'invalid-input');
          await expectCode(store.delete(hash), 'invalid-input');
          await expectCode(store.putVerified(hash, text('abc')), 'invalid-input');
        }
        await expectCode(store.get(undefined as unknown as string), 'invalid-input');
        expect(await store.list()).toEqual([]);
      });

      it('rejects bytes that are not a Uint8Array', async () => {
        await expectCode(store.put('abc' as unknown as Uint8Array), 'invalid-input');
        await expectCode(store.put(new ArrayBuffer(3) as unknown as Uint8Array), 'invalid-input');
        await expectCode(store.put(null as unknown as Uint8Array), 'invalid-input');
        expect(await store.list()).toEqual([]);
      });
    });
  });
}
