/**
 * An in-memory automerge-repo storage adapter: for tests and for opening a document without persisting it.
 * Keys are joined with a separator that cannot occur in automerge-repo's key parts.
 */
import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo';

const SEP = '\u0000';

export class MemoryStorageAdapter implements StorageAdapterInterface {
  readonly data = new Map<string, Uint8Array>();

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    return this.data.get(key.join(SEP));
  }
  async save(key: StorageKey, bytes: Uint8Array): Promise<void> {
    this.data.set(key.join(SEP), bytes);
  }
  async remove(key: StorageKey): Promise<void> {
    this.data.delete(key.join(SEP));
  }
  async loadRange(prefix: StorageKey): Promise<Chunk[]> {
    const p = prefix.join(SEP);
    return [...this.data.entries()]
      .filter(([k]) => k === p || k.startsWith(p + SEP))
      .map(([k, data]) => ({ key: k.split(SEP), data }));
  }
  async removeRange(prefix: StorageKey): Promise<void> {
    for (const { key } of await this.loadRange(prefix)) this.data.delete(key.join(SEP));
  }
}
