import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultStaticDir, loadConfig, parseBytes } from '../src/config.js';
import { TokenBucket } from '../src/guard.js';
import { checkMessage } from '../src/messages.js';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({ argv: [], env: {}, cwd: '/srv/app' });
    expect(config).toEqual({
      port: 8787,
      host: '127.0.0.1',
      dataDir: path.resolve('/srv/app/.data'),
      staticDir: defaultStaticDir(),
      maxMessageBytes: 16 * 1024 * 1024,
      maxBlobBytes: 256 * 1024 * 1024,
      rateLimit: { perSecond: 200, burst: 400 },
      logLevel: 'info',
    });
    // sync-server/src/config.ts (tests) and sync-server/dist/config.js (built) both point at <repo>/dist.
    expect(defaultStaticDir()).toBe(path.resolve(import.meta.dirname, '../../dist') + path.sep);
  });

  it('reads the environment, and flags override it', () => {
    const env = {
      PORT: '9000',
      HOST: '0.0.0.0',
      DATA_DIR: 'state',
      STATIC_DIR: '/srv/www',
      MAX_MESSAGE_BYTES: '1MiB',
      MAX_BLOB_BYTES: '2048',
      RATE_LIMIT: '50',
      LOG_LEVEL: 'silent',
    };
    const config = loadConfig({ argv: ['--port', '0', '--data-dir=/var/df'], env, cwd: '/srv/app' });
    expect(config.port).toBe(0);
    expect(config.host).toBe('0.0.0.0');
    expect(config.dataDir).toBe('/var/df');
    expect(config.staticDir).toBe('/srv/www');
    expect(config.maxMessageBytes).toBe(1024 * 1024);
    expect(config.maxBlobBytes).toBe(2048);
    expect(config.rateLimit).toEqual({ perSecond: 50, burst: 100 });
    expect(config.logLevel).toBe('silent');
    expect(loadConfig({ argv: ['--host', 'localhost', '--static-dir', 'web'], cwd: '/x' })).toMatchObject({
      host: 'localhost',
      staticDir: path.resolve('/x/web'),
    });
  });

  it('explains bad values', () => {
    const bad: [Record<string, string>, string[], RegExp][] = [
      [{ PORT: 'eighty' }, [], /PORT must be a whole number/],
      [{ PORT: '70000' }, [], /PORT must be between 0 and 65535/],
      [{}, ['--port'], /--port needs a value/],
      [{}, ['--verbose'], /Unknown option "--verbose"/],
      [{ MAX_BLOB_BYTES: 'lots' }, [], /MAX_BLOB_BYTES must be a size/],
      [{ MAX_MESSAGE_BYTES: '10' }, [], /at least 1024 bytes/],
      [{ RATE_LIMIT: '-1' }, [], /RATE_LIMIT must be a whole number/],
      [{ LOG_LEVEL: 'loud' }, [], /LOG_LEVEL must be one of/],
      [{ HOST: 'a host' }, [], /HOST must be/],
    ];
    for (const [env, argv, message] of bad) {
      expect(() => loadConfig({ env, argv }), JSON.stringify({ env, argv })).toThrow(ConfigError);
      expect(() => loadConfig({ env, argv })).toThrow(message);
    }
  });

  it('parses sizes', () => {
    expect(parseBytes('X', '16MiB', 1)).toBe(16 * 1024 * 1024);
    expect(parseBytes('X', '512k', 1)).toBe(512 * 1024);
    expect(parseBytes('X', '1.5G', 1)).toBe(1.5 * 1024 ** 3);
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then the refill rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 20, () => now);
    for (let i = 0; i < 20; i++) expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now += 500; // 5 tokens
    for (let i = 0; i < 5; i++) expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now += 60_000; // refills to the burst, not beyond
    for (let i = 0; i < 20; i++) expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
  });

  it('is unlimited at rate 0', () => {
    const bucket = new TokenBucket(0, 1);
    for (let i = 0; i < 1000; i++) expect(bucket.take()).toBe(true);
  });
});

describe('checkMessage', () => {
  it('accepts what the stock client sends', () => {
    expect(
      checkMessage({
        type: 'join',
        senderId: 'peer-abc',
        peerMetadata: { storageId: '0b5f0c4e-7f3c-4d8e-9a1b-2c3d4e5f6a7b', isEphemeral: false },
        supportedProtocolVersions: ['1'],
      }),
    ).toEqual({ ok: true, message: { type: 'join', senderId: 'peer-abc' } });
  });

  it('names what is wrong', () => {
    const result = checkMessage({ type: 'sync', senderId: 'a', targetId: 'b', documentId: 'not-a-doc-id' });
    expect(result).toEqual({ ok: false, reason: 'missing or invalid documentId' });
    expect(checkMessage([1, 2])).toEqual({ ok: false, reason: 'not a CBOR map' });
    expect(checkMessage({ type: 'join', senderId: 'constructor' })).toMatchObject({ ok: false });
  });
});
