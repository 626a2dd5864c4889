import type { ArtifactStore, PutInfo, PutResult, StoredArtifact } from './artifact-store';
import { StorageError } from './artifact-store';
import { assertSha256, named } from './validate';

export interface MemoryArtifactStoreOptions {
  /** Total bytes the store may hold, so tests can reach the quota path without filling a disk. */
  quotaBytes?: number;
}

interface Entry {
  meta: StoredArtifact;
  bytes: Uint8Array<ArrayBuffer>;
}

/** An ArtifactStore that forgets everything on reload: for tests, and where IndexedDB is unavailable. */
export class MemoryArtifactStore implements ArtifactStore {
  private readonly entries = new Map<string, Entry>();
  private readonly quotaBytes: number;
  private usedBytes = 0;

  constructor(options: MemoryArtifactStoreOptions = {}) {
    this.quotaBytes = options.quotaBytes ?? Number.POSITIVE_INFINITY;
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
    const entry = this.entries.get(sha256);
    return entry ? new Uint8Array(entry.bytes) : undefined;
  }

  async has(sha256: string): Promise<boolean> {
    assertSha256(sha256);
    return this.entries.has(sha256);
  }

  async stat(sha256: string): Promise<StoredArtifact | undefined> {
    assertSha256(sha256);
    const entry = this.entries.get(sha256);
    return entry ? { ...entry.meta } : undefined;
  }

  async delete(sha256: string): Promise<void> {
    assertSha256(sha256);
    const entry = this.entries.get(sha256);
    if (!entry) return;
    this.entries.delete(sha256);
    this.usedBytes -= entry.meta.size;
  }

  async list(): Promise<StoredArtifact[]> {
    return [...this.entries.values()]
      .map((e) => ({ ...e.meta }))
      .sort((a, b) => (a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : 0));
  }

  async usage(): Promise<{ count: number; bytes: number }> {
    return { count: this.entries.size, bytes: this.usedBytes };
  }

  /** Synchronous from the check to the insert, so concurrent puts cannot both slip under the quota. */
  private store(sha256: string, bytes: Uint8Array<ArrayBuffer>, mediaType: string): PutResult {
    const size = bytes.byteLength;
    if (this.entries.has(sha256)) return { sha256, size };
    if (this.usedBytes + size > this.quotaBytes) {
      throw new StorageError('quota-exceeded');
    }
    this.entries.set(sha256, { meta: { sha256, size, mediaType, storedAt: Date.now() }, bytes });
    this.usedBytes += size;
    return { sha256, size };
  }
}
