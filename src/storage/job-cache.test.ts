import Dexie from 'dexie';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DexieJobCache, MemoryJobCache, type JobCache, type JobCacheEntry } from './job-cache';

const entry = (key: string, sha = 'a'.repeat(64)): JobCacheEntry => ({
  key,
  outputs: { model: { sha256: sha, mediaType: 'application/zip', dataType: 'model', size: 10 } },
  executionId: 'ex1',
  jobId: 'train',
  metrics: { loss: 0.25 },
  storedAt: 1,
});

/** The behaviour every JobCache shares, run against each implementation. */
function runJobCacheContract(name: string, make: () => { cache: JobCache; cleanup?: () => Promise<void> }): void {
  describe(`JobCache contract: ${name}`, () => {
    let cache: JobCache;
    let cleanup: (() => Promise<void>) | undefined;
    beforeEach(() => {
      ({ cache, cleanup } = make());
    });
    afterEach(async () => cleanup?.());

    it('misses a key it never saw', async () => {
      expect(await cache.get('k')).toBeUndefined();
    });

    it('returns what was put, as a copy the caller cannot change', async () => {
      const e = entry('k');
      await cache.put(e);
      e.outputs.model!.size = 99;
      const got = (await cache.get('k'))!;
      expect(got).toEqual(entry('k'));
      got.metrics.loss = 1;
      expect((await cache.get('k'))!.metrics.loss).toBe(0.25);
    });

    it('lists every entry, and nothing once cleared', async () => {
      await cache.put(entry('k1', 'a'.repeat(64)));
      await cache.put(entry('k2', 'b'.repeat(64)));
      expect((await cache.list()).map((e) => e.key).sort()).toEqual(['k1', 'k2']);
      await cache.clear();
      expect(await cache.list()).toEqual([]);
    });

    it('replaces an entry put again under the same key', async () => {
      await cache.put(entry('k'));
      await cache.put(entry('k', 'b'.repeat(64)));
      expect((await cache.get('k'))!.outputs.model!.sha256).toBe('b'.repeat(64));
    });

    it('deletes one key, or everything', async () => {
      await cache.put(entry('k1'));
      await cache.put(entry('k2'));
      await cache.delete('k1');
      await cache.delete('never-there');
      expect(await cache.get('k1')).toBeUndefined();
      expect(await cache.get('k2')).toBeDefined();
      await cache.clear();
      expect(await cache.get('k2')).toBeUndefined();
    });
  });
}

runJobCacheContract('MemoryJobCache', () => ({ cache: new MemoryJobCache() }));

let n = 0;
runJobCacheContract('DexieJobCache on fake-indexeddb', () => {
  const name = `job-cache-test-${++n}`;
  const cache = new DexieJobCache(name, { indexedDB, IDBKeyRange });
  return {
    cache,
    cleanup: async () => {
      cache.close();
      await new Dexie(name, { indexedDB, IDBKeyRange }).delete();
    },
  };
});

describe('DexieJobCache', () => {
  it('keeps entries across reopening the database', async () => {
    const name = `job-cache-test-${++n}`;
    const first = new DexieJobCache(name, { indexedDB, IDBKeyRange });
    await first.put(entry('k'));
    first.close();
    const second = new DexieJobCache(name, { indexedDB, IDBKeyRange });
    expect(await second.get('k')).toEqual(entry('k'));
    second.close();
  });
});
