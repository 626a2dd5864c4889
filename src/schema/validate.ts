/**
 * The stored shape of a project, checked when a document is opened. A document that fails is shown as an error
 * page (with its raw bytes offered for export), never half-rendered and never written to.
 */
import type { Project } from '../model/types';

const COLLECTIONS = ['operations', 'pipelines', 'architectures', 'artifacts', 'executions', 'versions'] as const;

export function projectProblems(doc: unknown): string[] {
  const problems: string[] = [];
  const d = doc as Partial<Record<string, unknown>>;
  if (typeof d.name !== 'string') problems.push('The project has no name.');
  for (const key of COLLECTIONS) {
    const value = d[key];
    if (value === undefined) continue; // an absent collection reads as empty
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`The project's ${key} is not a map of items.`);
      continue;
    }
    for (const [id, item] of Object.entries(value)) {
      if (item === null || typeof item !== 'object') problems.push(`Item ${id} in ${key} is not an object.`);
    }
  }
  return problems;
}

/** Read a project with every collection present, for views that should not guard each access. */
export function readProject(doc: Project): Project {
  const missing = COLLECTIONS.filter((k) => doc[k] === undefined);
  if (missing.length === 0) return doc;
  return { ...doc, ...Object.fromEntries(missing.map((k) => [k, {}])) };
}

export function executionProblems(doc: unknown): string[] {
  const d = doc as Partial<Record<string, unknown>>;
  const problems: string[] = [];
  if (typeof d.name !== 'string') problems.push('The execution has no name.');
  for (const key of ['pipeline', 'jobs', 'logs', 'metrics', 'plan', 'images', 'plots'] as const) {
    if (d[key] === null || typeof d[key] !== 'object') problems.push(`The execution's ${key} is missing or not an object.`);
  }
  if (!Array.isArray(d.order)) problems.push("The execution's job order is missing.");
  return problems;
}
