/**
 * Crash durability of the real relay process: `kill -9` it during a burst of edits, restart it,
 * and check that nothing it acknowledged is lost and that clients reconnect by themselves.
 *
 * "Acknowledged", from the client's side: the relay has sent the client a sync message whose
 * heads include the change. automerge-repo records those heads per storage id (the client's
 * DocHandle emits 'remote-heads' with the relay's storage id; `getSyncInfo(storageId)` keeps the
 * last ones), and every change that is an ancestor of acknowledged heads is acknowledged too.
 *
 * Each round (seeded, so a failure names the seed to rerun with DURABILITY_SEED):
 *   1. start `node sync-server/dist/main.js` (PORT=0, fresh DATA_DIR); client alice creates a
 *      document and makes hundreds of small edits (keys and text), noting every acknowledgement;
 *   2. SIGKILL the relay at a random moment of the burst (alice keeps editing, offline);
 *   3. start the relay again on the same DATA_DIR and ONLY a fresh client: what it can fetch is
 *      what the relay had on disk, and it must hold every change acknowledged before the kill;
 *   4. stop that relay and start it on the same DATA_DIR and the original port: alice reconnects
 *      by herself and syncs everything, and another fresh client then sees alice's document.
 *
 * DURABILITY_ROUNDS (default 3) and DURABILITY_SEED (first seed) make longer soaks easy;
 * DURABILITY_TRACE=1 prints each phase's time and every acknowledgement.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { next as A } from '@automerge/automerge';
import { decodeHeads, Repo, type DocHandle, type DocumentId, type PeerId } from '@automerge/automerge-repo';
import { BrowserWebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';
import { Scope, waitFor } from './helpers.js';

const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url));
const ROOT = path.dirname(SERVER_DIR);
/** DURABILITY_RELAY: another compiled main.js to test (e.g. an older build); by default this tree's, built if stale. */
const MAIN = process.env.DURABILITY_RELAY ? path.resolve(process.env.DURABILITY_RELAY) : path.join(SERVER_DIR, 'dist', 'main.js');

const ROUNDS = Number(process.env.DURABILITY_ROUNDS ?? 3);
const FIRST_SEED = Number(process.env.DURABILITY_SEED ?? 1);
/** Edits per burst; the relay is killed somewhere between 15% and 85% of the way through. */
const EDITS = 200;

interface Note {
  items: Record<string, number>;
  text: string;
}

/** Compiles the relay into sync-server/dist when a source file is newer than its output. */
async function ensureBuilt(): Promise<void> {
  if (process.env.DURABILITY_RELAY) return;
  const srcDir = path.join(SERVER_DIR, 'src');
  let stale = false;
  for (const name of await readdir(srcDir)) {
    if (!name.endsWith('.ts')) continue;
    const source = await stat(path.join(srcDir, name));
    const built = await stat(path.join(SERVER_DIR, 'dist', name.replace(/\.ts$/, '.js'))).catch(() => undefined);
    if (!built || built.mtimeMs < source.mtimeMs) stale = true;
  }
  if (!stale) return;
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', path.join(SERVER_DIR, 'tsconfig.json')], { cwd: ROOT });
}

/** mulberry32: a small seeded PRNG, so a failing round can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

interface RelayProcess {
  child: ChildProcess;
  port: number;
  exited: Promise<void>;
  /** What it printed, for failure messages. */
  output(): string;
}

