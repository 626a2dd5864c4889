import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Scope, httpUrl } from './helpers.js';
import { RELAY_VERSION, startRelay } from '../src/server.js';

let scope: Scope;
afterEach(async () => {
  await scope.cleanup();
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A raw request whose path is sent exactly as written (fetch would normalise "..").  */
function rawGet(port: number, rawPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`GET ${rawPath} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    });
    let data = '';
    socket.on('data', chunk => (data += chunk.toString('latin1')));
    socket.on('end', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1]);
      resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
    socket.on('error', reject);
  });
}

/** PUT with a chunked body (no Content-Length), to exercise the streaming size limit. */
function chunkedPut(port: number, urlPath: string, body: Buffer): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ port, host: '127.0.0.1', method: 'PUT', path: urlPath }, res => {
      let text = '';
      res.on('data', c => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    for (let i = 0; i < body.length; i += 1024) req.write(body.subarray(i, i + 1024));
    req.end();
  });
}

describe('GET /health', () => {
  it('answers with status, version, uptime and peer count, CORS-enabled', async () => {
    scope = new Scope();
    const relay = await scope.relay();
    const res = await fetch(httpUrl(relay, '/health'));
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      ok: true,
      version: RELAY_VERSION,
      peers: 0,
      documentsHeld: 0,
      limits: { maxMessageBytes: 16 * 1024 * 1024, maxBlobBytes: 256 * 1024 * 1024 },
    });
    expect(typeof body['uptimeSeconds']).toBe('number');
    expect(relay.url).toBe(`http://127.0.0.1:${relay.port}/`);
  });
});

describe('startup', () => {
  it('rejects with EADDRINUSE when the port is taken, leaving nothing running', async () => {
    scope = new Scope();
    const relay = await scope.relay();
    const dataDir = await scope.tempDir();
    await expect(startRelay({ port: relay.port, dataDir, logLevel: 'silent' })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });
});

describe('static files', () => {
  it('serves the app with content types and cache policy', async () => {
    scope = new Scope();
    const relay = await scope.relay({ staticDir: await scope.staticDir() });

    const index = await fetch(httpUrl(relay, '/'));
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(await index.text()).toContain('<title>DeepForge</title>');

    const asset = await fetch(httpUrl(relay, '/assets/app-abc123.js'));
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toBe('console.log("app")');

    const sw = await fetch(httpUrl(relay, '/sw.js'));
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    const manifest = await fetch(httpUrl(relay, '/manifest.webmanifest'));
    expect(manifest.headers.get('content-type')).toBe('application/manifest+json; charset=utf-8');
    expect(manifest.headers.get('cache-control')).toBe('no-cache');
    const wasm = await fetch(httpUrl(relay, '/core.wasm'));
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(new Uint8Array(await wasm.arrayBuffer())).toEqual(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));

    const head = await fetch(httpUrl(relay, '/assets/app-abc123.js'), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String('console.log("app")'.length));
    expect(await head.text()).toBe('');

    const etag = asset.headers.get('etag') as string;
    const revalidated = await fetch(httpUrl(relay, '/assets/app-abc123.js'), { headers: { 'If-None-Match': etag } });
    expect(revalidated.status).toBe(304);
  });

  it('gzips text and wasm for clients that accept it, byte-exact once unpacked', async () => {
    scope = new Scope();
    const dir = await scope.staticDir();
    const big = 'export const digits = ' + JSON.stringify(Array.from({ length: 4000 }, (_, i) => i % 10)) + ';\n';
    await writeFile(path.join(dir, 'assets', 'big-1a2b.js'), big);
    const relay = await scope.relay({ staticDir: dir });
    const packed = await new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      http.get(httpUrl(relay, '/assets/big-1a2b.js'), { headers: { 'Accept-Encoding': 'gzip, deflate, br' } }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(parts) }));
      }).on('error', reject);
    });
    expect(packed.headers['content-encoding']).toBe('gzip');
    expect(packed.headers.vary).toBe('Accept-Encoding');
    expect(packed.body.byteLength).toBeLessThan(big.length / 4);
    expect(gunzipSync(packed.body).toString()).toBe(big);
    const plain = await new Promise<http.IncomingHttpHeaders>((resolve, reject) => {
      http.get(httpUrl(relay, '/assets/big-1a2b.js'), (res) => {
        res.resume();
        resolve(res.headers);
      }).on('error', reject);
    });
    expect(plain['content-encoding']).toBeUndefined();
    expect(plain['content-length']).toBe(String(big.length));
  });

  it('falls back to index.html for client-side routes only', async () => {
    scope = new Scope();
    const relay = await scope.relay({ staticDir: await scope.staticDir() });
    const route = await fetch(httpUrl(relay, '/p/abc/pipelines/xyz'));
    expect(route.status).toBe(200);
    expect(route.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await route.text()).toContain('<title>DeepForge</title>');

    const missingFile = await fetch(httpUrl(relay, '/assets/missing-123.js'));
    expect(missingFile.status).toBe(404);
    const post = await fetch(httpUrl(relay, '/'), { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
  });

  it('refuses path traversal', async () => {
    scope = new Scope();
    // <parent>/www is served; <parent>/secret.txt and <parent>/www-other/ must never be reachable.
    const parent = await scope.tempDir();
    const staticDir = await scope.staticDir(path.join(parent, 'www'));
    const secretName = 'secret.txt';
    await writeFile(path.join(parent, secretName), 'secret');
    await mkdir(path.join(parent, 'www-other'));
    await writeFile(path.join(parent, 'www-other', secretName), 'secret');
    await symlink(path.join(parent, secretName), path.join(staticDir, 'link.txt'));
    const relay = await scope.relay({ staticDir });

    for (const attempt of [
      `/../${secretName}`,
      `/assets/../../${secretName}`,
      `/%2e%2e/${secretName}`,
      `/assets/..%2f..%2f${secretName}`,
      `/..%5c${secretName}`,
      '/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/index.html%00.js',
      `/../www-other/${secretName}`,
      '/link.txt',
    ]) {
      const res = await rawGet(relay.port, attempt);
      expect(res.status, attempt).toBeGreaterThanOrEqual(400);
      expect(res.body, attempt).not.toContain('secret');
      expect(res.body, attempt).not.toContain('root:');
    }
    const malformed = await rawGet(relay.port, '/%E0%A4%A');
    expect(malformed.status).toBe(400);
  });

  it('answers 503 with a hint when the app is not built', async () => {
    scope = new Scope();
    const relay = await scope.relay({ staticDir: await scope.tempDir('relay-empty-') });
    const res = await fetch(httpUrl(relay, '/'));
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('The app is not built yet: run `npm run build`');
    expect((await fetch(httpUrl(relay, '/health'))).status).toBe(200);
  });

  it('upgrades only /sync to a WebSocket', async () => {
    scope = new Scope();
    const relay = await scope.relay();
    const ws = new WebSocket(`ws://127.0.0.1:${relay.port}/elsewhere`);
    const error = await new Promise<Error>(resolve => ws.once('error', resolve));
    expect(error.message).toContain('404');
    const plain = await fetch(httpUrl(relay, '/sync'));
    expect(plain.status).toBe(426);
  });
});

