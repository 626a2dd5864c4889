/**
 * The engine in Chromium, through the built app: the sandboxed worker runs operation code that tries every way out
 * (the app's storage, the network, the page, forged engine messages) and each attempt fails with a clear error while
 * the app's data stays as it was; Cancel stops `while (true) {}` within a second; the backends agree.
 *
 * The page drives the real sandbox host: the `createSandboxEngine` chunk of the build (the one the app's Run loads),
 * imported in a page of the app, with a host that serves the bundled data and a small artifact store.
 */
import { createServer, type Server } from 'node:http';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { baseURL, createProject, openDevice, shot } from './helpers';
import type { EngineMessage, JobPlan, RunPlan } from '../../src/engine/protocol';
import { ENGINE_PROTOCOL_VERSION } from '../../src/engine/protocol';
import { CORE_OPERATIONS } from '../../src/model/library/core';
import { findExample } from '../../src/model/examples';
import type { OperationDefinition } from '../../src/model/types';

const DIST = resolve(import.meta.dirname, '../..', process.env.E2E_DIST ?? 'dist');
const engineChunk = () => `/assets/${readdirSync(resolve(DIST, 'assets')).find((f) => /^sandbox-engine-.*\.js$/.test(f))}`;

let device: BrowserContext;
let page: Page;
let errors: string[];
/** "Another host": counts every request that reaches it. */
let elsewhere: Server;
let elsewhereHits = 0;
let elsewhereUrl = '';

beforeAll(async () => {
  ({ device, page, errors } = await openDevice());
  elsewhere = createServer((req, res) => {
    elsewhereHits++;
    res.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'text/plain' });
    res.end('leaked');
  });
  await new Promise<void>((ok) => elsewhere.listen(0, '127.0.0.1', ok));
  const address = elsewhere.address();
  elsewhereUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await device?.close();
  await new Promise((ok) => elsewhere?.close(ok));
});

type PageEvent = EngineMessage & { json?: unknown };
interface PageRun {
  status: string;
  events: PageEvent[];
  cancelMs?: number;
}

/**
 * Runs `plan` with the built sandbox engine in the page. `secret` is put in the host's store (like another
 * project's artifact). With `cancelWhenStarted`, Cancel is pressed once that job has started, and the time from
 * Cancel to the run's end is measured.
 */
async function runInPage(plan: RunPlan, options: { secret?: string; cancelWhenStarted?: string } = {}): Promise<PageRun> {
  if (!page.url().startsWith(baseURL())) await page.goto(baseURL());
  return page.evaluate(
    async ({ chunk, plan, secret, cancelWhenStarted }) => {
      // import() written as text, so that Vitest's transform of this file leaves it alone.
      const load = new Function('url', 'return import(url)') as (url: string) => Promise<typeof import('../../src/engine/sandbox/sandbox-engine')>;
      const { createSandboxEngine } = await load(chunk);
      const store = new Map<string, Uint8Array>();
      if (secret) store.set(secret, new TextEncoder().encode('another project\'s data'));
      const events: Array<Record<string, unknown>> = [];
      const engine = createSandboxEngine();
      let cancelAt = 0;
      const started = performance.now();
      const handle = engine.run(plan, {
        onEvent(m) {
          const e: Record<string, unknown> = { ...m };
          if (m.type === 'artifact') {
            store.set(m.ref.sha256, m.bytes);
            e.bytes = m.bytes.length;
            if (m.ref.mediaType === 'application/json') e.json = JSON.parse(new TextDecoder().decode(m.bytes));
          }
          if (m.type === 'image') e.png = m.png.length;
          events.push(e);
          if (m.type === 'job-started' && m.jobId === cancelWhenStarted) {
            // Give the job a moment inside its loop before pressing Cancel.
            setTimeout(() => {
              cancelAt = performance.now();
              handle.cancel();
            }, 300);
          }
        },
        artifact: async (sha256) => {
          const bytes = store.get(sha256);
          if (!bytes) throw new Error('not stored');
          return bytes;
        },
        data: async (name) => new Uint8Array(await (await fetch(name === 'iris' ? '/data/iris.json' : '/data/mnist.bin')).arrayBuffer()),
      });
      const { status } = await handle.done;
      const ended = performance.now();
      engine.dispose();
      return { status, events, ...(cancelAt ? { cancelMs: ended - cancelAt } : {}), totalMs: ended - started } as never;
    },
    { chunk: engineChunk(), plan, secret: options.secret, cancelWhenStarted: options.cancelWhenStarted },
  );
}

