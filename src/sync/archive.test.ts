import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import { Repo, type DocHandle } from '@automerge/automerge-repo';
import { unzipSync, zipSync } from 'fflate';
import { EXAMPLES } from '../model/examples';
import type { ArtifactMeta, Project } from '../model/types';
// A test fixture only: the layer rule keeps src/sync code from importing src/storage, and archive.ts does not.
// eslint-disable-next-line no-restricted-imports
import { MemoryArtifactStore } from '../storage/memory-store';
import { ArchiveError, archiveFileName, exportProject, importProject, type ArchiveArtifactStore, type ArchiveErrorCode, type ArchiveManifest } from './archive';
import { MemoryStorageAdapter } from './memory-storage';
import { openProject } from './open';
import { createProjectDoc } from './projects';

const NOW = 1_700_000_000_000;
const ada = { name: 'Ada', color: '#e11d48' };
const encode = (s: string) => new TextEncoder().encode(s);

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(bytes)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

function meta(id: string, sha256: string, size: number, mediaType: string): ArtifactMeta {
  return { id, name: id, type: 'dataset', mediaType, sha256, size, createdAt: NOW };
}

/** An example project with two stored artifacts (one referenced twice) in a repo of its own. */
async function setup() {
  const storage = new MemoryStorageAdapter();
  const repo = new Repo({ storage, network: [] });
  // Typed as the archive's view of a store, which checks that a real ArtifactStore is one.
  const store: ArchiveArtifactStore & MemoryArtifactStore = new MemoryArtifactStore();
  const handle = createProjectDoc(repo, EXAMPLES[0]!.build(NOW).project, ada);
  const weights = new Uint8Array(4096).map((_, i) => (i * 31) % 251);
  const csv = encode('sepal,petal\n5.1,1.4\n');
  const w = await store.put(weights, { mediaType: 'application/octet-stream' });
  const c = await store.put(csv, { mediaType: 'text/csv' });
  handle.change((d) => {
    d.artifacts.weights = meta('weights', w.sha256, w.size, 'application/octet-stream');
    d.artifacts.csv = meta('csv', c.sha256, c.size, 'text/csv');
    d.artifacts.csvAgain = meta('csvAgain', c.sha256, c.size, 'text/csv');
  });
  return { storage, repo, store, handle, hashes: [w.sha256, c.sha256].sort(), bytes: { [w.sha256]: weights, [c.sha256]: csv } };
}

function fresh() {
  const storage = new MemoryStorageAdapter();
  return { storage, repo: new Repo({ storage, network: [] }), store: new MemoryArtifactStore() };
}

/** Everything an import could change: the repo's documents (in memory and stored) and the artifact store. */
async function snapshot(repo: Repo, storage: MemoryStorageAdapter, store: MemoryArtifactStore) {
  await repo.flush();
  const docs = Object.values(repo.handles).map((h: DocHandle<unknown>) => [h.documentId, h.isReady() ? A.save(h.doc() as A.Doc<unknown>) : h.state]);
  const artifacts = await store.list();
  const bytes = await Promise.all(artifacts.map((a) => store.get(a.sha256)));
  return { docs, stored: new Map(storage.data), artifacts, bytes };
}

function rezip(file: Uint8Array, edit: (files: Record<string, Uint8Array>) => void): Uint8Array {
  const files = unzipSync(file);
  edit(files);
  return zipSync(files);
}

function editManifest(file: Uint8Array, edit: (m: Record<string, unknown>) => void): Uint8Array {
  return rezip(file, (files) => {
    const m = JSON.parse(new TextDecoder().decode(files['deepforge-archive.json'])) as Record<string, unknown>;
    edit(m);
    files['deepforge-archive.json'] = encode(JSON.stringify(m));
  });
}

async function importError(repo: Repo, store: MemoryArtifactStore, file: Uint8Array): Promise<ArchiveError> {
  const err = await importProject(repo, store, file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ArchiveError);
  return err as ArchiveError;
}

