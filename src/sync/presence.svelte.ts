/**
 * Who else is in a project and what they are looking at, from automerge-repo's ephemeral presence messages: never
 * written to the document, gone when a peer leaves or stops answering.
 */
import { Presence, type DocHandle, type PeerId } from '@automerge/automerge-repo';

export interface PresenceInfo {
  name: string;
  color: string;
  /** What the person has open: "pipelines/<id>", "history", "overview"… */
  view: string;
  /** Nodes or layers they have selected in that view. */
  selection: string[];
  /** Where their caret and selection are in a code editor ("operations/<id>"), as character offsets. */
  cursor?: { item: string; anchor: number; head: number } | null;
}

export interface Peer extends PresenceInfo {
  peerId: string;
  lastSeenAt: number;
}

function validCursor(c: unknown): PresenceInfo['cursor'] {
  if (!c || typeof c !== 'object') return null;
  const { item, anchor, head } = c as Record<string, unknown>;
  return typeof item === 'string' && Number.isInteger(anchor) && Number.isInteger(head) ? { item, anchor: anchor as number, head: head as number } : null;
}

const HEARTBEAT_MS = 2_000;
const PEER_TTL_MS = 7_000;

export class ProjectPresence {
  peers = $state<Peer[]>([]);
  readonly #presence: Presence<PresenceInfo>;
  readonly #self: PeerId | undefined;
  readonly #onStop: (() => void) | undefined;

  /** `onStop`: what else ends when we leave the project (e.g. its direct links). */
  constructor(handle: DocHandle<unknown>, initial: PresenceInfo, self?: PeerId, onStop?: () => void) {
    this.#self = self;
    this.#onStop = onStop;
    this.#presence = new Presence<PresenceInfo>({ handle });
    const refresh = () => this.#refresh();
    for (const event of ['update', 'snapshot', 'heartbeat', 'goodbye', 'pruning'] as const) this.#presence.on(event, refresh);
    this.#presence.start({ initialState: initial, heartbeatMs: HEARTBEAT_MS, peerTtlMs: PEER_TTL_MS });
  }

  /** Tell the others what changed about us (our view, our selection, a new name). */
  set<K extends keyof PresenceInfo>(channel: K, value: PresenceInfo[K]): void {
    const current = this.#presence.getLocalState()[channel];
    if (JSON.stringify(current) === JSON.stringify(value)) return;
    this.#presence.broadcast(channel, value);
  }

  stop(): void {
    this.#onStop?.();
    this.#presence.stop();
    this.peers = [];
  }

  #refresh(): void {
    const states = this.#presence.getPeerStates().value;
    this.peers = Object.values(states)
      .filter((s) => s.peerId !== this.#self && s.value && typeof s.value.name === 'string')
      .map((s) => ({
        peerId: s.peerId,
        lastSeenAt: s.lastSeenAt,
        name: s.value.name,
        color: typeof s.value.color === 'string' ? s.value.color : '#64748b',
        view: typeof s.value.view === 'string' ? s.value.view : 'overview',
        selection: Array.isArray(s.value.selection) ? s.value.selection.filter((x): x is string => typeof x === 'string') : [],
        cursor: validCursor(s.value.cursor),
      }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.peerId.localeCompare(b.peerId));
  }
}
