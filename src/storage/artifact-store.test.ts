import Dexie from 'dexie';
import { IDBKeyRange, IDBObjectStore, indexedDB } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageError } from './artifact-store';
import { runArtifactStoreContract } from './contract';
import { DexieArtifactStore } from './dexie-store';
import { MemoryArtifactStore } from './memory-store';

const fakeIdb = { indexedDB, IDBKeyRange };
let dbCounter = 0;
const freshName = (): string => `deepforge-artifacts-test-${++dbCounter}`;

async function deleteDatabase(name: string): Promise<void> {
  await new Dexie(name, fakeIdb).delete();
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(StorageError);
    return (err as StorageError).code;
  }
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

runArtifactStoreContract('MemoryArtifactStore', async () => ({ store: new MemoryArtifactStore() }));

runArtifactStoreContract('DexieArtifactStore on fake-indexeddb', async () => {
  const name = freshName();
  const store = new DexieArtifactStore(name, fakeIdb);
  return {
    store,
    cleanup: async () => {
      store.close();
      await deleteDatabase(name);
    },
  };
});

describe('MemoryArtifactStore quota', () => {
  it('refuses a put that would exceed the quota and keeps what it has', async () => {
    const store = new MemoryArtifactStore({ quotaBytes: 10 });
    const first = await store.put(new Uint8Array(8).fill(1));
    expect(await codeOf(store.put(new Uint8Array(3).fill(2)))).toBe('quota-exceeded');
    expect(await store.usage()).toEqual({ count: 1, bytes: 8 });
    expect(await store.get(first.sha256)).toEqual(new Uint8Array(8).fill(1));
    // Bytes already present cost nothing, and what fits still fits.
    await store.put(new Uint8Array(8).fill(1));
    await store.put(new Uint8Array(2).fill(3));
    expect(await store.usage()).toEqual({ count: 2, bytes: 10 });
  });

  it('tells the user what to do next', () => {
    expect(new StorageError('quota-exceeded').message).toBe(
      "The browser's storage for DeepForge is full. Open Storage on this device (a link at the foot of your projects) to clear the job cache or remove files nothing uses, or free disk space, then try again. Nothing already stored was lost.",
    );
  });
});

describe('DexieArtifactStore failures', () => {
  const restore: Array<() => void> = [];
  afterEach(() => {
    while (restore.length) restore.pop()?.();
  });

  /** IndexedDB reports a full disk from the object store's write; make the next writes do that. */
  function failWritesWithQuota(): void {
    const proto = IDBObjectStore.prototype as unknown as { put: (...args: unknown[]) => unknown };
    const original = proto.put;
    proto.put = function () {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    restore.push(() => {
      proto.put = original;
    });
  }

  it('maps a full disk to quota-exceeded and keeps earlier artifacts', async () => {
    const name = freshName();
    const store = new DexieArtifactStore(name, fakeIdb);
    const first = await store.put(bytes('kept'), { mediaType: 'text/plain' });

    failWritesWithQuota();
    const err = await store.put(bytes('too much')).catch((e: unknown) => e);
    restore.pop()?.();

    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe('quota-exceeded');
    expect((err as StorageError).message).toMatch(/storage for DeepForge is full/);
    expect(await store.get(first.sha256)).toEqual(bytes('kept'));
    expect(await store.list()).toEqual([await store.stat(first.sha256)]);
    expect(await store.usage()).toEqual({ count: 1, bytes: 4 });

    store.close();
    await deleteDatabase(name);
  });

  it('leaves nothing behind when the second write of a put fails', async () => {
    const name = freshName();
    const store = new DexieArtifactStore(name, fakeIdb);
    const kept = await store.put(bytes('kept'));
    const proto = IDBObjectStore.prototype as unknown as { put: (this: IDBObjectStore, ...args: unknown[]) => unknown };
    const original = proto.put;
    const writes: string[] = [];
    // The blob is written first; fail the metadata write that follows it.
    proto.put = function (this: IDBObjectStore, ...args: unknown[]) {
      writes.push(this.name);
      if (this.name === 'meta') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return original.apply(this, args);
    };
    restore.push(() => {
      proto.put = original;
    });

    expect(await codeOf(store.put(bytes('half')))).toBe('quota-exceeded');
    restore.pop()?.();
    expect(writes).toEqual(['blobs', 'meta']);
    store.close();

    // Look at the raw tables: the blob written before the failure must have been rolled back.
    const raw = new Dexie(name, fakeIdb);
    raw.version(1).stores({ blobs: 'sha256', meta: 'sha256' });
    expect(await raw.table('blobs').toCollection().primaryKeys()).toEqual([kept.sha256]);
    expect(await raw.table('meta').toCollection().primaryKeys()).toEqual([kept.sha256]);
    raw.close();
    await deleteDatabase(name);
  });

  it('reports an IndexedDB that cannot be opened as unavailable', async () => {
    const broken = {
      open: () => {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    };
    const store = new DexieArtifactStore(freshName(), { indexedDB: broken, IDBKeyRange });
    expect(await codeOf(store.put(bytes('x')))).toBe('unavailable');
    expect(await codeOf(store.list())).toBe('unavailable');
  });

  it('reports use after close as unavailable', async () => {
    const name = freshName();
    const store = new DexieArtifactStore(name, fakeIdb);
    await store.put(bytes('x'));
    store.close();
    expect(await codeOf(store.get('2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881'))).toBe('unavailable');
    await deleteDatabase(name);
  });

  it('keeps artifacts across reopening the database', async () => {
    const name = freshName();
    const first = new DexieArtifactStore(name, fakeIdb);
    const { sha256 } = await first.put(bytes('persisted'), { mediaType: 'text/plain' });
    first.close();
    const second = new DexieArtifactStore(name, fakeIdb);
    expect(await second.get(sha256)).toEqual(bytes('persisted'));
    expect((await second.stat(sha256))?.mediaType).toBe('text/plain');
    second.close();
    await deleteDatabase(name);
  });
});
