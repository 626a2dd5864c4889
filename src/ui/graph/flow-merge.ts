/**
 * Merging a fresh build of a graph editor's nodes and edges into what Svelte Flow shows (pipelines and
 * architectures alike): unchanged items keep their object, so Svelte Flow does no work for them.
 */
import type { Edge, Node } from '@xyflow/svelte';
import type { Id } from '../../model/types';

/**
 * Nodes being moved right now (`held`) keep the canvas position; a changed node keeps its measured size when
 * `keepsSize(old, next)` says its size cannot have changed. Returns `previous` itself when nothing changed.
 */
export function mergeNodes<N extends Node>(next: N[], previous: N[], held: ReadonlySet<Id>, keepsSize: (old: N, next: N) => boolean): N[] {
  const before = new Map(previous.map((n) => [n.id, n]));
  let same = next.length === previous.length;
  const merged = next.map((n, i) => {
    const old = before.get(n.id);
    if (!old) {
      same = false;
      return n;
    }
    const position = held.has(n.id) ? old.position : n.position;
    const unchanged =
      old.type === n.type &&
      !!old.selected === !!n.selected &&
      old.ariaLabel === n.ariaLabel &&
      old.position.x === position.x &&
      old.position.y === position.y &&
      JSON.stringify(old.data) === JSON.stringify(n.data);
    if (unchanged) {
      if (previous[i] !== old) same = false;
      return old;
    }
    same = false;
    return { ...n, position, ...(old.measured && keepsSize(old, n) ? { measured: old.measured } : {}) };
  });
  return same ? previous : merged;
}

/** Edges `unchanged(old, next)` says are the same keep their object. Returns `previous` itself when nothing changed. */
export function mergeEdges<E extends Edge>(next: E[], previous: E[], unchanged: (old: E, next: E) => boolean): E[] {
  const before = new Map(previous.map((e) => [e.id, e]));
  let same = next.length === previous.length;
  const merged = next.map((e, i) => {
    const old = before.get(e.id);
    if (old && !!old.selected === !!e.selected && old.ariaLabel === e.ariaLabel && old.source === e.source && old.target === e.target && unchanged(old, e)) {
      if (previous[i] !== old) same = false;
      return old;
    }
    same = false;
    return e;
  });
  return same ? previous : merged;
}
