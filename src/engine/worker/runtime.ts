/**
 * The engine runtime: speaks the engine protocol (../protocol.ts) over any port — a browser Worker's `self`, a Node
 * worker_threads port, or one end of a MessageChannel in the same thread — and runs plans with tfjs.
 *
 * Jobs run one at a time in the plan's order (a topological order), so that every tensor a job makes can be put in
 * a tfjs scope and anything it does not return is freed when it ends. Values pass between jobs in memory and are
 * freed as soon as no later job needs them. A failed job skips the jobs downstream of it; independent jobs still run.
 */
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../lib/random';
import type { Id } from '../../model/types';
import { ENGINE_PROTOCOL_VERSION, type BackendName, type ClientMessage, type EncodedRef, type EngineMessage, type InputSource, type JobPlan, type RunPlan } from '../protocol';
import { chooseBackend, isBackendFailure, type DeviceChoice } from './backends';
import { decodeValue, encodeValue, isLayersModel, isTensor, type DecodeOptions } from './codec';
import { compileOperation, errorLine, mapStack, OperationCodeError } from './compile';
import { createContext } from './context';
import { registerMissingWasmKernels } from './wasm-kernels';

/** The smallest thing the runtime talks through. */
export interface RuntimePort {
  postMessage(message: EngineMessage, transfer?: Transferable[]): void;
  onmessage: ((event: { data: ClientMessage }) => void) | null;
}

/** What the environment adds: image decoding where there is a browser. */
export interface RuntimePlatform {
  decodeImage?: (bytes: Uint8Array) => Promise<tf.Tensor3D>;
}

/** What the environment can tell a started runtime. */
export interface RuntimeHandle {
  /** An error or rejection no code handled (e.g. a promise the operation did not await): logged to the running job. */
  uncaught(error: unknown): void;
}

type Held = tf.Tensor | tf.LayersModel;
type Outcome = 'succeeded' | 'failed' | 'skipped' | 'canceled' | 'cached';

class Canceled extends Error {
  override name = 'Canceled';
}

/** Tensors and models reachable from a value through plain objects and arrays. */
function heldIn(value: unknown, into: Set<Held>, seen = new Set<unknown>()): Set<Held> {
  if (isTensor(value) || isLayersModel(value)) into.add(value);
  else if (typeof value === 'object' && value !== null && !seen.has(value) && (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype)) {
    seen.add(value);
    for (const v of Object.values(value)) heldIn(v, into, seen);
  }
  return into;
}

function dispose(item: Held): void {
  if (isLayersModel(item)) {
    item.optimizer?.dispose();
    item.dispose();
  } else if (!item.isDisposed) item.dispose();
}

