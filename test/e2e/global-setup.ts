/**
 * Starts the real thing once for all browser tests: the built app served by the relay (`node sync-server/dist/main.js`,
 * exactly what `npm start` runs), on a free port with a fresh data directory.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { findChrome } from './browser';
import { assertBuilt, ROOT, startRelay } from './relay';

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
    dataDir: string;
    screenshotDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  findChrome(); // fail early, with instructions, when there is no browser
  assertBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'deepforge-e2e-data-'));
  const screenshotDir = resolve(ROOT, process.env.E2E_SCREENSHOTS ?? 'test-results/screenshots');
  rmSync(screenshotDir, { recursive: true, force: true });
  mkdirSync(screenshotDir, { recursive: true });
  const { server, baseURL } = await startRelay(dataDir);
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
