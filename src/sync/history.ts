/**
 * Reading a project's history and acting on it: the newest changes first (page by page, so a project with 50,000
 * changes opens as fast as one with 50), any past state, and restore — which makes the current document equal to a
 * past state through a new change, so history itself is never rewritten.
 */
import * as A from '@automerge/automerge';
import type { DocHandle } from '@automerge/automerge-repo';
import type { HistoryChange } from '../model/history';
import { decodeChangeMessage, encodeChangeMessage, type Author } from './messages';

export type { HistoryChange };

interface Meta {
  hash: string;
  actor: string;
  seq: number;
  time: number;
  message: string | null;
  deps: string[];
}

interface Backend {
  getChangeMetaByHash(hash: string): Meta | null;
}

function toChange(meta: Meta): HistoryChange {
  const { message, author, item } = decodeChangeMessage(meta.message);
  return {
    hash: meta.hash,
    actor: meta.actor,
    seq: meta.seq,
    time: meta.time * 1000,
    // automerge-repo opens every document with an empty first change.
    message: message || (meta.deps.length === 0 ? 'started the document' : ''),
    ...(author ? { author } : {}),
    items: item ? [item] : [],
    deps: meta.deps,
  };
}

/**
 * Walks history backwards from the current heads, newest first: each page costs time in proportion to its size,
 * not to the length of the history.
 */
export class HistoryReader {
  readonly #backend: Backend;
  readonly #frontier: Meta[] = [];
  readonly #seen = new Set<string>();

  constructor(doc: A.Doc<unknown>) {
    this.#backend = A.getBackend(doc) as unknown as Backend;
    for (const head of A.getHeads(doc)) this.#push(head);
  }

  get done(): boolean {
    return this.#frontier.length === 0;
  }

  /** The next `count` older changes, newest first (by time, then by hash, so every peer lists the same order). */
  next(count: number): HistoryChange[] {
    const out: HistoryChange[] = [];
    while (out.length < count && this.#frontier.length > 0) {
      const meta = this.#pop();
      out.push(toChange(meta));
      for (const dep of meta.deps) this.#push(dep);
    }
    return out;
  }

  #push(hash: string): void {
    if (this.#seen.has(hash)) return;
    this.#seen.add(hash);
    const meta = this.#backend.getChangeMetaByHash(hash);
    if (!meta) return;
    // Binary heap on (time, hash), newest on top.
    const heap = this.#frontier;
    heap.push(meta);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!newer(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  #pop(): Meta {
    const heap = this.#frontier;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < heap.length && newer(heap[l]!, heap[best]!)) best = l;
        if (r < heap.length && newer(heap[r]!, heap[best]!)) best = r;
        if (best === i) break;
        [heap[i], heap[best]] = [heap[best]!, heap[i]!];
        i = best;
      }
    }
    return top;
  }
}

function newer(a: Meta, b: Meta): boolean {
  return a.time > b.time || (a.time === b.time && (a.seq > b.seq || (a.seq === b.seq && a.hash > b.hash)));
}

/** The document as it was at `heads` (read-only). */
export function stateAt<T>(doc: A.Doc<T>, heads: string[]): A.Doc<T> {
  return A.view(doc, heads);
}

export function hasHeads(doc: A.Doc<unknown>, heads: string[]): boolean {
  return A.hasHeads(doc, heads);
}

/**
 * Make `target` (a change proxy) equal to `source` (plain data), writing only what differs: text is updated in place
 * so concurrent edits to unchanged parts merge, maps keep their identity, and untouched values are not rewritten.
 */
export function reconcile(doc: A.Doc<unknown>, target: Record<string, unknown>, source: Record<string, unknown>, path: A.Prop[] = []): void {
  for (const key of Object.keys(target)) if (!(key in source)) delete target[key];
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (isMap(value) && isMap(current)) {
      reconcile(doc, current, value, [...path, key]);
    } else if (typeof value === 'string' && typeof current === 'string') {
      if (current !== value) A.updateText(doc, [...path, key], value);
    } else if (!sameValue(current, value)) {
      target[key] = structuredClone(value);
    }
  }
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  return false;
}

/** Restore a past state as a new change on top of the present; returns whether anything changed. */
export function restore<T>(handle: DocHandle<T>, heads: string[], message: string, author?: Author): boolean {
  const past = A.toJS(A.view(handle.doc(), heads)) as Record<string, unknown>;
  const before = handle.heads();
  handle.change((doc) => reconcile(doc as A.Doc<unknown>, doc as Record<string, unknown>, past), { message: encodeChangeMessage(message, author) });
  return handle.heads().join() !== before.join();
}

/** One change by its hash, or undefined when this document does not have it. */
export function changeByHash(doc: A.Doc<unknown>, hash: string): HistoryChange | undefined {
  const meta = (A.getBackend(doc) as unknown as Backend).getChangeMetaByHash(hash);
  return meta ? toChange(meta) : undefined;
}
