/**
 * Whole-project export and import as one file, for backup, e-mail and archiving: a zip holding a manifest, the
 * project document with its whole history (so provenance and named versions survive), and the bytes of every
 * artifact the project references.
 *
 * The project keeps its document id, so importing a file made from a project this device already has merges
 * into it instead of making a second copy, and importing the same file twice changes nothing. Import checks the
 * whole file before it writes anything: a file that is damaged, or from a newer DeepForge, leaves the repo and
 * the artifact store exactly as they were.
 */
import * as A from '@automerge/automerge';
import type { DocHandle, DocumentId, Repo } from '@automerge/automerge-repo';
import { isValidDocumentId } from '@automerge/automerge-repo';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import type { Project } from '../model/types';
import { CURRENT_SCHEMA_VERSION } from '../model/version';
import { assess, runMigrations } from '../schema/migrate';
import { projectProblems } from '../schema/validate';

export const ARCHIVE_FORMAT = 'deepforge-archive';
export const ARCHIVE_FORMAT_VERSION = 1;
export const ARCHIVE_EXTENSION = '.deepforge.zip';
const MANIFEST_PATH = 'deepforge-archive.json';
const DOCUMENT_PATH = 'project.automerge';
const ARTIFACT_DIR = 'artifacts/';
const SHA256 = /^[0-9a-f]{64}$/;

/**
 * The part of src/storage's `ArtifactStore` that archives use. Restated here because the layer rule (eslint.config.js)
 * keeps src/sync from importing src/storage, types included; every ArtifactStore is one of these.
 */
export interface ArchiveArtifactStore {
  get(sha256: string): Promise<Uint8Array | undefined>;
  has(sha256: string): Promise<boolean>;
  /** Must refuse bytes whose hash is not `sha256`, and store nothing new when they are already present. */
  putVerified(sha256: string, bytes: Uint8Array, info?: { mediaType?: string }): Promise<unknown>;
}

export interface ArchivedArtifact {
  sha256: string;
  size: number;
  mediaType: string;
  /** The project references these bytes but the exporting device did not have them, so the file lacks them. */
  missing?: true;
}

export interface ArchiveManifest {
  format: typeof ARCHIVE_FORMAT;
  formatVersion: typeof ARCHIVE_FORMAT_VERSION;
  /** ISO 8601. */
  exportedAt: string;
  app: 'deepforge';
  documentId: DocumentId;
  projectName: string;
  schemaVersion: number;
  artifacts: ArchivedArtifact[];
}

export interface ExportResult {
  fileName: string;
  bytes: Uint8Array;
  /** Hashes the project references whose bytes this device lacks: the file is complete except for these. */
  missingArtifacts: string[];
}

export interface ImportResult {
  /** `merged`: the project was already here and the file added changes; `unchanged`: it added none. */
  status: 'created' | 'merged' | 'unchanged';
  documentId: DocumentId;
  name: string;
  artifactsAdded: number;
  artifactsPresent: number;
  /** Hashes the file lists as missing (the exporter lacked them) that this device does not have either. */
  missingArtifacts: string[];
}

export type ArchiveErrorCode = 'not-a-zip' | 'not-an-archive' | 'unsupported-version' | 'damaged-project' | 'too-new' | 'damaged-artifact';

/** The message a person reads: what is wrong with the file, that nothing changed, and what to do. */
function messageFor(code: ArchiveErrorCode, detail: string | undefined): string {
  const what = detail ? ` (${detail})` : '';
  switch (code) {
    case 'not-a-zip':
      return `This is not a DeepForge project file: it cannot be read as a zip archive${what}. Nothing was imported; choose a file ending in ${ARCHIVE_EXTENSION}, or ask for the file again if it should be one.`;
    case 'not-an-archive':
      return `This zip file is not a DeepForge project export${what}. Nothing was imported; choose a file made with Export project (its name ends in ${ARCHIVE_EXTENSION}).`;
    case 'unsupported-version':
      return `This file uses a DeepForge archive format this version of the app cannot read${what}. Nothing was imported; update the app, then import it again.`;
    case 'too-new':
      return 'This file was exported by a newer DeepForge; update the app, then import it again.';
    case 'damaged-project':
    case 'damaged-artifact':
      return `This file is damaged${what}. Nothing was imported; ask for the file again.`;
  }
}

