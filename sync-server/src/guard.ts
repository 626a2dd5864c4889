/**
 * The gate between a client's WebSocket and automerge-repo.
 *
 * `guardConnection` attaches the first 'message' listener to each socket, before the network
 * adapter attaches its own. It applies the rate limit, refuses text frames, decodes and checks
 * every binary frame (see messages.ts), pins the connection to the peer id it joined with, and
 * marks the frames it accepts. `GuardedServerAdapter` (the stock NodeWSServerAdapter with one
 * override) hands a frame to automerge-repo only if it was marked, so a rejected frame never gets
 * further than this file and only its own connection is closed.
 */
import { NodeWSServerAdapter } from '@automerge/automerge-repo-network-websocket';
import type { DocumentId, PeerId } from '@automerge/automerge-repo';
import WebSocket, { type WebSocketServer } from 'ws';
import type { RateLimit } from './config.js';
import type { DurableOutbox } from './durable.js';
import type { Logger } from './log.js';
import type { SyncAcks } from './ack.js';
import { decodeAndCheck, type CheckedMessage } from './messages.js';

/** WebSocket close codes used by the relay (RFC 6455 §7.4.1). */
export const CloseCode = {
  goingAway: 1001,
  unsupportedData: 1003,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
} as const;

/** Token bucket: `burst` tokens, refilled at `perSecond`; each frame costs one. */
export class TokenBucket {
  #tokens: number;
  #last: number;
  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#tokens = burst;
    this.#last = now();
  }
  /** Takes one token; false when the bucket is empty. A rate of 0 means no limit. */
  take(): boolean {
    if (this.perSecond <= 0) return true;
    const now = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.perSecond);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** The frames the guard let through, by identity, with what it read in them; only these reach automerge-repo. */
export type AcceptedFrames = WeakMap<object, CheckedMessage>;

type ServerMessage = Parameters<NodeWSServerAdapter['send']>[0];

/**
 * NodeWSServerAdapter that ignores every frame the guard did not accept, and (once `outbox` is
 * set) sends through a DurableOutbox, so that no sync message acknowledges what is not on disk.
 */
export class GuardedServerAdapter extends NodeWSServerAdapter {
  /** Set by startRelay before the first connection; see durable.ts. */
  outbox?: DurableOutbox;
  /** Set by startRelay before the first connection; see ack.ts. */
  acks?: SyncAcks;

  constructor(
    server: WebSocketServer,
    private readonly accepted: AcceptedFrames,
    private readonly logger: Logger,
  ) {
    // isomorphic-ws types `ws` through its CommonJS entry; the object is the same.
    super(server as unknown as ConstructorParameters<typeof NodeWSServerAdapter>[0]);
  }

  override send(message: ServerMessage): void {
    if (message.type === 'sync' && 'documentId' in message && message.documentId) this.acks?.sent(message.targetId, message.documentId);
    const socket = this.sockets[message.targetId];
    // Without a socket the stock send logs and drops; without an outbox it sends at once.
    if (!this.outbox || !socket) return super.send(message);
    this.outbox.send(
      message,
      socket,
      () => this.sockets[message.targetId] === socket && socket.readyState === WebSocket.OPEN,
      () => super.send(message),
    );
  }

  override receiveMessage(messageBytes: Uint8Array, socket: WebSocket): void {
    const checked = this.accepted.get(messageBytes);
    if (!checked) return;
    this.accepted.delete(messageBytes);
    if (socket.readyState !== WebSocket.OPEN) return;
    try {
      if (checked.type === 'sync' && checked.documentId && checked.heads) {
        this.acks?.received(checked.senderId as PeerId, checked.documentId as DocumentId, checked.heads);
      }
      super.receiveMessage(messageBytes, socket);
    } catch (error) {
      this.logger.error('automerge-repo failed on an accepted message; closing that connection', error);
      socket.close(CloseCode.internalError, 'internal error');
    }
  }
}

export interface GuardOptions {
  /** Short label for log lines, e.g. "conn#3 127.0.0.1". */
  label: string;
  relayPeerId: string;
  rateLimit: RateLimit;
  accepted: AcceptedFrames;
  logger: Logger;
}

/** Client-supplied text made safe for one log line and a close frame (ASCII, ≤ 123 bytes). */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 123);
}

function asBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** Installs the guard on a freshly upgraded socket. Must run before the adapter sees the socket. */
export function guardConnection(ws: WebSocket, options: GuardOptions): void {
  const { label, relayPeerId, accepted, logger } = options;
  const bucket = new TokenBucket(options.rateLimit.perSecond, options.rateLimit.burst);
  let peerId: string | undefined;

  const reject = (code: number, reason: string) => {
    // Printable ASCII only (reasons may quote client input), and a close reason holds at most 123 bytes.
    const safe = printable(reason);
    logger.warn(`${label} rejected frame: ${safe}; closing with ${code}`);
    ws.close(code, safe);
  };

  ws.on('message', (data, isBinary) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    try {
      if (!bucket.take()) return reject(CloseCode.policyViolation, 'rate limit exceeded');
      if (!isBinary) return reject(CloseCode.unsupportedData, 'text frames are not supported');
      const bytes = asBuffer(data);
      const result = decodeAndCheck(bytes);
      if (!result.ok) return reject(CloseCode.invalidPayload, `invalid message: ${result.reason}`);
      const message = result.message;
      if (message.type === 'join') {
        if (peerId === undefined) {
          peerId = message.senderId;
          logger.info(`${label} peer joined: ${peerId}`);
        } else {
          // The stock client joins once per socket; the adapter would close a socket that re-joins.
          return reject(CloseCode.policyViolation, 'already joined');
        }
      } else {
        if (peerId === undefined) return reject(CloseCode.policyViolation, `"${message.type}" before "join"`);
        // Ephemeral messages (presence) are gossiped: a client passes on what it received from others with their
        // senderId, and automerge-repo drops repeats by (senderId, sessionId, count). Everything else must be its own.
        if (message.senderId !== peerId && message.type !== 'ephemeral') return reject(CloseCode.policyViolation, 'senderId differs from the joined peer');
        if (message.targetId !== relayPeerId) return reject(CloseCode.policyViolation, 'targetId is not this relay');
      }
      // The adapter's listener runs next with this very object; mark it for GuardedServerAdapter.
      // (A fragmented message arrives as one Buffer with the default binaryType, so data === bytes.)
      accepted.set(data as object, message);
    } catch (error) {
      logger.error(`${label} guard failed on a frame; closing`, error);
      ws.close(CloseCode.internalError, 'internal error');
    }
  });

  // Pings are answered by ws itself; they still count against the rate limit.
  ws.on('ping', () => {
    if (ws.readyState === WebSocket.OPEN && !bucket.take()) reject(CloseCode.policyViolation, 'rate limit exceeded');
  });

  // Protocol errors found by ws (oversized message → 1009, bad UTF-8, bad opcode…): ws has already
  // started closing with the right code; without this listener the error would crash the process.
  ws.on('error', (error: Error & { code?: string }) => {
    logger.warn(`${label} rejected frame: ${error.message}${error.code ? ` (${error.code})` : ''}`);
  });

  ws.on('close', (code, reason) => {
    const why = reason.length > 0 ? ` (${printable(reason.toString())})` : '';
    logger.info(`${label} disconnected${peerId ? ` peer ${peerId}` : ''}: code ${code}${why}`);
  });
}
