/**
 * A child process that hosts some of the collaboration benchmark's simulated editors (see
 * _collab.mjs, which forks it with an IPC channel and drives it step by step).
 *
 * Two modes:
 *  - 'repo': each editor is a stock automerge-repo Repo (no storage, like a fresh tab) with the
 *    stock WebSocketClientAdapter to the relay's /sync. The adapter is subclassed only to *observe*
 *    what it sends (time and size of each outgoing sync frame); nothing in the Repo or the adapter
 *    is changed. Incoming frames are observed the same way through the adapter's public 'message'
 *    event, with a listener added before the Repo's own.
 *  - 'echo': each editor is a plain `ws` WebSocket to the echo server (the baseline); an edit is
 *    a binary message of the same size as a typical automerge-repo sync frame for one edit.
 *
 * Times are `performance.timeOrigin + performance.now()` (ms since the epoch, sub-ms resolution),
 * so they compare across processes on one machine; the parent measures each child's offset over
 * IPC and corrects for it (see clockSync in _collab.mjs).
 *
 * Only the parent talks to this process; every request is answered with `{ id, ok, result }` or
 * `{ id, ok: false, error }`.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import WebSocket from 'ws';
import { editSchedule, initialDoc, mulberry32, planEdit } from './_collab-shared.mjs';

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(pred, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(5);
  }
}

/** The stock adapter; `send` is observed (timestamped), not changed. */
class ObservedAdapter extends WebSocketClientAdapter {
  constructor(url, retryMs, outbound) {
    super(url, retryMs);
    this.outbound = outbound;
  }
  send(message) {
    if ((message.type === 'sync' || message.type === 'request') && message.data) this.outbound.push([now(), message.data]);
    super.send(message);
  }
}

// --- editors ---------------------------------------------------------------------------------

let config; // { mode, url, editors: [ids], all: [ids], seed, schedule: { minMs, maxMs, durationMs }, messageBytes }
const editors = new Map(); // id → editor state
/** Event-loop delay; the histogram holds whole timer intervals, so the resolution is subtracted. */
const ELD_RESOLUTION_MS = 5;
const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
let cpuAtStart;
let wallAtStart;

function newEditorState(id) {
  return { id, sent: [], recv: [], lastSeen: new Map(), outbound: [], inbound: [], disconnects: 0 };
}

function observe(ed, from, seq, t) {
  const prev = ed.lastSeen.get(from) ?? 0;
  if (seq <= prev) return;
  // An observer that sees edit n from an editor has every earlier one too (causal order).
  for (let q = prev + 1; q <= seq; q++) ed.recv.push([from, q, t]);
  ed.lastSeen.set(from, seq);
}

async function connectRepo(id) {
  const ed = newEditorState(id);
  const adapter = new ObservedAdapter(config.url, 500, ed.outbound);
  adapter.on('message', (m) => {
    if ((m.type === 'sync' || m.type === 'request') && m.data) ed.inbound.push([now(), m.data]);
  });
  adapter.on('peer-disconnected', () => ed.disconnects++);
  ed.repo = new Repo({ network: [adapter], sharePolicy: async () => true });
  await waitFor(() => ed.repo.peers.length > 0, `editor ${id} to reach the relay`);
  editors.set(id, ed);
}

function watch(ed) {
  ed.handle.on('change', ({ doc }) => {
    const t = now();
    const bench = doc.bench;
    for (const from of config.all) {
      if (from === ed.id) continue;
      const s = bench[from]?.seq ?? 0;
      if (s > (ed.lastSeen.get(from) ?? 0)) observe(ed, from, s, t);
    }
  });
}

async function connectEcho(id) {
  const ed = newEditorState(id);
  const ws = new WebSocket(config.url, { perMessageDeflate: false });
  ws.binaryType = 'nodebuffer';
  await new Promise((ok, fail) => {
    ws.once('open', ok);
    ws.once('error', fail);
  });
  ws.on('error', () => {});
  ws.on('close', () => ed.disconnects++);
  ws.on('message', (data) => {
    const t = now();
    const from = config.all[data.readUInt16LE(0)];
    observe(ed, from, data.readUInt32LE(2), t);
  });
  ed.ws = ws;
  editors.set(id, ed);
}

function editOnce(ed, seq, rand) {
  const e = config.mode === 'repo' ? planEdit(ed.id, seq, rand) : null;
  const sentAt = now();
  if (e) {
    ed.handle.change(
      (d) => {
        const node = d.pipelines.main.nodes[e.nodeId];
        if (e.name !== undefined) node.name = e.name;
        else node.attributes[e.attr] = e.value;
        d.bench[ed.id].seq = seq;
        d.bench[ed.id].sentAt = sentAt;
      },
      { message: e.message },
    );
    ed.sent.push([seq, sentAt]);
  } else {
    const buf = Buffer.alloc(config.messageBytes);
    buf.writeUInt16LE(config.all.indexOf(ed.id), 0);
    buf.writeUInt32LE(seq, 2);
    buf.writeDoubleLE(sentAt, 6);
    ed.ws.send(buf, { binary: true });
    ed.sent.push([seq, sentAt]);
  }
}

