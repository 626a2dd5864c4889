/**
 * Wiring helpers for the app's Repo. The app creates the real adapters (IndexedDB, BroadcastChannel, WebSocket)
 * and passes them in; this module decides what may be shared with whom.
 */
import { Repo, type NetworkAdapterInterface, type PeerId, type StorageAdapterInterface, type DocumentId } from '@automerge/automerge-repo';
import type { DirectPeers } from './direct';

/** Tabs of the same browser name themselves with this prefix; the relay and remote peers do not. */
export const TAB_PEER_PREFIX = 'tab-';

export interface RepoOptions {
  storage?: StorageAdapterInterface;
  network: NetworkAdapterInterface[];
  peerId?: PeerId;
  /** Documents that stay on this device (the project list): offered to this browser's other tabs only. */
  isDevicePrivate?: (documentId: DocumentId) => boolean;
  /**
   * How long a change may wait before it is written to storage. automerge-repo's default (100 ms) loses the last
   * edit when a tab closes or navigates right after it; a short delay still batches keystrokes.
   */
  saveDebounceRate?: number;
  /** Peers reached over a direct link (WebRTC) see only the documents they were linked for. */
  directPeers?: DirectPeers;
}

export function createRepo({ storage, network, peerId, isDevicePrivate = () => false, saveDebounceRate = 20, directPeers }: RepoOptions): Repo {
  const mayShare = async (peer: PeerId, documentId?: DocumentId) =>
    directPeers?.mayShare(peer, documentId) ?? (!documentId || !isDevicePrivate(documentId) || peer.startsWith(TAB_PEER_PREFIX));
  return new Repo({
    ...(storage ? { storage } : {}),
    network,
    ...(peerId ? { peerId } : {}),
    shareConfig: { announce: mayShare, access: (peer, documentId) => mayShare(peer, documentId) },
    saveDebounceRate,
  });
}

export function newTabPeerId(): PeerId {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return `${TAB_PEER_PREFIX}${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}` as PeerId;
}
