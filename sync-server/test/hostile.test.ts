/**
 * Hostile input on /sync closes only the offending connection; the relay keeps syncing the others.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { cbor, type DocHandle, type Repo } from '@automerge/automerge-repo';
import * as Automerge from '@automerge/automerge';
import WebSocket from 'ws';
import { Scope, closeCodeOf, waitFor } from './helpers.js';
import type { Relay, RelayOptions } from '../src/server.js';

let scope: Scope;
afterEach(async () => {
  await scope.cleanup();
});

interface Counter {
  n: number;
}

interface Setup {
  relay: Relay;
  alice: Repo;
  bob: Repo;
  aliceDoc: DocHandle<Counter>;
  bobDoc: DocHandle<Counter>;
}

async function setup(options: Partial<RelayOptions> = {}): Promise<Setup> {
  scope = new Scope();
  const relay = await scope.relay(options);
  const alice = await scope.client(relay, 'alice');
  const bob = await scope.client(relay, 'bob');
  const aliceDoc = alice.create<Counter>({ n: 0 });
  await waitFor(() => relay.repo.handles[aliceDoc.documentId]?.isReady() ?? false, 'the relay to get the doc');
  const bobDoc = await bob.find<Counter>(aliceDoc.url);
  return { relay, alice, bob, aliceDoc, bobDoc };
}

/** The two stock clients are still connected and a change still travels alice → bob. */
async function stillSyncing({ relay, alice, bob, aliceDoc, bobDoc }: Setup): Promise<void> {
  const next = aliceDoc.doc().n + 1;
  aliceDoc.change(doc => {
    doc.n = next;
  });
  await waitFor(() => bobDoc.doc().n === next, 'bob to receive the change');
  expect(relay.repo.peers).toEqual(expect.arrayContaining([alice.peerId, bob.peerId]));
}

/** Sends a join on a raw socket and returns the relay's peer id from its answer. */
async function join(ws: WebSocket, senderId = `raw-${Math.random().toString(36).slice(2)}`) {
  const answer = new Promise<Record<string, unknown>>(resolve =>
    ws.once('message', data => resolve(cbor.decode(data as Buffer) as Record<string, unknown>)),
  );
  ws.send(cbor.encode({ type: 'join', senderId, peerMetadata: {}, supportedProtocolVersions: ['1'] }));
  const peer = await answer;
  expect(peer['type']).toBe('peer');
  return { senderId, relayId: peer['senderId'] as string };
}

describe('hostile WebSocket input', () => {
  it('closes a connection that sends random bytes (1007)', async () => {
    const s = await setup();
    const ws = await scope.socket(s.relay);
    const closed = closeCodeOf(ws);
    ws.send(randomBytes(64));
    expect(await closed).toBe(1007);
    await stillSyncing(s);
  });

  it('closes a connection that sends a text frame (1003)', async () => {
    const s = await setup();
    const ws = await scope.socket(s.relay);
    const closed = closeCodeOf(ws);
    ws.send('{"type":"join"}');
    expect(await closed).toBe(1003);
    await stillSyncing(s);
  });

  it('closes a connection that sends an oversized message (1009)', async () => {
    const s = await setup({ maxMessageBytes: 64 * 1024 });
    const ws = await scope.socket(s.relay);
    const closed = closeCodeOf(ws);
    ws.send(randomBytes(200 * 1024));
    expect(await closed).toBe(1009);
    await stillSyncing(s);
  });

  it('closes a connection that floods past the rate limit (1008)', async () => {
    const s = await setup({ rateLimit: { perSecond: 20, burst: 40 } });
    const ws = await scope.socket(s.relay);
    const { senderId, relayId } = await join(ws);
    const closed = closeCodeOf(ws);
    const flood = cbor.encode({
      type: 'doc-unavailable',
      senderId,
      targetId: relayId,
      documentId: s.aliceDoc.documentId,
    });
    for (let i = 0; i < 200 && ws.readyState === WebSocket.OPEN; i++) ws.send(flood);
    expect(await closed).toBe(1008);
    await stillSyncing(s);
  });

  it.each([
    ['CBOR null', null],
    ['a CBOR number', 42],
    ['a map without fields', { type: 'sync' }],
    ['an unknown type', { type: 'gossip', senderId: 'x', targetId: 'y' }],
    ['a prototype-polluting senderId', { type: 'join', senderId: '__proto__' }],
    ['a storage id that is a path', { type: 'join', senderId: 'evil', peerMetadata: { storageId: '../../../tmp/x' } }],
  ])('closes a connection that sends %s (1007)', async (_name, value) => {
    const s = await setup();
    const ws = await scope.socket(s.relay);
    const closed = closeCodeOf(ws);
    ws.send(cbor.encode(value));
    expect(await closed).toBe(1007);
    await stillSyncing(s);
  });

  it('enforces the joined identity (1008) and checks sync payloads (1007)', async () => {
    const s = await setup();

    const early = await scope.socket(s.relay);
    const earlyClosed = closeCodeOf(early);
    early.send(cbor.encode({ type: 'doc-unavailable', senderId: 'a', targetId: 'b', documentId: s.aliceDoc.documentId }));
    expect(await earlyClosed).toBe(1008);

    const spoof = await scope.socket(s.relay);
    const { relayId } = await join(spoof);
    const spoofClosed = closeCodeOf(spoof);
    spoof.send(cbor.encode({ type: 'doc-unavailable', senderId: 'someone-else', targetId: relayId, documentId: s.aliceDoc.documentId }));
    expect(await spoofClosed).toBe(1008);

    const garbage = await scope.socket(s.relay);
    const joined = await join(garbage);
    const garbageClosed = closeCodeOf(garbage);
    garbage.send(
      cbor.encode({
        type: 'sync',
        senderId: joined.senderId,
        targetId: joined.relayId,
        documentId: s.aliceDoc.documentId,
        data: randomBytes(32),
      }),
    );
    expect(await garbageClosed).toBe(1007);
    await stillSyncing(s);
  });

  it('survives a well-formed sync message whose changes are corrupt', async () => {
    const s = await setup();
    const ws = await scope.socket(s.relay);
    const { senderId, relayId } = await join(ws);
    // A real sync message for a new document, with its change bytes scrambled.
    const doc = Automerge.from({ text: 'hello' });
    const [, message] = Automerge.generateSyncMessage(doc, Automerge.initSyncState());
    const decoded = Automerge.decodeSyncMessage(message as Uint8Array);
    const corrupt = Automerge.encodeSyncMessage({
      ...decoded,
      heads: Automerge.getHeads(doc),
      changes: Automerge.getAllChanges(doc).map(change => {
        const copy = Uint8Array.from(change);
        for (let i = 8; i < copy.length; i += 3) copy[i] = (copy[i] ?? 0) ^ 0xff;
        return copy;
      }),
    });
    ws.send(cbor.encode({ type: 'sync', senderId, targetId: relayId, documentId: s.aliceDoc.documentId, data: corrupt }));
    await new Promise(resolve => setTimeout(resolve, 200));
    await stillSyncing(s);
  });
});
