import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { newDevice } from './browser';
import { baseURL, shot } from './helpers';

// Our app syncing through a relay nobody here wrote: the official @automerge/automerge-repo-sync-server.
const ROOT = resolve(import.meta.dirname, '../..');
let server: ChildProcess;
let dataDir: string;
let relay: string;
const devices: BrowserContext[] = [];

function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

async function device(): Promise<Page> {
  const ctx = await newDevice();
  devices.push(ctx);
  await ctx.addInitScript((url) => localStorage.setItem('deepforge.relay', url), relay);
  return ctx.pages()[0] ?? ctx.newPage();
}

beforeAll(async () => {
  const port = await freePort();
  dataDir = mkdtempSync(join(tmpdir(), 'official-sync-server-'));
  relay = `ws://127.0.0.1:${port}`;
  server = spawn(process.execPath, [join(ROOT, 'node_modules/@automerge/automerge-repo-sync-server/src/index.js')], {
    cwd: dataDir,
    env: { ...process.env, PORT: String(port), DATA_DIR: join(dataDir, 'docs') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((ok, fail) => {
    let log = '';
    const onData = (c: Buffer) => {
      log += c.toString();
      if (log.includes('Listening on port')) ok();
    };
    server.stdout!.on('data', onData);
    server.stderr!.on('data', onData);
    server.on('exit', (code) => fail(new Error(`the official sync server exited with ${code}: ${log}`)));
  });
});

afterAll(async () => {
  for (const d of devices) await d.close();
  server?.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('through the official automerge-repo sync server', () => {
  it('shares a project and carries edits both ways', async () => {
    const a = await device();
    const b = await device();
    await a.goto(baseURL());
    await a.getByRole('button', { name: 'Open example' }).click();
    await a.getByRole('menuitem', { name: 'Sine LSTM' }).click();
    await a.getByRole('navigation', { name: 'Project' }).waitFor();
    await expect.poll(() => a.getByRole('status', { name: 'Sync status' }).textContent(), { timeout: 15_000 }).toContain('Synced');
    // It is really that server: the relay setting says so (our own relay serves only the app's files here).
    await a.getByRole('button', { name: /^Sync settings/ }).click();
    expect(await a.getByRole('textbox', { name: 'Relay address' }).inputValue()).toBe(relay);
    await a.keyboard.press('Escape');

    await b.goto(a.url());
    await expect.poll(() => b.getByRole('textbox', { name: 'Pipeline name' }).inputValue(), { timeout: 15_000 }).toBe('Train sine LSTM');

    const field = b.getByRole('textbox', { name: 'Pipeline name' });
    await field.fill('Sine, via the official server');
    await field.press('Enter');
    await expect.poll(() => a.getByRole('textbox', { name: 'Pipeline name' }).inputValue(), { timeout: 10_000 }).toBe('Sine, via the official server');
    await shot(a, 'i01-official-sync-server');
  });
});