export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';
  readonly code: ArchiveErrorCode;

  constructor(code: ArchiveErrorCode, options: { detail?: string; cause?: unknown } = {}) {
    super(messageFor(code, options.detail), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** A file name every common file system accepts, so a project called "a/b: c?" still saves. */
export function archiveFileName(projectName: string): string {
  // eslint-disable-next-line no-control-regex
  const safe = projectName.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, '-').replace(/^[\s.]+|[\s.]+$/g, '').slice(0, 120);
  return `${safe || 'project'}${ARCHIVE_EXTENSION}`;
}

function short(sha256: string): string {
  return `${sha256.slice(0, 12)}…`;
}

/**
 * SHA-256 as 64 lowercase hex characters, as src/storage/sha256.ts computes it (restated for the same layer rule):
 * import checks every artifact against its name before anything is stored.
 */
async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const input = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', input));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The project, its history and the artifact bytes it references, as one zip. Artifact bytes are stored without
 * compression (weights and images rarely shrink, and it keeps export fast); the manifest and document are deflated.
 * A referenced artifact this device lacks is listed with `missing: true` and returned, never silently dropped.
 */
export async function exportProject(handle: DocHandle<Project>, store: ArchiveArtifactStore, now = Date.now()): Promise<ExportResult> {
  await handle.whenReady();
  const doc = handle.doc();
  // Read defensively: export is also how a project this version cannot open gets handed to one that can.
  const metas = Object.values((doc.artifacts ?? {}) as Partial<Project['artifacts']>);
  const artifacts: ArchivedArtifact[] = [];
  const missingArtifacts: string[] = [];
  const mtime = new Date(now);
  const files: Zippable = {};
  const seen = new Set<string>();
  for (const meta of metas) {
    if (!meta || typeof meta.sha256 !== 'string' || !SHA256.test(meta.sha256) || seen.has(meta.sha256)) continue;
    seen.add(meta.sha256);
    const bytes = await store.get(meta.sha256);
    const mediaType = typeof meta.mediaType === 'string' ? meta.mediaType : 'application/octet-stream';
    if (bytes) {
      artifacts.push({ sha256: meta.sha256, size: bytes.byteLength, mediaType });
      files[`${ARTIFACT_DIR}${meta.sha256}`] = [bytes, { level: 0, mtime }];
    } else {
      artifacts.push({ sha256: meta.sha256, size: typeof meta.size === 'number' ? meta.size : 0, mediaType, missing: true });
      missingArtifacts.push(meta.sha256);
    }
  }
  artifacts.sort((a, b) => (a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : 0));
  missingArtifacts.sort();
  const name = typeof doc.name === 'string' ? doc.name : 'project';
  const manifest: ArchiveManifest = {
    format: ARCHIVE_FORMAT,
    formatVersion: ARCHIVE_FORMAT_VERSION,
    exportedAt: mtime.toISOString(),
    app: 'deepforge',
    documentId: handle.documentId,
    projectName: name,
    schemaVersion: doc.schemaVersion,
    artifacts,
  };
  files[MANIFEST_PATH] = [new TextEncoder().encode(JSON.stringify(manifest, null, 2)), { level: 6, mtime }];
  files[DOCUMENT_PATH] = [A.save(doc), { level: 6, mtime }];
  return { fileName: archiveFileName(name), bytes: zipSync(files), missingArtifacts };
}

/** Everything import needs, checked; nothing has been written when this exists. */
export interface CheckedArchive {
  manifest: ArchiveManifest;
  documentBytes: Uint8Array;
  document: A.Doc<unknown>;
  name: string;
  artifacts: { sha256: string; mediaType: string; bytes: Uint8Array }[];
  missing: string[];
}

function unzip(file: Uint8Array): Record<string, Uint8Array> {
  try {
    // Only the entries an archive can hold are inflated, so an unrelated large zip costs little to refuse.
    return unzipSync(file, { filter: (f) => f.name === MANIFEST_PATH || f.name === DOCUMENT_PATH || f.name.startsWith(ARTIFACT_DIR) });
  } catch (err) {
    throw new ArchiveError('not-a-zip', { cause: err });
  }
}

function readManifest(files: Record<string, Uint8Array>): ArchiveManifest {
  const raw = files[MANIFEST_PATH];
  if (!raw) throw new ArchiveError('not-an-archive', { detail: `it has no ${MANIFEST_PATH}` });
  let m: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    m = parsed as Record<string, unknown>;
  } catch (err) {
    throw new ArchiveError('not-an-archive', { detail: `its ${MANIFEST_PATH} is not readable JSON`, cause: err });
  }
  if (m.format !== ARCHIVE_FORMAT) throw new ArchiveError('not-an-archive', { detail: `its manifest is for ${JSON.stringify(m.format)}` });
  if (m.formatVersion !== ARCHIVE_FORMAT_VERSION) {
    throw new ArchiveError('unsupported-version', { detail: `format version ${JSON.stringify(m.formatVersion)}; this app reads version ${ARCHIVE_FORMAT_VERSION}` });
  }
  if (typeof m.schemaVersion === 'number' && m.schemaVersion > CURRENT_SCHEMA_VERSION) throw new ArchiveError('too-new');
  if (typeof m.documentId !== 'string' || !isValidDocumentId(m.documentId)) {
    throw new ArchiveError('damaged-project', { detail: "the manifest's project id is not valid" });
  }
  if (!Array.isArray(m.artifacts)) throw new ArchiveError('damaged-artifact', { detail: 'the manifest has no list of artifacts' });
  for (const a of m.artifacts as unknown[]) {
    const e = a as Partial<ArchivedArtifact> | null;
    const ok =
      e !== null &&
      typeof e === 'object' &&
      typeof e.sha256 === 'string' &&
      SHA256.test(e.sha256) &&
      typeof e.size === 'number' &&
      Number.isSafeInteger(e.size) &&
      e.size >= 0 &&
      typeof e.mediaType === 'string' &&
      (e.missing === undefined || typeof e.missing === 'boolean');
    if (!ok) throw new ArchiveError('damaged-artifact', { detail: `the manifest lists an artifact it does not describe: ${JSON.stringify(a)?.slice(0, 100)}` });
  }
  return m as unknown as ArchiveManifest;
}

