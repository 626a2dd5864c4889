import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Repo, type PeerId } from '@automerge/automerge-repo';
import { BrowserWebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import WebSocket from 'ws';
import { startRelay, type Relay, type RelayOptions } from '../src/server.js';

/** Collects temp dirs and closers; `cleanup()` runs them in reverse order. */
export class Scope {
  #cleanups: (() => Promise<void> | void)[] = [];
  defer(fn: () => Promise<void> | void): void {
    this.#cleanups.push(fn);
  }
  async cleanup(): Promise<void> {
    const errors: unknown[] = [];
    for (const fn of this.#cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        errors.push(error);
      }
    }
    this.#cleanups = [];
    if (errors.length > 0) throw errors[0];
  }

  async tempDir(prefix = 'relay-test-'): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), prefix));
    this.defer(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  /** A static dir (new, or `dir`) holding index.html, assets/app-abc123.js, sw.js, a manifest and a wasm file. */
  async staticDir(dir?: string): Promise<string> {
    dir ??= await this.tempDir('relay-static-');
    await mkdir(path.join(dir, 'assets'), { recursive: true });
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>DeepForge</title>');
    await writeFile(path.join(dir, 'assets', 'app-abc123.js'), 'console.log("app")');
    await writeFile(path.join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {})');
    await writeFile(path.join(dir, 'manifest.webmanifest'), '{"name":"DeepForge"}');
    await writeFile(path.join(dir, 'core.wasm'), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
    return dir;
  }

  /** A relay on a free port with a fresh (or given) data dir; closed by cleanup(). */
  async relay(options: Partial<RelayOptions> = {}): Promise<Relay & { dataDir: string }> {
    const dataDir = options.dataDir ?? (await this.tempDir());
    const relay = await startRelay({ port: 0, logLevel: 'silent', staticDir: dataDir, ...options, dataDir });
    this.defer(() => relay.close());
    return { ...relay, dataDir };
  }

  /** A stock automerge-repo client connected through the relay (waits until the relay is its peer). */
  async client(relay: Relay, name = 'client'): Promise<Repo> {
    const repo = new Repo({
      network: [new BrowserWebSocketClientAdapter(wsUrl(relay))],
      peerId: `${name}-${Math.random().toString(36).slice(2)}` as PeerId,
      sharePolicy: async () => true,
    });
    this.defer(() => this.closeClient(repo));
    await waitFor(() => repo.peers.length > 0, `${name} to connect`);
    return repo;
  }

  #closedClients = new WeakSet<Repo>();
  /** Shuts a client down once (a second shutdown() throws inside the websocket adapter). */
  async closeClient(repo: Repo): Promise<void> {
    if (this.#closedClients.has(repo)) return;
    this.#closedClients.add(repo);
    await repo.shutdown();
  }

  /** A raw WebSocket to /sync, open. */
  async socket(relay: Relay, pathname = '/sync'): Promise<WebSocket> {
    const ws = new WebSocket(`ws://127.0.0.1:${relay.port}${pathname}`);
    this.defer(() => {
      if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return ws;
  }
}

export const wsUrl = (relay: Relay) => `ws://127.0.0.1:${relay.port}/sync`;
export const httpUrl = (relay: Relay, p: string) => `http://127.0.0.1:${relay.port}${p}`;

export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 10));
  }
}

/** Resolves with the close code of a socket the relay closes. */
export function closeCodeOf(ws: WebSocket, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve, reject) => {
    if (ws.readyState === WebSocket.CLOSED) return reject(new Error('already closed'));
    const timer = setTimeout(() => reject(new Error('socket was not closed')), timeoutMs);
    ws.on('error', () => {}); // e.g. ECONNRESET after a 1009; the close event still follows
    ws.once('close', code => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}
