/**
 * The job cache: a job's cache key (SHA-256 over its code, attributes, references, library version and input
 * identities; see src/model/execution.ts) → the outputs it produced, so that a re-run reuses unchanged jobs. The
 * outputs' bytes live in the ArtifactStore; an entry whose bytes are gone is simply not used.
 * Two implementations share one contract (job-cache.test.ts): in memory, and Dexie (IndexedDB) on the device.
 */
import Dexie, { type Table } from 'dexie';
import type { DataType } from '../model/types';
import { StorageError } from './artifact-store';

export interface CachedOutput {
  sha256: string;
  mediaType: string;
  dataType: DataType;
  size: number;
}

export interface JobCacheEntry {
  key: string;
  /** Output port name → encoded output. */
  outputs: Record<string, CachedOutput>;
  /** The run that produced it, for "cached from …". */
  executionId: string;
  jobId: string;
  /** The last value of each metric the job reported, shown again when it is reused. */
  metrics: Record<string, number>;
  storedAt: number;
}

export interface JobCache {
  get(key: string): Promise<JobCacheEntry | undefined>;
  /** A later entry for the same key replaces the earlier one. */
  put(entry: JobCacheEntry): Promise<void>;
  delete(key: string): Promise<void>;
  clear(): Promise<void>;
  /** Every entry (small rows: output hashes, not bytes), for "storage used" and for finding bytes nothing needs. */
  list(): Promise<JobCacheEntry[]>;
}

const copy = (entry: JobCacheEntry): JobCacheEntry => structuredClone(entry);

export class MemoryJobCache implements JobCache {
  private readonly entries = new Map<string, JobCacheEntry>();

  async get(key: string): Promise<JobCacheEntry | undefined> {
    const entry = this.entries.get(key);
    return entry && copy(entry);
  }

  async put(entry: JobCacheEntry): Promise<void> {
    this.entries.set(entry.key, copy(entry));
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async clear(): Promise<void> {
    this.entries.clear();
  }

  async list(): Promise<JobCacheEntry[]> {
    return [...this.entries.values()].map(copy);
  }
}

export interface DexieJobCacheOptions {
  indexedDB?: Pick<IDBFactory, 'open'>;
  IDBKeyRange?: Pick<typeof IDBKeyRange, 'bound' | 'lowerBound' | 'upperBound'>;
}

/** The job cache in IndexedDB, one small row per key (the bytes stay in the artifact store). */
export class DexieJobCache implements JobCache {
  private readonly db: Dexie;
  private readonly table: Table<JobCacheEntry, string>;

  constructor(name = 'deepforge-job-cache', options: DexieJobCacheOptions = {}) {
    this.db = new Dexie(name, { ...options, cache: 'disabled' });
    this.db.version(1).stores({ entries: 'key' });
    this.table = this.db.table('entries');
  }

  async get(key: string): Promise<JobCacheEntry | undefined> {
    return this.run(() => this.table.get(key));
  }

  async put(entry: JobCacheEntry): Promise<void> {
    await this.run(() => this.table.put(copy(entry)));
  }

  async delete(key: string): Promise<void> {
    await this.run(() => this.table.delete(key));
  }

  async clear(): Promise<void> {
    await this.run(() => this.table.clear());
  }

  async list(): Promise<JobCacheEntry[]> {
    return this.run(() => this.table.toArray());
  }

  close(): void {
    this.db.close();
  }

  private async run<T>(op: () => PromiseLike<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      const name = typeof err === 'object' && err !== null && 'name' in err ? String(err.name) : 'unknown error';
      throw new StorageError(/quota/i.test(name) ? 'quota-exceeded' : 'unavailable', { detail: `job cache: ${name}`, cause: err });
    }
  }
}
