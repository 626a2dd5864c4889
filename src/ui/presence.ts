/**
 * The open project's presence, for any view that wants to show collaborators or tell them where we are (the code
 * editor shows their carets; the pipeline editor their selections). Provided by the project layout.
 */
import { getContext, setContext } from 'svelte';
import type { Peer, PresenceInfo } from '../sync/presence.svelte';

export interface PresenceContext {
  readonly peers: Peer[];
  set<K extends keyof PresenceInfo>(channel: K, value: PresenceInfo[K]): void;
}

const KEY = Symbol('deepforge.presence');

export function providePresence(presence: PresenceContext): void {
  setContext(KEY, presence);
}

/** The project's presence, or undefined outside a project (e.g. a view rendered on its own in a test). */
export function usePresence(): PresenceContext | undefined {
  return getContext<PresenceContext | undefined>(KEY);
}
