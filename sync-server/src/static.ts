/**
 * Serves the built PWA from STATIC_DIR: content types, cache policy, SPA fallback, no traversal.
 */
import { createReadStream, promises as fsp, type Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { Logger } from './log.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.bin': 'application/octet-stream',
};

export function contentTypeFor(filePath: string): string {
  return CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

const NO_CACHE = 'no-cache';
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Files under /assets/ carry a content hash in their names (Vite), so they never change.
 * Everything else (index.html, sw.js, workbox-*.js, registerSW.js, the manifest, icons) is
 * revalidated on every load, so an update is picked up as soon as it is deployed.
 */
export function cacheControlFor(urlPath: string): string {
  return urlPath.startsWith('/assets/') ? IMMUTABLE : NO_CACHE;
}

const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.webmanifest', '.wasm', '.svg', '.txt']);
const gzipAsync = promisify(gzip);

/**
 * Gzipped copies of the app's files, made once per file version (keyed by path and ETag) and kept in memory up to a
 * budget: the app is a few MB, and sending Automerge's 3.6 MB wasm as 1.2 MB makes a classroom's first load 3× lighter.
 */
class GzipCache {
  #entries = new Map<string, Buffer>();
  #bytes = 0;
  constructor(private readonly budget = 64 * 1024 * 1024) {}

  async get(filePath: string, etag: string): Promise<Buffer> {
    const key = `${filePath}\u0000${etag}`;
    const hit = this.#entries.get(key);
    if (hit) return hit;
    const packed = await gzipAsync(await fsp.readFile(filePath), { level: 9 });
    if (this.#bytes + packed.byteLength <= this.budget) {
      this.#entries.set(key, packed);
      this.#bytes += packed.byteLength;
    }
    return packed;
  }
}

function acceptsGzip(req: IncomingMessage): boolean {
  return /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
}

export const NOT_BUILT_MESSAGE = 'The app is not built yet: run `npm run build`\n';

function sendText(res: ServerResponse, status: number, text: string, head: boolean, extra: Record<string, string> = {}) {
  const body = Buffer.from(text);
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': body.byteLength,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...extra,
  });
  res.end(head ? undefined : body);
}

async function statFile(filePath: string): Promise<Stats | null> {
  try {
    const stats = await fsp.stat(filePath);
    return stats.isFile() ? stats : null;
  } catch {
    return null;
  }
}

export interface StaticHandler {
  (req: IncomingMessage, res: ServerResponse, urlPath: string): Promise<void>;
}

export function createStaticHandler(staticDir: string, logger: Logger): StaticHandler {
  const root = path.resolve(staticDir);
  let realRoot: string | undefined;
  const gzipped = new GzipCache();

  /** The real path of `candidate`, or null when it (after symlinks) leaves STATIC_DIR. */
  const confine = async (candidate: string): Promise<string | null> => {
    try {
      realRoot ??= await fsp.realpath(root);
      const real = await fsp.realpath(candidate);
      return real === realRoot || real.startsWith(realRoot + path.sep) ? real : null;
    } catch {
      return null;
    }
  };

  const sendFile = async (req: IncomingMessage, res: ServerResponse, filePath: string, stats: Stats, urlPath: string) => {
    const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
    const headers: Record<string, string | number> = {
      'Content-Type': contentTypeFor(filePath),
      'Cache-Control': cacheControlFor(urlPath),
      ETag: etag,
      'Last-Modified': stats.mtime.toUTCString(),
      'X-Content-Type-Options': 'nosniff',
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    if (COMPRESSIBLE.has(path.extname(filePath).toLowerCase())) {
      headers.Vary = 'Accept-Encoding';
      if (acceptsGzip(req) && stats.size > 1024) {
        const body = await gzipped.get(filePath, etag);
        res.writeHead(200, { ...headers, 'Content-Encoding': 'gzip', 'Content-Length': body.byteLength });
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
    }
    res.writeHead(200, { ...headers, 'Content-Length': stats.size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    try {
      await pipeline(createReadStream(filePath), res);
    } catch (error) {
      // Usually the client went away mid-download; nothing more can be sent.
      logger.debug(`static: sending ${urlPath} stopped: ${(error as Error).message}`);
    }
  };

  return async (req, res, urlPath) => {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      sendText(res, 405, 'Method Not Allowed\n', false, { Allow: 'GET, HEAD' });
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      sendText(res, 400, 'Bad Request: malformed URL\n', head);
      return;
    }
    const segments = decoded.split('/');
    if (decoded.includes('\0') || decoded.includes('\\') || segments.includes('..')) {
      sendText(res, 403, 'Forbidden\n', head);
      return;
    }
    if (segments.some(s => s.startsWith('.') && s !== '.well-known')) {
      sendText(res, 404, 'Not Found\n', head);
      return;
    }

    const indexPath = path.join(root, 'index.html');
    const serveIndex = async () => {
      const stats = await statFile(indexPath);
      const real = stats && (await confine(indexPath));
      if (!stats || !real) {
        sendText(res, 503, NOT_BUILT_MESSAGE, head);
        return;
      }
      await sendFile(req, res, real, stats, '/index.html');
    };

    const relative = path.posix.normalize(decoded);
    if (relative === '/' || relative === '/index.html') {
      await serveIndex();
      return;
    }
    const candidate = path.resolve(root, '.' + relative);
    if (candidate !== root && !candidate.startsWith(root + path.sep)) {
      sendText(res, 403, 'Forbidden\n', head);
      return;
    }
    const stats = await statFile(candidate);
    if (stats) {
      const real = await confine(candidate);
      if (!real) {
        sendText(res, 403, 'Forbidden\n', head);
        return;
      }
      await sendFile(req, res, real, stats, relative);
      return;
    }
    // SPA fallback: /p/abc/pipelines/xyz has no file extension, so it is a client-side route.
    const last = segments[segments.length - 1] ?? '';
    if (!last.includes('.')) {
      await serveIndex();
      return;
    }
    sendText(res, 404, 'Not Found\n', head);
  };
}
