import Dexie from 'dexie';
import type { Table } from 'dexie';
import type { ArtifactStore, PutInfo, PutResult, StoredArtifact } from './artifact-store';
import { StorageError } from './artifact-store';
import { assertSha256, named } from './validate';

export interface DexieArtifactStoreOptions {
  /** A different IndexedDB implementation (e.g. fake-indexeddb in tests), passed to Dexie as-is. */
  indexedDB?: Pick<IDBFactory, 'open'>;
  IDBKeyRange?: Pick<typeof IDBKeyRange, 'bound' | 'lowerBound' | 'upperBound'>;
}

/** One artifact with its bytes: self-describing, so a blob record can be understood on its own. */
interface BlobRow extends StoredArtifact {
  bytes: Uint8Array;
}

/** The IndexedDB names a full disk goes by: the standard one, and Firefox's older one. */
function isQuotaError(err: unknown, depth = 0): boolean {
  if (depth > 5 || typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; code?: unknown; inner?: unknown; cause?: unknown };
  if (e.name === 'QuotaExceededError' || e.name === 'NS_ERROR_DOM_QUOTA_REACHED') return true;
  // Dexie wraps the DOMException (AbortError around it when a transaction dies of it).
  return isQuotaError(e.inner, depth + 1) || isQuotaError(e.cause, depth + 1);
}

function toStorageError(err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  if (isQuotaError(err)) return new StorageError('quota-exceeded', { cause: err });
  const name = typeof err === 'object' && err !== null && 'name' in err ? String(err.name) : 'unknown error';
  return new StorageError('unavailable', { detail: name, cause: err });
}

/**
 * The ArtifactStore that survives reloads, in IndexedDB. Metadata is kept in a second table
 * (`meta`) as well as on each blob so that list, usage, has and stat never read bytes: a
 * store of model weights can run to gigabytes, and "storage used" must not load them all.
 */
export class DexieArtifactStore implements ArtifactStore {
  private readonly db: Dexie;
  private readonly blobs: Table<BlobRow, string>;
  private readonly meta: Table<StoredArtifact, string>;
  private opening: Promise<void> | undefined;
  private closed = false;

  constructor(name = 'deepforge-artifacts', options: DexieArtifactStoreOptions = {}) {
    // The optimistic live-query cache would hold copies of large blobs in memory; nothing here is live.
    this.db = new Dexie(name, { ...options, cache: 'disabled' });
    this.db.version(1).stores({ blobs: 'sha256', meta: 'sha256' });
    this.blobs = this.db.table('blobs');
    this.meta = this.db.table('meta');
  }

  async put(bytes: Uint8Array, info?: PutInfo): Promise<PutResult> {
    const input = await named(bytes, info);
    return this.store(input.sha256, input.bytes, input.mediaType);
  }

  async putVerified(sha256: string, bytes: Uint8Array, info?: PutInfo): Promise<PutResult> {
    const input = await named(bytes, info, sha256);
    return this.store(input.sha256, input.bytes, input.mediaType);
  }

  async get(sha256: string): Promise<Uint8Array | undefined> {
    assertSha256(sha256);
    // IndexedDB hands back a fresh structured clone on every read, so no copy is needed here.
    const row = await this.run(() => this.blobs.get(sha256));
    return row?.bytes;
  }

  async has(sha256: string): Promise<boolean> {
    assertSha256(sha256);
    return (await this.run(() => this.meta.where(':id').equals(sha256).count())) > 0;
  }

  async stat(sha256: string): Promise<StoredArtifact | undefined> {
    assertSha256(sha256);
    const row = await this.run(() => this.meta.get(sha256));
    return row ? pickMeta(row) : undefined;
  }

  async delete(sha256: string): Promise<void> {
    assertSha256(sha256);
    await this.run(() =>
      this.db.transaction('rw', this.blobs, this.meta, async () => {
        await this.blobs.delete(sha256);
        await this.meta.delete(sha256);
      }),
    );
  }

  async list(): Promise<StoredArtifact[]> {
    return (await this.run(() => this.meta.toArray())).map(pickMeta);
  }

  async usage(): Promise<{ count: number; bytes: number }> {
    let count = 0;
    let bytes = 0;
    await this.run(() =>
      this.meta.each((row) => {
        count += 1;
        bytes += row.size;
      }),
    );
    return { count, bytes };
  }

  /** Final: later calls fail with 'unavailable' instead of silently reopening the database. */
  close(): void {
    this.closed = true;
    this.db.close();
  }

  /**
   * The hash is computed before the transaction starts: IndexedDB commits a transaction as soon
   * as it waits on anything else, such as crypto.subtle. Inside it, the existence check and both
   * writes stand or fall together, so a failed put leaves nothing behind.
   */
  private async store(sha256: string, bytes: Uint8Array, mediaType: string): Promise<PutResult> {
    const size = bytes.byteLength;
    await this.run(() =>
      this.db.transaction('rw', this.blobs, this.meta, async () => {
        if (await this.meta.get(sha256)) return;
        const meta: StoredArtifact = { sha256, size, mediaType, storedAt: Date.now() };
        await this.blobs.put({ ...meta, bytes });
        await this.meta.put(meta);
      }),
    );
    return { sha256, size };
  }

  /** Opens on first use, reporting why it could not; a failed open is retried by the next call. */
  private async run<T>(op: () => PromiseLike<T>): Promise<T> {
    if (this.closed) throw new StorageError('unavailable', { detail: 'the artifact store was closed' });
    if (!this.opening) {
      this.opening = this.db.open().then(
        () => undefined,
        (err: unknown) => {
          this.opening = undefined;
          throw toStorageError(err);
        },
      );
    }
    await this.opening;
    try {
      return await op();
    } catch (err) {
      throw toStorageError(err);
    }
  }
}

/** Rows may carry more fields than StoredArtifact names (bytes, or fields from later versions). */
function pickMeta(row: StoredArtifact): StoredArtifact {
  return { sha256: row.sha256, size: row.size, mediaType: row.mediaType, storedAt: row.storedAt };
}
