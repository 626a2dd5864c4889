/**
 * The relay answers every sync message that announces heads, even when it already had exactly those heads.
 *
 * Automerge's sync protocol stays silent when both sides have the same heads: `receiveSyncMessage` then marks the
 * heads as sent, and `generateSyncMessage` returns nothing. Between two peers that have just exchanged changes that
 * is right. But a client that got its changes to the relay by another path (a direct link to a collaborator who
 * reached the relay first, another tab) announces heads the relay already has, hears nothing back, and never learns
 * that the relay holds its work: its `getSyncInfo(relayStorageId)` keeps the old heads and the app keeps saying
 * "changes not sent".
 *
 * So once automerge-repo has handled such a message and sent that peer nothing for that document, the relay sends
 * the reply Automerge would send to a peer that shares those heads: heads H, need nothing, have {lastSync: H, empty
 * bloom}, no changes. The client's sync state takes H as the relay's heads and has nothing more to send. The reply
 * goes through the adapter, so the DurableOutbox holds it until the document is on disk, like any other sync message.
 */
import * as Automerge from '@automerge/automerge';
import type { DocumentId, PeerId, Repo } from '@automerge/automerge-repo';

/** What a sync message from this relay's Automerge looks like besides its content (message format, capabilities). */
const FORMAT = (() => {
  const [, first] = Automerge.generateSyncMessage(Automerge.init(), Automerge.initSyncState());
  // Not in DecodedSyncMessage's type, but decoded and encoded by Automerge 3.
  const { type, supportedCapabilities } = Automerge.decodeSyncMessage(first!) as Automerge.DecodedSyncMessage & {
    type?: string;
    supportedCapabilities?: string[];
  };
  return { type, supportedCapabilities };
})();

/** The sync message of a peer that has exactly `heads` and knows the other side has them too. */
export function inSyncMessage(heads: string[]): Uint8Array {
  const message: Automerge.DecodedSyncMessage = { ...FORMAT, heads, need: [], have: [{ lastSync: heads, bloom: new Uint8Array(0) }], changes: [] };
  return Automerge.encodeSyncMessage(message);
}

interface SyncOut {
  type: 'sync';
  senderId: PeerId;
  targetId: PeerId;
  documentId: DocumentId;
  data: Uint8Array;
}

const key = (peerId: string, documentId: string) => `${peerId}\n${documentId}`;

const sameHeads = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every(h => b.includes(h));

export class SyncAcks {
  /** Heads a peer announced for a document, until the relay has answered them. */
  readonly #announced = new Map<string, { peerId: PeerId; documentId: DocumentId; heads: string[] }>();
  #scheduled = false;

  constructor(
    private readonly repo: Repo,
    private readonly send: (message: SyncOut) => void,
  ) {
    // automerge-repo handles a sync message synchronously once the peer's sync state is loaded, emitting
    // 'sync-state' on the way (and sending its own reply, if any, in the same tick): check a microtask later.
    repo.synchronizer.on('sync-state', () => this.#schedule());
  }

  /** A sync message from `peerId` is about to reach automerge-repo. */
  received(peerId: PeerId, documentId: DocumentId, heads: string[]): void {
    if (heads.length === 0) return; // a peer without the document: automerge-repo answers or says unavailable
    this.#announced.set(key(peerId, documentId), { peerId, documentId, heads });
  }

  /** The relay sends `peerId` a sync message for `documentId`: that answers whatever it announced. */
  sent(peerId: PeerId, documentId: DocumentId): void {
    this.#announced.delete(key(peerId, documentId));
  }

  /** A peer left: forget what it announced. */
  left(peerId: PeerId): void {
    for (const [k, entry] of this.#announced) if (entry.peerId === peerId) this.#announced.delete(k);
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#answer();
    });
  }

  #answer(): void {
    for (const [k, { peerId, documentId, heads }] of this.#announced) {
      const handle = this.repo.handles[documentId];
      if (!handle?.isReady()) continue; // still loading: automerge-repo has not handled the message yet
      if (!sameHeads(Automerge.getHeads(handle.doc()), heads)) continue; // different heads: automerge-repo's own reply is coming
      this.#announced.delete(k);
      this.send({ type: 'sync', senderId: this.repo.peerId, targetId: peerId, documentId, data: inSyncMessage(heads) });
    }
  }
}
