/**
 * Content-addressed blob store: artifact bytes under DATA_DIR/blobs/<first 2 hex>/<sha256>.
 *
 *   PUT  /blobs/<sha256>  store the body if its SHA-256 matches: 201 created, 200 already there,
 *                         422 mismatch, 413 too large, 400 bad hash
 *   GET  /blobs/<sha256>  the bytes (immutable), or 404
 *   HEAD /blobs/<sha256>  the same headers, no body
 *
 * Writes go to DATA_DIR/blobs/tmp/ first and are fsynced, then renamed into place, so a blob
 * file is either complete and verified or absent.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { finished, pipeline } from 'node:stream/promises';
import { sendJson } from './http.js';
import type { Logger } from './log.js';

export const SHA256_HEX = /^[0-9a-f]{64}$/;
const IMMUTABLE = 'public, max-age=31536000, immutable';

export class BlobStore {
  readonly tmpDir: string;
  constructor(readonly dir: string) {
    this.tmpDir = path.join(dir, 'tmp');
  }

  async init(): Promise<void> {
    await fsp.mkdir(this.tmpDir, { recursive: true });
    // Leftovers of uploads cut short by a crash.
    for (const name of await fsp.readdir(this.tmpDir)) {
      await fsp.rm(path.join(this.tmpDir, name), { force: true });
    }
  }

  pathFor(hash: string): string {
    if (!SHA256_HEX.test(hash)) throw new Error(`not a SHA-256 hex digest: ${hash}`);
    return path.join(this.dir, hash.slice(0, 2), hash);
  }

  /** Size of a stored blob, or null. */
  async size(hash: string): Promise<number | null> {
    try {
      const stats = await fsp.stat(this.pathFor(hash));
      return stats.isFile() ? stats.size : null;
    } catch {
      return null;
    }
  }

  newTempPath(): string {
    return path.join(this.tmpDir, `${Date.now()}-${randomBytes(8).toString('hex')}.part`);
  }
}

class TooLarge extends Error {}

/**
 * Streams a request body into `filePath`, hashing as it goes. Throws TooLarge as soon as the body
 * passes `limit` (the request is paused and left unread, not destroyed, so a 413 can still go out).
 */
async function receiveBody(req: IncomingMessage, filePath: string, limit: number): Promise<{ size: number; sha256: string }> {
  const out = createWriteStream(filePath, { flags: 'wx' });
  const hasher = createHash('sha256');
  let size = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        req.off('data', onData).off('end', onEnd).off('error', settle).off('close', onClose);
        out.off('error', settle);
        if (error) reject(error);
        else resolve();
      };
      const onData = (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > limit) {
          req.pause();
          settle(new TooLarge());
          return;
        }
        hasher.update(chunk);
        if (!out.write(chunk)) {
          req.pause();
          out.once('drain', () => req.resume());
        }
      };
      const onEnd = () => settle();
      const onClose = () => {
        if (!req.complete) settle(new Error('upload aborted by the client'));
      };
      req.on('data', onData).on('end', onEnd).on('error', settle).on('close', onClose);
      out.on('error', settle);
    });
    out.end();
    await finished(out);
  } catch (error) {
    out.destroy();
    await finished(out).catch(() => {});
    throw error;
  }
  return { size, sha256: hasher.digest('hex') };
}

export interface BlobHandlerOptions {
  store: BlobStore;
  maxBlobBytes: number;
  logger: Logger;
}


/**
 * Answers 413 before the whole body was read. The connection is closed after the answer, so the
 * unread rest of the body is never received, stored or parsed.
 */
function answerEarly(req: IncomingMessage, res: ServerResponse, status: number, body: unknown) {
  const socket = req.socket;
  sendJson(res, status, body, { Connection: 'close' });
  res.on('finish', () => {
    // Let the client read the answer, then drop the connection if it is still sending.
    if (socket.destroyed) return;
    const timer = setTimeout(() => socket.destroy(), 2000);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
}

export function createBlobHandler({ store, maxBlobBytes, logger }: BlobHandlerOptions) {
  const tooLarge = { error: `Blob is larger than the relay's limit of ${maxBlobBytes} bytes (MAX_BLOB_BYTES).` };

  const put = async (req: IncomingMessage, res: ServerResponse, hash: string) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBlobBytes) {
      answerEarly(req, res, 413, tooLarge);
      return;
    }
    const existing = await store.size(hash);
    if (existing !== null) {
      // Answered at once; Node reads and discards the rest of the body and keeps the connection.
      sendJson(res, 200, { sha256: hash, size: existing, created: false });
      return;
    }

    const tmp = store.newTempPath();
    let received: { size: number; sha256: string };
    try {
      received = await receiveBody(req, tmp, maxBlobBytes);
    } catch (error) {
      await fsp.rm(tmp, { force: true });
      if (error instanceof TooLarge) {
        answerEarly(req, res, 413, tooLarge);
        return;
      }
      throw error;
    }
    try {
      if (received.sha256 !== hash) {
        await fsp.rm(tmp, { force: true });
        sendJson(res, 422, {
          error: `The body's SHA-256 is ${received.sha256}, not ${hash}.`,
          expected: hash,
          actual: received.sha256,
        });
        return;
      }
      const handle = await fsp.open(tmp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      const final = store.pathFor(hash);
      await fsp.mkdir(path.dirname(final), { recursive: true });
      await fsp.rename(tmp, final);
    } catch (error) {
      await fsp.rm(tmp, { force: true });
      throw error;
    }
    logger.info(`blob stored: ${hash} (${received.size} bytes)`);
    sendJson(res, 201, { sha256: hash, size: received.size, created: true });
  };

  const get = async (req: IncomingMessage, res: ServerResponse, hash: string) => {
    const size = await store.size(hash);
    if (size === null) {
      sendJson(res, 404, { error: `No blob ${hash} on this relay.` });
      return;
    }
    const etag = `"${hash}"`;
    const headers = {
      'Content-Type': 'application/octet-stream',
      'Cache-Control': IMMUTABLE,
      ETag: etag,
      'X-Content-Type-Options': 'nosniff',
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Length': size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    try {
      await pipeline(createReadStream(store.pathFor(hash)), res);
    } catch (error) {
      logger.debug(`blob ${hash}: download stopped: ${(error as Error).message}`);
    }
  };

  return async (req: IncomingMessage, res: ServerResponse, rest: string) => {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD' && method !== 'PUT') {
      sendJson(res, 405, { error: `${method} is not supported on /blobs.` }, { Allow: 'GET, HEAD, PUT, OPTIONS' });
      return;
    }
    if (!SHA256_HEX.test(rest)) {
      sendJson(res, 400, { error: 'A blob is addressed by its SHA-256 as 64 lowercase hex digits: /blobs/<sha256>.' });
      return;
    }
    if (method === 'PUT') await put(req, res, rest);
    else await get(req, res, rest);
  };
}
