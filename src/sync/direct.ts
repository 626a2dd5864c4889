/**
 * Direct links: browser to browser over a WebRTC data channel, so that two people in the same project keep syncing
 * when the relay goes away (a classroom's Wi-Fi router is fine, the laptop running the relay is not).
 *
 * Signalling rides on the project's ephemeral messages (which reach the other peers through the relay, or through an
 * existing direct link): each device says `hello` with its device id; of two peers on different devices, the one
 * with the smaller peer id offers. Offers and answers carry complete SDP (ICE gathering finishes first), so one
 * message each way suffices. Once the channel opens, a {@link DataChannelAdapter} joins the Repo as one more network
 * adapter, and the peer is registered in {@link DirectPeers} so that only this project is shared over the link:
 * a direct peer never learns the ids of this device's other documents.
 *
 * Without ICE servers only host candidates are used: peers on the same network link up; others keep using the relay.
 */
import { NetworkAdapter, cbor, type DocHandle, type Message, type PeerId, type PeerMetadata, type Repo } from '@automerge/automerge-repo';

const MARKER = 'deepforgeRtc';
const HELLO_EVERY_MS = 5_000;
const GATHER_TIMEOUT_MS = 3_000;
const OFFER_TIMEOUT_MS = 15_000;
/** Data channels carry messages up to 256 KiB in Chromium but split larger ones badly; stay well below. */
const CHUNK_BYTES = 16 * 1024;

type Signal =
  | { kind: 'hello'; device: string }
  | { kind: 'offer' | 'answer'; device: string; to: string; sdp: string };

function isSignal(value: unknown): value is Signal {
  if (!value || typeof value !== 'object') return false;
  const s = value as Record<string, unknown>;
  if (typeof s.device !== 'string' || s.device.length > 100) return false;
  if (s.kind === 'hello') return true;
  return (s.kind === 'offer' || s.kind === 'answer') && typeof s.to === 'string' && typeof s.sdp === 'string' && s.sdp.length < 100_000;
}

/** Which peers are reached through a direct link, and the documents each may see (the Repo's share policy asks). */
export class DirectPeers {
  readonly #documents = new Map<string, Set<string>>();

  allow(peerId: string, documentId: string): void {
    const set = this.#documents.get(peerId) ?? new Set<string>();
    set.add(documentId);
    this.#documents.set(peerId, set);
  }

  forget(peerId: string, documentId: string): void {
    const set = this.#documents.get(peerId);
    set?.delete(documentId);
    if (set && !set.size) this.#documents.delete(peerId);
  }

  /** undefined: not a direct peer (other rules apply); otherwise whether this document may be shared with it. */
  mayShare(peerId: string, documentId: string | undefined): boolean | undefined {
    const set = this.#documents.get(peerId);
    if (!set) return undefined;
    return documentId !== undefined && set.has(documentId);
  }
}

/**
 * A Repo network adapter over one open RTCDataChannel to one known peer. Messages are CBOR, split into chunks:
 * the first byte of each frame says whether more of the message follows (1) or it ends here (0).
 */
export class DataChannelAdapter extends NetworkAdapter {
  readonly #channel: RTCDataChannel;
  readonly #remote: PeerId;
  #parts: Uint8Array[] = [];
  #announced = false;
  #closed = false;
  #queue: Message[] | undefined = [];

