/**
 * Opening a stored document. A missing document is a state, not an exception; a damaged one, one written by a
 * newer DeepForge, or one of the wrong shape is reported with its reason and is never written to, so that the
 * stored copy survives for export or for a newer version of the app.
 */
import type { Chunk, DocHandle, DocumentId, Repo, StorageAdapterInterface } from '@automerge/automerge-repo';
import { isValidDocumentId, parseAutomergeUrl, isValidAutomergeUrl } from '@automerge/automerge-repo';
import type { ExecutionRecord, Project } from '../model/types';
import { assess, runMigrations, type DocumentKind } from '../schema/migrate';
import { executionProblems, projectProblems } from '../schema/validate';

export type OpenResult<T> =
  | { status: 'ready'; handle: DocHandle<T>; migratedFrom?: number }
  /** Nobody we can reach has it: a wrong link, or a project shared from a peer that is offline. */
  | { status: 'unavailable'; documentId: DocumentId }
  /** Written by a newer DeepForge: reload to update. */
  | { status: 'too-new'; documentId: DocumentId; version: number }
  /** Damaged bytes or an unexpected shape. */
  | { status: 'unreadable'; documentId: DocumentId; reason: string }
  /** Not a document id at all. */
  | { status: 'invalid-id'; reason: string };

/** Accepts a bare document id or an `automerge:` URL. */
export function toDocumentId(idOrUrl: string): DocumentId | undefined {
  if (isValidAutomergeUrl(idOrUrl)) return parseAutomergeUrl(idOrUrl).documentId;
  return isValidDocumentId(idOrUrl) ? (idOrUrl as DocumentId) : undefined;
}

const PROBLEMS: Record<DocumentKind, (doc: unknown) => string[]> = {
  'deepforge/project': projectProblems,
  'deepforge/execution': executionProblems,
};

async function openDocument<T>(repo: Repo, idOrUrl: string, kind: DocumentKind): Promise<OpenResult<T>> {
  const documentId = toDocumentId(idOrUrl);
  if (!documentId) return { status: 'invalid-id', reason: `“${idOrUrl}” is not a DeepForge link. Check that the whole link was copied.` };
  let handle: DocHandle<T>;
  try {
    handle = await repo.find<T>(documentId, { allowableStates: ['ready', 'unavailable'] });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/unavailable/i.test(message)) return { status: 'unavailable', documentId };
    return { status: 'unreadable', documentId, reason: `The stored bytes could not be read (${message}).` };
  }
  if (handle.isUnavailable()) return { status: 'unavailable', documentId };
  const doc = handle.doc();
  const verdict = assess(doc, kind);
  if (verdict.status === 'too-new') return { status: 'too-new', documentId, version: verdict.version };
  if (verdict.status === 'unreadable') return { status: 'unreadable', documentId, reason: verdict.reason };
  if (verdict.status === 'migrate') {
    // Check the shape the migrations will produce before touching the live document.
    const preview = structuredClone(doc) as Record<string, unknown>;
    runMigrations(preview, verdict.steps);
    const problems = PROBLEMS[kind](preview);
    if (problems.length > 0) return { status: 'unreadable', documentId, reason: problems.join(' ') };
    handle.change((d) => runMigrations(d as Record<string, unknown>, verdict.steps), {
      message: `upgraded ${kind.split('/')[1]} from schema v${verdict.from} to v${verdict.steps.at(-1)!.to}`,
    });
    return { status: 'ready', handle, migratedFrom: verdict.from };
  }
  const problems = PROBLEMS[kind](doc);
  if (problems.length > 0) return { status: 'unreadable', documentId, reason: problems.join(' ') };
  return { status: 'ready', handle };
}

export function openProject(repo: Repo, idOrUrl: string): Promise<OpenResult<Project>> {
  return openDocument<Project>(repo, idOrUrl, 'deepforge/project');
}

export function openExecution(repo: Repo, idOrUrl: string): Promise<OpenResult<ExecutionRecord>> {
  return openDocument<ExecutionRecord>(repo, idOrUrl, 'deepforge/execution');
}

/**
 * The stored bytes of a document exactly as they are on disk (all its chunks, concatenated, which Automerge can
 * load), so that a document this version cannot open can still be saved and handed to someone who can.
 */
export async function rawDocumentBytes(storage: StorageAdapterInterface, documentId: DocumentId): Promise<Uint8Array | undefined> {
  const chunks: Chunk[] = await storage.loadRange([documentId]);
  const parts = chunks
    .filter((c) => c.data && (c.key[1] === 'snapshot' || c.key[1] === 'incremental'))
    .sort((a, b) => (a.key[1] === b.key[1] ? 0 : a.key[1] === 'snapshot' ? -1 : 1))
    .map((c) => c.data!);
  if (parts.length === 0) return undefined;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
