import { afterEach, describe, expect, it } from 'vitest';
import type { AutomergeUrl, DocumentId } from '@automerge/automerge-repo';
import * as A from '@automerge/automerge';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BrowserWebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { Scope, waitFor } from './helpers.js';
import type { Relay } from '../src/server.js';
import { inSyncMessage } from '../src/ack.js';

interface Note {
  title: string;
  items: string[];
}

let scope: Scope;
afterEach(async () => {
  await scope.cleanup();
});

/** Waits until the relay holds the document with the expected content. */
async function relayHas(relay: Relay, documentId: DocumentId, check: (doc: Note) => boolean) {
  await waitFor(() => {
    const handle = relay.repo.handles[documentId];
    return !!handle && handle.isReady() && check(handle.doc() as Note);
  }, 'the relay to hold the document');
}

describe('document sync through the relay', () => {
  it('relays a document between two stock clients, both ways', async () => {
    scope = new Scope();
    const relay = await scope.relay();
    const alice = await scope.client(relay, 'alice');
    const bob = await scope.client(relay, 'bob');

    const handleA = alice.create<Note>({ title: 'first', items: [] });
    await relayHas(relay, handleA.documentId, doc => doc.title === 'first');

    const handleB = await bob.find<Note>(handleA.url);
    expect(handleB.doc().title).toBe('first');

    handleB.change(doc => {
      doc.items.push('from bob');
    });
    await waitFor(() => handleA.doc().items.includes('from bob'), 'alice to see bob’s change');

    handleA.change(doc => {
      doc.title = 'renamed by alice';
    });
    await waitFor(() => handleB.doc().title === 'renamed by alice', 'bob to see alice’s change');
  });

  it('tells a client that arrives with heads the relay already has that it has them', async () => {
    // Bob got Alice's change another way (a direct link, say) and then reaches the relay, which already has it.
    // Automerge's sync protocol alone would answer nothing (equal heads), and Bob would never learn the relay has his
    // document as it is: his "changes not sent" would stay forever.
    scope = new Scope();
    const relay = await scope.relay();
    const relayStorage = await relay.repo.storageId();
    const alice = await scope.client(relay, 'alice');
    const handleA = alice.create<Note>({ title: 'first', items: [] });
    handleA.change(doc => {
      doc.items.push('from alice');
    });
    await relayHas(relay, handleA.documentId, doc => doc.items.length === 1);

    const bob = await scope.client(relay, 'bob');
    const handleB = await bob.find<Note>(handleA.url);
    const bobHeads = () => handleB.getSyncInfo(relayStorage!)?.lastHeads;
    await waitFor(() => A.equals(bobHeads(), handleB.heads()), 'bob to hear the relay’s heads');

    // Bob drops off the relay; Alice changes the document; the change reaches Bob directly.
    const bobLink = bob.networkSubsystem.adapters[0] as BrowserWebSocketClientAdapter;
    bobLink.disconnect();
    await waitFor(() => bob.peers.length === 0, 'bob to be off the relay');
    handleA.change(doc => {
      doc.title = 'renamed by alice';
    });
    await relayHas(relay, handleA.documentId, doc => doc.title === 'renamed by alice');
    handleB.update(doc => A.loadIncremental(doc, A.save(handleA.doc())));
    expect(handleB.heads()).toEqual(handleA.heads());
    expect(bobHeads()).not.toEqual(handleB.heads());

    // Back on the relay, which has those heads already: it still says so.
    bobLink.connect(bob.peerId, { isEphemeral: true });
    await waitFor(() => A.equals(bobHeads(), handleB.heads()), 'bob to hear that the relay has his heads');
  });

  it('answers with the very message Automerge sends to a peer that shares its heads', () => {
    let doc = A.from<Note & Record<string, unknown>>({ title: 'first', items: [] });
    doc = A.change(doc, d => {
      d.items.push('x');
    });
    // A sync state that knows the other side shares our heads and nothing else (what Automerge persists).
    let ours = A.initSyncState();
    let theirs = A.initSyncState();
    let peer = A.clone(doc);
    for (let round = 0; round < 4; round++) {
      let message: Uint8Array | null;
      [ours, message] = A.generateSyncMessage(doc, ours);
      if (message) [peer, theirs] = A.receiveSyncMessage(peer, theirs, message);
      [theirs, message] = A.generateSyncMessage(peer, theirs);
      if (message) [doc, ours] = A.receiveSyncMessage(doc, ours, message);
    }
    const [, expected] = A.generateSyncMessage(doc, A.decodeSyncState(A.encodeSyncState(ours)));
    expect(inSyncMessage(A.getHeads(doc))).toEqual(expected);
  });

  it('forwards ephemeral messages (live progress) between clients', async () => {
    scope = new Scope();
    const relay = await scope.relay();
    const alice = await scope.client(relay, 'alice');
    const bob = await scope.client(relay, 'bob');
    const handleA = alice.create<Note>({ title: 'run', items: [] });
    await relayHas(relay, handleA.documentId, doc => doc.title === 'run');
    const handleB = await bob.find<Note>(handleA.url);
    const received: unknown[] = [];
    handleB.on('ephemeral-message', ({ message }) => received.push(message));
    // Bob's sync with the relay for this document settles asynchronously; keep broadcasting until one arrives.
    for (let step = 1; received.length === 0 && step < 100; step++) {
      handleA.broadcast({ epoch: step, loss: 0.5 });
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    expect(received[0]).toMatchObject({ loss: 0.5 });
  });

  it('reports connected peers on /health', async () => {
    scope = new Scope();
    const relay = await scope.relay();
    await scope.client(relay, 'alice');
    await scope.client(relay, 'bob');
    const health = (await (await fetch(`http://127.0.0.1:${relay.port}/health`)).json()) as { peers: number };
    expect(health.peers).toBe(2);
  });

  it('keeps documents across a restart on the same DATA_DIR', async () => {
    scope = new Scope();
    const dataDir = await scope.tempDir();
    const first = await scope.relay({ dataDir });
    const alice = await scope.client(first, 'alice');
    const handle = alice.create<Note>({ title: 'durable', items: ['a', 'b'] });
    await relayHas(first, handle.documentId, doc => doc.items.length === 2);
    // A document nobody has: the relay answers "unavailable" and must still shut down cleanly.
    await expect(alice.find('automerge:4NMNnkMhL8jXrdJ9jamS58PAVdXu' as AutomergeUrl)).rejects.toThrow();
    await scope.closeClient(alice);
    await first.close();
    expect(existsSync(path.join(dataDir, 'docs'))).toBe(true);

    const second = await scope.relay({ dataDir });
    const bob = await scope.client(second, 'bob');
    const found = await bob.find<Note>(handle.url);
    expect(found.doc()).toEqual({ title: 'durable', items: ['a', 'b'] });
  });
});