  constructor(channel: RTCDataChannel, remote: PeerId) {
    super();
    this.#channel = channel;
    this.#remote = remote;
    channel.binaryType = 'arraybuffer';
    channel.addEventListener('message', (event) => this.#receive(event.data));
    channel.addEventListener('close', () => this.#close());
  }

  isReady(): boolean {
    return true;
  }

  whenReady(): Promise<void> {
    return Promise.resolve();
  }

  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId;
    this.peerMetadata = peerMetadata ?? {};
    this.#write({ type: 'hello', senderId: peerId, peerMetadata: this.peerMetadata });
    const queued = this.#queue;
    this.#queue = undefined;
    for (const message of queued ?? []) this.#write(message);
  }

  send(message: Message): void {
    if (message.targetId !== this.#remote) return;
    // The Repo may answer the other side before it has called connect(); hold those messages so that our hello
    // always comes first and the other side knows who is talking.
    if (this.#queue) this.#queue.push(message);
    else this.#write(message);
  }

  disconnect(): void {
    this.#channel.close();
    this.#close();
  }

  #write(value: unknown): void {
    if (this.#channel.readyState !== 'open') return;
    const bytes = cbor.encode(value);
    for (let offset = 0; offset < bytes.length || offset === 0; offset += CHUNK_BYTES) {
      const end = Math.min(bytes.length, offset + CHUNK_BYTES);
      const frame = new Uint8Array(end - offset + 1);
      frame[0] = end < bytes.length ? 1 : 0;
      frame.set(bytes.subarray(offset, end), 1);
      this.#channel.send(frame);
      if (end >= bytes.length) break;
    }
  }

  #receive(data: unknown): void {
    if (!(data instanceof ArrayBuffer) || data.byteLength < 1) return;
    const frame = new Uint8Array(data);
    this.#parts.push(frame.subarray(1));
    if (frame[0] === 1) return;
    const parts = this.#parts;
    this.#parts = [];
    const whole = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      whole.set(p, at);
      at += p.length;
    }
    let message: Record<string, unknown>;
    try {
      message = cbor.decode(whole) as Record<string, unknown>;
    } catch {
      return; // not ours to crash on: a broken frame is dropped, the link stays up
    }
    // The channel was set up with this peer: anything claiming to come from someone else is dropped.
    if (!message || message.senderId !== this.#remote) return;
    if (message.type === 'hello') {
      if (this.#announced) return;
      this.#announced = true;
      this.emit('peer-candidate', { peerId: this.#remote, peerMetadata: (message.peerMetadata ?? {}) as PeerMetadata });
      return;
    }
    this.emit('message', message as unknown as Message);
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#announced) this.emit('peer-disconnected', { peerId: this.#remote });
    this.emit('close');
  }
}

export interface DirectLinkOptions {
  /** Identifies this browser (all its tabs): tabs of one device already sync over BroadcastChannel. */
  device: string;
  peers: DirectPeers;
  iceServers?: RTCIceServer[];
}

interface Link {
  connection: RTCPeerConnection;
  adapter?: DataChannelAdapter;
  startedAt: number;
}

/** The direct links of one open project. */
export class DirectLinks {
  /** Peers this project is linked to right now; `onchange` fires when it changes. */
  connected = new Set<string>();
  onchange?: () => void;

  readonly #repo: Repo;
  readonly #handle: DocHandle<unknown>;
  readonly #options: DirectLinkOptions;
  readonly #links = new Map<string, Link>();
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #onMessage: (event: { senderId: PeerId; message: unknown }) => void;

  constructor(repo: Repo, handle: DocHandle<unknown>, options: DirectLinkOptions) {
    this.#repo = repo;
    this.#handle = handle;
    this.#options = options;
    this.#onMessage = ({ senderId, message }) => {
      const signal = (message as Record<string, unknown> | null)?.[MARKER];
      if (isSignal(signal)) void this.#signal(senderId, signal);
    };
    handle.on('ephemeral-message', this.#onMessage);
    this.#hello();
    this.#timer = setInterval(() => this.#hello(), HELLO_EVERY_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#handle.off('ephemeral-message', this.#onMessage);
    for (const peer of [...this.#links.keys()]) this.#drop(peer);
  }

  get #self(): string {
    return this.#repo.peerId;
  }

  #send(signal: Signal): void {
    this.#handle.broadcast({ [MARKER]: signal });
  }

  #hello(): void {
    // Offers that never got an answer (the other side left, or cannot reach us) are dropped and tried again.
    for (const [peer, link] of this.#links) {
      if (!link.adapter && Date.now() - link.startedAt > OFFER_TIMEOUT_MS) this.#drop(peer);
    }
    this.#send({ kind: 'hello', device: this.#options.device });
  }

  async #signal(from: PeerId, signal: Signal): Promise<void> {
    if (signal.device === this.#options.device || from === this.#self) return;
    if (signal.kind === 'hello') {
      if (this.#self < from && !this.#links.has(from)) await this.#offer(from);
      return;
    }
    if (signal.to !== this.#self) return;
    if (signal.kind === 'offer') await this.#answer(from, signal.sdp);
    else await this.#links.get(from)?.connection.setRemoteDescription({ type: 'answer', sdp: signal.sdp }).catch(() => this.#drop(from));
  }

  #connection(peer: PeerId): RTCPeerConnection {
    const connection = new RTCPeerConnection({ iceServers: this.#options.iceServers ?? [] });
    this.#links.set(peer, { connection, startedAt: Date.now() });
    connection.addEventListener('connectionstatechange', () => {
      if (connection.connectionState === 'failed' || connection.connectionState === 'closed') this.#drop(peer);
    });
    return connection;
  }

  async #offer(peer: PeerId): Promise<void> {
    const connection = this.#connection(peer);
    this.#attach(peer, connection.createDataChannel('automerge', { ordered: true }));
    try {
      await connection.setLocalDescription(await connection.createOffer());
      await gathered(connection);
      this.#send({ kind: 'offer', device: this.#options.device, to: peer, sdp: connection.localDescription!.sdp });
    } catch {
      this.#drop(peer);
    }
  }

  async #answer(peer: PeerId, sdp: string): Promise<void> {
    this.#drop(peer); // a new offer replaces whatever was there (the other side restarted)
    const connection = this.#connection(peer);
    connection.addEventListener('datachannel', (event) => this.#attach(peer, event.channel));
    try {
      await connection.setRemoteDescription({ type: 'offer', sdp });
      await connection.setLocalDescription(await connection.createAnswer());
      await gathered(connection);
      this.#send({ kind: 'answer', device: this.#options.device, to: peer, sdp: connection.localDescription!.sdp });
    } catch {
      this.#drop(peer);
    }
  }

  #attach(peer: PeerId, channel: RTCDataChannel): void {
    const opened = () => {
      const link = this.#links.get(peer);
      if (!link) return channel.close();
      const adapter = new DataChannelAdapter(channel, peer);
      link.adapter = adapter;
      this.#options.peers.allow(peer, this.#handle.documentId);
      adapter.on('close', () => this.#drop(peer));
      this.#repo.networkSubsystem.addNetworkAdapter(adapter);
      this.connected.add(peer);
      this.onchange?.();
    };
    if (channel.readyState === 'open') opened();
    else channel.addEventListener('open', opened, { once: true });
  }

  #drop(peer: string): void {
    const link = this.#links.get(peer);
    if (!link) return;
    this.#links.delete(peer);
    if (link.adapter) this.#repo.networkSubsystem.removeNetworkAdapter(link.adapter);
    link.connection.close();
    this.#options.peers.forget(peer, this.#handle.documentId);
    if (this.connected.delete(peer)) this.onchange?.();
  }
}

/**
 * The direct links of every project open on this page. Views come and go (moving from the overview to a pipeline
 * remounts the project's layout); the links outlive them for a while, because once the relay is gone a link that
 * was dropped cannot be signalled again.
 */
export class DirectLinkPool {
  readonly #repo: Repo;
  readonly #options: DirectLinkOptions;
  readonly #open = new Map<string, { links: DirectLinks; users: number; timer?: ReturnType<typeof setTimeout> }>();
  readonly #lingerMs: number;

  constructor(repo: Repo, options: DirectLinkOptions, lingerMs = 60_000) {
    this.#repo = repo;
    this.#options = options;
    this.#lingerMs = lingerMs;
  }

  /** Links for this project while it is in use; call the result when done with it. */
  acquire(handle: DocHandle<unknown>, onchange: (connected: number) => void): () => void {
    let entry = this.#open.get(handle.documentId);
    if (!entry) {
      entry = { links: new DirectLinks(this.#repo, handle, this.#options), users: 0 };
      this.#open.set(handle.documentId, entry);
    }
    clearTimeout(entry.timer);
    entry.users++;
    const links = entry.links;
    links.onchange = () => onchange(links.connected.size);
    onchange(links.connected.size);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const current = this.#open.get(handle.documentId);
      if (!current || --current.users > 0) return;
      current.links.onchange = undefined;
      onchange(0);
      current.timer = setTimeout(() => {
        current.links.stop();
        this.#open.delete(handle.documentId);
      }, this.#lingerMs);
    };
  }
}

/** Resolves once ICE gathering is complete (or after a timeout: what was gathered by then is used). */
function gathered(connection: RTCPeerConnection): Promise<void> {
  if (connection.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (connection.iceGatheringState !== 'complete') return;
      connection.removeEventListener('icegatheringstatechange', done);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      connection.removeEventListener('icegatheringstatechange', done);
      resolve();
    }, GATHER_TIMEOUT_MS);
    connection.addEventListener('icegatheringstatechange', done);
  });
}
