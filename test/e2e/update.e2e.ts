import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { newDevice } from './browser';
import { shot, watchErrors } from './helpers';

// A deployment of its own (a copy of dist/ that the test can change), so that a new version can be published
// while a page is open.
const ROOT = resolve(import.meta.dirname, '../..');
let staticDir: string;
let dataDir: string;
let server: ChildProcess;
let url: string;
let device: BrowserContext;

beforeAll(async () => {
  staticDir = mkdtempSync(join(tmpdir(), 'deepforge-deploy-'));
  dataDir = mkdtempSync(join(tmpdir(), 'deepforge-deploy-data-'));
  cpSync(join(ROOT, 'dist'), staticDir, { recursive: true });
  server = spawn(process.execPath, ['sync-server/dist/main.js'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, STATIC_DIR: staticDir, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  url = await new Promise<string>((ok, fail) => {
    let log = '';
    server.stdout!.on('data', (c: Buffer) => {
      log += c.toString();
      const m = /running at (http:\/\/\S+?)\/?\s/.exec(log);
      if (m) ok(m[1]!);
    });
    server.on('exit', (code) => fail(new Error(`relay exited with ${code}: ${log}`)));
  });
  device = await newDevice();
});

afterAll(async () => {
  await device?.close();
  server?.kill('SIGTERM');
  rmSync(staticDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a new version', () => {
  it('is offered as "Reload to update" and applied only when the user asks', async () => {
    const page = device.pages()[0] ?? (await device.newPage());
    const errors = watchErrors(page);
    await page.goto(url);
    await page.getByRole('button', { name: 'New project' }).first().waitFor();
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
    });
    const before = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL);

    // Publish a new version while the page is open, and let the browser check for it.
    appendFileSync(join(staticDir, 'sw.js'), '\n// a new release\n');
    await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      await reg?.update();
    });
    const banner = page.getByRole('button', { name: 'Reload to update' });
    await expect.poll(() => banner.isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await page.getByText('A new version of DeepForge is ready.').isVisible()).toBe(true);
    await shot(page, '14-update-ready');

    // Nothing changes under the user until they choose to reload.
    const waiting = await page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.waiting);
    expect(waiting).toBe(true);
    await Promise.all([page.waitForEvent('load'), banner.click()]);
    await page.getByRole('button', { name: 'New project' }).first().waitFor();
    const after = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      return { waiting: !!reg?.waiting, controller: navigator.serviceWorker.controller?.scriptURL };
    });
    expect(after.waiting).toBe(false);
    expect(after.controller).toBe(before);
    expect(await banner.count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