function codeJob(jobId: string, code: string, outputs: Record<string, 'json' | 'tensor' | 'any'> = {}, attributes: Record<string, string | number> = {}): JobPlan {
  return {
    jobId,
    nodeId: jobId,
    name: jobId,
    code,
    attributes,
    references: {},
    inputs: {},
    outputs: Object.fromEntries(Object.entries(outputs).map(([name, dataType]) => [name, { portId: name, dataType }])),
  };
}

const plan = (jobs: JobPlan[], extra: Partial<RunPlan> = {}): RunPlan => ({ protocol: ENGINE_PROTOCOL_VERSION, executionId: 'e2e', jobs, ...extra });
const failure = (run: PageRun, jobId: string) => run.events.find((e) => e.type === 'job-failed' && e.jobId === jobId) as Extract<EngineMessage, { type: 'job-failed' }> | undefined;
/** What went wrong in a run, for assertion messages. */
const problems = (run: PageRun) => JSON.stringify(run.events.filter((e) => e.type === 'job-failed' || e.type === 'job-skipped' || (e.type === 'log' && e.level !== 'info')));
const outputOf = (run: PageRun, jobId: string) => run.events.find((e) => e.type === 'artifact' && e.jobId === jobId)?.json;

/**
 * The app's data on this device, as far as the sandbox could reach it: the IndexedDB databases, localStorage (less
 * the relay-progress keys the app itself updates while it syncs) and the caches.
 */
async function appState(p: Page): Promise<string> {
  return p.evaluate(async () => {
    const dbs = (await indexedDB.databases()).map((d) => d.name).sort();
    const storage = Object.keys(localStorage)
      .filter((k) => !k.startsWith('deepforge.relayHeads.'))
      .sort()
      .map((k) => `${k}=${localStorage.getItem(k)}`);
    const cacheNames = (await caches.keys()).sort();
    return JSON.stringify({ dbs, storage, cacheNames });
  });
}

/** Each attempt is its own job: no try/catch, so whatever stops it is the job's error. */
function escapeJobs(relay: string): JobPlan[] {
  const ws = relay.replace(/^http/, 'ws');
  const attempts: Record<string, string> = {
    'indexeddb-open': `const db = await new Promise((ok, fail) => { const r = indexedDB.open('automerge'); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
      return { result: [...db.objectStoreNames] };`,
    'indexeddb-list': `return { result: await indexedDB.databases() };`,
    'local-storage': `return { result: localStorage.getItem('deepforge.home') };`,
    'caches': `return { result: await caches.keys() };`,
    'fetch-relay': `return { result: await (await fetch(${JSON.stringify(`${relay}/health`)})).text() };`,
    'fetch-elsewhere': `return { result: await (await fetch(${JSON.stringify(`${elsewhereUrl}/fetch`)})).text() };`,
    'xhr': `return { result: await new Promise((ok, fail) => { const x = new XMLHttpRequest(); x.open('GET', ${JSON.stringify(`${elsewhereUrl}/xhr`)}); x.onload = () => ok(x.responseText); x.onerror = () => fail(new Error('XMLHttpRequest failed')); x.send(); }) };`,
    'websocket': `return { result: await new Promise((ok, fail) => { const s = new WebSocket(${JSON.stringify(`${ws}/sync`)}); s.onopen = () => ok('open'); s.onerror = () => fail(new Error('WebSocket failed')); }) };`,
    'event-source': `return { result: await new Promise((ok, fail) => { const s = new EventSource(${JSON.stringify(`${elsewhereUrl}/events`)}); s.onopen = () => ok('open'); s.onerror = () => { s.close(); fail(new Error('EventSource failed')); }; }) };`,
    'import-scripts': `importScripts(${JSON.stringify(`${elsewhereUrl}/script.js`)}); return { result: 'loaded' };`,
    'dynamic-import': `return { result: Object.keys(await import(${JSON.stringify(`${elsewhereUrl}/module.js`)})) };`,
    'dynamic-import-relay': `return { result: Object.keys(await import(${JSON.stringify(`${relay}/registerSW.js`)})) };`,
    'send-beacon': `return { result: navigator.sendBeacon(${JSON.stringify(`${elsewhereUrl}/beacon`)}, 'x') };`,
    'remote-worker': `const w = new Worker(${JSON.stringify(`${elsewhereUrl}/worker.js`)}); return { result: await new Promise((ok, fail) => { w.onerror = () => fail(new Error('Worker failed')); setTimeout(() => ok('started'), 1000); }) };`,
    'document': `return { result: document.title };`,
    'parent': `return { result: parent.location.href };`,
    'top': `return { result: top.document.cookie };`,
  };
  return Object.entries(attempts).map(([id, body]) => codeJob(id, `export default async function run(inputs, attributes, references, ctx) {\n  ${body}\n}\n`, { result: 'json' }));
}

