import { describe, expect, it } from 'vitest';
import { next as A } from '@automerge/automerge';
import { Repo, type Chunk, type DocumentId, type PeerId, type StorageAdapterInterface, type StorageKey } from '@automerge/automerge-repo';
import { DocumentSaver, DurableOutbox, type Outgoing } from '../src/durable.js';
import { createLogger } from '../src/log.js';

const silent = createLogger('silent');
const tick = () => new Promise(resolve => setTimeout(resolve, 0));

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const peerA = 'peer-a' as PeerId;
const peerB = 'peer-b' as PeerId;
const doc1 = 'doc1' as DocumentId;
const sync = (targetId: PeerId, documentId = doc1): Outgoing => ({ type: 'sync', targetId, documentId });
const ephemeral = (targetId: PeerId): Outgoing => ({ type: 'ephemeral', targetId, documentId: doc1 });

describe('DurableOutbox', () => {
  it('holds a sync message until its document is saved, and keeps each peer’s messages in order', async () => {
    const save = deferred();
    const saved: DocumentId[] = [];
    const outbox = new DurableOutbox({ save: async id => (saved.push(id), save.promise), logger: silent, fail: () => {} });
    const sent: string[] = [];
    const connection = {};
    outbox.send(ephemeral(peerA), connection, () => true, () => sent.push('ephemeral 1'));
    expect(sent).toEqual(['ephemeral 1']); // nothing queued, no heads: at once
    outbox.send(sync(peerA), connection, () => true, () => sent.push('sync'));
    outbox.send(ephemeral(peerA), connection, () => true, () => sent.push('ephemeral 2'));
    outbox.send(ephemeral(peerB), {}, () => true, () => sent.push('other peer'));
    expect(saved).toEqual([]); // the save starts after the current (synchronous) update
    await tick();
    expect(saved).toEqual([doc1]);
    expect(sent).toEqual(['ephemeral 1', 'other peer']);
    save.resolve();
    await tick();
    expect(sent).toEqual(['ephemeral 1', 'other peer', 'sync', 'ephemeral 2']);
  });

  it('drops a message whose connection was replaced or closed meanwhile', async () => {
    const outbox = new DurableOutbox({ save: async () => {}, logger: silent, fail: () => {} });
    const sent: string[] = [];
    let current = true;
    outbox.send(sync(peerA), {}, () => current, () => sent.push('stale'));
    current = false;
    await tick();
    current = true;
    outbox.send(sync(peerA), {}, () => current, () => sent.push('fresh'));
    await tick();
    expect(sent).toEqual(['fresh']);
  });

  it('closes the connection instead of acknowledging when the save fails', async () => {
    const failed: object[] = [];
    let failNext = true;
    const outbox = new DurableOutbox({
      save: async () => {
        if (failNext) throw new Error('disk full');
      },
      logger: silent,
      fail: connection => failed.push(connection),
    });
    const sent: string[] = [];
    const broken = {};
    outbox.send(sync(peerA), broken, () => true, () => sent.push('unsaved'));
    await tick();
    failNext = false;
    outbox.send(ephemeral(peerA), broken, () => true, () => sent.push('after failure'));
    outbox.send(sync(peerA), broken, () => true, () => sent.push('after failure'));
    outbox.send(sync(peerB), {}, () => true, () => sent.push('other peer'));
    await tick();
    expect(failed).toEqual([broken]);
    expect(sent).toEqual(['other peer']);
  });
});

/** In-memory storage whose saves can be held back. */
class MemoryStorage implements StorageAdapterInterface {
  readonly data = new Map<string, Uint8Array>();
  saves = 0;
  gate: Promise<void> = Promise.resolve();
  async load(key: StorageKey) {
    return this.data.get(key.join('/'));
  }
  async save(key: StorageKey, binary: Uint8Array) {
    this.saves++;
    await this.gate;
    this.data.set(key.join('/'), binary);
  }
  async remove(key: StorageKey) {
    this.data.delete(key.join('/'));
  }
  async loadRange(prefix: StorageKey): Promise<Chunk[]> {
    const p = prefix.join('/');
    return [...this.data].filter(([k]) => k.startsWith(p)).map(([k, data]) => ({ key: k.split('/'), data }));
  }
  async removeRange(prefix: StorageKey) {
    for (const key of [...this.data.keys()]) if (key.startsWith(prefix.join('/'))) this.data.delete(key);
  }
  /** The document as a fresh load would see it. */
  stored(documentId: DocumentId): A.Doc<unknown> {
    const chunks = [...this.data].filter(([k]) => k.startsWith(`${documentId}/snapshot`) || k.startsWith(`${documentId}/incremental`));
    chunks.sort(([a], [b]) => Number(b.includes('/snapshot/')) - Number(a.includes('/snapshot/')));
    return A.loadIncremental(A.init(), Buffer.concat(chunks.map(([, d]) => d)));
  }
}

describe('DocumentSaver', () => {
  it('resolves once the document as it was when asked is stored; callers in the same tick share one save', async () => {
    const storage = new MemoryStorage();
    // A long debounce keeps automerge-repo's own background save out of the way.
    const repo = new Repo({ storage, saveDebounceRate: 60_000 });
    const saver = new DocumentSaver(repo);
    const handle = repo.create<{ n: number }>({ n: 0 });
    await saver.save(handle.documentId);

    handle.change(doc => {
      doc.n = 1;
    });
    const heads = A.getHeads(handle.doc());
    const gate = deferred();
    storage.gate = gate.promise;
    const before = storage.saves;
    let done = 0;
    const first = saver.save(handle.documentId).then(() => done++);
    const second = saver.save(handle.documentId).then(() => done++);
    await tick();
    expect(storage.saves - before).toBe(1);
    expect(done).toBe(0);
    // A change made while that save runs needs (and gets) a save of its own.
    handle.change(doc => {
      doc.n = 2;
    });
    const third = saver.save(handle.documentId);
    gate.resolve();
    await Promise.all([first, second]);
    expect(A.hasHeads(storage.stored(handle.documentId), heads)).toBe(true);
    await third;
    expect(A.hasHeads(storage.stored(handle.documentId), A.getHeads(handle.doc()))).toBe(true);
    expect((storage.stored(handle.documentId) as { n: number }).n).toBe(2);
  });

  it('does nothing for a document the relay does not hold', async () => {
    const repo = new Repo({ storage: new MemoryStorage() });
    await expect(new DocumentSaver(repo).save('4NMNnkMhL8jXrdJ9jamS58PAVdXu' as DocumentId)).resolves.toBeUndefined();
  });
});