/** Runs every local editor's schedule from absolute time t0; resolves when all are done. */
async function runSchedules(t0) {
  eld.reset();
  eld.enable();
  cpuAtStart = process.cpuUsage();
  wallAtStart = now();
  await Promise.all(
    [...editors.values()].map(async (ed) => {
      const times = editSchedule(config.all.indexOf(ed.id), config.seed, config.schedule);
      const rand = mulberry32(config.seed * 7919 + config.all.indexOf(ed.id));
      let seq = 0;
      for (const at of times) {
        const wait = t0 + at - now();
        if (wait > 0) await sleep(wait);
        editOnce(ed, ++seq, rand);
      }
    }),
  );
  const finished = now();
  return { counts: Object.fromEntries([...editors.values()].map((ed) => [ed.id, ed.sent.length])), finished };
}

const handlers = {
  async init(cfg) {
    config = cfg;
    await Promise.all(cfg.editors.map((id) => (cfg.mode === 'repo' ? connectRepo(id) : connectEcho(id))));
    return { pid: process.pid };
  },
  /** Editor `creator` creates the document; resolves with its URL once the relay holds it. */
  async create({ creator }) {
    const ed = editors.get(creator);
    ed.handle = ed.repo.create(initialDoc(config.all));
    const relay = ed.repo.peers[0];
    await waitFor(() => ed.repo.getStorageIdOfPeer(relay) !== undefined, 'the relay’s storage id');
    const storageId = ed.repo.getStorageIdOfPeer(relay);
    const heads = ed.handle.heads();
    await waitFor(() => {
      const h = ed.handle.getSyncInfo(storageId)?.lastHeads;
      return !!h && h.length === heads.length && h.every((x) => heads.includes(x));
    }, 'the relay to hold the new document');
    watch(ed);
    return { url: ed.handle.url };
  },
  async open({ url }) {
    await Promise.all(
      [...editors.values()]
        .filter((ed) => !ed.handle)
        .map(async (ed) => {
          ed.handle = await ed.repo.find(url);
          watch(ed);
        }),
    );
    return {};
  },
  ping() {
    return { t: now() };
  },
  start({ t0 }) {
    // Answer at once; the parent waits for 'finished'.
    runSchedules(t0).then(
      (r) => process.send({ event: 'finished', ...r }),
      (e) => process.send({ event: 'failed', error: String(e?.stack ?? e) }),
    );
    return {};
  },
  /** Waits until every local editor has seen `totals[e]` edits from each other editor e. */
  async drain({ totals, timeoutMs }) {
    const complete = () => [...editors.values()].every((ed) => config.all.every((e) => e === ed.id || (ed.lastSeen.get(e) ?? 0) >= (totals[e] ?? 0)));
    const deadline = Date.now() + timeoutMs;
    while (!complete() && Date.now() < deadline) await sleep(10);
    eld.disable();
    const cpu = process.cpuUsage(cpuAtStart);
    return { complete: complete(), cpuPct: (100 * (cpu.user + cpu.system)) / 1000 / (now() - wallAtStart) };
  },
  /** Everything measured, decoded now that the timed part is over. */
  records() {
    return {
      eld: Object.fromEntries(Object.entries({ p50: eld.percentile(50), p99: eld.percentile(99), max: eld.max }).map(([k, ns]) => [k, Math.max(0, ns / 1e6 - ELD_RESOLUTION_MS)])),
      editors: [...editors.values()].map((ed) => ({
        id: ed.id,
        sent: ed.sent,
        recv: ed.recv,
        frames: { out: ed.outbound.map((f) => f[0]), in: ed.inbound.map((f) => f[0]) },
        bytes: { out: ed.outbound.reduce((n, f) => n + f[1].byteLength, 0), in: ed.inbound.reduce((n, f) => n + f[1].byteLength, 0) },
        disconnects: ed.disconnects,
      })),
    };
  },
  async stop() {
    for (const ed of editors.values()) {
      try {
        if (ed.repo) await Promise.race([ed.repo.shutdown(), sleep(1000)]);
        if (ed.ws) ed.ws.terminate();
      } catch {
        // going away anyway
      }
    }
    setTimeout(() => process.exit(0), 10);
    return {};
  },
};

process.on('message', async ({ id, op, args }) => {
  try {
    const result = await handlers[op](args ?? {});
    process.send({ id, ok: true, result });
  } catch (error) {
    process.send({ id, ok: false, error: String(error?.stack ?? error) });
  }
});
process.on('disconnect', () => process.exit(0));
// Requests sent before this listener existed would be lost: the parent waits for this first.
process.send({ event: 'ready' });
