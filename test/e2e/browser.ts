/**
 * Finding a Chromium for the browser tests. Never skips: where no browser is found, the error says what to install.
 * Running as root on Debian (as CI does), it installs Debian's chromium itself.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'];

export function findChrome(): string {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROME_PATH is set to ${fromEnv}, but there is no file there. Point it at a Chromium or Chrome binary.`);
    return fromEnv;
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found) return found;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    console.log('No Chromium found; installing Debian\'s chromium (apt-get install -y chromium)…');
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  }
  throw new Error(
    'The browser tests need Chromium or Chrome and none was found. Install one (Debian/Ubuntu: `sudo apt-get install -y chromium`; macOS: install Google Chrome) or set CHROME_PATH to its binary, then run `npm test` again.',
  );
}

export const CHROME_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
  // Direct links (WebRTC) between two test browsers on one machine: use plain host addresses, loopback included,
  // instead of mDNS names that a container cannot resolve.
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

/** A fresh browser profile: its own IndexedDB, service worker and caches, like a new device. */
export async function newDevice(viewport = { width: 1366, height: 860 }): Promise<BrowserContext> {
  const dir = mkdtempSync(join(tmpdir(), 'deepforge-profile-'));
  return chromium.launchPersistentContext(dir, { executablePath: findChrome(), headless: true, args: CHROME_ARGS, viewport, acceptDownloads: true });
}
