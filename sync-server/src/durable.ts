/**
 * Storage first: the relay tells a client it has a change only once the change is on disk.
 *
 * A client counts a change as acknowledged when the relay sends it a sync message whose heads
 * include it (automerge-repo keeps those heads as the relay's sync info: `getSyncInfo(storageId)`
 * and 'remote-heads' on the DocHandle). Stock automerge-repo 2.5.6 answers a sync message from
 * memory, in the same tick that applied its changes, and writes the document later through a
 * throttled save (`saveDebounceRate`, 100 ms): a relay killed in between had acknowledged changes
 * it then no longer has (test/durability.test.ts loses some in most SIGKILL rounds without this).
 *
 * So every outgoing 'sync'/'request' message waits, in a per-peer queue that keeps each peer's
 * messages in order, until `DocumentSaver.save` has written the document as it is when the save
 * starts. That is after the message was generated: the message is queued first and the save
 * starts a microtask later, once automerge-repo has committed the update that produced it (the
 * DocHandle applies updates synchronously), so the saved state contains every head the message
 * announces. Other messages ('peer', 'ephemeral', 'doc-unavailable') only
 * keep their place in the queue. A message whose connection was replaced or closed meanwhile is
 * dropped (the new connection starts its own sync); a failed save closes that connection (1011)
 * instead of acknowledging, and the client re-syncs when it reconnects.
 *
 * Scope: process crashes (SIGKILL, OOM, a panic). Files are replaced atomically (storage.ts) but
 * not fsync'ed, so a power cut can still lose what the OS had not written back.
 */
import type { DocumentId, PeerId, Repo } from '@automerge/automerge-repo';
import type { Logger } from './log.js';

/** Saves documents, one save per document at a time; callers that come while a save waits share it. */
export class DocumentSaver {
  /** The last save scheduled per document (running or waiting). */
  readonly #tail = new Map<DocumentId, Promise<void>>();
  /** A save scheduled but not started yet: it will capture the document when it starts. */
  readonly #waiting = new Map<DocumentId, Promise<void>>();

  constructor(private readonly repo: Repo) {}

  /** Resolves once the document, as it is now or later, is on disk (at once if the relay does not hold it). */
  save(documentId: DocumentId): Promise<void> {
    const waiting = this.#waiting.get(documentId);
    if (waiting) return waiting;
    const previous = this.#tail.get(documentId) ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(() => {
        this.#waiting.delete(documentId);
        const handle = this.repo.handles[documentId];
        // A handle that is not ready holds nothing, and a message from it announces no heads.
        if (!handle?.isReady()) return;
        // Captures handle.doc() synchronously; a no-op when those heads are saved already.
        return this.repo.flush([documentId]);
      });
    this.#waiting.set(documentId, run);
    this.#tail.set(documentId, run);
    const forget = () => {
      if (this.#tail.get(documentId) === run) this.#tail.delete(documentId);
    };
    run.then(forget, forget);
    return run;
  }
}

/** The part of an outgoing message the outbox looks at. */
export interface Outgoing {
  type: string;
  targetId: PeerId;
  documentId?: DocumentId;
}

/** Messages that carry document heads, i.e. acknowledge changes. */
const carriesHeads = (message: Outgoing): message is Outgoing & { documentId: DocumentId } =>
  (message.type === 'sync' || message.type === 'request') && message.documentId !== undefined;

export interface OutboxOptions {
  save: (documentId: DocumentId) => Promise<void>;
  logger: Logger;
  /** Closes a connection whose document could not be saved. */
  fail: (connection: object) => void;
}

/** Per-peer FIFO of outgoing messages; those that carry heads wait until their document is saved. */
export class DurableOutbox {
  readonly #queues = new Map<PeerId, Promise<void>>();
  readonly #failed = new WeakSet<object>();

  constructor(private readonly options: OutboxOptions) {}

  /**
   * Sends `message` over `connection` after every message queued before it for the same peer,
   * and, when it carries heads, after its document is on disk. `deliver` is called only if
   * `isCurrent()` still holds then (the peer has not reconnected or left meanwhile).
   */
  send(message: Outgoing, connection: object, isCurrent: () => boolean, deliver: () => void): void {
    const peer = message.targetId;
    const queued = this.#queues.get(peer);
    if (!queued && !carriesHeads(message)) {
      if (!this.#failed.has(connection)) deliver();
      return;
    }
    // The save starts a microtask from now, after automerge-repo has committed the update that
    // produced this message (it runs synchronously), while earlier messages may still wait.
    const saved = carriesHeads(message) ? Promise.resolve(message.documentId).then(id => this.options.save(id)) : undefined;
    saved?.catch(() => undefined); // handled below, in order; this only keeps it from being "unhandled"
    const next = (queued ?? Promise.resolve()).then(async () => {
      if (this.#failed.has(connection)) return;
      if (saved) {
        try {
          await saved;
        } catch (error) {
          this.#failed.add(connection);
          this.options.logger.error(`could not save document ${message.documentId}; closing the connection of ${peer} instead of acknowledging`, error);
          this.options.fail(connection);
          return;
        }
      }
      if (isCurrent()) deliver();
    });
    const settled = next.catch(error => this.options.logger.error(`sending to ${peer} failed`, error));
    this.#queues.set(peer, settled);
    void settled.then(() => {
      if (this.#queues.get(peer) === settled) this.#queues.delete(peer);
    });
  }
}
