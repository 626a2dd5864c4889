/**
 * Starts the real thing once for all browser tests: the built app served by the relay (`node sync-server/dist/main.js`,
 * exactly what `npm start` runs), on a free port with a fresh data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { findChrome } from './browser';

const ROOT = resolve(import.meta.dirname, '../..');

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
    dataDir: string;
    screenshotDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  findChrome(); // fail early, with instructions, when there is no browser
  // E2E_DIST: test a build made elsewhere (`vite build --outDir …`), so that several builds can be tested side by side.
  const dist = resolve(ROOT, process.env.E2E_DIST ?? 'dist');
  if (!existsSync(join(dist, 'index.html')) || !existsSync(join(ROOT, 'sync-server/dist/main.js'))) {
    throw new Error('The app is not built. Run `npm run build` first (`npm test` does this for you).');
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'deepforge-e2e-data-'));
  const screenshotDir = resolve(ROOT, process.env.E2E_SCREENSHOTS ?? 'test-results/screenshots');
  rmSync(screenshotDir, { recursive: true, force: true });
  mkdirSync(screenshotDir, { recursive: true });
  const server: ChildProcess = spawn(process.execPath, ['sync-server/dist/main.js'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, STATIC_DIR: dist },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const baseURL = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`The relay did not start within 15 s:\n${log}`)), 15_000);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const m = /running at (http:\/\/\S+?)\/?\s/.exec(log);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    };
    server.stdout!.on('data', onData);
    server.stderr!.on('data', onData);
    server.on('exit', (code) => fail(new Error(`The relay exited with code ${code}:\n${log}`)));
  });
  console.log(`[e2e] app and relay at ${baseURL}; screenshots go to ${screenshotDir}`);
  project.provide('baseURL', baseURL);
  project.provide('dataDir', dataDir);
  project.provide('screenshotDir', screenshotDir);
  return async () => {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
    console.log(`[e2e] screenshots saved in ${screenshotDir}`);
  };
}
