/** Uploading files as artifacts: checks what DeepForge can read, stores each one, and says what happened. */
import { isSupportedUpload } from '../../model/artifacts';
import type { ArtifactMeta } from '../../model/types';
import type { Workspace } from '../services';
import { toasts } from '../toasts.svelte';

/** Store and list each file; returns the artifacts added. A full disk stops with the store's message, losing nothing. */
export async function uploadFiles(ws: Workspace, documentId: string, files: Iterable<File>): Promise<ArtifactMeta[]> {
  const added: ArtifactMeta[] = [];
  const open = await ws.openProject(documentId);
  if (open.status !== 'ready') {
    toasts.show('The project could not be opened to add the files; reload the page.', { tone: 'error' });
    return added;
  }
  let chosen: Array<{ name: string; type: string; bytes: Uint8Array }> = await Promise.all(
    [...files].map(async (f) => ({ name: f.name, type: f.type, bytes: new Uint8Array(await f.arrayBuffer()) })),
  );
  // model.json with its weights (a downloaded model) comes back as one model artifact.
  if (chosen.some((f) => f.name === 'model.json')) {
    const bundle = (await import('./preview')).bundleModel(chosen);
    if (bundle) chosen = [{ name: 'model.zip', type: 'application/zip', bytes: bundle.zip }, ...bundle.rest];
  }
  for (const file of chosen) {
    if (!isSupportedUpload(file.name)) {
      toasts.show(`${file.name} was not added: DeepForge reads CSV, JSON, images (PNG, JPEG, WebP, GIF) and zip files.`, { tone: 'error' });
      continue;
    }
    try {
      added.push(await ws.runs.upload(open.handle, file));
    } catch (err) {
      toasts.show(`${file.name} was not added. ${err instanceof Error ? err.message : String(err)}`, { tone: 'error' });
      break;
    }
  }
  if (added.length) toasts.show(added.length === 1 ? `Added ${added[0]!.name}.` : `Added ${added.length} artifacts.`, { tone: 'success' });
  return added;
}
