/**
 * The project list of this device: one small Automerge document that stays in this browser (shared with its
 * other tabs, never with the relay). It caches each project's name and last edit so the home page opens without
 * loading every project.
 */
import type { DocHandle, DocumentId, Repo } from '@automerge/automerge-repo';
import { readOperation } from '../model/operation-file';
import type { OperationDefinition } from '../model/types';
import { storable } from './storable';

export interface ProjectEntry {
  documentId: string;
  name: string;
  /** Last edit seen by this device. */
  updatedAt: number;
  addedAt: number;
  openedAt?: number;
  /** Set when deleted; the document is removed for good once the undo window has passed. */
  deletedAt?: number;
}

export interface HomeDoc {
  schemaVersion: 1;
  kind: 'deepforge/home';
  projects: Record<string, ProjectEntry>;
  /** "My library": operations saved from any project to be used in others, by operation id. */
  library?: Record<string, LibraryEntry>;
}

export interface LibraryEntry {
  operation: OperationDefinition;
  savedAt: number;
}

/** Where this device remembers which document is its home (localStorage in the app, a Map in tests). */
export interface HomePointer {
  get(): string | null;
  set(url: string): void;
}

/**
 * Open the home document, creating it once. `exclusive` runs the check-then-create under a lock shared by the
 * browser's tabs (navigator.locks in the app) so that two tabs opened at once agree on one home.
 */
export async function openHome(
  repo: Repo,
  pointer: HomePointer,
  exclusive: <R>(fn: () => Promise<R>) => Promise<R> = (fn) => fn(),
): Promise<DocHandle<HomeDoc>> {
  return exclusive(async () => {
    const url = pointer.get();
    if (url) {
      try {
        const handle = await repo.find<HomeDoc>(url as DocumentId, { allowableStates: ['ready', 'unavailable'] });
        if (handle.isReady() && handle.doc()?.kind === 'deepforge/home') return handle;
      } catch {
        // A damaged list is replaced below; the projects themselves are separate documents and are untouched.
      }
    }
    const handle = repo.create<HomeDoc>({ schemaVersion: 1, kind: 'deepforge/home', projects: {} });
    pointer.set(handle.url);
    return handle;
  });
}

export function upsertEntry(home: DocHandle<HomeDoc>, documentId: string, fields: Partial<Omit<ProjectEntry, 'documentId'>>, now: number): void {
  home.change((doc) => {
    const existing = doc.projects[documentId];
    if (!existing) {
      doc.projects[documentId] = { documentId, name: fields.name ?? 'Untitled project', updatedAt: fields.updatedAt ?? now, addedAt: now };
    }
    const entry = doc.projects[documentId]!;
    for (const [k, v] of Object.entries(fields) as Array<[keyof ProjectEntry, ProjectEntry[keyof ProjectEntry]]>) {
      if (v === undefined) delete entry[k];
      else if (entry[k] !== v) (entry as unknown as Record<string, unknown>)[k] = v;
    }
  });
}

export function removeEntry(home: DocHandle<HomeDoc>, documentId: string): void {
  home.change((doc) => {
    delete doc.projects[documentId];
  });
}

/** Entries whose undo window has passed: their documents can be deleted for good. */
export function expiredDeletions(home: HomeDoc, now: number, undoWindowMs: number): string[] {
  return Object.values(home.projects)
    .filter((e) => e.deletedAt !== undefined && now - e.deletedAt >= undoWindowMs)
    .map((e) => e.documentId);
}

/** Live projects, most recently edited first. */
export function listProjects(home: HomeDoc | undefined): ProjectEntry[] {
  return Object.values(home?.projects ?? {})
    .filter((e) => e.deletedAt === undefined)
    .sort((a, b) => b.updatedAt - a.updatedAt || a.name.localeCompare(b.name));
}

/** Save a copy of an operation to this device's library (replacing an earlier copy of the same operation). */
export function saveToLibrary(home: DocHandle<HomeDoc>, operation: OperationDefinition, now: number): void {
  const copy = JSON.parse(JSON.stringify(operation)) as OperationDefinition;
  home.change((doc) => {
    doc.library ??= {};
    doc.library[copy.id] = storable({ operation: copy, savedAt: now }) as LibraryEntry;
  });
}

export function removeFromLibrary(home: DocHandle<HomeDoc>, operationId: string): void {
  home.change((doc) => {
    if (doc.library?.[operationId]) delete doc.library[operationId];
  });
}

/**
 * The operations of this device's library, by name, as plain data. Each is checked like an imported file, so an
 * entry damaged by an older or newer version is left out rather than offered to a pipeline.
 */
export function libraryOperations(home: HomeDoc | undefined): OperationDefinition[] {
  const out: OperationDefinition[] = [];
  for (const entry of Object.values(home?.library ?? {})) {
    const read = readOperation(entry?.operation);
    if ('operation' in read) out.push(read.operation);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1));
}
