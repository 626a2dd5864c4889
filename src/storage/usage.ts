/**
 * What the bytes on this device are for. Artifact bytes are shared by hash between projects and runs, and deleting an
 * artifact from a project keeps its bytes (a past run may need them to be reproduced), so "storage used" has to say
 * which bytes something still needs: a project's artifacts, the records of past runs, or the job cache, in that order.
 * Whatever nothing needs can be removed. Pure: the caller gathers the references.
 */
import type { StoredArtifact } from './artifact-store';

/** Bytes stored less than this long ago are never removed: a tab may be about to record them in a project or run. */
export const RECENT_MS = 60_000;

export interface Totals {
  count: number;
  bytes: number;
}

/** One project on this device and the hashes it refers to. */
export interface ProjectReferences {
  documentId: string;
  name: string;
  /** Hashes of the project's artifacts as they are now. */
  artifacts: readonly string[];
  /** Hashes in its runs' records: inputs, outputs of every job. */
  runs: readonly string[];
}

export interface ProjectUsage {
  documentId: string;
  name: string;
  /** Bytes of its artifacts and its runs' outputs on this device (bytes shared with another project count in both). */
  bytes: number;
  count: number;
}

export interface StorageUsage {
  total: Totals;
  /** Used by a project's artifacts. */
  artifacts: Totals;
  /** Used only by the records of past runs (outputs of their jobs, inputs since deleted from the project). */
  runs: Totals;
  /** Used only by job-cache entries. */
  cache: Totals;
  /** Used by nothing. */
  unused: Totals;
  /** The unused files old enough to remove now (see RECENT_MS). */
  removable: StoredArtifact[];
  byProject: ProjectUsage[];
}

const add = (t: Totals, size: number) => {
  t.count += 1;
  t.bytes += size;
};
const zero = (): Totals => ({ count: 0, bytes: 0 });

export function summarizeUsage(stored: readonly StoredArtifact[], projects: readonly ProjectReferences[], cached: readonly string[], now: number): StorageUsage {
  const inArtifacts = new Set(projects.flatMap((p) => p.artifacts));
  const inRuns = new Set(projects.flatMap((p) => p.runs));
  const inCache = new Set(cached);
  const usage: StorageUsage = { total: zero(), artifacts: zero(), runs: zero(), cache: zero(), unused: zero(), removable: [], byProject: [] };
  const sizes = new Map<string, number>();
  for (const file of stored) {
    sizes.set(file.sha256, file.size);
    add(usage.total, file.size);
    if (inArtifacts.has(file.sha256)) add(usage.artifacts, file.size);
    else if (inRuns.has(file.sha256)) add(usage.runs, file.size);
    else if (inCache.has(file.sha256)) add(usage.cache, file.size);
    else {
      add(usage.unused, file.size);
      if (now - file.storedAt >= RECENT_MS) usage.removable.push(file);
    }
  }
  for (const p of projects) {
    const mine = zero();
    for (const sha of new Set([...p.artifacts, ...p.runs])) {
      const size = sizes.get(sha);
      if (size !== undefined) add(mine, size);
    }
    usage.byProject.push({ documentId: p.documentId, name: p.name, ...mine });
  }
  usage.byProject.sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
  return usage;
}

/** Every SHA-256 named under a `sha256` key anywhere in a record (a run's inputs, job outputs, references). */
export function hashesIn(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const v of value) hashesIn(v, into);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'sha256' && typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)) into.add(v);
      else if (typeof v === 'object') hashesIn(v, into);
    }
  }
  return into;
}
