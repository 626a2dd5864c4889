/**
 * An in-memory network for automerge-repo: every Repo gets a MemoryNetworkAdapter on one shared
 * MemoryBus, which links every pair of peers (a full mesh) and can cut and heal links.
 *
 * It behaves like a set of WebSocket connections: messages on a link arrive in order, after a
 * latency drawn per message (from the bus's random source, in setTimeout time, so fake timers
 * drive it); cutting a link drops what is in flight on it and tells both repos the other peer
 * disconnected; healing it announces them to each other again, and automerge-repo starts a new
 * sync session as it does on a reconnect.
 */
import { NetworkAdapter, type Message, type PeerId, type PeerMetadata } from '@automerge/automerge-repo';

const linkKey = (a: PeerId, b: PeerId) => (a < b ? `${a}|${b}` : `${b}|${a}`);

export interface MemoryBusOptions {
  /** Random numbers in [0, 1): decide each message's latency. */
  random?: () => number;
  /** Latency of a message, in ms: uniform in [0, maxLatencyMs]. */
  maxLatencyMs?: number;
}

export class MemoryBus {
  readonly #adapters = new Map<PeerId, MemoryNetworkAdapter>();
  readonly #down = new Set<string>();
  /** Bumped when a link goes down or up; a message from an older session of the link is dropped. */
  readonly #session = new Map<string, number>();
  /** Per directed link, when its last message is due (keeps each link in order). */
  readonly #due = new Map<string, number>();
  readonly #random: () => number;
  readonly #maxLatency: number;
  #inFlight = 0;
  /** Messages delivered and dropped so far. */
  delivered = 0;
  dropped = 0;

  constructor(options: MemoryBusOptions = {}) {
    this.#random = options.random ?? Math.random;
    this.#maxLatency = options.maxLatencyMs ?? 0;
  }

  /** Messages sent but neither delivered nor dropped yet. */
  get inFlight(): number {
    return this.#inFlight;
  }

  get peers(): PeerId[] {
    return [...this.#adapters.keys()];
  }

  isLinked(a: PeerId, b: PeerId): boolean {
    return a !== b && this.#adapters.has(a) && this.#adapters.has(b) && !this.#down.has(linkKey(a, b));
  }

  /** @internal MemoryNetworkAdapter.connect */
  join(adapter: MemoryNetworkAdapter): void {
    const peerId = adapter.peerId!;
    if (this.#adapters.has(peerId)) throw new Error(`peer ${peerId} is already on the bus`);
    this.#adapters.set(peerId, adapter);
    for (const other of this.#adapters.values()) {
      if (other !== adapter && this.isLinked(peerId, other.peerId!)) this.#announce(adapter, other);
    }
  }

  /** @internal MemoryNetworkAdapter.disconnect */
  leave(adapter: MemoryNetworkAdapter): void {
    const peerId = adapter.peerId!;
    if (this.#adapters.get(peerId) !== adapter) return;
    const linked = [...this.#adapters.values()].filter(other => other !== adapter && this.isLinked(peerId, other.peerId!));
    this.#adapters.delete(peerId); // first, so nothing sent from the handlers below reaches it
    for (const other of linked) this.#part(adapter, other);
  }

  cut(a: PeerId, b: PeerId): void {
    if (!this.isLinked(a, b)) return;
    this.#down.add(linkKey(a, b)); // first, so nothing sent from the handlers below crosses it
    this.#part(this.#adapters.get(a)!, this.#adapters.get(b)!);
  }

  heal(a: PeerId, b: PeerId): void {
    const key = linkKey(a, b);
    if (!this.#down.delete(key)) return;
    const left = this.#adapters.get(a);
    const right = this.#adapters.get(b);
    if (left && right) this.#announce(left, right);
  }

  /** Cuts every link of `peer`. */
  isolate(peer: PeerId): void {
    for (const other of this.peers) if (other !== peer) this.cut(peer, other);
  }

  healAll(): void {
    for (const key of [...this.#down]) {
      const [a, b] = key.split('|') as [PeerId, PeerId];
      this.heal(a, b);
    }
  }

  /** @internal MemoryNetworkAdapter.send */
  send(from: PeerId, message: Message): void {
    const to = message.targetId;
    const target = this.#adapters.get(to);
    if (!target || !this.isLinked(from, to)) {
      this.dropped++;
      return;
    }
    const key = linkKey(from, to);
    const session = this.#session.get(key) ?? 0;
    const directed = `${from}>${to}`;
    const now = Date.now();
    const due = Math.max(now + Math.floor(this.#random() * (this.#maxLatency + 1)), this.#due.get(directed) ?? 0);
    this.#due.set(directed, due);
    // A copy, as a socket would deliver: the receiver shares no object with the sender.
    const copy = structuredClone(message);
    this.#inFlight++;
    setTimeout(() => {
      this.#inFlight--;
      if ((this.#session.get(key) ?? 0) !== session || !this.isLinked(from, to) || this.#adapters.get(to) !== target) {
        this.dropped++;
        return;
      }
      this.delivered++;
      target.receive(copy);
    }, due - now);
  }

  #bump(a: MemoryNetworkAdapter, b: MemoryNetworkAdapter): void {
    const key = linkKey(a.peerId!, b.peerId!);
    this.#session.set(key, (this.#session.get(key) ?? 0) + 1);
    this.#due.delete(`${a.peerId}>${b.peerId}`);
    this.#due.delete(`${b.peerId}>${a.peerId}`);
  }

  #announce(a: MemoryNetworkAdapter, b: MemoryNetworkAdapter): void {
    this.#bump(a, b);
    a.emit('peer-candidate', { peerId: b.peerId!, peerMetadata: b.peerMetadata ?? {} });
    b.emit('peer-candidate', { peerId: a.peerId!, peerMetadata: a.peerMetadata ?? {} });
  }

  #part(a: MemoryNetworkAdapter, b: MemoryNetworkAdapter): void {
    this.#bump(a, b);
    a.emit('peer-disconnected', { peerId: b.peerId! });
    b.emit('peer-disconnected', { peerId: a.peerId! });
  }
}

/** One repo's connection to the bus (implements automerge-repo's NetworkAdapterInterface). */
export class MemoryNetworkAdapter extends NetworkAdapter {
  #connected = false;

  constructor(private readonly bus: MemoryBus) {
    super();
  }

  isReady(): boolean {
    return true;
  }

  whenReady(): Promise<void> {
    return Promise.resolve();
  }

  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId;
    this.peerMetadata = peerMetadata;
    this.#connected = true;
    this.bus.join(this);
  }

  send(message: Message): void {
    if (!this.#connected) return;
    this.bus.send(this.peerId!, message);
  }

  /** @internal called by the bus */
  receive(message: Message): void {
    if (this.#connected) this.emit('message', message);
  }

  disconnect(): void {
    if (!this.#connected) return;
    this.#connected = false;
    this.bus.leave(this);
  }
}