describe('exportProject', () => {
  it('writes a manifest, the document with its history, and each referenced artifact once', async () => {
    const { handle, store, hashes, bytes } = await setup();
    const out = await exportProject(handle, store, NOW);
    expect(out.fileName).toBe('Iris MLP.deepforge.zip');
    expect(out.missingArtifacts).toEqual([]);
    const files = unzipSync(out.bytes);
    expect(Object.keys(files).sort()).toEqual([...hashes.map((h) => `artifacts/${h}`), 'deepforge-archive.json', 'project.automerge']);
    const manifest = JSON.parse(new TextDecoder().decode(files['deepforge-archive.json'])) as ArchiveManifest;
    expect(manifest).toMatchObject({ format: 'deepforge-archive', formatVersion: 1, app: 'deepforge', exportedAt: new Date(NOW).toISOString(), documentId: handle.documentId, projectName: 'Iris MLP', schemaVersion: 1 });
    expect(manifest.artifacts.map((a) => a.sha256)).toEqual(hashes);
    expect(manifest.artifacts.find((a) => a.mediaType === 'text/csv')?.size).toBe(bytes[hashes.find((h) => bytes[h]!.length < 100)!]!.length);
    for (const h of hashes) expect(files[`artifacts/${h}`]).toEqual(bytes[h]);
    expect(A.getHistory(A.load<Project>(files['project.automerge']!)).length).toBe(A.getHistory(handle.doc()).length);
  });

  it('lists an artifact whose bytes this device lacks as missing instead of dropping it', async () => {
    const { handle, store } = await setup();
    const absent = await sha256(encode('never stored'));
    handle.change((d) => {
      d.artifacts.gone = meta('gone', absent, 12, 'text/plain');
    });
    const out = await exportProject(handle, store, NOW);
    expect(out.missingArtifacts).toEqual([absent]);
    const files = unzipSync(out.bytes);
    const manifest = JSON.parse(new TextDecoder().decode(files['deepforge-archive.json'])) as ArchiveManifest;
    expect(manifest.artifacts.find((a) => a.sha256 === absent)).toEqual({ sha256: absent, size: 12, mediaType: 'text/plain', missing: true });
    expect(files[`artifacts/${absent}`]).toBeUndefined();

    const target = fresh();
    const result = await importProject(target.repo, target.store, out.bytes);
    expect(result).toMatchObject({ status: 'created', artifactsAdded: 2, artifactsPresent: 0, missingArtifacts: [absent] });
  });

  it('makes a file name any file system accepts', () => {
    expect(archiveFileName('a/b: c?')).toBe('a-b- c-.deepforge.zip');
    expect(archiveFileName(' ..  ')).toBe('project.deepforge.zip');
  });
});