/** The project document must load and be a deepforge/project this version can open (possibly after migrating). */
function checkDocument(files: Record<string, Uint8Array>): { bytes: Uint8Array; doc: A.Doc<unknown>; name: string } {
  const bytes = files[DOCUMENT_PATH];
  if (!bytes) throw new ArchiveError('damaged-project', { detail: `it has no ${DOCUMENT_PATH}` });
  let doc: A.Doc<unknown>;
  try {
    doc = A.load<unknown>(bytes);
  } catch (err) {
    throw new ArchiveError('damaged-project', { detail: `the project could not be read: ${errorText(err)}`, cause: err });
  }
  const verdict = assess(doc, 'deepforge/project');
  if (verdict.status === 'too-new') throw new ArchiveError('too-new');
  if (verdict.status === 'unreadable') throw new ArchiveError('damaged-project', { detail: verdict.reason });
  // Same test openProject applies, so an import never produces a project that then refuses to open.
  const shaped = A.toJS(doc) as Record<string, unknown>;
  if (verdict.status === 'migrate') runMigrations(shaped, verdict.steps);
  const problems = projectProblems(shaped);
  if (problems.length > 0) throw new ArchiveError('damaged-project', { detail: problems.join(' ') });
  return { bytes, doc, name: String(shaped.name) };
}

