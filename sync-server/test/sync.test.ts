import { afterEach, describe, expect, it } from 'vitest';
import type { AutomergeUrl, DocumentId } from '@automerge/automerge-repo';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Scope, waitFor } from './helpers.js';
import type { Relay } from '../src/server.js';

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