describe('importProject', () => {
  it('recreates the same document, history included, and the same artifacts in a fresh repo', async () => {
    const { handle, store, hashes, bytes } = await setup();
    const { bytes: file } = await exportProject(handle, store, NOW);
    const target = fresh();
    const result = await importProject(target.repo, target.store, file);
    expect(result).toEqual({ status: 'created', documentId: handle.documentId, name: 'Iris MLP', artifactsAdded: 2, artifactsPresent: 0, missingArtifacts: [] });
    const opened = await openProject(target.repo, handle.documentId);
    expect(opened.status).toBe('ready');
    if (opened.status !== 'ready') return;
    expect(opened.handle.heads()).toEqual(handle.heads());
    expect(A.save(opened.handle.doc())).toEqual(A.save(handle.doc()));
    expect(A.getHistory(opened.handle.doc()).map((h) => h.change.message)).toEqual(A.getHistory(handle.doc()).map((h) => h.change.message));
    expect((await target.store.list()).map((a) => a.sha256)).toEqual(hashes);
    for (const h of hashes) {
      expect(await target.store.get(h)).toEqual(bytes[h]);
      expect((await target.store.stat(h))?.mediaType).toBe((await store.stat(h))?.mediaType);
    }
  });

  it('changes nothing when the same file is imported again, also after a reload from storage', async () => {
    const { handle, store } = await setup();
    const { bytes: file } = await exportProject(handle, store, NOW);
    const target = fresh();
    await importProject(target.repo, target.store, file);
    const before = await snapshot(target.repo, target.storage, target.store);
    const again = await importProject(target.repo, target.store, file);
    expect(again).toMatchObject({ status: 'unchanged', artifactsAdded: 0, artifactsPresent: 2 });
    expect(await snapshot(target.repo, target.storage, target.store)).toEqual(before);

    // A new session on the same storage: the project is on disk but not in memory, and must still be found.
    await target.repo.shutdown();
    const reopened = new Repo({ storage: target.storage, network: [] });
    const third = await importProject(reopened, target.store, file);
    expect(third.status).toBe('unchanged');
    expect(Object.keys(reopened.handles)).toEqual([handle.documentId]);
  });

  it('merges a file with new changes into the local copy, keeping the local edits too', async () => {
    const { repo, handle, store } = await setup();
    const first = await exportProject(handle, store, NOW);
    // Someone else imports the file and edits it; meanwhile the project is renamed here.
    const elsewhere = fresh();
    await importProject(elsewhere.repo, elsewhere.store, first.bytes);
    const theirs = await elsewhere.repo.find<Project>(handle.documentId);
    theirs.change((d) => {
      d.description = 'tuned elsewhere';
    });
    const second = await exportProject(theirs, elsewhere.store, NOW + 1);
    handle.change((d) => {
      d.name = 'Iris (local)';
    });

    // The old file adds nothing the local copy lacks; the edited one does.
    expect((await importProject(repo, store, first.bytes)).status).toBe('unchanged');
    const result = await importProject(repo, store, second.bytes);
    expect(result).toMatchObject({ status: 'merged', name: 'Iris (local)', artifactsAdded: 0, artifactsPresent: 2 });
    expect(handle.doc().name).toBe('Iris (local)');
    expect(handle.doc().description).toBe('tuned elsewhere');
  });
});