async function checkArtifacts(files: Record<string, Uint8Array>, manifest: ArchiveManifest): Promise<Pick<CheckedArchive, 'artifacts' | 'missing'>> {
  const artifacts: CheckedArchive['artifacts'] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  for (const entry of manifest.artifacts) {
    if (seen.has(entry.sha256)) continue;
    seen.add(entry.sha256);
    if (entry.missing) {
      missing.push(entry.sha256);
      continue;
    }
    const bytes = files[`${ARTIFACT_DIR}${entry.sha256}`];
    if (!bytes) throw new ArchiveError('damaged-artifact', { detail: `artifact ${short(entry.sha256)} is listed but not in the file` });
    if (bytes.byteLength !== entry.size || (await sha256Hex(bytes)) !== entry.sha256) {
      throw new ArchiveError('damaged-artifact', { detail: `the bytes of artifact ${short(entry.sha256)} do not match its fingerprint` });
    }
    artifacts.push({ sha256: entry.sha256, mediaType: entry.mediaType, bytes });
  }
  return { artifacts, missing };
}

/** Reads and checks the whole file; throws an ArchiveError, having written nothing, if any part is wrong. */
export async function readArchive(file: Uint8Array): Promise<CheckedArchive> {
  const files = unzip(file);
  const manifest = readManifest(files);
  const { bytes: documentBytes, doc: document, name } = checkDocument(files);
  return { manifest, documentBytes, document, name, ...(await checkArtifacts(files, manifest)) };
}

/** The handle of a document this repo already has (in memory or storage), or undefined. */
async function existingHandle(repo: Repo, documentId: DocumentId): Promise<DocHandle<unknown> | undefined> {
  try {
    const handle = await repo.find<unknown>(documentId, { allowableStates: ['ready', 'unavailable'] });
    return handle.isReady() ? handle : undefined;
  } catch (err) {
    if (/unavailable/i.test(errorText(err))) return undefined;
    throw err;
  }
}

/**
 * Whether two documents descend from the same first change. Documents of one project always do (each copy was
 * loaded from or synced with the one created first); a file whose manifest names a local project it is not a copy
 * of must not be merged into it, or the two unrelated projects' fields would be mixed.
 */
function sharesHistory(local: A.Doc<unknown>, imported: A.Doc<unknown>): boolean {
  const roots = A.getChangesMetaSince(imported, []).filter((c) => c.deps.length === 0).map((c) => c.hash);
  return roots.some((root) => A.hasHeads(local, [root]));
}

/**
 * Adds an exported project to this device. Artifacts are written before the document, so that if the store
 * fails part-way (a full disk) no project appears that points at bytes it lacks; importing again resumes.
 */
export async function importProject(repo: Repo, store: ArchiveArtifactStore, file: Uint8Array): Promise<ImportResult> {
  const checked = await readArchive(file);
  const documentId = checked.manifest.documentId;
  const existing = await existingHandle(repo, documentId);
  if (existing && !sharesHistory(existing.doc(), checked.document)) {
    throw new ArchiveError('damaged-project', { detail: 'it names a project on this device as its own, but its history is not that project’s' });
  }
  let artifactsAdded = 0;
  let artifactsPresent = 0;
  for (const a of checked.artifacts) {
    if (await store.has(a.sha256)) {
      artifactsPresent++;
    } else {
      await store.putVerified(a.sha256, a.bytes, { mediaType: a.mediaType });
      artifactsAdded++;
    }
  }
  const missingArtifacts: string[] = [];
  for (const sha of checked.missing) if (!(await store.has(sha))) missingArtifacts.push(sha);

  const before = existing?.heads();
  // With a docId, import loads the changes into the handle (new or existing): a merge, so repeats are no-ops.
  const handle = repo.import<Project>(checked.documentBytes, { docId: documentId });
  const status: ImportResult['status'] = !before ? 'created' : sameHeads(before, handle.heads()) ? 'unchanged' : 'merged';
  const doc = handle.doc();
  const name = typeof doc.name === 'string' ? doc.name : checked.name;
  return { status, documentId, name, artifactsAdded, artifactsPresent, missingArtifacts };
}

function sameHeads(a: readonly string[], b: readonly string[]): boolean {
  const sorted = [...b].sort();
  return a.length === b.length && [...a].sort().every((h, i) => h === sorted[i]);
}
