/**
 * What the engine contract tests share: plans built from the real library operations and example architectures,
 * a host that serves the bundled data and an in-memory artifact store and records every event, and the two engines
 * under test — in-process, and the runtime in a Node worker thread (bundled once with rolldown, tfjs left external).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { rolldown } from 'rolldown';
import { CORE_OPERATIONS } from '../../src/model/library/core';
import { findExample } from '../../src/model/examples';
import type { Architecture, AttributeValue, DataType, OperationDefinition } from '../../src/model/types';
import { ENGINE_PROTOCOL_VERSION, type Engine, type EngineHost, type EngineMessage, type InputSource, type JobPlan, type RunPlan } from '../../src/engine/protocol';
import { createRemoteEngine, type EngineTransport } from '../../src/engine/sandbox/remote-engine';
import { createInProcessEngine } from '../../src/engine/worker/in-process';

const ROOT = resolve(import.meta.dirname, '../..');

export function bundledData(name: 'iris' | 'mnist'): Uint8Array {
  const file = join(ROOT, 'public/data', name === 'iris' ? 'iris.json' : 'mnist.bin');
  if (!existsSync(file)) execFileSync(process.execPath, [join(ROOT, 'scripts/build-data.mjs')]);
  return new Uint8Array(readFileSync(file));
}

export interface RecordingHost extends EngineHost {
  events: EngineMessage[];
  artifacts: Map<string, Uint8Array>;
  /** Events of one job, in order. */
  of(jobId: string): EngineMessage[];
  requests: string[];
}

/** A host like the client: stores `artifact` bytes under their hash and serves them back. */
export function recordingHost(artifacts = new Map<string, Uint8Array>()): RecordingHost {
  const events: EngineMessage[] = [];
  const requests: string[] = [];
  return {
    events,
    artifacts,
    requests,
    of: (jobId) => events.filter((e) => 'jobId' in e && e.jobId === jobId),
    onEvent(message) {
      events.push(message);
      if (message.type === 'artifact') artifacts.set(message.ref.sha256, message.bytes.slice());
    },
    async artifact(sha256) {
      requests.push(sha256);
      const bytes = artifacts.get(sha256);
      if (!bytes) throw new Error(`No artifact ${sha256}`);
      return bytes;
    },
    async data(name) {
      requests.push(name);
      return bundledData(name);
    },
  };
}

type Wiring = Record<string, InputSource>;

/** A job running operation `op` (a library operation, or ad-hoc code with its ports). */
export function job(
  jobId: string,
  op: OperationDefinition | { code: string; outputs?: Record<string, DataType>; name?: string },
  options: { inputs?: Wiring; attributes?: Record<string, AttributeValue>; references?: Record<string, unknown> } = {},
): JobPlan {
  const isLibrary = 'inputs' in op && 'attributes' in op;
  const outputs = isLibrary
    ? Object.fromEntries(Object.values((op as OperationDefinition).outputs).map((p) => [p.name, { portId: p.id, dataType: p.type }]))
    : Object.fromEntries(Object.entries((op as { outputs?: Record<string, DataType> }).outputs ?? {}).map(([name, type]) => [name, { portId: name, dataType: type }]));
  const defaults = isLibrary ? Object.fromEntries(Object.values((op as OperationDefinition).attributes).map((a) => [a.name, a.default])) : {};
  return {
    jobId,
    nodeId: `node-${jobId}`,
    name: (op as { name?: string }).name ?? jobId,
    code: op.code,
    attributes: { ...defaults, ...options.attributes },
    references: options.references ?? {},
    inputs: options.inputs ?? {},
    outputs,
  };
}

export const from = (jobId: string, port: string): InputSource => ({ kind: 'job', jobId, port });

export function plan(jobs: JobPlan[], extra: Partial<RunPlan> = {}): RunPlan {
  return { protocol: ENGINE_PROTOCOL_VERSION, executionId: 'exec-test', jobs, ...extra };
}

export function irisArchitecture(): Architecture {
  return findExample('iris-mlp')!.build(0).project.architectures.mlp!;
}

/** The library's Load Iris (its labels are float32: tfjs 4.22's sparseCategoricalCrossentropy refuses int32 ones). */
export function loadIrisOperation(): OperationDefinition {
  return structuredClone(CORE_OPERATIONS['core.load-iris']!);
}

/** Load Iris → Standardize → Split → Train (tiny) → Evaluate, from the library's own code. */
export function irisPlan(epochs = 3, extra: Partial<RunPlan> = {}): RunPlan {
  const ops = CORE_OPERATIONS;
  return plan(
    [
      job('load', loadIrisOperation()),
      job('scale', ops['core.normalize']!, { inputs: { dataset: from('load', 'dataset') } }),
      job('split', ops['core.split']!, { inputs: { dataset: from('scale', 'dataset') } }),
      job('train', ops['core.train']!, {
        inputs: { dataset: from('split', 'train') },
        attributes: { epochs, batchSize: 16, learningRate: 0.02, validationSplit: 0.1 },
        references: { net: irisArchitecture() },
      }),
      job('evaluate', ops['core.evaluate']!, { inputs: { model: from('train', 'model'), dataset: from('split', 'test') } }),
    ],
    extra,
  );
}

let workerBundle: Promise<string> | undefined;
/** The Node worker entry bundled to plain JS (worker threads cannot load TypeScript on Node 20). */
export function buildWorkerBundle(): Promise<string> {
  return (workerBundle ??= (async () => {
    const outDir = join(ROOT, 'node_modules/.cache/deepforge-engine-test');
    mkdirSync(outDir, { recursive: true });
    const bundle = await rolldown({
      input: join(ROOT, 'src/engine/worker/node-entry.ts'),
      platform: 'node',
      external: (id) => id.startsWith('node:') || /^(@tensorflow\/tfjs(-core|-backend-wasm|-backend-cpu|-layers)?|fflate|papaparse|acorn)$/.test(id),
      logLevel: 'silent',
    });
    const file = join(outDir, 'node-entry.mjs');
    await bundle.write({ file, format: 'esm' });
    await bundle.close();
    return file;
  })());
}

/** The engine with its runtime in a worker thread: Cancel terminates the thread. */
export function createNodeWorkerEngine(): Engine {
  return createRemoteEngine(async () => {
    const worker = new Worker(await buildWorkerBundle());
    const transport: EngineTransport = {
      send: (message, transfer = []) => worker.postMessage(message, transfer as never),
      onmessage: null,
      onerror: null,
      terminate: () => void worker.terminate(),
    };
    worker.on('message', (m) => transport.onmessage?.(m));
    worker.on('error', (e) => transport.onerror?.(e.message));
    return transport;
  });
}

export const ENGINES: Array<{ name: string; create(): Engine; canStopBusyCode: boolean }> = [
  { name: 'in-process engine', create: () => createInProcessEngine(), canStopBusyCode: false },
  { name: 'worker engine (Node worker_threads)', create: () => createNodeWorkerEngine(), canStopBusyCode: true },
];
