import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { newDevice } from './browser';
import { baseURL, setCode, shot, watchErrors } from './helpers';

// Cancel pressed where the run is not running: in a second tab of the same browser, and on another device through
// the relay (online, and offline until it reconnects). The tab running it stops the job (stuck in
// `while (true) {}`) and its log says who asked.
let ada: BrowserContext;
let bob: BrowserContext;
let pa: Page;
const errors: string[][] = [];

async function device(name: string, color: string): Promise<BrowserContext> {
  const ctx = await newDevice();
  await ctx.addInitScript(([n, c]) => {
    // Not in the sandbox's frame, which has no storage.
    if (window !== window.top) return;
    localStorage.setItem('deepforge.profile', JSON.stringify({ name: n, color: c, chosen: true }));
    // Only the relay links the devices, so that going offline cuts them apart.
    localStorage.setItem('deepforge.direct', 'off');
  }, [name, color]);
  return ctx;
}

async function openPage(ctx: BrowserContext): Promise<Page> {
  const page = await ctx.newPage();
  errors.push(watchErrors(page));
  return page;
}

beforeAll(async () => {
  ada = await device('Ada Lovelace', '#e11d48');
  bob = await device('Bob Kahn', '#16a34a');
  pa = await openPage(ada);
  await pa.goto(baseURL());
  await pa.getByRole('button', { name: 'Open example' }).click();
  await pa.getByRole('menuitem', { name: 'Iris MLP' }).click();
  await pa.getByRole('button', { name: 'Run', exact: true }).waitFor();
});
afterAll(async () => {
  await ada?.close();
  await bob?.close();
});

const status = (p: Page) => p.getByRole('status', { name: 'Execution status' });
const cancel = (p: Page) => p.getByRole('button', { name: 'Cancel', exact: true });
const log = (p: Page) => p.getByRole('log', { name: 'Job log' });
const canceledIn = (p: Page, timeout: number) =>
  p.waitForFunction(() => document.querySelector('[aria-label="Execution status"]')?.textContent?.includes('Canceled'), undefined, { timeout, polling: 20 });

/** Run the pipeline in Ada's first tab and wait for Train to be stuck; returns the execution's address. */
async function startStuckRun(): Promise<string> {
  await pa.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Train Iris MLP', exact: true }).click();
  await pa.getByRole('button', { name: 'Run', exact: true }).click();
  const train = pa.getByRole('table', { name: 'Jobs' }).getByRole('row').filter({ has: pa.getByRole('button', { name: 'Train', exact: true }) });
  await expect.poll(() => train.textContent(), { timeout: 30_000 }).toContain('Running');
  return pa.url();
}

/** Open the running execution in `page` (not the tab running it), where Cancel must be enabled. */
async function openRunning(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect.poll(() => status(page).textContent(), { timeout: 20_000 }).toContain('Running');
  expect(await cancel(page).isEnabled()).toBe(true);
}

/** Press Cancel; resolves once the button has said "Cancel requested…" and was disabled (it may not say so long). */
async function pressCancel(page: Page): Promise<void> {
  const requested = page.waitForFunction(
    () => [...document.querySelectorAll('button')].some((b) => b.disabled && b.textContent?.trim() === 'Cancel requested…'),
    undefined,
    { timeout: 5000, polling: 'raf' },
  );
  await cancel(page).click();
  await requested;
}

/** The asking page follows the run to its end: its Cancel gives way to Run again. */
async function followsToCanceled(page: Page): Promise<void> {
  await expect.poll(() => status(page).textContent(), { timeout: 10_000 }).toContain('Canceled');
  expect(await cancel(page).count()).toBe(0);
}

describe('canceling a run from where it is not running', () => {
  it('cancels from a second tab of the same browser', async () => {
    await setCode(pa, 'Train', '  while (true) {}');
    const tab = await openPage(ada);
    await openRunning(tab, await startStuckRun());
    const pressed = Date.now();
    await pressCancel(tab);
    await canceledIn(pa, 5000);
    console.log(`[e2e] Cancel from another tab stopped the run after ${Date.now() - pressed} ms`);
    expect(await log(pa).textContent()).toContain('Canceled by Ada Lovelace from another tab.');
    await followsToCanceled(tab);
    await tab.close();
  });

  it('cancels from another device, through the relay', async () => {
    const pb = await openPage(bob);
    await openRunning(pb, await startStuckRun());
    const pressed = Date.now();
    await pressCancel(pb);
    await canceledIn(pa, 5000);
    console.log(`[e2e] Cancel from another device stopped the run after ${Date.now() - pressed} ms`);
    expect(await log(pa).textContent()).toContain('Canceled by Bob Kahn from another device.');
    await followsToCanceled(pb);
    await expect.poll(() => log(pb).textContent(), { timeout: 10_000 }).toContain('Canceled by Bob Kahn from another device.');
    await shot(pa, 'k02-canceled-by-bob');
    await pb.close();
  });

  it('keeps a request made offline, and it cancels the run once the device is back online', async () => {
    const pb = await openPage(bob);
    await openRunning(pb, await startStuckRun());
    await bob.setOffline(true);
    await pressCancel(pb);
    // Nothing reaches the running tab: it keeps running, and the button keeps saying the request is waiting.
    await pa.waitForTimeout(1500);
    expect(await status(pa).textContent()).toContain('Running');
    expect(await cancel(pb).textContent()).toContain('Cancel requested…');
    expect(await cancel(pb).isDisabled()).toBe(true);
    await shot(pb, 'k01-cancel-requested');
    const online = Date.now();
    await bob.setOffline(false);
    await canceledIn(pa, 15_000);
    console.log(`[e2e] Cancel made offline stopped the run ${Date.now() - online} ms after the device was back online`);
    expect(await log(pa).textContent()).toContain('Canceled by Bob Kahn from another device.');
    await followsToCanceled(pb);
  });

  it('had no page errors', () => {
    expect(errors.flat()).toEqual([]);
  });
});
