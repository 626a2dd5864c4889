/**
 * The Storage page's view of this device: what the browser grants DeepForge, what the artifact bytes are for (see
 * src/storage/usage.ts), and the two ways to free space: clear the job cache, remove the bytes nothing uses.
 * Created by workspace.ts.
 */
import type { DocHandle, DocumentId, Repo } from '@automerge/automerge-repo';
import type { ArtifactStore } from '../storage/artifact-store';
import type { JobCache } from '../storage/job-cache';
import { hashesIn, summarizeUsage, type ProjectReferences, type Totals } from '../storage/usage';
import type { HomeDoc } from '../sync/home';
import type { DeviceStorage, StorageReport } from '../ui/services';

export interface DeviceStorageOptions {
  repo: Repo;
  home: DocHandle<HomeDoc>;
  artifacts: ArtifactStore;
  cache: JobCache;
}

/** A document this device holds, or undefined (not here, or unreadable: `problem` says which). */
async function find(repo: Repo, id: string): Promise<{ doc?: Record<string, unknown>; problem?: string }> {
  try {
    const handle = await repo.find<Record<string, unknown>>(id as DocumentId, { allowableStates: ['ready', 'unavailable'] });
    return handle.isReady() ? { doc: handle.doc() } : {};
  } catch (err) {
    return { problem: err instanceof Error ? err.message : String(err) };
  }
}

export function createDeviceStorage({ repo, home, artifacts, cache }: DeviceStorageOptions): DeviceStorage {
  /** Every project listed on this device (those in their undo window too) and the hashes it refers to. */
  async function references(): Promise<{ projects: ProjectReferences[]; unreadable: string[] }> {
    const projects: ProjectReferences[] = [];
    const unreadable: string[] = [];
    for (const entry of Object.values(home.doc().projects)) {
      const { doc, problem } = await find(repo, entry.documentId);
      if (problem) unreadable.push(entry.name || entry.documentId);
      if (!doc) continue;
      const runs = new Set<string>();
      const executions = (doc['executions'] ?? {}) as Record<string, { docUrl?: unknown }>;
      for (const summary of Object.values(executions)) {
        if (typeof summary.docUrl !== 'string') continue;
        const run = await find(repo, summary.docUrl);
        // Jobs and inputs only: the metric series are long and name no bytes.
        if (run.doc) hashesIn([run.doc['inputs'], run.doc['jobs']], runs);
      }
      projects.push({ documentId: entry.documentId, name: entry.name, artifacts: [...hashesIn(doc['artifacts'])], runs: [...runs] });
    }
    return { projects, unreadable };
  }

  async function report(): Promise<StorageReport> {
    const [stored, refs, entries, estimate, persisted] = await Promise.all([
      artifacts.list(),
      references(),
      cache.list(),
      navigator.storage?.estimate?.().catch(() => undefined),
      navigator.storage?.persisted?.().catch(() => undefined),
    ]);
    const usage = summarizeUsage(stored, refs.projects, entries.flatMap((e) => Object.values(e.outputs).map((o) => o.sha256)), Date.now());
    return {
      ...usage,
      cacheEntries: entries.length,
      unreadable: refs.unreadable,
      browser: estimate?.quota ? { used: estimate.usage ?? 0, quota: estimate.quota } : undefined,
      persisted,
    };
  }

  return {
    report,
    async clearJobCache() {
      await cache.clear();
    },
    async removeUnused(): Promise<Totals> {
      // Decided afresh, from what every project refers to now, not from what the page showed a while ago.
      const now = await report();
      if (now.unreadable.length > 0) {
        throw new Error(`Nothing was removed: DeepForge cannot read ${now.unreadable.join(', ')}, so it cannot tell which files they use. Open them from the home page to repair or export them first.`);
      }
      const removed: Totals = { count: 0, bytes: 0 };
      for (const file of now.removable) {
        await artifacts.delete(file.sha256);
        removed.count += 1;
        removed.bytes += file.size;
      }
      return removed;
    },
    async persist() {
      return (await navigator.storage?.persist?.().catch(() => false)) ?? false;
    },
  };
}
