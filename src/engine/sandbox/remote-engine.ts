/**
 * The main-thread half of an engine: implements `Engine` (../protocol.ts) over a transport to a runtime that runs
 * elsewhere (a sandboxed browser worker, a Node worker thread, or in-process). It answers the engine's requests
 * (only for bytes the plan names), passes checked events on in order, and owns Cancel: it asks the runtime to stop,
 * and when the runtime has not finished within a short grace — user code in `while (true) {}` never will — it
 * terminates the transport and finishes the run itself, marking what was running canceled and the rest skipped.
 */
import type { ClientMessage, Engine, EngineHost, EngineMessage, EngineRun, RunPlan } from '../protocol';
import { ENGINE_PROTOCOL_VERSION } from '../protocol';
import { checkEngineMessage, readableHashes } from './checks';

/** A channel to one runtime. Messages from it are untrusted. */
export interface EngineTransport {
  send(message: ClientMessage, transfer?: Transferable[]): void;
  onmessage: ((message: unknown) => void) | null;
  /** The runtime died (a worker error, a crashed thread). */
  onerror: ((message: string) => void) | null;
  /** Stops the runtime at once. Absent where it cannot be stopped (in-process): Cancel then waits for it. */
  terminate?(): void;
  /** Releases the channel when the engine is done with it. */
  close?(): void;
}

export interface RemoteEngineOptions {
  /** How long Cancel lets the runtime finish by itself before terminating it (default 250 ms). */
  cancelGraceMs?: number;
}

export class EngineError extends Error {
  override name = 'EngineError';
  constructor(
    readonly code: 'start-failed' | 'protocol' | 'disposed',
    message: string,
  ) {
    super(message);
  }
}

type Status = 'succeeded' | 'failed' | 'canceled';

const READY_TIMEOUT_MS = 60_000;

/** Waits for the runtime's `ready`, checking that it speaks our protocol. */
function whenReady(transport: EngineTransport): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new EngineError('start-failed', 'The engine did not start within a minute; reload the app and run again.')), READY_TIMEOUT_MS);
    const fail = (error: EngineError) => {
      clearTimeout(timer);
      reject(error);
    };
    transport.onerror = (message) => fail(new EngineError('start-failed', `The engine could not start: ${message}`));
    transport.onmessage = (message) => {
      const m = message as { type?: string; protocol?: number };
      if (m?.type !== 'ready') return;
      if (m.protocol !== ENGINE_PROTOCOL_VERSION) return fail(new EngineError('protocol', `The engine speaks protocol ${m.protocol}, this page ${ENGINE_PROTOCOL_VERSION}: reload the app.`));
      clearTimeout(timer);
      resolve();
    };
  });
}

export function createRemoteEngine(connect: () => Promise<EngineTransport>, options: RemoteEngineOptions = {}): Engine {
  const grace = options.cancelGraceMs ?? 250;
  let transport: Promise<EngineTransport> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let disposed = false;
  const active = new Set<{ cancel(): void }>();

  const open = () =>
    (transport ??= connect().then(async (t) => {
      try {
        await whenReady(t);
      } catch (error) {
        drop(t);
        throw error;
      }
      return t;
    }));
  const drop = (t: EngineTransport) => {
    t.onmessage = null;
    t.onerror = null;
    t.terminate?.();
    t.close?.();
    transport = undefined;
  };

  function run(plan: RunPlan, host: EngineHost): EngineRun {
    let finish!: (status: Status) => void;
    const done = new Promise<{ status: Status }>((resolve) => {
      let finished = false;
      finish = (status) => {
        if (finished) return;
        finished = true;
        resolve({ status });
      };
    });
    const started = new Set<string>();
    const ended = new Set<string>();
    const readable = readableHashes(plan);
    let current: EngineTransport | undefined;
    let finished = false;
    let cancelRequested = false;

    const emit = (message: EngineMessage) => {
      if (finished) return;
      if ('jobId' in message) {
        if (message.type === 'job-started') started.add(message.jobId);
        if (['job-finished', 'job-failed', 'job-skipped', 'job-canceled', 'job-cached'].includes(message.type)) ended.add(message.jobId);
      }
      host.onEvent(message);
    };
    /** Ends the run from this side, saying what became of the jobs the runtime did not report on. */
    const conclude = (status: Status, why: string) => {
      if (finished) return;
      const now = Date.now();
      for (const job of plan.jobs) {
        if (ended.has(job.jobId)) continue;
        if (started.has(job.jobId)) {
          emit(status === 'canceled' ? { type: 'job-canceled', jobId: job.jobId, at: now } : { type: 'job-failed', jobId: job.jobId, at: now, error: { message: why } });
        } else emit({ type: 'job-skipped', jobId: job.jobId, reason: why });
      }
      emit({ type: 'run-finished', status, at: now });
      finished = true;
      finish(status);
    };
    const handle = { cancel: () => cancel() };

    const reply = (t: EngineTransport, requestId: number, got: Promise<Uint8Array>) =>
      got.then(
        (bytes) => !finished && t.send({ type: 'reply', requestId, bytes }),
        (error: unknown) => !finished && t.send({ type: 'reply', requestId, error: error instanceof Error ? error.message : String(error) }),
      );

    const onMessage = (t: EngineTransport) => (raw: unknown) => {
      const message = checkEngineMessage(raw, plan);
      if (!message || finished) return;
      switch (message.type) {
        case 'ready':
          return;
        case 'request':
          if (message.what === 'data') void reply(t, message.requestId, host.data(message.name));
          else if (!readable.has(message.sha256)) void reply(t, message.requestId, Promise.reject(new Error('This run may only read the artifacts its pipeline names.')));
          else void reply(t, message.requestId, host.artifact(message.sha256, message.artifactId));
          return;
        case 'run-finished':
          emit(message);
          finished = true;
          finish(message.status);
          return;
        default:
          emit(message);
      }
    };

    function cancel(): void {
      if (finished || cancelRequested) return;
      cancelRequested = true;
      if (!current) {
        conclude('canceled', 'The run was canceled.');
        return;
      }
      const t = current;
      t.send({ type: 'cancel' });
      if (!t.terminate) return; // in-process: only cooperative code can be stopped
      setTimeout(() => {
        // The worker may hold a job that ignored the cancel; a fresh one serves the next run.
        drop(t);
        conclude('canceled', 'The run was canceled.');
      }, grace);
    }

    const go = async () => {
      if (disposed) throw new EngineError('disposed', 'This engine was disposed.');
      if (cancelRequested) return conclude('canceled', 'The run was canceled.');
      const t = await open();
      if (finished) return;
      current = t;
      t.onmessage = onMessage(t);
      t.onerror = (why) => {
        drop(t);
        conclude('failed', `The engine stopped: ${why}`);
      };
      t.send({ type: 'run', plan });
      await done;
    };
    active.add(handle);
    queue = queue
      .then(go)
      .catch((error: unknown) => conclude('failed', error instanceof Error ? error.message : String(error)))
      .finally(() => active.delete(handle));
    return { cancel, done };
  }

  return {
    run,
    dispose() {
      disposed = true;
      for (const run of active) run.cancel();
      void transport?.then(drop, () => undefined);
      transport = undefined;
    },
  };
}
