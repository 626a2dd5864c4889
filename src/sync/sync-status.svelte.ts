/**
 * What the header's Sync status says: Offline, Connecting, Syncing or Synced, from the relay connection and from
 * whether the relay's copy of the open document has our latest heads.
 */
import * as A from '@automerge/automerge';
import { decodeHeads, type DocHandle, type DocHandleRemoteHeadsPayload, type NetworkAdapterInterface, type PeerId, type Repo, type StorageId } from '@automerge/automerge-repo';

export type SyncState = 'Offline' | 'Connecting' | 'Syncing' | 'Synced';

const GIVE_UP_CONNECTING_MS = 4000;

/**
 * The relay's heads for a document as last seen, kept on this device so that the count of unsent changes is right
 * even when the app starts offline.
 */
const HEADS_KEY = (documentId: string) => `deepforge.relayHeads.${documentId}`;

function loadRelayHeads(documentId: string): string[] | undefined {
  try {
    const saved: unknown = JSON.parse(globalThis.localStorage?.getItem(HEADS_KEY(documentId)) ?? 'null');
    return Array.isArray(saved) && saved.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h)) ? saved : undefined;
  } catch {
    return undefined;
  }
}

function saveRelayHeads(documentId: string, heads: string[]): void {
  try {
    globalThis.localStorage?.setItem(HEADS_KEY(documentId), JSON.stringify(heads));
  } catch {
    // Storage full or unavailable: the count falls back to what this session has seen.
  }
}

function sameHeads(a: readonly string[], b: readonly string[] | undefined): boolean {
  if (!b || a.length !== b.length) return false;
  const s = new Set(b);
  return a.every((h) => s.has(h));
}

export class SyncStatus {
  state = $state<SyncState>('Connecting');
  detail = $state('');
  /** Changes to the open document that the relay is not known to have yet. */
  pending = $state(0);
  /** People in the open project reached over a direct (browser-to-browser) link, which works without the relay. */
  direct = $state(0);
  /** The relay's heads as last seen, kept across disconnects so offline edits are counted. */
  #relayHeads: string[] | undefined;
  #connected = $state(false);
  #gaveUp = $state(false);
  #relayStorage = $state<StorageId | undefined>();
  #inSync = $state(true);
  #watched: DocHandle<unknown> | undefined;
  #offWatch = () => {};
  readonly #repo: Repo;
  readonly relayUrl: string | undefined;

  constructor(repo: Repo, adapter: NetworkAdapterInterface | undefined, relayUrl: string | undefined) {
    this.#repo = repo;
    this.relayUrl = relayUrl;
    if (!adapter) {
      this.#gaveUp = true;
    } else {
      adapter.on('peer-candidate', ({ peerId, peerMetadata }: { peerId: PeerId; peerMetadata: { storageId?: StorageId } }) => {
        this.#connected = true;
        this.#gaveUp = false;
        this.#relayStorage = peerMetadata?.storageId ?? repo.getStorageIdOfPeer(peerId);
        this.#recheck();
      });
      adapter.on('peer-disconnected', () => {
        this.#connected = false;
        this.#startGiveUpTimer();
      });
      this.#startGiveUpTimer();
    }
    if (typeof window !== 'undefined') {
      window.addEventListener('online', () => this.#update());
      window.addEventListener('offline', () => this.#update());
    }
    this.#update();
  }

  #timer: ReturnType<typeof setTimeout> | undefined;
  #startGiveUpTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (!this.#connected) this.#gaveUp = true;
      this.#update();
    }, GIVE_UP_CONNECTING_MS);
    this.#update();
  }

  /** Follow the document on screen; its sync with the relay decides Syncing vs Synced. */
  watch(handle: DocHandle<unknown> | undefined): void {
    this.#offWatch();
    this.#watched = handle;
    this.#relayHeads = handle ? loadRelayHeads(handle.documentId) : undefined;
    if (!handle) {
      this.#inSync = true;
      this.#update();
      return;
    }
    const onHeads = () => this.#recheck();
    const onRemote = (p: DocHandleRemoteHeadsPayload) => {
      if (p.storageId === this.#relayStorage) this.#recheck();
    };
    handle.on('heads-changed', onHeads);
    handle.on('remote-heads', onRemote);
    this.#offWatch = () => {
      handle.off('heads-changed', onHeads);
      handle.off('remote-heads', onRemote);
    };
    this.#recheck();
  }

  #recheck(): void {
    const h = this.#watched;
    if (!h || !this.#relayStorage || !h.isReady()) this.#inSync = !h || !this.#connected ? true : false;
    else this.#inSync = sameHeads(h.heads(), h.getSyncInfo(this.#relayStorage)?.lastHeads);
    this.pending = this.#countPending();
    this.#update();
  }

  /** How many of our changes are not among the relay's last known heads (0 when unknown or none). */
  #countPending(): number {
    const h = this.#watched;
    if (!h || !h.isReady()) return 0;
    const urlHeads = this.#relayStorage ? h.getSyncInfo(this.#relayStorage)?.lastHeads : undefined;
    const doc = h.doc() as A.Doc<unknown>;
    if (urlHeads) {
      this.#relayHeads = decodeHeads(urlHeads);
      saveRelayHeads(h.documentId, this.#relayHeads);
    }
    if (!this.#relayHeads) return 0;
    if (!A.hasHeads(doc, this.#relayHeads)) return 0;
    return A.getChangesMetaSince(doc, this.#relayHeads).length;
  }

  #update(): void {
    const online = typeof navigator === 'undefined' || navigator.onLine;
    if (!online) {
      this.state = 'Offline';
      this.detail = 'This device is offline. Your work is saved here and syncs when you reconnect.';
    } else if (!this.relayUrl) {
      this.state = 'Offline';
      this.detail = 'No relay is set; your work is saved on this device only.';
    } else if (!this.#connected) {
      this.state = this.#gaveUp ? 'Offline' : 'Connecting';
      this.detail = this.#gaveUp
        ? `Cannot reach the relay at ${this.relayUrl}. Your work is saved on this device and syncs when it is back.`
        : `Connecting to ${this.relayUrl}…`;
      if (!this.#watched) this.pending = 0;
    } else if (!this.#inSync) {
      this.state = 'Syncing';
      this.detail = 'Sending and receiving changes…';
    } else {
      this.state = 'Synced';
      this.detail = this.#watched ? 'The relay has every change to this project.' : `Connected to ${this.relayUrl}.`;
    }
  }

  get repo(): Repo {
    return this.#repo;
  }
}
