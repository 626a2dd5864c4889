/**
 * The relay: one HTTP server that serves the PWA, /health and /blobs, and upgrades /sync to a
 * WebSocket on which automerge-repo relays and stores documents.
 *
 * The relay never lists documents: a document id is its capability. `sharePolicy` is false, so
 * the relay announces nothing and only answers for documents a peer asks for by id.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Repo, type DocumentId, type PeerId } from '@automerge/automerge-repo';
import { WebSocketServer, type WebSocket } from 'ws';
import { BlobStore, createBlobHandler } from './blobs.js';
import { DEFAULTS, defaultStaticDir, type RateLimit } from './config.js';
import { SyncAcks } from './ack.js';
import { CloseCode, GuardedServerAdapter, guardConnection, type AcceptedFrames } from './guard.js';
import { sendJson } from './http.js';
import { createLogger, type Logger, type LogLevel } from './log.js';
import { createStaticHandler } from './static.js';
import { DocumentSaver, DurableOutbox } from './durable.js';
import { TrackedStorageAdapter } from './storage.js';

export interface RelayOptions {
  /** Documents live in dataDir/docs, blobs in dataDir/blobs. */
  dataDir: string;
  /** 0 (or omitted in tests) picks a free port. Default 8787. */
  port?: number;
  host?: string;
  staticDir?: string;
  maxMessageBytes?: number;
  maxBlobBytes?: number;
  rateLimit?: RateLimit;
  /** A logger, or the level for the default stdout logger. */
  logger?: Logger;
  logLevel?: LogLevel;
}

export interface Relay {
  /** What a user opens, e.g. http://127.0.0.1:8787/ */
  url: string;
  port: number;
  repo: Repo;
  close(): Promise<void>;
}

/** automerge-repo saves documents at most every 100 ms (Repo's default saveDebounceRate). */
const SAVE_DEBOUNCE_MS = 100;
/** How long closing waits for clients to finish the WebSocket close handshake. */
const CLOSE_GRACE_MS = 1000;

export const RELAY_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

/** The URL a browser should open for a bound address. */
export function browserUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' || host === '' ? 'localhost' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}/`;
}

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Content-Length, ETag',
};

function applyCors(req: IncomingMessage, res: ServerResponse): void {
  for (const [k, v] of Object.entries(CORS_HEADERS)) res.setHeader(k, v);
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, PUT, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] ?? 'Content-Type');
    res.setHeader('Access-Control-Max-Age', '86400');
    // Chrome's Private Network Access: a page on a public origin talking to this local relay.
    if (req.headers['access-control-request-private-network'] === 'true') {
      res.setHeader('Access-Control-Allow-Private-Network', 'true');
    }
  }
}


