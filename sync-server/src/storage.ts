/**
 * NodeFSStorageAdapter with its in-flight operations counted, so that shutting down can wait
 * until every write automerge-repo started (including its throttled background saves) is done.
 */
import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';

export class TrackedStorageAdapter implements StorageAdapterInterface {
  readonly #inner: NodeFSStorageAdapter;
  readonly #pending = new Set<Promise<unknown>>();

  constructor(baseDirectory: string) {
    this.#inner = new NodeFSStorageAdapter(baseDirectory);
  }

  #track<T>(operation: Promise<T>): Promise<T> {
    this.#pending.add(operation);
    const done = () => this.#pending.delete(operation);
    operation.then(done, done);
    return operation;
  }

  load(key: StorageKey): Promise<Uint8Array | undefined> {
    return this.#track(this.#inner.load(key));
  }
  save(key: StorageKey, data: Uint8Array): Promise<void> {
    return this.#track(this.#inner.save(key, data));
  }
  remove(key: StorageKey): Promise<void> {
    return this.#track(this.#inner.remove(key));
  }
  loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    return this.#track(this.#inner.loadRange(keyPrefix));
  }
  removeRange(keyPrefix: StorageKey): Promise<void> {
    return this.#track(this.#inner.removeRange(keyPrefix));
  }

  /** Resolves once no storage operation is running (errors are the caller's to see, not ours). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) {
      await Promise.allSettled([...this.#pending]);
    }
  }
}