/** Starts `node sync-server/dist/main.js` and resolves once it prints where it runs. */
function launch(scope: Scope, dataDir: string, port: number): Promise<RelayProcess> {
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, STATIC_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
  scope.defer(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  const output = () => printed;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay did not start:\n${printed}`)), 15_000);
    child.stderr!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      const match = /DeepForge is running at http:\/\/[^\s/]+:(\d+)\//.exec(printed);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]), exited, output });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`relay exited (${code ?? signal}) before it started:\n${printed}`));
    });
  });
}

async function kill(relay: RelayProcess): Promise<void> {
  relay.child.kill('SIGKILL');
  await relay.exited;
}

/**
 * A stock automerge-repo client that retries every 100 ms. The adapter rethrows socket errors
 * other than ECONNREFUSED from its 'error' listener (in Node only; browsers give no details),
 * which a relay dying mid-connection (ECONNRESET) would turn into an uncaught exception; those
 * are connection failures like any other, and the adapter's own 'close' handling retries.
 */
function client(scope: Scope, port: number, name: string, storageDir?: string): Repo {
  const adapter = new BrowserWebSocketClientAdapter(`ws://127.0.0.1:${port}/sync`, 100);
  const onError = adapter.onError;
  adapter.onError = (event: Parameters<typeof onError>[0]) => {
    if ('error' in event && event.error.code !== 'ECONNREFUSED') return;
    onError(event);
  };
  const repo = new Repo({
    network: [adapter],
    storage: storageDir ? new NodeFSStorageAdapter(storageDir) : undefined,
    peerId: `${name}-${Math.random().toString(36).slice(2)}` as PeerId,
    sharePolicy: async () => true,
  });
  scope.defer(() => scope.closeClient(repo));
  return repo;
}

/** Every change hash of `doc` (hex), with its dependencies. */
function changeGraph(doc: A.Doc<unknown>): Map<string, string[]> {
  return new Map(A.getAllChanges(doc).map(bytes => {
    const change = A.decodeChange(bytes);
    return [change.hash!, change.deps];
  }));
}

/** The changes that `heads` (encoded) and their ancestors are made of, found in `graph`. */
function ancestry(graph: Map<string, string[]>, heads: Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const todo = decodeHeads([...heads] as Parameters<typeof decodeHeads>[0]).map(String);
  while (todo.length > 0) {
    const hash = todo.pop()!;
    if (seen.has(hash)) continue;
    seen.add(hash);
    todo.push(...(graph.get(hash) ?? []));
  }
  return seen;
}

const sameHeads = (a: readonly string[] | undefined, b: readonly string[]) =>
  !!a && a.length === b.length && [...a].sort().join() === [...b].sort().join();

/** Waits until `handle` holds every change of `heads` (encoded, as automerge-repo reports them). */
async function holds(handle: DocHandle<Note>, heads: () => readonly string[] | undefined, what: string): Promise<void> {
  await waitFor(() => {
    const h = heads();
    return !!h && handle.isReady() && A.hasHeads(handle.doc(), decodeHeads(h as Parameters<typeof decodeHeads>[0]));
  }, what, 10_000);
}

interface RoundResult {
  seed: number;
  edits: number;
  killedAfter: number;
  /** Changes acknowledged before the kill (the acknowledged heads and their ancestors). */
  acknowledged: number;
  /** Of those, how many the restarted relay did not have. */
  lost: number;
  ms: number;
}

async function round(scope: Scope, seed: number): Promise<RoundResult> {
  const random = prng(seed);
  const t0 = Date.now();
  const mark = (what: string) => process.env.DURABILITY_TRACE && console.log(`${Date.now() - t0} ms ${what}`);
  const dataDir = await scope.tempDir('relay-durability-');
  // Odd seeds give alice storage, as in the app: she then keeps sync states keyed by the relay's
  // storage id across its restart (and the relay keeps one for her).
  const aliceStorage = seed % 2 === 1 ? await scope.tempDir('client-durability-') : undefined;

  const first = await launch(scope, dataDir, 0);
  mark('started');
  const port = first.port;
  const alice = client(scope, port, 'alice', aliceStorage);
  await waitFor(() => alice.peers.length > 0, 'alice to connect', 10_000);
  const relayStorageId = alice.getStorageIdOfPeer(alice.peers[0]!);
  expect(relayStorageId, 'the relay announces its storage id').toBeTruthy();

  mark('connected');
  const handle = alice.create<Note>({ items: {}, text: '' });
  // Every change hash the relay has reported holding (heads; their ancestors are implied).
  const acknowledged = new Set<string>();
  let tracking = true;
  handle.on('remote-heads', ({ storageId, heads }) => {
    if (process.env.DURABILITY_TRACE) console.log(Date.now() - t0, 'remote-heads', storageId === relayStorageId, heads.length);
    if (tracking && storageId === relayStorageId) for (const head of heads) acknowledged.add(head);
  });

  // --- the burst, with a SIGKILL somewhere inside it ----------------------------------------------
  const killAt = Math.floor(EDITS * (0.15 + 0.7 * random()));
  let killed: Promise<void> | undefined;
  let killedAfter = EDITS;
  for (let i = 0; i < EDITS; i++) {
    // At the chosen edit, or as soon as after it the relay has acknowledged something.
    if (!killed && i >= killAt && acknowledged.size > 0) {
      killed = kill(first);
      killedAfter = i;
    }
    handle.change(doc => {
      if (random() < 0.6) doc.items[`k${Math.floor(random() * 200)}`] = i;
      else A.splice(doc, ['text'], Math.floor(random() * (doc.text.length + 1)), 0, String.fromCharCode(97 + (i % 26)));
    });
    if (random() < 0.5) await sleep(Math.floor(random() * 4));
  }
  mark('burst done');
  if (!killed) {
    // On a loaded machine the whole burst can pass before the first acknowledgement: wait for one, so that the
    // kill still lands with acknowledged changes at stake.
    await waitFor(() => acknowledged.size > 0, 'the relay to acknowledge something', 20_000);
    killedAfter = EDITS;
  }
  await (killed ?? kill(first));
  // The relay is dead: whatever alice heard from it was sent while it ran. Stop counting before
  // anything answers on its storage id again.
  await waitFor(() => alice.peers.length === 0, 'alice to notice the relay is gone', 5_000);
  mark('noticed');
  tracking = false;

  // --- what survived on disk: the restarted relay, and ONLY a fresh client ---------------------------
  let checker = await launch(scope, dataDir, 0);
  while (checker.port === port) {
    await kill(checker); // alice would reach it; take another port
    checker = await launch(scope, dataDir, 0);
  }
  mark('checker started');
  const bob = client(scope, checker.port, 'bob');
  await waitFor(() => bob.peers.length > 0, 'bob to connect', 10_000);
  mark('bob connected');
  let onDisk: Note | undefined;
  let bobHandle: DocHandle<Note> | undefined;
  try {
    bobHandle = await bob.find<Note>(handle.url);
  } catch {
    bobHandle = undefined; // the relay had nothing of this document on disk
  }
  if (bobHandle) {
    const h = bobHandle;
    const checkerId = bob.getStorageIdOfPeer(bob.peers[0]!)!;
    await holds(h, () => h.getSyncInfo(checkerId)?.lastHeads, 'bob to receive everything the restarted relay holds');
    onDisk = h.doc();
  }
  mark('bob synced');
  const ackedChanges = ancestry(changeGraph(handle.doc()), acknowledged);
  const kept = onDisk ? changeGraph(onDisk) : new Map<string, string[]>();
  const lost = [...ackedChanges].filter(hash => !kept.has(hash));
  await scope.closeClient(bob);
  await kill(checker);

  mark('checked');
  const result: RoundResult = { seed, edits: EDITS, killedAfter, acknowledged: ackedChanges.size, lost: lost.length, ms: 0 };
  expect(
    lost.length,
    `seed ${seed}: ${lost.length} of ${ackedChanges.size} acknowledged changes lost after SIGKILL at edit ${killedAfter}\n${first.output()}`,
  ).toBe(0);

  // --- the relay back on its port: alice reconnects by herself and catches it up --------------------
  const second = await launch(scope, dataDir, port);
  mark('second started');
  await waitFor(() => alice.peers.length > 0, `seed ${seed}: alice to reconnect by herself`, 10_000);
  mark('alice reconnected');
  await waitFor(
    () => sameHeads(handle.getSyncInfo(relayStorageId!)?.lastHeads, handle.heads()),
    `seed ${seed}: the relay to acknowledge all of alice's edits\n${second.output()}`,
    10_000,
  );
  mark('alice synced');
  const carol = client(scope, port, 'carol');
  await waitFor(() => carol.peers.length > 0, 'carol to connect', 10_000);
  const carolHandle = await carol.find<Note>(handle.url);
  await holds(carolHandle, () => handle.heads(), `seed ${seed}: carol to receive all of alice's edits`);
  mark('carol synced');
  expect(carolHandle.doc()).toEqual(handle.doc());
  await scope.closeClient(carol);
  await scope.closeClient(alice);
  await kill(second);
  mark('done');
  return result;
}

/**
 * The document as a relay restarted now would load it: NodeFSStorageAdapter's layout
 * (docs/<id[0..2]>/<id[2..]>/{snapshot,incremental}/…), snapshots first, read synchronously.
 */
function readFromDisk(docsDir: string, documentId: DocumentId): A.Doc<unknown> | undefined {
  const dir = path.join(docsDir, documentId.slice(0, 2), documentId.slice(2));
  const chunks: Buffer[] = [];
  for (const kind of ['snapshot', 'incremental']) {
    const kindDir = path.join(dir, kind);
    if (!existsSync(kindDir)) continue;
    for (const name of readdirSync(kindDir)) chunks.push(readFileSync(path.join(kindDir, name)));
  }
  return chunks.length === 0 ? undefined : A.loadIncremental(A.init(), Buffer.concat(chunks));
}

let scope: Scope;
afterEach(async () => {
  await scope?.cleanup();
});

describe('relay crash durability (real process, SIGKILL)', () => {
  beforeAll(ensureBuilt, 120_000);

  it('acknowledges a change only once it is on disk (in-process relay, checked at each acknowledgement)', async () => {
    scope = new Scope();
    const relay = await scope.relay();
    const alice = await scope.client(relay, 'alice');
    const relayStorageId = alice.getStorageIdOfPeer(alice.peers[0]!);
    const handle = alice.create<Note>({ items: {}, text: '' });
    const docsDir = path.join(relay.dataDir, 'docs');
    let acks = 0;
    const early: string[] = [];
    // Synchronously, in the event that delivers the acknowledgement: the relay (same thread) cannot
    // write anything in between, so this sees exactly what was on disk when the ack arrived.
    handle.on('remote-heads', ({ storageId, heads }) => {
      if (storageId !== relayStorageId || heads.length === 0) return;
      acks++;
      const disk = readFromDisk(docsDir, handle.documentId);
      if (!disk || !A.hasHeads(disk, decodeHeads(heads))) early.push(heads.join());
    });
    for (let i = 0; i < 100; i++) {
      handle.change(doc => {
        doc.items[`k${i % 40}`] = i;
        A.splice(doc, ['text'], 0, 0, 'x');
      });
      if (i % 3 === 0) await sleep(2);
    }
    await waitFor(() => sameHeads(handle.getSyncInfo(relayStorageId!)?.lastHeads, handle.heads()), 'the relay to acknowledge everything');
    if (process.env.DURABILITY_TRACE) console.log(`${acks} acknowledgements checked against the disk`);
    expect(acks).toBeGreaterThan(0);
    expect(early, `${early.length} of ${acks} acknowledgements came before the change was on disk`).toEqual([]);
  });

  it(
    `kill -9 during a burst of edits, restart: nothing acknowledged is lost, clients reconnect by themselves (${ROUNDS} rounds)`,
    async () => {
      const results: RoundResult[] = [];
      for (let seed = FIRST_SEED; seed < FIRST_SEED + ROUNDS; seed++) {
        scope = new Scope();
        const started = Date.now();
        try {
          results.push({ ...(await round(scope, seed)), ms: Date.now() - started });
        } finally {
          await scope.cleanup();
        }
      }
      console.log(results.map(r => `seed ${r.seed}: killed after ${r.killedAfter}/${r.edits} edits, ${r.acknowledged} changes acknowledged, ${r.lost} lost (${r.ms} ms)`).join('\n'));
      // Each round must have killed the relay with acknowledged edits outstanding to mean anything.
      expect(results.filter(r => r.acknowledged === 0).map(r => r.seed)).toEqual([]);
    },
    20_000 + ROUNDS * 15_000,
  );
});
