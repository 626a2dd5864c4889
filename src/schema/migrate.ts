/**
 * Stored documents carry `schemaVersion`. Opening one decides, without writing anything, whether it is current,
 * needs migrating, was written by a newer DeepForge, or is not a document we can read. Migrations then run inside
 * one Automerge change on the live document.
 *
 * A migration must give the same result wherever it runs: two peers may migrate the same document at once, and
 * their changes merge. So a migration only puts and deletes map keys (concurrent puts of the same value converge);
 * it never appends to a list or inserts into text.
 */
import { CURRENT_SCHEMA_VERSION } from '../model/version';
import { MIGRATIONS, type Migration } from './migrations';

export type DocumentKind = 'deepforge/project' | 'deepforge/execution';

export type Assessment =
  | { status: 'current' }
  | { status: 'migrate'; from: number; steps: Migration[] }
  | { status: 'too-new'; version: number }
  | { status: 'unreadable'; reason: string };

/** Decide what to do with a loaded document; pure, never mutates. */
export function assess(doc: unknown, kind: DocumentKind, migrations: readonly Migration[] = MIGRATIONS, current = CURRENT_SCHEMA_VERSION): Assessment {
  if (doc === null || typeof doc !== 'object') return { status: 'unreadable', reason: 'The document is empty or not an object.' };
  const d = doc as { kind?: unknown; schemaVersion?: unknown };
  if (d.kind !== kind) {
    return { status: 'unreadable', reason: d.kind === undefined ? 'The document has no kind; it is not a DeepForge document or it is damaged.' : `The document is a ${String(d.kind)}, not a ${kind}.` };
  }
  const version = d.schemaVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { status: 'unreadable', reason: `The document's schemaVersion (${JSON.stringify(version)}) is not a version number.` };
  }
  if (version > current) return { status: 'too-new', version };
  if (version === current) return { status: 'current' };
  const steps: Migration[] = [];
  for (let v = version; v < current; v++) {
    const step = migrations.find((m) => m.kind === kind && m.from === v);
    if (!step) return { status: 'unreadable', reason: `No migration from version ${v} of a ${kind}.` };
    steps.push(step);
  }
  return { status: 'migrate', from: version, steps };
}

/** Apply the steps to a mutable document (an Automerge change proxy, or a plain object in tests). */
export function runMigrations(doc: Record<string, unknown>, steps: readonly Migration[]): void {
  for (const step of steps) {
    step.up(doc);
    doc.schemaVersion = step.to;
  }
}
