import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { newDevice } from './browser';
import { baseURL, shot, watchErrors } from './helpers';

// Two people on two devices (separate browser profiles), working on one project through the relay.
let ada: BrowserContext;
let bob: BrowserContext;
let pa: Page;
let pb: Page;
const errors: string[][] = [];

async function device(name: string, color: string): Promise<[BrowserContext, Page]> {
  const ctx = await newDevice();
  await ctx.addInitScript(([n, c]) => {
    localStorage.setItem('deepforge.profile', JSON.stringify({ name: n, color: c, chosen: true }));
  }, [name, color]);
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  errors.push(watchErrors(page));
  return [ctx, page];
}

beforeAll(async () => {
  [ada, pa] = await device('Ada Lovelace', '#e11d48');
  [bob, pb] = await device('Bob Kahn', '#16a34a');
});
afterAll(async () => {
  await ada?.close();
  await bob?.close();
});

const nav = (p: Page) => p.getByRole('navigation', { name: 'Project' });
const people = (p: Page) => p.getByRole('list', { name: 'People in this project' });
const status = (p: Page) => p.getByRole('status', { name: 'Sync status' });

describe('two people, one project', () => {
  let link: string;

  it('opens a shared project from its link on another device', async () => {
    await pa.goto(baseURL());
    await pa.getByRole('button', { name: 'Open example' }).click();
    await pa.getByRole('menuitem', { name: 'Iris MLP' }).click();
    await nav(pa).waitFor();
    await expect.poll(() => status(pa).textContent(), { timeout: 10_000 }).toContain('Synced');
    await pa.getByRole('button', { name: 'Share' }).click();
    link = await pa.getByRole('textbox', { name: 'Share link' }).inputValue();
    await shot(pa, 'c01-share');
    await pa.keyboard.press('Escape');

    await pb.goto(link);
    await expect.poll(() => pb.getByRole('textbox', { name: 'Project name' }).inputValue(), { timeout: 15_000 }).toBe('Iris MLP');
    expect(await nav(pb).getByRole('link', { name: 'Train Iris MLP' }).isVisible()).toBe(true);
  });

  it('shows who is here, and what they have open', async () => {
    await expect.poll(() => people(pa).textContent(), { timeout: 10_000 }).toContain('Bob Kahn');
    await expect.poll(() => people(pb).textContent(), { timeout: 10_000 }).toContain('Ada Lovelace');
    await nav(pb).getByRole('link', { name: 'Train Iris MLP' }).click();
    await expect.poll(() => people(pa).textContent(), { timeout: 10_000 }).toContain('in pipeline Train Iris MLP');

    // On the pipeline graph: the node Bob selects is ringed in his colour, with his name, on Ada's screen.
    await nav(pa).getByRole('link', { name: 'Train Iris MLP' }).click();
    await pb.getByRole('group', { name: 'Train', exact: true }).click();
    await expect.poll(() => pa.getByLabel('Selected by Bob Kahn').isVisible(), { timeout: 10_000 }).toBe(true);
    await shot(pa, 'c02-presence-on-graph');

    // In the code editor: Bob's caret, with his name, in Ada's editor.
    await nav(pa).getByRole('link', { name: 'Train', exact: true }).click();
    await nav(pb).getByRole('link', { name: 'Train', exact: true }).click();
    const code = pb.getByRole('textbox', { name: 'Code of Train' });
    await code.click();
    await pb.keyboard.press('Control+End');
    await expect.poll(() => pa.locator('.cm-remote-name').textContent(), { timeout: 10_000 }).toBe('Bob Kahn');
    await shot(pa, 'c02-presence-in-code');
  });

  it('carries an edit to the other device, and says how fast', async () => {
    await nav(pa).getByRole('link', { name: 'Train Iris MLP' }).click();
    const field = pa.getByRole('textbox', { name: 'Pipeline name' });
    await field.fill('Iris, shared');
    const started = Date.now();
    await field.press('Enter');
    await pb.waitForFunction(() => [...document.querySelectorAll('nav a')].some((a) => a.textContent?.trim() === 'Iris, shared'), undefined, { timeout: 5000, polling: 10 });
    const latency = Date.now() - started;
    console.log(`[e2e] edit on one device visible on the other through the relay after ${latency} ms`);
    expect(latency).toBeLessThan(2000);
  });

  it('merges edits made while both were offline', async () => {
    await ada.setOffline(true);
    await bob.setOffline(true);
    await expect.poll(() => status(pa).textContent(), { timeout: 15_000 }).toContain('Offline');
    const name = pa.getByRole('textbox', { name: 'Project name' });
    await name.fill('Iris, merged');
    await name.press('Enter');
    await pb.getByRole('button', { name: 'New architecture' }).click();
    await expect.poll(() => nav(pb).getByRole('link', { name: 'Architecture', exact: true }).isVisible()).toBe(true);
    await expect.poll(() => status(pa).textContent(), { timeout: 10_000 }).toMatch(/not sent/);
    await shot(pa, 'c03-offline-edit');

    await ada.setOffline(false);
    await bob.setOffline(false);
    for (const p of [pa, pb]) {
      await expect.poll(() => p.getByRole('textbox', { name: 'Project name' }).inputValue(), { timeout: 20_000 }).toBe('Iris, merged');
      await expect.poll(() => nav(p).getByRole('link', { name: 'Architecture', exact: true }).isVisible(), { timeout: 20_000 }).toBe(true);
      await expect.poll(() => status(p).textContent(), { timeout: 20_000 }).toContain('Synced');
    }
    // The same document on both devices: the same history, entry for entry.
    const historyOf = async (p: Page) => {
      await p.getByRole('link', { name: 'History', exact: true }).click();
      await p.getByRole('list', { name: 'History' }).waitFor();
      return (await p.getByRole('list', { name: 'History' }).getByRole('listitem').allTextContents()).map((t) => t.replace(/\s+/g, ' ').replace(/ · .*$/, ''));
    };
    expect(await historyOf(pa)).toEqual(await historyOf(pb));
    await shot(pb, 'c04-merged-history');
  });

  it('forgets a person who leaves', async () => {
    await expect.poll(() => people(pa).textContent(), { timeout: 10_000 }).toContain('Bob Kahn');
    await pb.close();
    await expect.poll(async () => (await people(pa).count()) === 0 || !(await people(pa).textContent())?.includes('Bob Kahn'), { timeout: 15_000 }).toBe(true);
    for (const e of errors) expect(e, e.join('\n')).toEqual([]);
  });
});
