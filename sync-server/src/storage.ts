/**
 * The relay's document storage: NodeFSStorageAdapter's layout, with
 *  - atomic writes: each file is written under DATA_DIR/docs/.tmp and renamed into place, so a
 *    process killed mid-write leaves the old file or the new one, never a torn chunk (stock
 *    writeFile can leave half a snapshot, and automerge then refuses the whole document:
 *    "unable to parse chunk: not enough data");
 *  - its in-flight operations counted, so that shutting down can wait until every write
 *    automerge-repo started (including its throttled background saves) is done.
 */
import { randomUUID } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';

/** Where files are written before being renamed into place (no document id starts with a dot). */
export const TEMP_DIR = '.tmp';

/** NodeFSStorageAdapter whose `save` replaces files atomically (its reads and removals are unchanged). */
class AtomicNodeFSStorageAdapter extends NodeFSStorageAdapter {
  readonly #base: string;
  readonly #temp: string;
  #tempReady: Promise<unknown> | undefined;

  constructor(baseDirectory: string) {
    super(baseDirectory);
    this.#base = baseDirectory;
    this.#temp = path.join(baseDirectory, TEMP_DIR);
  }

  /** The file of a key, as NodeFSStorageAdapter lays them out (its getFilePath is private). */
  #filePath([first, ...rest]: StorageKey): string {
    if (first === undefined) throw new Error('empty storage key');
    return path.join(this.#base, first.slice(0, 2), first.slice(2), ...rest);
  }

  // Not calling super.save: that writes in place (and caches every chunk in memory for good).
  override async save(key: StorageKey, binary: Uint8Array): Promise<void> {
    const file = this.#filePath(key);
    const temp = path.join(this.#temp, randomUUID());
    this.#tempReady ??= fsp.mkdir(this.#temp, { recursive: true });
    await Promise.all([this.#tempReady, fsp.mkdir(path.dirname(file), { recursive: true })]);
    try {
      await fsp.writeFile(temp, binary);
      await fsp.rename(temp, file);
    } catch (error) {
      await fsp.rm(temp, { force: true }).catch(() => undefined);
      throw error;
    }
  }
}

export class TrackedStorageAdapter implements StorageAdapterInterface {
  readonly #inner: NodeFSStorageAdapter;
  readonly #pending = new Set<Promise<unknown>>();

  constructor(baseDirectory: string) {
    this.#inner = new AtomicNodeFSStorageAdapter(baseDirectory);
  }

  /** Removes what a killed process left half-written; call before the repo starts. */
  static async clearTemp(baseDirectory: string): Promise<void> {
    await fsp.rm(path.join(baseDirectory, TEMP_DIR), { recursive: true, force: true });
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