describe('the engine sandbox in Chromium', () => {
  let before: string;

  it('keeps operation code away from the app\'s storage, the network and the page', async () => {
    await createProject(page, 'Data that must stay put');
    await page.evaluate(() => localStorage.setItem('deepforge.sandbox-probe', 'kept'));
    before = await appState(page);
    expect(JSON.parse(before).dbs.length).toBeGreaterThan(0);

    const relay = baseURL();
    const run = await runInPage(plan(escapeJobs(relay)));
    const report = Object.fromEntries(
      escapeJobs(relay).map((j) => [j.jobId, failure(run, j.jobId)?.error.message ?? `ran and returned ${JSON.stringify(outputOf(run, j.jobId))}`]),
    );
    console.log('[sandbox] what each escape got:\n' + Object.entries(report).map(([k, v]) => `  ${k}: ${v}`).join('\n'));
    // Every attempt failed, each with an error that names what stopped it.
    for (const [id, message] of Object.entries(report)) expect(message, id).not.toMatch(/^ran and returned/);
    expect(report['indexeddb-open']).toMatch(/denied|SecurityError|opaque|not allowed/i);
    expect(report['indexeddb-list']).toMatch(/denied|SecurityError|opaque|not allowed/i);
    expect(report['local-storage']).toMatch(/localStorage is not defined/);
    expect(report['caches']).toMatch(/denied|disabled|SecurityError|opaque|not allowed/i);
    expect(report['fetch-relay']).toMatch(/Failed to fetch|Content Security Policy|NetworkError/i);
    expect(report['fetch-elsewhere']).toMatch(/Failed to fetch|Content Security Policy|NetworkError/i);
    expect(report['document']).toMatch(/document is not defined/);
    expect(report['parent']).toMatch(/parent is not defined/);
    expect(report['top']).toMatch(/top is not defined/);
    expect(report['send-beacon']).toMatch(/sendBeacon is not a function/);
    expect(report['import-scripts']).toMatch(/importScripts|Module scripts/i);
    // Nothing reached the other host, and the app's storage is as it was.
    expect(elsewhereHits).toBe(0);
    expect(await appState(page)).toBe(before);
    expect(run.status).toBe('failed');
  });

  it('keeps the engine\'s own port out of reach, so operation code cannot speak as the engine', async () => {
    const forge = codeJob(
      'forge',
      `export default async function run(inputs, attributes, references, ctx) {
  // Try to catch the engine's port: as \`this\` of a patched MessagePort.postMessage, or as the target of an event
  // whose data a patched getter reads; then ask for another project's artifact and claim success.
  let port;
  const send = MessagePort.prototype.postMessage;
  MessagePort.prototype.postMessage = function (...args) { port = this; return send.apply(this, args); };
  const data = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'data');
  Object.defineProperty(MessageEvent.prototype, 'data', { configurable: true, get() { if (this.target instanceof MessagePort) port = this.target; return data.get.call(this); } });
  ctx.log('patched');
  await ctx.data('iris');
  self.postMessage({ type: 'run-finished', status: 'succeeded', at: Date.now() });
  if (!port) throw new Error('The engine port is out of reach');
  port.postMessage({ type: 'request', requestId: 999, what: 'artifact', sha256: '${'ab'.repeat(32)}' });
  port.postMessage({ type: 'run-finished', status: 'succeeded', at: Date.now() });
  return { result: 'forged' };
}
`,
      { result: 'json' },
    );
    const run = await runInPage(plan([forge]), { secret: 'ab'.repeat(32) });
    expect(failure(run, 'forge')?.error.message).toBe('The engine port is out of reach');
    expect(run.status).toBe('failed');
    expect(JSON.stringify(run.events)).not.toContain('another project');
    expect(await appState(page)).toBe(before);
  });

  it('cancels a run stuck in while (true) {} within one second', async () => {
    const stuck = codeJob('stuck', `export default async function run(inputs, attributes, references, ctx) {\n  while (true) {}\n}\n`);
    const after = codeJob('after', `export default async function run() { return {}; }`);
    after.inputs = { x: { kind: 'job', jobId: 'stuck', port: 'out' } };
    stuck.outputs = { out: { portId: 'out', dataType: 'json' } };
    const run = await runInPage(plan([stuck, after]), { cancelWhenStarted: 'stuck' });
    console.log(`[sandbox] cancel of while (true) {} took ${run.cancelMs!.toFixed(0)} ms`);
    expect(run.status).toBe('canceled');
    expect(run.cancelMs!).toBeLessThan(1000);
    expect(run.events.some((e) => e.type === 'job-canceled' && e.jobId === 'stuck')).toBe(true);
    expect(run.events.some((e) => e.type === 'job-skipped' && e.jobId === 'after')).toBe(true);
    // The sandbox is gone with its worker.
    expect(await page.locator('iframe[title="DeepForge engine sandbox"]').count()).toBe(0);
  });

  it('reports the line of an error in the operation\'s code', async () => {
    const broken = codeJob('broken', `export default async function run(inputs, attributes, references, ctx) {\n  ctx.log('about to fail');\n  const x = tf.tensor([1, 2]);\n  throw new Error('boom at line four');\n}\n`);
    const run = await runInPage(plan([broken]));
    expect(failure(run, 'broken')?.error).toMatchObject({ message: 'boom at line four', line: 4 });
  });

  it('decodes image files with the browser (ctx.decodeImage), resized', async () => {
    const decode = codeJob(
      'decode',
      `export default async function run(inputs, attributes, references, ctx) {
  const canvas = new OffscreenCanvas(6, 4);
  const g = canvas.getContext('2d');
  g.fillStyle = 'rgb(250, 10, 10)';
  g.fillRect(0, 0, 6, 4);
  const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg', quality: 1 })).arrayBuffer());
  const image = await ctx.decodeImage(bytes, [2, 3]);
  return { result: { shape: image.shape, dtype: image.dtype, first: Array.from((await image.data()).slice(0, 3)) } };
}
`,
      { result: 'json' },
    );
    const run = await runInPage(plan([decode]));
    expect(run.status, problems(run)).toBe('succeeded');
    const { shape, dtype, first } = outputOf(run, 'decode') as { shape: number[]; dtype: string; first: number[] };
    expect([shape, dtype]).toEqual([[2, 3, 3], 'int32']);
    expect(first[0]).toBeGreaterThan(200);
    expect(first[1]).toBeLessThan(60);
  });

  it('gives the same results on the cpu, wasm and webgl backends, and runs a matmul on WebGPU', async () => {
    const iris = findExample('iris-mlp')!.build(0).project;
    const op = (id: string, o: { code: string; outputs: Record<string, { type: string }> }, extra: Partial<JobPlan> = {}): JobPlan => ({
      jobId: id,
      nodeId: id,
      name: id,
      code: o.code,
      attributes: {},
      references: {},
      inputs: {},
      outputs: Object.fromEntries(Object.values(o.outputs).map((p) => [(p as { name?: string }).name ?? id, { portId: id, dataType: p.type as 'dataset' }])),
      ...extra,
    });
    const jobs = (): JobPlan[] => [
      op('load', CORE_OPERATIONS['core.load-iris']!),
      op('scale', CORE_OPERATIONS['core.normalize']!, { inputs: { dataset: { kind: 'job', jobId: 'load', port: 'dataset' } } }),
      op('split', CORE_OPERATIONS['core.split']!, { attributes: { testFraction: 0.2, seed: 42 }, inputs: { dataset: { kind: 'job', jobId: 'scale', port: 'dataset' } } }),
      op('train', CORE_OPERATIONS['core.train']!, {
        attributes: { epochs: 2, batchSize: 16, optimizer: 'adam', learningRate: 0.02, loss: 'sparseCategoricalCrossentropy', validationSplit: 0, seed: 1 },
        references: { net: iris.architectures.mlp },
        inputs: { dataset: { kind: 'job', jobId: 'split', port: 'train' } },
      }),
      op('evaluate', CORE_OPERATIONS['core.evaluate']!, { inputs: { model: { kind: 'job', jobId: 'train', port: 'model' }, dataset: { kind: 'job', jobId: 'split', port: 'test' } } }),
    ];
    // A seeded model's predictions on fixed inputs, and the same model after two epochs of training.
    const predict = codeJob(
      'predict',
      `export default async function run(inputs, attributes, { net }, ctx) {
  const model = ctx.buildModel(net, { seed: 5 });
  const x = tf.tensor2d(Array.from({ length: 8 }, (_, i) => [i / 8 - 0.5, Math.sin(i), Math.cos(i) * 2, 1 - i / 4]));
  return { result: Array.from(await model.predict(x).data()) };
}
`,
      { result: 'json' },
    );
    predict.references = { net: iris.architectures.mlp };
    const results: Record<string, { predictions: number[]; loss: number; accuracy: number }> = {};
    for (const backend of ['cpu', 'wasm', 'webgl'] as const) {
      const run = await runInPage(plan([predict, ...jobs()], { backend, seed: 3 }));
      const device = run.events.find((e) => e.type === 'device') as Extract<EngineMessage, { type: 'device' }>;
      expect(device.backend, device.reason).toBe(backend);
      expect(run.status).toBe('succeeded');
      results[backend] = { predictions: outputOf(run, 'predict') as number[], ...(outputOf(run, 'evaluate') as { loss: number; accuracy: number }) };
    }
    console.log('[sandbox] by backend:', JSON.stringify(Object.fromEntries(Object.entries(results).map(([b, r]) => [b, { firstPrediction: r.predictions[0], loss: r.loss, accuracy: r.accuracy }]))));
    for (const backend of ['wasm', 'webgl'] as const) {
      const r = results[backend]!;
      // The same forward pass to float32 precision…
      r.predictions.forEach((p, i) => expect(p, `${backend} prediction ${i}`).toBeCloseTo(results.cpu!.predictions[i]!, 5));
      // …and after two epochs of Adam the same model: rounding differs between kernels (WebGL's exp/log most), so
      // the loss agrees to a few percent and accuracy to one flower of 30.
      expect(Math.abs(r.loss - results.cpu!.loss) / results.cpu!.loss, `${backend} loss`).toBeLessThan(0.05);
      expect(Math.abs(r.accuracy - results.cpu!.accuracy), `${backend} accuracy`).toBeLessThanOrEqual(1 / 30 + 1e-6);
    }

    const matmul = codeJob('matmul', `export default async function run(inputs, attributes, references, ctx) {\n  const product = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]]));\n  return { result: Array.from(await product.data()) };\n}\n`, { result: 'json' });
    const gpu = await runInPage(plan([matmul], { backend: 'webgpu' }));
    const device = gpu.events.find((e) => e.type === 'device') as Extract<EngineMessage, { type: 'device' }>;
    console.log('[sandbox] WebGPU device:', JSON.stringify(device));
    expect(device.backend, device.reason).toBe('webgpu');
    expect(outputOf(gpu, 'matmul')).toEqual([19, 22, 43, 50]);
  });

  it('picks the best backend by itself and says why', async () => {
    const matmul = codeJob('m', `export default async function run() { return { result: Array.from(await tf.matMul([[1]], [[2]]).data()) }; }`, { result: 'json' });
    const run = await runInPage(plan([matmul]));
    const device = run.events.find((e) => e.type === 'device') as Extract<EngineMessage, { type: 'device' }>;
    console.log('[sandbox] default device:', JSON.stringify(device));
    expect(device.reason.length).toBeGreaterThan(10);
    expect(device.tfjsVersion).toMatch(/^4\./);
    expect(outputOf(run, 'm')).toEqual([2]);
    await shot(page, 'sandbox-after-runs');
    expect(errors).toEqual([]);
  });
});

