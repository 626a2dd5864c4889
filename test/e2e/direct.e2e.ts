import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { newDevice } from './browser';
import { shot, watchErrors } from './helpers';
import { startRelay, type RunningRelay } from './relay';

// Two devices linked directly (WebRTC) keep syncing after the relay dies. This test runs a relay of its own, to kill.
let relay: RunningRelay;
let dataDir: string;
let ada: BrowserContext;
let bob: BrowserContext;
let pa: Page;
let pb: Page;
const errors: string[][] = [];

async function device(name: string): Promise<[BrowserContext, Page]> {
  const ctx = await newDevice();
  await ctx.addInitScript((n) => {
    localStorage.setItem('deepforge.profile', JSON.stringify({ name: n, color: '#0ea5e9', chosen: true }));
  }, name);
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  errors.push(watchErrors(page));
  return [ctx, page];
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'deepforge-direct-'));
  relay = await startRelay(dataDir);
  [ada, pa] = await device('Ada Lovelace');
  [bob, pb] = await device('Bob Kahn');
});
afterAll(async () => {
  await ada?.close();
  await bob?.close();
  if (relay && relay.server.exitCode === null) relay.server.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const status = (p: Page) => p.getByRole('status', { name: 'Sync status' });
const projectName = (p: Page) => p.getByRole('textbox', { name: 'Project name' });

describe('direct links between browsers', () => {
  it('takes STUN/TURN servers in the sync settings, and refuses one written wrong', async () => {
    await pa.goto(relay.baseURL);
    // The home page, not the shell painted before the app loads (its header is replaced, open dialog and all).
    await pa.getByRole('button', { name: 'New project' }).first().waitFor();
    await pa.getByRole('button', { name: /^Sync settings/ }).click();
    const field = pa.getByRole('textbox', { name: 'STUN/TURN servers' });
    const save = pa.getByRole('button', { name: 'Save and reconnect' });
    await field.fill('turn:turn.school.example:3478');
    await expect.poll(() => pa.getByRole('alert').textContent()).toMatch(/needs a user name and password/);
    expect(await save.isDisabled()).toBe(true);
    await shot(pa, 'd00-ice-refused');
    // Nothing listens there: linking must still work on the same machine, through host candidates.
    await field.fill('stun:127.0.0.1:9');
    const reloaded = pa.waitForEvent('load');
    await save.click();
    await reloaded;
    await pa.getByRole('button', { name: 'New project' }).first().waitFor();
    await pa.getByRole('button', { name: /^Sync settings/ }).click();
    expect(await field.inputValue()).toBe('stun:127.0.0.1:9');
    await pa.keyboard.press('Escape');
  });

  it('keeps two people in sync after the relay goes away', async () => {
    await pa.goto(relay.baseURL);
    await pa.getByRole('button', { name: 'New project' }).first().click();
    await projectName(pa).waitFor();
    await expect.poll(() => status(pa).textContent(), { timeout: 10_000 }).toContain('Synced');
    await pb.goto(pa.url());
    await expect.poll(() => projectName(pb).inputValue(), { timeout: 15_000 }).toBe(await projectName(pa).inputValue());

    for (const p of [pa, pb]) await expect.poll(() => status(p).textContent(), { timeout: 20_000 }).toContain('direct link to 1 person');
    await shot(pa, 'd01-direct-link');

    relay.server.kill('SIGKILL');
    await new Promise((r) => relay.server.once('exit', r));
    await expect.poll(() => status(pa).textContent(), { timeout: 15_000 }).not.toContain('Synced');
    for (const p of [pa, pb]) expect(await status(p).textContent()).toContain('direct link to 1 person');

    const started = Date.now();
    await projectName(pa).fill('Renamed without a relay');
    await projectName(pa).press('Enter');
    await expect.poll(() => projectName(pb).inputValue(), { timeout: 10_000 }).toBe('Renamed without a relay');
    console.log(`[e2e] edit seen over the direct link after ${Date.now() - started} ms (relay down)`);
    await pb.getByRole('button', { name: 'New pipeline' }).click();
    await expect.poll(() => pa.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Pipeline', exact: true }).isVisible(), { timeout: 10_000 }).toBe(true);
    await shot(pb, 'd02-synced-without-relay');
    for (const e of errors) expect(e.filter((m) => !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource/.test(m))).toEqual([]);
  });
});
