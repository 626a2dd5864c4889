import type { DocHandle } from '@automerge/automerge-repo';
import type { Project } from '../../model/types';
import type { Workspace } from '../services';
import { toasts } from '../toasts.svelte';

/** Restore a past version, saying what happened and offering to undo it; returns whether anything changed. */
export function restoreWithUndo(ws: Workspace, handle: DocHandle<Project>, heads: string[], when: string): boolean {
  const before = ws.headsOf(handle);
  if (!ws.restore(handle, heads, when)) {
    toasts.show('The current version is already the same as this one.');
    return false;
  }
  toasts.show(`Restored the version of ${when}.`, { action: { label: 'Undo', run: () => ws.restore(handle, before, 'before the restore') }, timeoutMs: 10_000 });
  return true;
}
