import { describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import { Repo, type PeerId } from '@automerge/automerge-repo';
import { BroadcastChannelNetworkAdapter } from '@automerge/automerge-repo-network-broadcastchannel';
import { EXAMPLES } from '../model/examples';
import { createPipeline, newProject, renameProject } from '../model/project';
import type { Plan } from '../model/plan';
import type { Project } from '../model/types';
import { applyPlan } from './apply';
import { decodeChangeMessage, encodeChangeMessage } from './messages';
import { MemoryStorageAdapter } from './memory-storage';
import { openProject, rawDocumentBytes } from './open';
import { createProjectDoc, duplicateProjectDoc } from './projects';
import { createRepo, newTabPeerId } from './repo';
import { listProjects, openHome, upsertEntry, expiredDeletions } from './home';

const NOW = 1_700_000_000_000;
const ada = { name: 'Ada', color: '#e11d48' };

function plan(p: Plan | { refused: string }): Plan {
  if ('refused' in p) throw new Error(p.refused);
  return p;
}

describe('change messages', () => {
  it('carry the author as a trailer and read back', () => {
    const raw = encodeChangeMessage('renamed project to Iris', ada);
    expect(raw).toBe('renamed project to Iris\n\nby: Ada (#e11d48)');
    expect(decodeChangeMessage(raw)).toEqual({ message: 'renamed project to Iris', author: ada });
    expect(decodeChangeMessage('from elsewhere')).toEqual({ message: 'from elsewhere' });
    const withItem = encodeChangeMessage('renamed pipeline A to B', ada, 'pipelines/p1');
    expect(withItem).toBe('renamed pipeline A to B\n\nby: Ada (#e11d48)\nitem: pipelines/p1');
    expect(decodeChangeMessage(withItem)).toEqual({ message: 'renamed pipeline A to B', author: ada, item: 'pipelines/p1' });
    // A message with a blank line of its own is not mistaken for trailers.
    expect(decodeChangeMessage('title\n\nsome body text')).toEqual({ message: 'title\n\nsome body text' });
  });
});

describe('applyPlan', () => {
  it('makes one change per plan, with its message, and edits code as collaborative text', async () => {
    const repo = new Repo({ network: [] });
    const { project } = EXAMPLES[0]!.build(NOW);
    const handle = createProjectDoc(repo, project, ada);
    const before = A.getHistory(handle.doc()).length;
    applyPlan(handle, plan(renameProject(handle.doc(), 'Flowers', NOW + 1)), ada);
    applyPlan(handle, { message: 'edited code of Train', edits: [{ op: 'splice', path: ['operations', 'core.train', 'code'], index: 0, remove: 0, insert: '// tuned\n' }] }, ada);
    const history = A.getHistory(handle.doc());
    expect(history.length).toBe(before + 2);
    expect(decodeChangeMessage(history.at(-2)!.change.message).message).toBe('renamed project to Flowers');
    expect(handle.doc().name).toBe('Flowers');
    expect(handle.doc().operations['core.train']!.code.startsWith('// tuned\nexport default')).toBe(true);
    // Concurrent text edits merge instead of overwriting each other.
    const other = A.clone(handle.doc());
    const mine = A.change(A.clone(handle.doc()), (d) => A.splice(d, ['operations', 'core.train', 'code'], 0, 0, 'A'));
    const theirs = A.change(other, (d) => A.splice(d, ['operations', 'core.train', 'code'], 0, 0, 'B'));
    const merged = A.merge(mine, theirs).operations['core.train']!.code;
    expect(merged.startsWith('AB') || merged.startsWith('BA')).toBe(true);
  });

  it('leaves optional fields out instead of failing on undefined, and writes nothing for an empty plan', () => {
    const repo = new Repo({ network: [] });
    const handle = createProjectDoc(repo, newProject('x', NOW));
    const created = createPipeline(handle.doc(), NOW, 'p1');
    applyPlan(handle, { ...created, edits: [{ op: 'put', path: ['pipelines', 'p1'], value: { id: 'p1', name: 'P', description: undefined, nodes: {}, edges: {} } }] });
    expect(Object.keys(handle.doc().pipelines.p1!)).not.toContain('description');
    const heads = handle.heads();
    applyPlan(handle, { message: 'nothing', edits: [] });
    expect(handle.heads()).toEqual(heads);
  });
});

describe('openProject', () => {
  async function stored(project: unknown) {
    const storage = new MemoryStorageAdapter();
    const repo = new Repo({ storage, network: [] });
    const handle = repo.create(project as Project);
    await repo.flush();
    await repo.shutdown();
    return { storage, id: handle.documentId, snapshot: new Map(storage.data) };
  }

  it('opens a current project', async () => {
    const { storage, id } = await stored(EXAMPLES[0]!.build(NOW).project);
    const r = await openProject(new Repo({ storage, network: [] }), id);
    expect(r.status).toBe('ready');
    if (r.status === 'ready') expect(r.handle.doc().name).toBe('Iris MLP');
  });

  it('reports a document from a newer DeepForge and does not write to it', async () => {
    const { storage, id, snapshot } = await stored({ ...newProject('future', NOW), schemaVersion: 999 });
    const repo = new Repo({ storage, network: [] });
    expect(await openProject(repo, id)).toEqual({ status: 'too-new', documentId: id, version: 999 });
    await repo.flush();
    expect(storage.data).toEqual(snapshot);
  });

  it('reports damaged bytes, keeps them, and can still export them', async () => {
    const { storage, id } = await stored(newProject('fragile', NOW));
    const [key] = [...storage.data.keys()].filter((k) => k.startsWith(id));
    const garbage = new Uint8Array([0x85, 0x6f, 0x4a, 0x83, 1, 2, 3, 4, 5]);
    storage.data.set(key!, garbage);
    const r = await openProject(new Repo({ storage, network: [] }), id);
    expect(r.status).toBe('unreadable');
    if (r.status === 'unreadable') expect(r.reason).toMatch(/could not be read/);
    expect(storage.data.get(key!)).toBe(garbage);
    expect(await rawDocumentBytes(storage, id)).toEqual(garbage);
  });

  it('reports a wrong shape, a missing document and a bad link as states', async () => {
    const shape = await stored({ ...newProject('odd', NOW), pipelines: ['not', 'a', 'map'] });
    const r = await openProject(new Repo({ storage: shape.storage, network: [] }), shape.id);
    expect(r).toMatchObject({ status: 'unreadable', reason: "The project's pipelines is not a map of items." });
    const missing = await openProject(new Repo({ storage: new MemoryStorageAdapter(), network: [] }), shape.id);
    expect(missing.status).toBe('unavailable');
    expect((await openProject(new Repo({ network: [] }), 'not-a-link')).status).toBe('invalid-id');
  });
});

describe('projects and the device list', () => {
  it('duplicates a project with its history under a new name', async () => {
    const repo = new Repo({ network: [] });
    const source = createProjectDoc(repo, EXAMPLES[2]!.build(NOW).project, ada);
    const copy = await duplicateProjectDoc(repo, source, NOW, ada);
    expect(copy.documentId).not.toBe(source.documentId);
    expect(copy.doc().name).toBe('MNIST CNN (copy)');
    expect(A.getHistory(copy.doc()).length).toBe(A.getHistory(source.doc()).length + 1);
    expect(source.doc().name).toBe('MNIST CNN');
  });

  it('keeps one home per device, lists live projects newest first, and expires deletions', async () => {
    const storage = new MemoryStorageAdapter();
    const pointer = new Map<string, string>();
    const ptr = { get: () => pointer.get('home') ?? null, set: (u: string) => void pointer.set('home', u) };
    const repo = new Repo({ storage, network: [] });
    const home = await openHome(repo, ptr);
    expect((await openHome(repo, ptr)).documentId).toBe(home.documentId);
    upsertEntry(home, 'a', { name: 'Old', updatedAt: NOW - 1000 }, NOW);
    upsertEntry(home, 'b', { name: 'New', updatedAt: NOW }, NOW);
    upsertEntry(home, 'c', { name: 'Gone', updatedAt: NOW, deletedAt: NOW }, NOW);
    expect(listProjects(home.doc()).map((e) => e.name)).toEqual(['New', 'Old']);
    expect(expiredDeletions(home.doc(), NOW + 5_000, 10_000)).toEqual([]);
    expect(expiredDeletions(home.doc(), NOW + 10_000, 10_000)).toEqual(['c']);
    upsertEntry(home, 'c', { deletedAt: undefined }, NOW);
    expect(listProjects(home.doc())).toHaveLength(3);
  });

  it('syncs between tabs over BroadcastChannel but never offers the device list to other peers', async () => {
    const channel = `test-${Math.random()}`;
    const homeIds = new Set<string>();
    const tab = (peerId: PeerId) =>
      createRepo({ network: [new BroadcastChannelNetworkAdapter({ channelName: channel })], peerId, isDevicePrivate: (id) => homeIds.has(id) });
    const a = tab(newTabPeerId());
    const b = tab(newTabPeerId());
    const outsider = new Repo({ network: [new BroadcastChannelNetworkAdapter({ channelName: channel })], peerId: 'relay-1' as PeerId });
    const home = a.create({ schemaVersion: 1, kind: 'deepforge/home', projects: {} });
    homeIds.add(home.documentId);
    const project = createProjectDoc(a, newProject('Shared', NOW));
    const inB = await b.find<Project>(project.url);
    applyPlan(project, plan(renameProject(project.doc(), 'Shared v2', NOW)));
    await expect.poll(() => inB.doc().name, { timeout: 3000 }).toBe('Shared v2');
    const homeInB = await b.find(home.url);
    expect(homeInB.isReady()).toBe(true);
    await expect(outsider.find(home.url, { signal: AbortSignal.timeout(1500) })).rejects.toThrow();
    expect((await outsider.find<Project>(project.url)).doc().name).toBe('Shared v2');
    await Promise.all([a.shutdown(), b.shutdown(), outsider.shutdown()]);
  });
});
