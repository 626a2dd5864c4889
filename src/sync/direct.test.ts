import { describe, expect, it } from 'vitest';
import type { PeerId } from '@automerge/automerge-repo';
import { DataChannelAdapter, DirectPeers } from './direct';
import { createRepo } from './repo';

/** Two ends of an in-memory, ordered, reliable channel shaped like RTCDataChannel (Node has no WebRTC). */
function channelPair(): [RTCDataChannel, RTCDataChannel] {
  const make = () => {
    const target = new EventTarget() as EventTarget & { readyState: string; binaryType: string; send(data: Uint8Array): void; close(): void; other?: RTCDataChannel };
    target.readyState = 'open';
    target.binaryType = 'arraybuffer';
    return target;
  };
  const a = make();
  const b = make();
  const wire = (from: typeof a, to: typeof b) => {
    from.send = (data) => {
      const copy = data.slice().buffer;
      setTimeout(() => to.dispatchEvent(new MessageEvent('message', { data: copy })), 0);
    };
    from.close = () => {
      if (from.readyState === 'closed') return;
      from.readyState = to.readyState = 'closed';
      from.dispatchEvent(new Event('close'));
      to.dispatchEvent(new Event('close'));
    };
  };
  wire(a, b);
  wire(b, a);
  return [a as unknown as RTCDataChannel, b as unknown as RTCDataChannel];
}

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function linkedRepos() {
  const [ca, cb] = channelPair();
  const peersA = new DirectPeers();
  const peersB = new DirectPeers();
  const a = createRepo({ network: [], peerId: 'tab-a' as PeerId, directPeers: peersA });
  const b = createRepo({ network: [], peerId: 'tab-b' as PeerId, directPeers: peersB });
  return { a, b, ca, cb, peersA, peersB };
}

describe('direct links (WebRTC data channel adapter)', () => {
  it('syncs the linked document both ways, including messages larger than one frame', async () => {
    const { a, b, ca, cb, peersA, peersB } = linkedRepos();
    const doc = a.create<{ text: string }>({ text: 'hello' });
    peersA.allow('tab-b', doc.documentId);
    peersB.allow('tab-a', doc.documentId);
    a.networkSubsystem.addNetworkAdapter(new DataChannelAdapter(ca, 'tab-b' as PeerId));
    b.networkSubsystem.addNetworkAdapter(new DataChannelAdapter(cb, 'tab-a' as PeerId));
    await until(() => b.peers.includes('tab-a' as PeerId) && a.peers.includes('tab-b' as PeerId));

    const there = await b.find<{ text: string }>(doc.documentId);
    expect(there.doc().text).toBe('hello');
    const big = 'x'.repeat(100_000); // ~7 frames
    there.change((d) => (d.text = big));
    await until(() => doc.doc().text === big);
    doc.change((d) => (d.text = 'back'));
    await until(() => there.doc().text === 'back');
  });

  it('shares only the documents the link was made for', async () => {
    const { a, b, ca, cb, peersA, peersB } = linkedRepos();
    const project = a.create({ name: 'shared' });
    const privateDoc = a.create({ name: 'my other project' });
    peersA.allow('tab-b', project.documentId);
    peersB.allow('tab-a', project.documentId);
    a.networkSubsystem.addNetworkAdapter(new DataChannelAdapter(ca, 'tab-b' as PeerId));
    b.networkSubsystem.addNetworkAdapter(new DataChannelAdapter(cb, 'tab-a' as PeerId));
    await until(() => b.peers.includes('tab-a' as PeerId) && a.peers.includes('tab-b' as PeerId));
    await b.find(project.documentId);
    expect(peersA.mayShare('tab-b', privateDoc.documentId)).toBe(false);
    expect(peersA.mayShare('tab-somebody-else', privateDoc.documentId)).toBeUndefined();
    await expect(b.find(privateDoc.documentId)).rejects.toThrow(/unavailable/i);
  });

  it('drops frames that claim another sender, and reports the peer gone when the channel closes', async () => {
    const [ca, cb] = channelPair();
    const adapter = new DataChannelAdapter(cb, 'tab-a' as PeerId);
    const seen: string[] = [];
    adapter.on('peer-candidate', ({ peerId }) => seen.push(`candidate ${peerId}`));
    adapter.on('message', (m) => seen.push(`message from ${m.senderId}`));
    adapter.on('peer-disconnected', ({ peerId }) => seen.push(`gone ${peerId}`));
    const speaker = new DataChannelAdapter(ca, 'tab-b' as PeerId);
    speaker.connect('tab-mallory' as PeerId);
    speaker.connect('tab-a' as PeerId);
    ca.send(new Uint8Array([0, 0xff, 0xfe])); // not CBOR: ignored
    await until(() => seen.length >= 1);
    speaker.send({ type: 'sync', senderId: 'tab-a' as PeerId, targetId: 'tab-b' as PeerId, documentId: 'x', data: new Uint8Array() } as never);
    await until(() => seen.length >= 2);
    ca.close();
    await until(() => seen.length >= 3);
    expect(seen).toEqual(['candidate tab-a', 'message from tab-a', 'gone tab-a']);
  });
});
