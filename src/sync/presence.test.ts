import { describe, expect, it } from 'vitest';
import { Repo, type PeerId } from '@automerge/automerge-repo';
import { BroadcastChannelNetworkAdapter } from '@automerge/automerge-repo-network-broadcastchannel';
import { ProjectPresence } from './presence.svelte';

describe('presence', () => {
  it('shows who is here and what they look at, and forgets them when they leave, without touching the document', async () => {
    const channel = `presence-${Math.random()}`;
    const make = (id: string) => new Repo({ network: [new BroadcastChannelNetworkAdapter({ channelName: channel })], peerId: id as PeerId });
    const a = make('tab-a');
    const b = make('tab-b');
    const doc = a.create({ name: 'shared' });
    const inB = await b.find<{ name: string }>(doc.url);
    const heads = doc.heads();
    const ada = new ProjectPresence(doc, { name: 'Ada', color: '#e11d48', view: 'overview', selection: [] }, a.peerId);
    const bob = new ProjectPresence(inB, { name: 'Bob', color: '#16a34a', view: 'pipelines/main', selection: [] }, b.peerId);
    await expect.poll(() => ada.peers.map((p) => `${p.name}@${p.view}`), { timeout: 5000 }).toEqual(['Bob@pipelines/main']);
    await expect.poll(() => bob.peers.map((p) => p.name), { timeout: 5000 }).toEqual(['Ada']);
    bob.set('selection', ['node-1']);
    await expect.poll(() => ada.peers[0]?.selection, { timeout: 5000 }).toEqual(['node-1']);
    bob.stop();
    await expect.poll(() => ada.peers.length, { timeout: 5000 }).toBe(0);
    expect(doc.heads()).toEqual(heads);
    ada.stop();
    await Promise.all([a.shutdown(), b.shutdown()]);
  });
});