describe('the engine in Chromium, measured (printed, not asserted)', () => {
  /**
   * Epoch times of the same model on the same digits (batch 64, wasm, in the sandboxed worker), trained by jobs that
   * call model.fit with ctx.fitCallbacks() — what the Train operation does — and by jobs that call a bare
   * model.fit, interleaved. Each job warms up for an epoch first. The machine is shared, so the minimum is the
   * steadiest figure; the median is printed too.
   */
  async function fitTimes(example: 'mnist-mlp' | 'mnist-cnn', samples: number, epochs: number) {
    const project = findExample(example)!.build(0).project;
    const net = Object.values(project.architectures)[0]!;
    const fitJob = (id: string, streaming: boolean): JobPlan => ({
      ...codeJob(
        id,
        `export default async function run(inputs, attributes, { net }, ctx) {
  const { images, labels } = await ctx.data('mnist', { samples: ${samples} });
  const x = tf.tensor4d(images, [labels.length, 28, 28, 1]).div(255);
  const y = tf.tensor1d(labels, 'float32');
  const model = ctx.buildModel(net, { seed: 1 });
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(x, y, { epochs: 1, batchSize: 64 });
  const times = [];
  for (let epoch = 0; epoch < ${epochs}; epoch++) {
    const start = performance.now();
    await model.fit(x, y, { epochs: 1, batchSize: 64${streaming ? ', callbacks: ctx.fitCallbacks()' : ''} });
    times.push(performance.now() - start);
  }
  return { result: times };
}
`,
        { result: 'json' },
      ),
      references: { net },
    });
    const jobs = [fitJob('plain-1', false), fitJob('engine-1', true), fitJob('plain-2', false), fitJob('engine-2', true)];
    const run = await runInPage(plan(jobs, { backend: 'wasm' }));
    expect(run.status, problems(run)).toBe('succeeded');
    const times = (prefix: string) => jobs.filter((j) => j.jobId.startsWith(prefix)).flatMap((j) => outputOf(run, j.jobId) as number[]);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const [plain, engine] = [times('plain'), times('engine')];
    console.log(
      `[measure] ${example}, ${samples} digits, batch 64, wasm: ms per epoch, plain model.fit min ${Math.min(...plain).toFixed(0)} / median ${median(plain).toFixed(0)}, ` +
        `through the engine min ${Math.min(...engine).toFixed(0)} / median ${median(engine).toFixed(0)}; ratio of minima ${(Math.min(...engine) / Math.min(...plain)).toFixed(3)}, of medians ${(median(engine) / median(plain)).toFixed(3)}`,
    );
  }

  it('trains the MNIST MLP through the engine about as fast as a plain model.fit', async () => {
    await fitTimes('mnist-mlp', 2000, 4);
  }, 240_000);

  it('trains the MNIST CNN through the engine about as fast as a plain model.fit', async () => {
    await fitTimes('mnist-cnn', 1000, 2);
  }, 240_000);

  // As the example ships (adam at 0.001) it reaches about 93% in its 3 epochs; at 0.003 it reached 95.1%. The
  // example's tuning belongs to the library; here the bar is that it trains on WASM, without falling back.
  it('trains the MNIST CNN example as it ships (library operations, 10,000 digits, 3 epochs) on WASM', async () => {
    const project = findExample('mnist-cnn')!.build(0).project;
    const pipeline = project.pipelines.main!;
    const operations: Record<string, OperationDefinition> = { ...project.operations };
    const jobs: JobPlan[] = ['load', 'split', 'train', 'evaluate'].map((key) => {
      const node = pipeline.nodes[`main_${key}`]!;
      const op = operations[node.operationId!]!;
      return {
        jobId: node.id,
        nodeId: node.id,
        name: op.name,
        code: op.code,
        attributes: { ...Object.fromEntries(Object.values(op.attributes).map((a) => [a.name, a.default])), ...node.attributes },
        references: Object.fromEntries(Object.entries(node.references).map(([name, id]) => [name, project.architectures[id]])),
        inputs: Object.fromEntries(
          Object.values(pipeline.edges)
            .filter((e) => e.to.node === node.id)
            .map((e) => [e.to.port, { kind: 'job' as const, jobId: e.from.node, port: e.from.port }]),
        ),
        outputs: Object.fromEntries(Object.values(op.outputs).map((p) => [p.name, { portId: p.id, dataType: p.type }])),
      };
    });
    const started = Date.now();
    const run = await runInPage(plan(jobs, { seed: 1 }));
    const seconds = (Date.now() - started) / 1000;
    expect(run.status, problems(run)).toBe('succeeded');
    const device = run.events.find((e) => e.type === 'device') as Extract<EngineMessage, { type: 'device' }>;
    const { accuracy } = outputOf(run, 'main_evaluate') as { accuracy: number };
    console.log(`[measure] MNIST CNN example on ${device.backend}: test accuracy ${(accuracy * 100).toFixed(2)}% after ${seconds.toFixed(1)} s (engine start, 10,000 digits, 3 epochs)`);
    expect(run.events.filter((e) => e.type === 'device')).toHaveLength(1); // no fallback: CNNs train on WASM
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
  }, 300_000);
});