describe('blobs', () => {
  it('stores, serves and describes a blob by its SHA-256', async () => {
    scope = new Scope();
    const relay = await scope.relay();
    const bytes = randomBytes(100_000);
    const hash = sha256(bytes);

    const missing = await fetch(httpUrl(relay, `/blobs/${hash}`));
    expect(missing.status).toBe(404);

    const put = await fetch(httpUrl(relay, `/blobs/${hash}`), { method: 'PUT', body: bytes });
    expect(put.status).toBe(201);
    expect(await put.json()).toEqual({ sha256: hash, size: bytes.length, created: true });
    expect(put.headers.get('access-control-allow-origin')).toBe('*');
    expect(existsSync(path.join(relay.dataDir, 'blobs', hash.slice(0, 2), hash))).toBe(true);
    expect(await readdir(path.join(relay.dataDir, 'blobs', 'tmp'))).toEqual([]);

    const again = await fetch(httpUrl(relay, `/blobs/${hash}`), { method: 'PUT', body: bytes });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ sha256: hash, size: bytes.length, created: false });

    const get = await fetch(httpUrl(relay, `/blobs/${hash}`));
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe('application/octet-stream');
    expect(get.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await get.arrayBuffer()).equals(bytes)).toBe(true);

    const head = await fetch(httpUrl(relay, `/blobs/${hash}`), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(bytes.length));
    expect((await fetch(httpUrl(relay, `/blobs/${'0'.repeat(64)}`), { method: 'HEAD' })).status).toBe(404);
  });

  it('refuses a body whose hash does not match (422) and leaves nothing behind', async () => {
    scope = new Scope();
    const relay = await scope.relay();
    const claimed = sha256(Buffer.from('what I said'));
    const res = await fetch(httpUrl(relay, `/blobs/${claimed}`), { method: 'PUT', body: 'something else' });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: string }).error).toContain('SHA-256');
    expect((await fetch(httpUrl(relay, `/blobs/${claimed}`))).status).toBe(404);
    expect(await readdir(path.join(relay.dataDir, 'blobs', 'tmp'))).toEqual([]);
  });

  it('refuses bodies over MAX_BLOB_BYTES (413), declared or streamed', async () => {
    scope = new Scope();
    const relay = await scope.relay({ maxBlobBytes: 4096 });
    const big = randomBytes(10_000);
    const declared = await fetch(httpUrl(relay, `/blobs/${sha256(big)}`), { method: 'PUT', body: big });
    expect(declared.status).toBe(413);

    const streamed = await chunkedPut(relay.port, `/blobs/${sha256(big)}`, big);
    expect(streamed.status).toBe(413);
    expect((await fetch(httpUrl(relay, `/blobs/${sha256(big)}`))).status).toBe(404);
    expect(await readdir(path.join(relay.dataDir, 'blobs', 'tmp'))).toEqual([]);

    const small = randomBytes(4096);
    expect((await fetch(httpUrl(relay, `/blobs/${sha256(small)}`), { method: 'PUT', body: small })).status).toBe(201);
  });

  it('refuses malformed hashes (400) and answers CORS preflights', async () => {
    scope = new Scope();
    const relay = await scope.relay();
    for (const bad of ['abc', 'A'.repeat(64), 'g'.repeat(64), `${'a'.repeat(64)}/x`, '']) {
      const res = await fetch(httpUrl(relay, `/blobs/${bad}`), { method: 'PUT', body: 'x' });
      expect(res.status, bad).toBe(400);
    }
    const preflight = await fetch(httpUrl(relay, `/blobs/${'a'.repeat(64)}`), {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://example.org',
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type');
    const del = await fetch(httpUrl(relay, `/blobs/${'a'.repeat(64)}`), { method: 'DELETE' });
    expect(del.status).toBe(405);
  });
});
