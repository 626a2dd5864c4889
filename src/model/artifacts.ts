/**
 * Artifact metadata in the project: adding an uploaded file or a run's output (the bytes are already in the
 * artifact store under their SHA-256), what type a file is, and which jobs made and used an artifact.
 */
import { put, type Plan } from './plan';
import type { ArtifactMeta, DataType, Project } from './types';

/** Record an artifact's metadata: one change, shown in history. */
export function addArtifact(meta: ArtifactMeta): Plan {
  const from = meta.producedBy ? ' from a run' : '';
  return { message: `added artifact ${meta.name}${from}`, item: `artifacts/${meta.id}`, edits: [put(['artifacts', meta.id], meta)] };
}

/** An artifact of the project already holding these bytes, so that re-running does not list the same output twice. */
export function artifactWithHash(project: Project, sha256: string): ArtifactMeta | undefined {
  return Object.values(project.artifacts).find((a) => a.sha256 === sha256);
}

const BY_EXTENSION: Record<string, [DataType, string]> = {
  csv: ['table', 'text/csv'],
  tsv: ['table', 'text/tab-separated-values'],
  json: ['json', 'application/json'],
  png: ['image', 'image/png'],
  jpg: ['image', 'image/jpeg'],
  jpeg: ['image', 'image/jpeg'],
  webp: ['image', 'image/webp'],
  gif: ['image', 'image/gif'],
  zip: ['dataset', 'application/zip'],
};

/** The media type of a trained model as a zip of model.json and its weights (what the engine writes). */
export const MODEL_ZIP_MEDIA_TYPE = 'application/vnd.deepforge.tfjs-model+zip';

/**
 * The data type and media type of an uploaded file, from its name (and the browser's guess when it has none). A zip
 * holding model.json and weights (`zipEntries`: the paths inside) is a trained model, so a downloaded model imports
 * back as one.
 */
export function classifyFile(name: string, browserType = '', zipEntries: readonly string[] = []): { type: DataType; mediaType: string } {
  const ext = name.toLowerCase().split('.').pop() ?? '';
  if (ext === 'zip' && zipEntries.includes('model.json') && zipEntries.some((e) => e.endsWith('.bin'))) return { type: 'model', mediaType: MODEL_ZIP_MEDIA_TYPE };
  const known = BY_EXTENSION[ext];
  if (known) return { type: known[0], mediaType: known[1] };
  if (browserType.startsWith('image/')) return { type: 'image', mediaType: browserType };
  return { type: 'any', mediaType: browserType || 'application/octet-stream' };
}

/** Whether an upload of this name is one DeepForge can read (CSV, JSON, images and zips). */
export function isSupportedUpload(name: string): boolean {
  return (name.toLowerCase().split('.').pop() ?? '') in BY_EXTENSION;
}