describe('importProject refuses a bad file and changes nothing', () => {
  /** A target that already holds the project, so a bad file with the same id could do damage if let through. */
  async function target() {
    const { handle, store } = await setup();
    const good = (await exportProject(handle, store, NOW)).bytes;
    const t = fresh();
    await importProject(t.repo, t.store, good);
    return { ...t, good, documentId: handle.documentId };
  }

  async function refuses(code: ArchiveErrorCode, make: (good: Uint8Array) => Uint8Array | Promise<Uint8Array>): Promise<ArchiveError> {
    const t = await target();
    const before = await snapshot(t.repo, t.storage, t.store);
    const err = await importError(t.repo, t.store, await make(t.good));
    expect(err.code).toBe(code);
    expect(await snapshot(t.repo, t.storage, t.store)).toEqual(before);
    return err;
  }

  it('not-a-zip: random bytes', async () => {
    const err = await refuses('not-a-zip', () => crypto.getRandomValues(new Uint8Array(2048)));
    expect(err.message).toMatch(/Nothing was imported/);
    await refuses('not-a-zip', () => new Uint8Array(0));
  });

  it('not-an-archive: a zip without a manifest, or with a manifest of something else', async () => {
    await refuses('not-an-archive', () => zipSync({ 'readme.txt': encode('hello') }));
    await refuses('not-an-archive', (good) => rezip(good, (f) => delete f['deepforge-archive.json']));
    await refuses('not-an-archive', (good) => editManifest(good, (m) => (m.format = 'other-app')));
    await refuses('not-an-archive', (good) => rezip(good, (f) => (f['deepforge-archive.json'] = encode('{not json'))));
  });

  it('unsupported-version: formatVersion 99', async () => {
    const err = await refuses('unsupported-version', (good) => editManifest(good, (m) => (m.formatVersion = 99)));
    expect(err.message).toMatch(/update the app/);
  });

  it('damaged-project: corrupted, missing or non-project project.automerge, or an invalid document id', async () => {
    const err = await refuses('damaged-project', (good) =>
      rezip(good, (f) => {
        const bytes = new Uint8Array(f['project.automerge']!);
        for (let i = 40; i < bytes.length; i += 97) bytes[i] = bytes[i]! ^ 0xff;
        f['project.automerge'] = bytes;
      }),
    );
    expect(err.message).toMatch(/^This file is damaged \(.+\)\. Nothing was imported; ask for the file again\.$/);
    await refuses('damaged-project', (good) => rezip(good, (f) => (f['project.automerge'] = crypto.getRandomValues(new Uint8Array(500)))));
    await refuses('damaged-project', (good) => rezip(good, (f) => delete f['project.automerge']));
    await refuses('damaged-project', (good) => rezip(good, (f) => (f['project.automerge'] = A.save(A.from<Record<string, unknown>>({ hello: 'world' })))));
    await refuses('damaged-project', (good) => editManifest(good, (m) => (m.documentId = 'not-a-document-id')));
  });

  it('damaged-project: a file that names a local project as its own but is another project', async () => {
    const other = fresh();
    const unrelated = createProjectDoc(other.repo, EXAMPLES[0]!.build(NOW).project, ada);
    const otherFile = (await exportProject(unrelated, other.store, NOW)).bytes;
    const err = await refuses('damaged-project', (good) => {
      const { documentId } = JSON.parse(new TextDecoder().decode(unzipSync(good)['deepforge-archive.json'])) as ArchiveManifest;
      return editManifest(otherFile, (m) => (m.documentId = documentId));
    });
    expect(err.message).toMatch(/history/);
  });

  it('too-new: a project of schemaVersion 999, whether or not the manifest says so', async () => {
    const newer = (good: Uint8Array, inManifest: boolean) => {
      const files: Record<string, Uint8Array> = unzipSync(good);
      const doc = A.change(A.load<Project>(files['project.automerge']!), (d) => {
        d.schemaVersion = 999;
      });
      files['project.automerge'] = A.save(doc);
      const out = zipSync(files);
      return inManifest ? editManifest(out, (m) => (m.schemaVersion = 999)) : out;
    };
    const err = await refuses('too-new', (good) => newer(good, true));
    expect(err.message).toBe('This file was exported by a newer DeepForge; update the app, then import it again.');
    await refuses('too-new', (good) => newer(good, false));
  });

  it('damaged-artifact: bytes that do not match their name, or a listed artifact that is not there', async () => {
    const err = await refuses('damaged-artifact', (good) =>
      rezip(good, (f) => {
        const name = Object.keys(f).find((k) => k.startsWith('artifacts/'))!;
        const bytes = new Uint8Array(f[name]!);
        bytes[0] = bytes[0]! ^ 1;
        f[name] = bytes;
      }),
    );
    expect(err.message).toMatch(/^This file is damaged \(.*fingerprint\)\. Nothing was imported; ask for the file again\.$/);
    await refuses('damaged-artifact', (good) =>
      rezip(good, (f) => {
        delete f[Object.keys(f).find((k) => k.startsWith('artifacts/'))!];
      }),
    );
  });

  it('a damaged artifact is refused before a new project is written, even into an empty repo', async () => {
    const { handle, store } = await setup();
    const good = (await exportProject(handle, store, NOW)).bytes;
    const bad = rezip(good, (f) => {
      const name = Object.keys(f).sort().at(-3)!; // the last artifact, so any earlier one would already be stored
      expect(name.startsWith('artifacts/')).toBe(true);
      f[name] = encode('tampered');
    });
    const t = fresh();
    const err = await importError(t.repo, t.store, bad);
    expect(err.code).toBe('damaged-artifact');
    expect(Object.keys(t.repo.handles)).toEqual([]);
    expect(await t.store.usage()).toEqual({ count: 0, bytes: 0 });
  });
});
