/**
 * The collaboration benchmark's machinery (the case itself is collab-latency.mjs).
 *
 * One session = one server child process (the real relay, or the plain `ws` echo server for the
 * baseline) + N simulated editors spread over P forked editor processes (_collab-worker.mjs),
 * each editing on a seeded, jittered schedule for a fixed time, every edit stamped with an id and
 * its send time. Latency of an edit = the time until EACH other editor sees it (one sample per
 * (edit, observer) pair). The server's CPU and memory are sampled from /proc every 250 ms.
 *
 * Clocks: every process stamps with `performance.timeOrigin + performance.now()` (sub-ms; the
 * same wall clock for every process on the machine). Each worker's offset from the parent is
 * measured over IPC (NTP-style, best of several pings) and subtracted, so cross-process
 * latencies stay accurate to a fraction of a millisecond. `Date.now()` would also be comparable
 * across processes but only to 1 ms, too coarse for the echo baseline (well under 1 ms).
 */
import { execFileSync, fork, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as A from '@automerge/automerge';
import { cbor } from '@automerge/automerge-repo';
import WebSocket from 'ws';
import { RELAY_MAIN, ROOT } from '../context.mjs';
import { initialDoc, mulberry32, planEdit } from './_collab-shared.mjs';

const WORKER = join(import.meta.dirname, '_collab-worker.mjs');
const ECHO_SERVER = join(import.meta.dirname, '_collab-echo-server.mjs');
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- statistics --------------------------------------------------------------------------------

/** Nearest-rank percentile of an ascending list. */
export function pct(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function dist(values) {
  const s = Float64Array.from(values).sort();
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : NaN;
  return { n: s.length, min: s[0] ?? NaN, p50: pct(s, 50), p95: pct(s, 95), p99: pct(s, 99), max: s[s.length - 1] ?? NaN, mean };
}

// --- the library's throttle, read from the installed source -----------------------------------

/**
 * automerge-repo's per-document sync throttle (DocSynchronizer's `syncDebounceRate`, ms) as
 * installed, and whether a Repo can be told another value. In 2.5.6 it is an instance field read
 * once in DocSynchronizer's constructor (which the Repo calls internally), with no Repo option,
 * so it cannot be configured without patching library internals.
 */
export function libraryThrottle() {
  const file = join(ROOT, 'node_modules/@automerge/automerge-repo/dist/synchronizer/DocSynchronizer.js');
  const repoDts = join(ROOT, 'node_modules/@automerge/automerge-repo/dist/Repo.d.ts');
  let ms = null;
  let configurable = false;
  let version = '?';
  try {
    ms = Number(/syncDebounceRate\s*=\s*(\d+)/.exec(readFileSync(file, 'utf8'))?.[1] ?? NaN);
    configurable = /syncDebounceRate/.test(readFileSync(repoDts, 'utf8'));
    version = JSON.parse(readFileSync(join(ROOT, 'node_modules/@automerge/automerge-repo/package.json'), 'utf8')).version;
  } catch {
    // reported as unknown
  }
  return { ms, configurable, version };
}

/**
 * Size of a typical automerge-repo sync frame carrying one app-like edit (CBOR envelope + sync
 * message), so the echo baseline sends messages of the same size. Median over 30 edits.
 */
export function typicalFrameBytes(editorIds) {
  let a = A.from(initialDoc(editorIds));
  let b = A.clone(a);
  let sa = A.initSyncState();
  let sb = A.initSyncState();
  const settle = () => {
    for (let i = 0; i < 10; i++) {
      let m, n;
      [sa, m] = A.generateSyncMessage(a, sa);
      if (m) [b, sb] = A.receiveSyncMessage(b, sb, m);
      [sb, n] = A.generateSyncMessage(b, sb);
      if (n) [a, sa] = A.receiveSyncMessage(a, sa, n);
      if (!m && !n) return;
    }
  };
  settle();
  const rand = mulberry32(42);
  const me = editorIds[0];
  const sizes = [];
  for (let seq = 1; seq <= 30; seq++) {
    const e = planEdit(me, seq, rand);
    a = A.change(a, { message: e.message }, (d) => {
      const node = d.pipelines.main.nodes[e.nodeId];
      if (e.name !== undefined) node.name = e.name;
      else node.attributes[e.attr] = e.value;
      d.bench[me].seq = seq;
      d.bench[me].sentAt = now();
    });
    let m;
    [sa, m] = A.generateSyncMessage(a, sa);
    const frame = cbor.encode({ type: 'sync', senderId: crypto.randomUUID(), targetId: 'relay-0123456789ab', documentId: '4NMNnkMhL8jXrdJ9jamS58PAVdXu', data: m });
    sizes.push(frame.byteLength);
    settle();
  }
  return Math.round(pct(sizes.sort((x, y) => x - y), 50));
}

// --- processes -----------------------------------------------------------------------------------

/** Builds only the relay (`tsc -p sync-server/tsconfig.json`) when its dist is missing. */
let relayBuilt;
export function ensureRelayBuilt(ctx) {
  relayBuilt ??= (() => {
    if (existsSync(RELAY_MAIN)) return 'existing sync-server/dist';
    ctx.log('sync-server/dist/main.js is missing: running `npx tsc -p sync-server/tsconfig.json`…');
    const r = spawnSync('npx', ['tsc', '-p', 'sync-server/tsconfig.json'], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0 || !existsSync(RELAY_MAIN)) throw new Error(`building the relay failed:\n${r.stdout}${r.stderr}`);
    return 'built by the bench (tsc)';
  })();
  return relayBuilt;
}

function waitForLine(proc, pattern, what, timeoutMs = 15_000) {
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      fail(new Error(`${what} did not start within ${timeoutMs / 1000} s:\n${proc.output()}`));
    }, timeoutMs);
    const poll = setInterval(() => {
      const m = pattern.exec(proc.output());
      if (m) {
        clearInterval(poll);
        clearTimeout(timer);
        ok(m[1]);
      } else if (proc.child.exitCode !== null) {
        clearInterval(poll);
        clearTimeout(timer);
        fail(new Error(`${what} exited (code ${proc.child.exitCode}) before it was ready:\n${proc.output()}`));
      }
    }, 10);
  });
}

