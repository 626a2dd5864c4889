import { afterEach, describe, expect, it } from 'vitest';
import { Scope } from '../../sync-server/test/helpers';
import { ProjectPresence } from '../../src/sync/presence.svelte';

let scope: Scope;
afterEach(async () => {
  await scope.cleanup();
});

describe('presence through the relay', () => {
  it('reaches the other peer and is forgotten when it stops', async () => {
    scope = new Scope();
    const relay = await scope.relay();
    const a = await scope.client(relay, 'a');
    const b = await scope.client(relay, 'b');
    const doc = a.create({ name: 'shared' });
    await expect.poll(() => relay.repo.handles[doc.documentId]?.isReady() ?? false, { timeout: 5000 }).toBe(true);
    const inB = await b.find<{ name: string }>(doc.url);
    const ada = new ProjectPresence(doc, { name: 'Ada', color: '#e11d48', view: 'overview', selection: [] }, a.peerId);
    const bob = new ProjectPresence(inB, { name: 'Bob', color: '#16a34a', view: 'overview', selection: [] }, b.peerId);
    await expect.poll(() => ada.peers.map((p) => p.name), { timeout: 8000 }).toEqual(['Bob']);
    await expect.poll(() => bob.peers.map((p) => p.name), { timeout: 8000 }).toEqual(['Ada']);
    bob.stop();
    await expect.poll(() => ada.peers.length, { timeout: 8000 }).toBe(0);
    ada.stop();
  });
});