function refuseUpgrade(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

export async function startRelay(options: RelayOptions): Promise<Relay> {
  const logger = options.logger ?? createLogger(options.logLevel ?? 'info');
  const dataDir = path.resolve(options.dataDir);
  const docsDir = path.join(dataDir, 'docs');
  const staticDir = path.resolve(options.staticDir ?? defaultStaticDir());
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULTS.maxMessageBytes;
  const maxBlobBytes = options.maxBlobBytes ?? DEFAULTS.maxBlobBytes;
  const rateLimit = options.rateLimit ?? { perSecond: DEFAULTS.ratePerSecond, burst: DEFAULTS.ratePerSecond * 2 };
  const startedAt = Date.now();

  await fsp.mkdir(docsDir, { recursive: true });
  await TrackedStorageAdapter.clearTemp(docsDir);
  const blobStore = new BlobStore(path.join(dataDir, 'blobs'));
  await blobStore.init();

  // --- automerge-repo -------------------------------------------------------------------------
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes, perMessageDeflate: false });
  const accepted: AcceptedFrames = new WeakMap();
  const adapter = new GuardedServerAdapter(wss, accepted, logger);
  const storage = new TrackedStorageAdapter(docsDir);
  const repo = new Repo({
    network: [adapter],
    storage,
    peerId: `relay-${randomBytes(6).toString('hex')}` as PeerId,
    sharePolicy: async () => false,
  });
  // Storage first: a sync message goes out only once the document state it announces is on disk.
  const saver = new DocumentSaver(repo);
  adapter.outbox = new DurableOutbox({
    save: documentId => saver.save(documentId),
    logger,
    fail: socket => (socket as WebSocket).close(CloseCode.internalError, 'could not save the document'),
  });
  // Every sync message that announces heads gets an answer, even when the relay had those heads already.
  adapter.acks = new SyncAcks(repo, message => adapter.send(message));
  adapter.on('peer-disconnected', ({ peerId }) => adapter.acks?.left(peerId));

  let storageId: string | undefined;
  let wssClosed = false;
  const closeRepo = async () => {
    // Closing the WebSocketServer makes the adapter stop its keep-alive timer and drop its peers.
    if (!wssClosed) {
      wssClosed = true;
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>(resolve => wss.close(() => resolve()));
    }
    // This is repo.shutdown() minus its flush of *every* handle: in automerge-repo 2.5.6 that
    // throws "DocHandle is not ready" as soon as a peer has asked for a document the relay does
    // not hold. The adapter has already disconnected (on the server's 'close' above).
    const ready = Object.values(repo.handles)
      .filter(handle => handle.isReady())
      .map(handle => handle.documentId as DocumentId);
    await repo.flush(ready);
    // Background saves scheduled before the last message arrived run within one debounce period.
    await sleep(SAVE_DEBOUNCE_MS * 2);
    await storage.idle();
  };

  try {
    // The adapter only starts listening for connections once the repo knows its storage id (read
    // or created on disk); a client that connected before that would never be registered as a
    // peer. Wait until it is attached, then read the (by now settled) storage id. Asking for the
    // storage id first would race the repo's own first read and, on a fresh DATA_DIR, could
    // create two different ids.
    const deadline = Date.now() + 10_000;
    while (wss.listenerCount('connection') === 0) {
      if (Date.now() > deadline) throw new Error('automerge-repo never attached its WebSocket adapter');
      await sleep(2);
    }
    storageId = await repo.storageId();
  } catch (error) {
    await closeRepo().catch(cleanupError => logger.error('cleaning up after a failed start', cleanupError));
    throw error;
  }

  // --- HTTP ---------------------------------------------------------------------------------
  const serveStatic = createStaticHandler(staticDir, logger);
  const serveBlob = createBlobHandler({ store: blobStore, maxBlobBytes, logger });

  const health = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: `${req.method} is not supported on /health.` }, { Allow: 'GET, HEAD, OPTIONS' });
      return;
    }
    sendJson(res, 200, {
      ok: true,
      version: RELAY_VERSION,
      uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000),
      peers: repo.peers.length,
      documentsHeld: Object.keys(repo.handles).length,
      limits: { maxMessageBytes, maxBlobBytes },
    });
  };

  const handleRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const target = req.url ?? '/';
    if (!target.startsWith('/')) {
      sendJson(res, 400, { error: 'Bad request target.' });
      return;
    }
    const urlPath = target.split('?', 1)[0] as string;
    const isBlob = urlPath === '/blobs' || urlPath.startsWith('/blobs/');
    if (urlPath === '/health' || isBlob) {
      applyCors(req, res);
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { 'Content-Length': 0 });
        res.end();
        return;
      }
      if (isBlob) await serveBlob(req, res, urlPath.slice('/blobs/'.length));
      else health(req, res);
      return;
    }
    if (urlPath === '/sync') {
      sendJson(res, 426, { error: 'Connect to /sync with a WebSocket.' }, { Upgrade: 'websocket' });
      return;
    }
    await serveStatic(req, res, urlPath);
  };

  const server = http.createServer((req, res) => {
    handleRequest(req, res).catch(error => {
      logger.error(`${req.method} ${req.url} failed`, error);
      if (!res.headersSent) sendJson(res, 500, { error: 'Internal error.' }, { Connection: 'close' });
      else res.destroy();
    });
  });
  // Large blobs on slow links take a while; headers must still arrive within the default 60 s.
  server.requestTimeout = 30 * 60 * 1000;
  server.on('clientError', (error: Error & { code?: string }, socket) => {
    logger.debug(`http client error: ${error.code ?? error.message}`);
    if (socket.writable && !socket.destroyed) refuseUpgrade(socket, '400 Bad Request');
    else socket.destroy();
  });

  let closing = false;
  let connections = 0;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', error => logger.debug(`upgrade socket error: ${error.message}`));
    const urlPath = (req.url ?? '').split('?', 1)[0];
    if (closing) return refuseUpgrade(socket, '503 Service Unavailable');
    if (urlPath !== '/sync') return refuseUpgrade(socket, '404 Not Found');
    wss.handleUpgrade(req, socket, head, ws => {
      const label = `conn#${++connections} ${req.socket.remoteAddress ?? '?'}`;
      logger.info(`${label} connected`);
      guardConnection(ws, { label, relayPeerId: repo.peerId, rateLimit, accepted, logger });
      wss.emit('connection', ws, req);
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? DEFAULTS.port, options.host ?? DEFAULTS.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await closeRepo().catch(cleanupError => logger.error('cleaning up after a failed start', cleanupError));
    throw error;
  }
  server.on('error', error => logger.error('http server error', error));

  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? DEFAULTS.host;
  logger.debug(`listening on ${host}:${port} as peer ${repo.peerId}, storage id ${storageId ?? '?'}`);

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      closing = true;
      const serverClosed = new Promise<void>(resolve => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const ws of wss.clients) ws.close(CloseCode.goingAway, 'relay shutting down');
      const deadline = Date.now() + CLOSE_GRACE_MS;
      while (wss.clients.size > 0 && Date.now() < deadline) await sleep(20);
      await closeRepo();
      // Requests still running (a long blob upload) get a moment, then are cut.
      const timer = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      await serverClosed;
      clearTimeout(timer);
      logger.info('relay stopped');
    })());

  return { url: browserUrl(host, port), port, repo, close };
}