/** A seed per node: a run with the same plan seed repeats exactly, whichever execution it is. */
function jobSeed(planSeed: number, nodeId: Id): number {
  let h = planSeed >>> 0;
  for (let i = 0; i < nodeId.length; i++) h = Math.imul(h ^ nodeId.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * How to read a message event's data without going through anything operation code can patch later
 * (MessageEvent.prototype's getter, Function.prototype.call): a patched getter would be handed the event, and
 * through `event.target` the engine's port.
 */
function messageReader(): (event: { data: ClientMessage }) => ClientMessage {
  const apply = Reflect.apply;
  const getter = typeof MessageEvent === 'undefined' ? undefined : Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'data')?.get;
  return (event) => {
    if (getter) {
      try {
        return apply(getter, event, []) as ClientMessage;
      } catch {
        // not a DOM MessageEvent (Node's worker ports): fall through
      }
    }
    return event.data;
  };
}

/**
 * Starts answering on `port`. Call it before any operation code runs: it binds the port's postMessage and the
 * event reader then, so that code patching prototypes afterwards cannot get hold of the port and speak as the engine.
 */
export function startRuntime(port: RuntimePort, platform: RuntimePlatform = {}): RuntimeHandle {
  const send = port.postMessage.bind(port);
  const read = messageReader();
  registerMissingWasmKernels();
  // Errors thrown deep inside tfjs must still show the frame in the operation's code, to name its line.
  Error.stackTraceLimit = Math.max(Error.stackTraceLimit ?? 10, 100);
  let requestIds = 0;
  const pending = new Map<number, { resolve(bytes: Uint8Array): void; reject(error: Error): void }>();
  let device: DeviceChoice | undefined;
  let forced: BackendName | undefined;
  let current: { controller: AbortController; cancel(): void } | undefined;
  let runningJob: Id | undefined;

  const post = (message: EngineMessage, transfer: Transferable[] = []) => send(message, transfer);

  function request(message: { what: 'artifact'; sha256: string; artifactId?: Id } | { what: 'data'; name: 'iris' | 'mnist' }): Promise<Uint8Array> {
    const requestId = ++requestIds;
    return new Promise((resolve, reject) => {
      pending.set(requestId, { resolve, reject });
      post({ type: 'request', requestId, ...message } as EngineMessage);
    });
  }

  async function ensureDevice(plan: RunPlan): Promise<void> {
    if (device && plan.backend === forced && tf.getBackend() === device.backend) return;
    forced = plan.backend;
    device = await chooseBackend({ forced });
    post({ type: 'device', ...device });
  }

  /** Runs the jobs; true when every job that ran succeeded (or was cached). */
  async function runPlan(plan: RunPlan, controller: AbortController, canceled: Promise<never>): Promise<boolean> {
    const { signal } = controller;
    const failedBackends: BackendName[] = [];
    const outcome = new Map<Id, Outcome>();
    const values = new Map<Id, Record<string, unknown>>();
    const remainingUses = new Map<Id, number>();
    const held = new Set<Held>();
    for (const job of plan.jobs) {
      for (const source of Object.values(job.inputs)) {
        if (source.kind === 'job') remainingUses.set(source.jobId, (remainingUses.get(source.jobId) ?? 0) + 1);
      }
    }
    const decodeOptions: DecodeOptions = { decodeImage: platform.decodeImage };
    const release = () => {
      const live = new Set<Held>();
      for (const [jobId, output] of values) {
        if ((remainingUses.get(jobId) ?? 0) > 0) heldIn(output, live);
        else values.delete(jobId);
      }
      for (const item of held) {
        if (!live.has(item)) {
          dispose(item);
          held.delete(item);
        }
      }
    };
    const keep = (value: unknown) => heldIn(value, held);

    async function inputsOf(job: JobPlan): Promise<Record<string, unknown>> {
      const inputs: Record<string, unknown> = {};
      for (const [name, source] of Object.entries(job.inputs)) {
        if (source.kind === 'job') inputs[name] = values.get(source.jobId)?.[source.port];
        else if (source.kind === 'artifact') {
          const bytes = await request({ what: 'artifact', sha256: source.sha256, artifactId: source.artifactId });
          inputs[name] = await decodeValue(bytes, source.mediaType, source.dataType, decodeOptions);
          keep(inputs[name]);
        } else inputs[name] = undefined;
      }
      return inputs;
    }

    async function attempt(job: JobPlan): Promise<void> {
      const inputs = await inputsOf(job);
      const ctx = createContext({
        job,
        post,
        signal,
        decodeImage: platform.decodeImage,
        requestArtifact: (sha256, artifactId) => request({ what: 'artifact', sha256, artifactId }),
        requestData: (name) => request({ what: 'data', name }),
      });
      const run = compileOperation(job.code, job.jobId, { tf, console: ctx.console });
      const { console: _console, ...operationContext } = ctx;
      const random = Math.random;
      Math.random = seededRandom(jobSeed(plan.seed ?? 0, job.nodeId));
      const variablesBefore = new Set(Object.keys(tf.engine().state.registeredVariables));
      tf.engine().startScope();
      let declared: Record<string, unknown> | undefined;
      let kept: Held[] = [];
      try {
        const result = await Promise.race([run(inputs, job.attributes, job.references, operationContext), canceled]);
        if (typeof result !== 'object' || result === null) {
          throw new OperationCodeError('The operation must return an object of outputs by port name, e.g. `return { dataset }` (or `return {}`).');
        }
        const outputs = result as Record<string, unknown>;
        const extra = Object.keys(outputs).filter((k) => !(k in job.outputs));
        if (extra.length) ctx.console.warn(`Ignored values for outputs this operation does not declare: ${extra.join(', ')}.`);
        for (const port of Object.keys(job.outputs)) {
          if (outputs[port] === undefined) throw new OperationCodeError(`The operation returned no value for its output "${port}"; return { ${port}: … }.`);
        }
        declared = Object.fromEntries(Object.keys(job.outputs).map((port) => [port, outputs[port]]));
        kept = [...heldIn(declared, new Set())];
      } finally {
        tf.engine().endScope(kept.filter(isTensor));
        Math.random = random;
        // Variables are outside tfjs scopes: those of models the job made but did not return are freed here.
        if (!kept.some(isLayersModel)) {
          for (const [name, variable] of Object.entries(tf.engine().state.registeredVariables)) if (!variablesBefore.has(name)) variable.dispose();
        }
      }
      values.set(job.jobId, declared!);
      keep(declared);
      const refs: Record<string, EncodedRef> = {};
      for (const [port, { dataType }] of Object.entries(job.outputs)) {
        const { ref, bytes } = await encodeValue(declared![port], dataType);
        refs[port] = ref;
        post({ type: 'artifact', jobId: job.jobId, port, name: `${job.name}.${port}`, ref, bytes }, [bytes.buffer]);
      }
      post({ type: 'job-finished', jobId: job.jobId, at: Date.now(), outputs: refs });
    }

    async function runJob(job: JobPlan): Promise<Outcome> {
      post({ type: 'job-started', jobId: job.jobId, at: Date.now() });
      runningJob = job.jobId;
      try {
        return await runAttempts(job);
      } finally {
        runningJob = undefined;
      }
    }

    async function runAttempts(job: JobPlan): Promise<Outcome> {
      for (;;) {
        try {
          await attempt(job);
          return 'succeeded';
        } catch (error) {
          if (signal.aborted) return 'canceled';
          if (isBackendFailure(error) && device && device.backend !== 'cpu' && plan.backend === undefined) {
            const failed = device.backend;
            failedBackends.push(failed);
            post({ type: 'log', jobId: job.jobId, at: Date.now(), level: 'warn', text: `The ${failed} backend failed (${(error as Error).message}); running this job again on the next backend.` });
            device = await chooseBackend({ failed: failedBackends });
            device = { ...device, reason: `${device.backend} after ${failed} failed: ${(error as Error).message}` };
            post({ type: 'device', ...device });
            continue;
          }
          const message = error instanceof Error ? error.message : String(error);
          const line = error instanceof OperationCodeError && error.line !== undefined ? error.line : errorLine(error, job.jobId);
          post({ type: 'job-failed', jobId: job.jobId, at: Date.now(), error: { message, ...(line !== undefined ? { line } : {}), ...(error instanceof Error ? { stack: mapStack(error, job.jobId) } : {}) } });
          return 'failed';
        }
      }
    }

    async function decodeCached(job: JobPlan): Promise<void> {
      const decoded: Record<string, unknown> = {};
      for (const [port, ref] of Object.entries(job.cached!)) {
        decoded[port] = await decodeValue(await request({ what: 'artifact', sha256: ref.sha256 }), ref.mediaType, ref.dataType, decodeOptions);
        keep(decoded[port]);
      }
      values.set(job.jobId, decoded);
      post({ type: 'job-cached', jobId: job.jobId, at: Date.now() });
    }

    const skip = (job: JobPlan, blocked: InputSource): Outcome => {
      const upstreamId = blocked.kind === 'job' ? blocked.jobId : '';
      const upstream = plan.jobs.find((j) => j.jobId === upstreamId);
      post({ type: 'job-skipped', jobId: job.jobId, reason: `"${upstream?.name ?? upstreamId}" did not succeed.` });
      return 'skipped';
    };

    for (const job of plan.jobs) {
      if (signal.aborted) break;
      const blocked = Object.values(job.inputs).find((s) => s.kind === 'job' && outcome.get(s.jobId) !== 'succeeded' && outcome.get(s.jobId) !== 'cached');
      if (job.cached) {
        try {
          await Promise.race([decodeCached(job), canceled]);
          outcome.set(job.jobId, 'cached');
        } catch (error) {
          if (signal.aborted) break;
          post({ type: 'log', jobId: job.jobId, at: Date.now(), level: 'warn', text: `The cached outputs could not be read (${(error as Error).message}); running the job again.` });
          outcome.set(job.jobId, blocked ? skip(job, blocked) : await runJob(job));
        }
      } else {
        outcome.set(job.jobId, blocked ? skip(job, blocked) : await runJob(job));
      }
      for (const source of Object.values(job.inputs)) {
        if (source.kind === 'job') remainingUses.set(source.jobId, (remainingUses.get(source.jobId) ?? 1) - 1);
      }
      release();
    }
    values.clear();
    remainingUses.clear();
    release();
    if (failedBackends.length > 0) device = undefined; // the next run chooses afresh
    if (signal.aborted) {
      for (const job of plan.jobs) {
        if (outcome.get(job.jobId) === 'canceled') post({ type: 'job-canceled', jobId: job.jobId, at: Date.now() });
        else if (!outcome.has(job.jobId)) post({ type: 'job-skipped', jobId: job.jobId, reason: 'The run was canceled.' });
      }
    }
    return [...outcome.values()].every((o) => o === 'succeeded' || o === 'cached');
  }

  async function start(plan: RunPlan): Promise<void> {
    const controller = new AbortController();
    let cancel!: () => void;
    const canceled = new Promise<never>((_resolve, reject) => {
      cancel = () => reject(new Canceled('The run was canceled.'));
    });
    canceled.catch(() => undefined);
    current = {
      controller,
      cancel: () => {
        controller.abort();
        cancel();
      },
    };
    let started = true;
    try {
      if (plan.protocol !== ENGINE_PROTOCOL_VERSION) throw new Error(`This engine speaks protocol ${ENGINE_PROTOCOL_VERSION}, the plan is for ${plan.protocol}; reload the app.`);
      await ensureDevice(plan);
    } catch (error) {
      started = false;
      for (const job of plan.jobs) post({ type: 'job-skipped', jobId: job.jobId, reason: `The engine could not start: ${(error as Error).message}` });
    }
    const succeeded = started && (await runPlan(plan, controller, canceled));
    current = undefined;
    const status = controller.signal.aborted ? 'canceled' : succeeded ? 'succeeded' : 'failed';
    post({ type: 'run-finished', status, at: Date.now(), numTensors: tf.memory().numTensors });
  }

  port.onmessage = (event) => {
    const message = read(event);
    switch (message.type) {
      case 'run':
        if (current) return; // the client runs one plan at a time per engine
        void start(message.plan);
        return;
      case 'cancel':
        current?.cancel();
        return;
      case 'reply': {
        const waiting = pending.get(message.requestId);
        if (!waiting) return;
        pending.delete(message.requestId);
        if (message.bytes) waiting.resolve(message.bytes);
        else waiting.reject(new Error(message.error ?? 'The client sent no bytes.'));
        return;
      }
    }
  };
  post({ type: 'ready', protocol: ENGINE_PROTOCOL_VERSION });
  return {
    uncaught(error) {
      const text = `An error nobody caught (a promise the operation did not await?): ${error instanceof Error ? error.message : String(error)}`;
      if (runningJob) post({ type: 'log', jobId: runningJob, at: Date.now(), level: 'error', text });
    },
  };
}
