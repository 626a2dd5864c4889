/**
 * Execution documents: one Automerge document per run, linked from the project by URL. The tab that runs it
 * writes events into it at a bounded rate and, in between, sends them to everyone watching as ephemeral messages
 * (never stored), numbered so that a watcher shows the document plus whatever is newer than it. Any other tab or
 * device asks it to stop by writing a cancel request into the document, which the running tab watches for.
 */
import * as A from '@automerge/automerge';
import type { DocHandle, DocHandleChangePayload, DocHandleEphemeralMessagePayload, Repo } from '@automerge/automerge-repo';
import type { CancelRequest, Execution } from '../model/execution';
import { applyRunEvent, applyRunEvents, isActive, type AppendText, type RunEvent } from '../model/execution-events';
import { encodeChangeMessage, type Author } from './messages';
import { openExecution } from './open';
import { storable } from './storable';

/** An event with its place in the run, so that watchers can tell what the document already holds. */
export interface NumberedEvent {
  seq: number;
  event: RunEvent;
}

/** The ephemeral message a running tab sends with the events since its last one. */
export interface LiveMessage {
  type: 'deepforge/run-events';
  executionId: string;
  events: NumberedEvent[];
}

function isLiveMessage(m: unknown): m is LiveMessage {
  const x = m as Partial<LiveMessage> | null;
  return !!x && x.type === 'deepforge/run-events' && typeof x.executionId === 'string' && Array.isArray(x.events);
}

/** Watchers in this tab: a handle never receives its own broadcasts. */
const localListeners = new Map<string, Set<(message: LiveMessage) => void>>();

/** An execution document as the execution client uses it (see ExecutionDoc in src/engine/client.ts). */
export class ExecutionDocument {
  constructor(readonly handle: DocHandle<Execution>) {}

  get url(): string {
    return this.handle.url;
  }

  record(): Execution {
    return A.toJS(this.handle.doc()) as Execution;
  }

  /** Write events into the document in one change; `seq` is the last one's number. */
  write(events: readonly NumberedEvent[], message: string): void {
    if (events.length === 0) return;
    this.handle.change(
      (doc) => {
        const append: AppendText = (parent, key, text) => {
          if (typeof parent[key] !== 'string') parent[key] = text;
          else A.splice(doc, ['logs', key], parent[key].length, 0, text);
        };
        applyRunEvents(doc as Execution, events.map(({ event }) => storable(event) as RunEvent), append);
        doc.seq = events[events.length - 1]!.seq;
      },
      { message },
    );
  }

  /**
   * Ask the tab running this execution, wherever it is, to stop it (see {@link onCancelRequest}). A run that has
   * already ended is left as it is (false); asking twice only replaces the first request.
   */
  requestCancel(by: Author, device: string, at = Date.now()): boolean {
    const doc = this.handle.doc();
    if (!isActive(doc)) return false;
    const request: CancelRequest = { by: { name: by.name, color: by.color }, device, at };
    this.handle.change(
      (d) => {
        d.cancelRequest = request;
      },
      { message: encodeChangeMessage(`asked to cancel ${doc.name}`, by) },
    );
    return true;
  }

  /**
   * Call `listener` once, when a cancel request arrives (from a peer or this tab); returns a function that stops
   * listening. Only changes that touch the request are looked at: the running tab's own writes cost nothing here.
   */
  onCancelRequest(listener: (request: CancelRequest) => void): () => void {
    const onChange = ({ doc, patches }: DocHandleChangePayload<Execution>) => {
      if (!doc.cancelRequest || !patches.some((p) => p.path[0] === 'cancelRequest')) return;
      stop();
      listener(doc.cancelRequest);
    };
    const stop = () => this.handle.off('change', onChange);
    this.handle.on('change', onChange);
    return stop;
  }

  /** Send events to everyone watching this run (peers and this tab's views), without storing them. */
  broadcast(events: readonly NumberedEvent[]): void {
    if (events.length === 0) return;
    const message: LiveMessage = { type: 'deepforge/run-events', executionId: this.handle.doc().id, events: [...events] };
    this.handle.broadcast(message);
    for (const listener of localListeners.get(this.handle.documentId) ?? []) listener(message);
  }
}

export function createExecutionDoc(repo: Repo, execution: Execution, author?: Author): ExecutionDocument {
  const handle = repo.create<Execution>();
  handle.change((doc) => Object.assign(doc, storable(execution)), { message: encodeChangeMessage(`started ${execution.name}`, author) });
  return new ExecutionDocument(handle);
}

/** An execution document checked like any other (see open.ts); undefined when it is missing, damaged or too new. */
export async function findExecutionDoc(repo: Repo, url: string): Promise<ExecutionDocument | undefined> {
  const opened = await openExecution(repo, url);
  return opened.status === 'ready' ? new ExecutionDocument(opened.handle as DocHandle<Execution>) : undefined;
}

/** How often a watcher hears of a running execution: enough for live charts, and cheap for the page doing the run. */
const PUBLISH_EVERY_MS = 250;

/**
 * Follow a run as it happens: `onUpdate` receives the document with every newer live event applied, at most every
 * {@link PUBLISH_EVERY_MS} (and at once when watching starts). The document is turned into plain data only when it
 * changed, not for every live message: on the tab that runs the job, that work competes with training for the CPU.
 * Returns a function that stops watching.
 */
export function watchExecution(handle: DocHandle<Execution>, onUpdate: (execution: Execution) => void): () => void {
  let pending: NumberedEvent[] = [];
  let doc = handle.doc();
  let stored: Execution | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastPublished = 0;
  const publish = () => {
    timer = undefined;
    lastPublished = Date.now();
    stored ??= A.toJS(doc) as Execution;
    const seq = doc.seq ?? 0;
    pending = pending.filter((e) => e.seq > seq);
    if (pending.length === 0) return onUpdate(stored);
    const live = structuredClone(stored);
    for (const { event } of pending) applyRunEvent(live, event);
    onUpdate(live);
  };
  const schedule = () => {
    timer ??= setTimeout(publish, Math.max(0, lastPublished + PUBLISH_EVERY_MS - Date.now()));
  };
  const onChange = ({ doc: next }: DocHandleChangePayload<Execution>) => {
    doc = next;
    stored = undefined;
    schedule();
  };
  const onLive = (message: LiveMessage) => {
    if (message.executionId !== doc.id) return;
    const known = new Set(pending.map((e) => e.seq));
    pending.push(...message.events.filter((e) => !known.has(e.seq)));
    pending.sort((a, b) => a.seq - b.seq);
    schedule();
  };
  const onEphemeral = ({ message }: DocHandleEphemeralMessagePayload<Execution>) => {
    if (isLiveMessage(message)) onLive(message);
  };
  handle.on('change', onChange);
  handle.on('ephemeral-message', onEphemeral);
  const local = localListeners.get(handle.documentId) ?? new Set();
  local.add(onLive);
  localListeners.set(handle.documentId, local);
  publish();
  return () => {
    clearTimeout(timer);
    handle.off('change', onChange);
    handle.off('ephemeral-message', onEphemeral);
    local.delete(onLive);
    if (local.size === 0) localListeners.delete(handle.documentId);
  };
}