/** The real relay, as `npm start` runs it, on 127.0.0.1 with a fresh DATA_DIR. */
async function startRelay(ctx, env) {
  const data = ctx.tempDir('deepforge-bench-collab-');
  const proc = ctx.spawnChild(process.execPath, [RELAY_MAIN], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.path, LOG_LEVEL: 'silent', ...env },
  });
  const url = await waitForLine(proc, /DeepForge is running at (http:\/\/127\.0\.0\.1:\d+)\/?/, 'the relay');
  return { proc, wsUrl: `${url.replace(/^http/, 'ws')}/sync`, stop: async () => { await proc.stop(); await data.remove(); } };
}

async function startEcho(ctx) {
  const proc = ctx.spawnChild(process.execPath, [ECHO_SERVER], { cwd: ROOT });
  const port = await waitForLine(proc, /echo listening on (\d+)/, 'the echo server');
  return { proc, wsUrl: `ws://127.0.0.1:${port}/`, stop: () => proc.stop() };
}

/** A forked editor process with a tiny request/response protocol over IPC. */
function startWorker(ctx) {
  const child = fork(WORKER, [], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  const collect = (c) => {
    output = (output + c.toString()).slice(-16 * 1024);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let next = 0;
  const pending = new Map();
  const events = [];
  let eventWaiter = null;
  child.on('message', (m) => {
    if (m.event) {
      events.push(m);
      eventWaiter?.();
      return;
    }
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.ok(m.result);
    else p.fail(new Error(`editor process: ${m.error}`));
  });
  const exited = new Promise((r) => child.once('exit', r));
  child.once('exit', (code, signal) => {
    for (const p of pending.values()) p.fail(new Error(`editor process exited (code ${code}, signal ${signal}):\n${output}`));
    pending.clear();
    eventWaiter?.();
  });
  const call = (op, args, timeoutMs = 20_000) =>
    new Promise((ok, fail) => {
      const id = ++next;
      const timer = setTimeout(() => {
        pending.delete(id);
        fail(new Error(`editor process: "${op}" took over ${timeoutMs / 1000} s:\n${output}`));
      }, timeoutMs);
      pending.set(id, { ok: (v) => (clearTimeout(timer), ok(v)), fail: (e) => (clearTimeout(timer), fail(e)) });
      child.send({ id, op, args });
    });
  const event = async (timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    while (events.length === 0) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`editor process exited:\n${output}`);
      if (Date.now() > deadline) throw new Error(`editor process sent nothing for ${timeoutMs / 1000} s:\n${output}`);
      await new Promise((r) => {
        eventWaiter = r;
        setTimeout(r, 100);
      });
      eventWaiter = null;
    }
    return events.shift();
  };
  const stop = ctx.runOnce(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await Promise.race([call('stop', {}, 3000).catch(() => {}), sleep(3000)]);
    await Promise.race([exited, sleep(1000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  ctx.onCleanup(stop);
  return { child, call, event, stop };
}

/** NTP-style: offset = worker clock − parent clock, from the ping with the smallest round trip. */
async function clockSync(worker, pings = 15) {
  let best = null;
  for (let i = 0; i < pings; i++) {
    const t0 = now();
    const { t } = await worker.call('ping');
    const t1 = now();
    const rtt = t1 - t0;
    if (!best || rtt < best.rtt) best = { rtt, offset: t - (t0 + t1) / 2 };
  }
  return best;
}

// --- CPU and memory of a process -------------------------------------------------------------

let clkTck;
function clockTicks() {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

function readProc(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]); // utime + stime (fields 14 and 15)
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  // schedstat: time on a CPU and time runnable but waiting for one (ns, the main thread), finer
  // than the clock ticks of stat; stat's utime + stime (all threads) when it is missing.
  let onCpuNs = NaN;
  let waitNs = NaN;
  try {
    [onCpuNs, waitNs] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ').map(Number);
  } catch {
    // no schedstat (kernel without CONFIG_SCHEDSTATS)
  }
  const cpuSeconds = Number.isFinite(onCpuNs) ? onCpuNs / 1e9 : ticks / clockTicks();
  return { t: now(), cpuSeconds, ticksSeconds: ticks / clockTicks(), rssKiB, waitNs, cpuSomeUs: cpuPressureUs() };
}

/** Linux PSI: total µs during which some runnable task waited for a CPU (NaN where absent). */
function cpuPressureUs() {
  try {
    return Number(/some .*total=(\d+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

/**
 * Samples /proc/PID every `everyMs`; `stop(from, to)` summarises the samples in that window: CPU
 * (main thread, mean and the busiest interval; all threads, mean), RSS, how long the process waited for a CPU while runnable,
 * and the machine's CPU pressure (PSI "some": the share of time any task waited for a CPU) — on
 * a shared machine the last two tell whether the numbers are the relay's or the neighbours'.
 */
export function sampleProcess(pid, everyMs = 250) {
  if (!existsSync(`/proc/${pid}/stat`)) return { stop: () => null };
  const samples = [];
  const take = () => {
    try {
      samples.push(readProc(pid));
    } catch {
      // the process is gone
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop(from, to) {
      take();
      clearInterval(timer);
      const inWindow = samples.filter((s) => s.t >= from - everyMs && s.t <= to + everyMs);
      if (inWindow.length < 2) return null;
      const cpu = [];
      for (let i = 1; i < inWindow.length; i++) {
        const a = inWindow[i - 1];
        const b = inWindow[i];
        cpu.push((100 * (b.cpuSeconds - a.cpuSeconds)) / ((b.t - a.t) / 1000));
      }
      const first = inWindow[0];
      const last = inWindow[inWindow.length - 1];
      const wallMs = last.t - first.t;
      return {
        samples: inWindow.length,
        cpuMeanPct: (100 * (last.cpuSeconds - first.cpuSeconds)) / (wallMs / 1000),
        // All threads (libuv's pool, GC helpers…), at clock-tick resolution.
        cpuAllThreadsMeanPct: (100 * (last.ticksSeconds - first.ticksSeconds)) / (wallMs / 1000),
        cpuMaxPct: Math.max(...cpu),
        rssStartMiB: first.rssKiB / 1024,
        rssMaxMiB: Math.max(...inWindow.map((s) => s.rssKiB)) / 1024,
        runqueueWaitPct: (100 * (last.waitNs - first.waitNs)) / 1e6 / wallMs,
        machineCpuPressurePct: (100 * (last.cpuSomeUs - first.cpuSomeUs)) / 1000 / wallMs,
      };
    },
  };
}

/**
 * How quickly the server's event loop answers: one extra WebSocket (to the same endpoint, never
 * sending a message) pings every `everyMs` (one ping outstanding at a time) and times the pong,
 * which `ws` sends from the server's event loop. A busy loop shows up here whoever caused it, so
 * it separates "the relay is slow" from "the editors are slow to read" in the relay leg.
 */
function probeServer(wsUrl, everyMs = 100) {
  const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
  const rtts = [];
  let pendingAt = null;
  let timer;
  ws.on('error', () => {});
  ws.on('open', () => {
    timer = setInterval(() => {
      if (pendingAt !== null || ws.readyState !== WebSocket.OPEN) return;
      pendingAt = now();
      ws.ping();
    }, everyMs);
  });
  ws.on('pong', () => {
    if (pendingAt === null) return;
    rtts.push([pendingAt, now() - pendingAt]);
    pendingAt = null;
  });
  return {
    stop(from, to) {
      clearInterval(timer);
      ws.terminate();
      return dist(rtts.filter(([t]) => t >= from && t <= to).map(([, r]) => r));
    },
  };
}

// --- one session -------------------------------------------------------------------------------

/**
 * Runs one session and returns its measurements.
 *   mode: 'repo' (automerge-repo editors through the relay) | 'echo' (ws clients, echo server)
 *   editors: how many; procs: over how many editor processes (round-robin)
 *   seconds: edit window; warmupSeconds: its first part, whose edits are not counted
 *   schedule: { minMs, maxMs } between one editor's edits; seed: same seed → same schedule
 *   relayEnv: extra environment for the relay (e.g. RATE_LIMIT)
 */
export async function session(ctx, { mode, editors, procs, seconds, warmupSeconds, schedule, seed, messageBytes, relayEnv = {} }) {
  const ids = Array.from({ length: editors }, (_, i) => `e${i}`);
  const loadBefore = loadavg()[0];
  // The editor processes load their modules while the server starts.
  const nProcs = Math.max(1, Math.min(procs, editors));
  const workers = Array.from({ length: nProcs }, () => startWorker(ctx));
  let server;
  let sampler;
  let probe;
  try {
    server = mode === 'repo' ? await startRelay(ctx, relayEnv) : await startEcho(ctx);
    const own = workers.map((_, w) => ids.filter((_, i) => i % nProcs === w));
    const durationMs = seconds * 1000;
    const cfg = { mode, url: server.wsUrl, all: ids, seed, schedule: { ...schedule, durationMs }, messageBytes };
    const setupStart = now();
    for (const wk of workers) {
      const hello = await wk.event(30_000);
      if (hello.event !== 'ready') throw new Error(`editor process: expected "ready", got ${JSON.stringify(hello)}`);
    }
    await Promise.all(workers.map((wk, w) => wk.call('init', { ...cfg, editors: own[w] })));
    if (mode === 'repo') {
      const { url } = await workers[0].call('create', { creator: ids[0] });
      await Promise.all(workers.map((wk) => wk.call('open', { url })));
    }
    const setupMs = now() - setupStart;
    const clocks = [];
    for (const wk of workers) clocks.push(await clockSync(wk));

    sampler = sampleProcess(server.proc.child.pid);
    probe = probeServer(server.wsUrl);
    const t0 = now() + 200;
    await Promise.all(workers.map((wk) => wk.call('start', { t0: t0 + clocks[workers.indexOf(wk)].offset })));
    const finished = await Promise.all(workers.map((wk) => wk.event(durationMs + 15_000)));
    for (const f of finished) if (f.event !== 'finished') throw new Error(`editor process failed: ${f.error}`);
    const editEnd = Math.max(...finished.map((f, w) => f.finished - clocks[w].offset));
    const totals = Object.assign({}, ...finished.map((f) => f.counts));
    const drainStart = now();
    const drains = await Promise.all(workers.map((wk) => wk.call('drain', { totals, timeoutMs: 5000 }, 10_000)));
    const drainEnd = now();
    const drainMs = drainEnd - drainStart;
    const measuredFrom = t0 + warmupSeconds * 1000;
    const serverStats = sampler.stop(measuredFrom, editEnd);
    const ping = probe.stop(measuredFrom, editEnd);
    const records = await Promise.all(workers.map((wk) => wk.call('records', {}, 20_000)));

    const r = analyse({ mode, ids, records, clocks, drains, measuredFrom, editEnd, drainEnd, serverStats, setupMs, drainMs, procs: nProcs, messageBytes });
    return { ...r, ping, load: { before: loadBefore, after: loadavg()[0] } };
  } finally {
    // Idempotent: after a failure part-way, stop whatever was started.
    sampler?.stop(0, 0);
    probe?.stop(0, 0);
    await Promise.all(workers.map((wk) => wk.stop()));
    await server?.stop();
  }
}

/** First element ≥ x in an ascending Float64Array (its index; length when none). */
function lowerBound(arr, x) {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Latency per (edit, observer) pair, and where it went (repo sessions, by time, approximately):
 *  - sender hold: the edit → the sender's next outgoing sync frame (any sync message the sender
 *    generates after the edit carries it: the throttled broadcast or an immediate reply);
 *  - observer apply: the last incoming sync frame before the observer's 'change' event → that event;
 *  - relay leg: the rest (two loopback hops, the relay's decode/apply/encode, and the relay's own
 *    per-document throttle before it forwards to the other peers).
 */
function analyse({ mode, ids, records, clocks, drains, measuredFrom, editEnd, drainEnd, serverStats, setupMs, drainMs, procs, messageBytes }) {
  // Every time in the parent's clock.
  const eds = new Map();
  records.forEach((r, w) => {
    const off = clocks[w].offset;
    for (const e of r.editors) {
      eds.set(e.id, {
        ...e,
        sent: e.sent.map(([seq, t]) => ({ seq, t: t - off })),
        recv: new Map(e.recv.map(([from, seq, t]) => [`${from}:${seq}`, t - off])),
        out: Float64Array.from(e.frames.out, (t) => t - off).sort(),
        in: Float64Array.from(e.frames.in, (t) => t - off).sort(),
      });
    }
  });
  const latency = [];
  const hold = [];
  const relayLeg = [];
  const apply = [];
  let edits = 0;
  let missing = 0;
  for (const from of ids) {
    const sender = eds.get(from);
    for (const s of sender.sent) {
      if (s.t < measuredFrom) continue;
      edits++;
      const i = lowerBound(sender.out, s.t);
      const out = i < sender.out.length ? sender.out[i] : undefined;
      if (mode === 'repo' && out !== undefined) hold.push(out - s.t);
      for (const to of ids) {
        if (to === from) continue;
        const obs = eds.get(to);
        const seen = obs.recv.get(`${from}:${s.seq}`);
        if (seen === undefined) {
          // Never seen before the drain gave up: counted at the cut-off, a lower bound.
          missing++;
          latency.push(drainEnd - s.t);
          continue;
        }
        latency.push(seen - s.t);
        if (mode !== 'repo' || out === undefined) continue;
        const j = lowerBound(obs.in, seen + 1e-6) - 1;
        const got = j >= 0 ? obs.in[j] : undefined;
        if (got !== undefined && got >= out) {
          apply.push(seen - got);
          relayLeg.push(got - out);
        }
      }
    }
  }
  // Sync frames and bytes per editor and second, in the measured window (repo mode).
  const windowS = (editEnd - measuredFrom) / 1000;
  const count = (arr) => lowerBound(arr, editEnd + 1e-6) - lowerBound(arr, measuredFrom);
  let framesOut = 0;
  let framesIn = 0;
  let bytesOut = 0;
  let bytesIn = 0;
  for (const e of eds.values()) {
    framesOut += count(e.out);
    framesIn += count(e.in);
    bytesOut += e.bytes.out;
    bytesIn += e.bytes.in;
  }
  const allFramesOut = [...eds.values()].reduce((n, e) => n + e.out.length, 0);
  const allFramesIn = [...eds.values()].reduce((n, e) => n + e.in.length, 0);
  return {
    mode,
    editors: ids.length,
    procs,
    messageBytes,
    edits,
    pairs: latency.length - missing,
    missing,
    latency: dist(latency),
    legs: mode === 'repo' ? { hold: dist(hold), relay: dist(relayLeg), apply: dist(apply) } : null,
    server: serverStats,
    windowSeconds: windowS,
    editorProcs: records.map((r, w) => ({ eld: r.eld, cpuPct: drains[w].cpuPct })),
    complete: drains.every((d) => d.complete),
    disconnects: [...eds.values()].reduce((a, e) => a + e.disconnects, 0),
    clock: { maxAbsOffsetMs: Math.max(...clocks.map((c) => Math.abs(c.offset))), maxRttMs: Math.max(...clocks.map((c) => c.rtt)) },
    frames: {
      perEditorPerSecond: { out: framesOut / ids.length / windowS, in: framesIn / ids.length / windowS },
      // Every frame an editor sends or receives goes through the relay.
      relayFramesPerEdit: edits ? (framesOut + framesIn) / edits : NaN,
      meanBytes: { out: allFramesOut ? bytesOut / allFramesOut : NaN, in: allFramesIn ? bytesIn / allFramesIn : NaN },
    },
    setupMs,
    drainMs,
  };
}
