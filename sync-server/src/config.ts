/**
 * Relay options, read from command-line flags and environment variables (flags win).
 *
 *   PORT               --port         TCP port; 0 picks any free port            (default 8787)
 *   HOST               --host         interface to bind                          (default 127.0.0.1)
 *   DATA_DIR           --data-dir     documents in DATA_DIR/docs, blobs in DATA_DIR/blobs
 *                                                                                (default ./.data)
 *   STATIC_DIR         --static-dir   the built PWA                              (default <repo>/dist)
 *   MAX_MESSAGE_BYTES                 largest WebSocket message                  (default 16 MiB)
 *   MAX_BLOB_BYTES                    largest blob upload                        (default 256 MiB)
 *   RATE_LIMIT                        messages per second per connection, 0 = off (default 200)
 *   RATE_BURST                        token-bucket size                          (default 2 × RATE_LIMIT)
 *   LOG_LEVEL                         silent | error | warn | info | debug       (default info)
 *
 * Sizes accept a plain byte count or a binary suffix: 512KiB, 16MiB, 1GiB (K/M/G mean the same).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLogLevel, LOG_LEVELS, type LogLevel } from './log.js';

export interface RateLimit {
  /** Tokens added per second; 0 disables the limit. */
  perSecond: number;
  /** Bucket size: how many messages may arrive at once. */
  burst: number;
}

export interface RelayConfig {
  port: number;
  host: string;
  dataDir: string;
  staticDir: string;
  maxMessageBytes: number;
  maxBlobBytes: number;
  rateLimit: RateLimit;
  logLevel: LogLevel;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const MiB = 1024 * 1024;

export const DEFAULTS = {
  port: 8787,
  host: '127.0.0.1',
  maxMessageBytes: 16 * MiB,
  maxBlobBytes: 256 * MiB,
  ratePerSecond: 200,
  logLevel: 'info' as LogLevel,
} as const;

/** The repository's `dist/` folder, found relative to this file (src/ or dist/ of sync-server alike). */
export function defaultStaticDir(): string {
  return fileURLToPath(new URL('../../dist/', import.meta.url));
}

export const USAGE = `Usage: node sync-server/dist/main.js [--port N] [--host H] [--data-dir DIR] [--static-dir DIR]

Environment: PORT, HOST, DATA_DIR, STATIC_DIR, MAX_MESSAGE_BYTES, MAX_BLOB_BYTES,
RATE_LIMIT (messages/s per connection, 0 = off), RATE_BURST, LOG_LEVEL (${LOG_LEVELS.join(' | ')}).
Flags override the environment.`;

const FLAGS = {
  '--port': 'PORT',
  '--host': 'HOST',
  '--data-dir': 'DATA_DIR',
  '--static-dir': 'STATIC_DIR',
} as const;
type Flag = keyof typeof FLAGS;
const isFlag = (s: string): s is Flag => Object.hasOwn(FLAGS, s);

/** Parses `--flag value` and `--flag=value` into the environment-variable names they override. */
export function parseFlags(argv: readonly string[]): Partial<Record<(typeof FLAGS)[Flag], string>> {
  const out: Partial<Record<(typeof FLAGS)[Flag], string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (!isFlag(name)) {
      throw new ConfigError(`Unknown option "${arg}".\n${USAGE}`);
    }
    let value: string | undefined;
    if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      value = argv[i + 1];
      i++;
      if (value === undefined || value.startsWith('--')) {
        throw new ConfigError(`Option ${name} needs a value.`);
      }
    }
    out[FLAGS[name]] = value;
  }
  return out;
}

function parseInteger(name: string, raw: string, min: number, max: number): number {
  const text = raw.trim();
  if (!/^\d+$/.test(text)) {
    throw new ConfigError(`${name} must be a whole number between ${min} and ${max}, got "${raw}".`);
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be between ${min} and ${max}, got "${raw}".`);
  }
  return value;
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: MiB,
  mb: MiB,
  mib: MiB,
  g: 1024 * MiB,
  gb: 1024 * MiB,
  gib: 1024 * MiB,
};

/** "16MiB" → 16777216. Binary units only, whatever the spelling (a relay limit, not a disk label). */
export function parseBytes(name: string, raw: string, min: number): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
  const unit = match ? UNITS[(match[2] ?? '').toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new ConfigError(`${name} must be a size such as 1048576, 512KiB or 16MiB, got "${raw}".`);
  }
  const value = Math.floor(Number(match[1]) * unit);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(`${name} must be at least ${min} bytes, got "${raw}".`);
  }
  return value;
}

export interface LoadConfigInput {
  argv?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
  cwd?: string;
}

/** Builds the relay configuration; throws ConfigError with a message meant for the user. */
export function loadConfig({ argv = [], env = {}, cwd = process.cwd() }: LoadConfigInput = {}): RelayConfig {
  const flags = parseFlags(argv);
  const get = (key: string): string | undefined => {
    const value = (flags as Record<string, string | undefined>)[key] ?? env[key];
    return value === undefined || value.trim() === '' ? undefined : value;
  };

  const portRaw = get('PORT');
  const port = portRaw === undefined ? DEFAULTS.port : parseInteger('PORT', portRaw, 0, 65535);

  const host = (get('HOST') ?? DEFAULTS.host).trim();
  if (!/^[A-Za-z0-9.:\-[\]%]+$/.test(host)) {
    throw new ConfigError(`HOST must be a host name or IP address such as 127.0.0.1 or 0.0.0.0, got "${host}".`);
  }

  const dataDirRaw = get('DATA_DIR');
  const dataDir = path.resolve(cwd, dataDirRaw ?? '.data');
  const staticDirRaw = get('STATIC_DIR');
  const staticDir = staticDirRaw === undefined ? defaultStaticDir() : path.resolve(cwd, staticDirRaw);

  const maxMessageRaw = get('MAX_MESSAGE_BYTES');
  const maxMessageBytes =
    maxMessageRaw === undefined ? DEFAULTS.maxMessageBytes : parseBytes('MAX_MESSAGE_BYTES', maxMessageRaw, 1024);
  const maxBlobRaw = get('MAX_BLOB_BYTES');
  const maxBlobBytes = maxBlobRaw === undefined ? DEFAULTS.maxBlobBytes : parseBytes('MAX_BLOB_BYTES', maxBlobRaw, 1);

  const rateRaw = get('RATE_LIMIT');
  const perSecond = rateRaw === undefined ? DEFAULTS.ratePerSecond : parseInteger('RATE_LIMIT', rateRaw, 0, 1_000_000);
  const burstRaw = get('RATE_BURST');
  const burst = burstRaw === undefined ? Math.max(1, perSecond * 2) : parseInteger('RATE_BURST', burstRaw, 1, 10_000_000);

  const levelRaw = (get('LOG_LEVEL') ?? DEFAULTS.logLevel).trim().toLowerCase();
  if (!isLogLevel(levelRaw)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${levelRaw}".`);
  }

  return {
    port,
    host,
    dataDir,
    staticDir,
    maxMessageBytes,
    maxBlobBytes,
    rateLimit: { perSecond, burst },
    logLevel: levelRaw,
  };
}
