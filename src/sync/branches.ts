/**
 * Branches: a project forked at a point of its history into a new document that remembers where it came from, and
 * merged back (or into any related project) with a summary of the values both sides changed — Automerge keeps every
 * concurrent value of a conflict, and the user picks one.
 */
import * as A from '@automerge/automerge';
import type { DocHandle, Repo } from '@automerge/automerge-repo';
import type { Project } from '../model/types';
import { encodeChangeMessage, type Author } from './messages';

export interface BranchOrigin {
  documentId: string;
  name: string;
  heads: string[];
  createdAt: number;
}

export interface BranchRecord {
  documentId: string;
  name: string;
  heads: string[];
  createdAt: number;
}

/** Project fields this module adds (optional, so every v1 document stays valid). */
export type BranchedProject = Project & { origin?: BranchOrigin; branches?: Record<string, BranchRecord> };

/** A new project document with the history of `source` up to `heads`, named `name`, remembering its origin. */
export function branchAt(repo: Repo, source: DocHandle<BranchedProject>, heads: string[], name: string, now: number, author?: Author): DocHandle<BranchedProject> {
  const forked = A.clone(A.view(source.doc(), heads));
  const branch = repo.import<BranchedProject>(A.save(forked));
  const sourceName = source.doc().name;
  branch.change(
    (d) => {
      d.name = name;
      d.origin = { documentId: source.documentId, name: sourceName, heads: [...heads], createdAt: now };
    },
    { message: encodeChangeMessage(`branched from ${sourceName}`, author) },
  );
  source.change(
    (d) => {
      d.branches ??= {};
      d.branches[branch.documentId] = { documentId: branch.documentId, name, heads: [...heads], createdAt: now };
    },
    { message: encodeChangeMessage(`made branch ${name}`, author) },
  );
  return branch;
}

export interface Conflict {
  /** Where the value lives, from the document root. */
  path: string[];
  /** Every concurrent value; the first is the one Automerge shows until someone chooses. */
  values: unknown[];
}

/** Bookkeeping that every edit touches; concurrent values there are expected and mean nothing to the user. */
const BOOKKEEPING = new Set(['updatedAt']);

/** Every value that concurrent edits set differently, anywhere in the document (bookkeeping aside). */
export function findConflicts(doc: A.Doc<unknown>): Conflict[] {
  const out: Conflict[] = [];
  const walk = (node: unknown, path: string[]) => {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || node instanceof Uint8Array) return;
    for (const key of Object.keys(node)) {
      const conflicts = BOOKKEEPING.has(key) ? undefined : A.getConflicts(node as A.Doc<Record<string, unknown>>, key);
      if (conflicts && Object.keys(conflicts).length > 1) {
        const values = Object.values(conflicts).map((v) => (typeof v === 'object' && v !== null ? A.toJS(v as A.Doc<unknown>) : v));
        out.push({ path: [...path, key], values: [(node as Record<string, unknown>)[key], ...values.filter((v) => !same(v, (node as Record<string, unknown>)[key]))] });
      }
      walk((node as Record<string, unknown>)[key], [...path, key]);
    }
  };
  walk(doc, []);
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The concurrent values at one path (two or more), or undefined when there is no conflict there. */
export function conflictAt(doc: A.Doc<unknown>, path: readonly string[]): unknown[] | undefined {
  let node: unknown = doc;
  for (const key of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  if (node === null || typeof node !== 'object') return undefined;
  const conflicts = A.getConflicts(node as A.Doc<Record<string, unknown>>, path.at(-1)!);
  if (!conflicts || Object.keys(conflicts).length < 2) return undefined;
  const values = Object.values(conflicts).map((v) => (typeof v === 'object' && v !== null ? A.toJS(v as A.Doc<unknown>) : v));
  return values.filter((v, i) => values.findIndex((w) => same(w, v)) === i);
}

export interface MergeResult {
  before: Project;
  after: Project;
  conflicts: Conflict[];
  changed: boolean;
}

/** Bring every change of `branch` into `target`, recorded in history as one entry. */
export function mergeInto(target: DocHandle<BranchedProject>, branch: DocHandle<BranchedProject>, author?: Author): MergeResult {
  const before = A.toJS(target.doc()) as Project;
  const headsBefore = target.heads().join();
  const branchDoc = branch.doc();
  const branchOrigin = branchDoc.origin;
  target.merge(branch);
  const changed = target.heads().join() !== headsBefore;
  // The branch's own bookkeeping (its name and origin) must not overwrite the target's.
  target.change(
    (d) => {
      if (d.name !== before.name) d.name = before.name;
      const beforeOrigin = (before as BranchedProject).origin;
      if (beforeOrigin) d.origin = structuredClone(beforeOrigin);
      else if (d.origin && branchOrigin && d.origin.documentId === branchOrigin.documentId) delete d.origin;
    },
    { message: encodeChangeMessage(`merged branch ${branchDoc.name}`, author) },
  );
  const after = A.toJS(target.doc()) as Project;
  return { before, after, conflicts: findConflicts(target.doc()), changed };
}

/** Settle a conflict by choosing one of its values (a new put overwrites all the concurrent ones). */
export function resolveConflict(handle: DocHandle<unknown>, conflict: Conflict, value: unknown, author?: Author): void {
  handle.change(
    (d) => {
      let node = d as Record<string, unknown>;
      for (const key of conflict.path.slice(0, -1)) node = node[key] as Record<string, unknown>;
      node[conflict.path.at(-1)!] = structuredClone(value);
    },
    { message: encodeChangeMessage(`resolved a conflict on ${conflict.path.join('.')}`, author) },
  );
}
