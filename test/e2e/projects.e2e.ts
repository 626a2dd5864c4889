import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import { generateAutomergeUrl, parseAutomergeUrl } from '@automerge/automerge-repo';
import type { BrowserContext, Page } from 'playwright-core';
import { baseURL, createProject, openDevice, shot } from './helpers';

let device: BrowserContext;
let page: Page;
let errors: string[];

beforeAll(async () => {
  ({ device, page, errors } = await openDevice());
});
afterAll(async () => {
  await device?.close();
});

const projectList = (p: Page) => p.getByRole('list', { name: 'Projects' });

describe('projects on one device', () => {
  it('creates a project, renames it, and still has it after a reload', async () => {
    await page.goto(baseURL());
    await expect.poll(() => page.getByRole('heading', { name: 'No projects yet' }).isVisible()).toBe(true);
    await shot(page, '01-home-empty');
    await createProject(page, 'Leaf classifier');
    await expect.poll(() => page.getByRole('navigation', { name: 'Project' }).isVisible()).toBe(true);
    await shot(page, '02-new-project');

    await page.reload();
    await expect.poll(() => page.getByRole('textbox', { name: 'Project name' }).inputValue()).toBe('Leaf classifier');
    await page.goto(baseURL());
    await expect.poll(() => projectList(page).getByRole('link', { name: 'Leaf classifier' }).isVisible()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('opens an example on its main pipeline, with items in the sidebar', async () => {
    await page.goto(baseURL());
    await page.getByRole('button', { name: 'Open example' }).click();
    await page.getByRole('menuitem', { name: 'MNIST CNN' }).click();
    const nav = page.getByRole('navigation', { name: 'Project' });
    await expect.poll(() => page.getByRole('textbox', { name: 'Pipeline name' }).inputValue()).toBe('Train MNIST CNN');
    expect(await nav.getByRole('link', { name: 'Small CNN' }).isVisible()).toBe(true);
    expect(await page.getByText('Ready to run: no problems found.').isVisible()).toBe(true);
    await shot(page, '03-example-pipeline');
    await nav.getByRole('link', { name: 'Train', exact: true }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Operation name' }).inputValue()).toBe('Train');
    await shot(page, '04-operation');
    // The route is in the URL: opening it afresh lands on the same item.
    const url = page.url();
    await page.goto(url);
    await expect.poll(() => page.getByRole('textbox', { name: 'Operation name' }).inputValue()).toBe('Train');
    // An operation that a pipeline runs cannot be deleted, and the inspector says where it is used.
    expect(await page.getByRole('button', { name: 'Delete operation' }).isDisabled()).toBe(true);
    expect(await page.getByText('In use: pipeline Train MNIST CNN runs it').isVisible()).toBe(true);
  });

  it('creates items from the sidebar and deletes one', async () => {
    await createProject(page, 'Sidebar test');
    await page.getByRole('button', { name: 'New pipeline' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Pipeline name' }).inputValue()).toBe('Pipeline');
    await page.getByRole('button', { name: 'New architecture' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Architecture name' }).inputValue()).toBe('Architecture');
    await page.getByRole('button', { name: 'New operation' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Operation name' }).inputValue()).toBe('Operation');
    const nav = page.getByRole('navigation', { name: 'Project' });
    for (const name of ['Pipeline', 'Architecture', 'Operation']) expect(await nav.getByRole('link', { name, exact: true }).isVisible()).toBe(true);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Delete operation' }).click();
    await expect.poll(() => nav.getByRole('link', { name: 'Operation', exact: true }).count()).toBe(0);
    await expect.poll(() => page.getByRole('heading', { name: 'Overview' }).isVisible()).toBe(true);
  });

  it('keeps the profile on this device', async () => {
    await page.goto(baseURL());
    await page.getByRole('button', { name: /^Your profile/ }).click();
    await page.getByRole('textbox', { name: 'Display name' }).fill('Grace Hopper');
    await page.getByRole('radio', { name: 'Colour #16a34a' }).check();
    await shot(page, '11-profile');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.reload();
    await expect.poll(() => page.getByRole('button', { name: 'Your profile: Grace Hopper' }).textContent()).toContain('GH');
  });

  it('shows a second tab the rename within a second', async () => {
    const id = await createProject(page, 'Two tabs');
    const second = await device.newPage();
    await second.goto(`${baseURL()}/p/${id}`);
    await expect.poll(() => second.getByRole('textbox', { name: 'Project name' }).inputValue()).toBe('Two tabs');
    const home = await device.newPage();
    await home.goto(baseURL());
    await expect.poll(() => projectList(home).getByRole('link', { name: 'Two tabs' }).isVisible()).toBe(true);

    const title = page.getByRole('textbox', { name: 'Project name' });
    await title.fill('Two tabs, renamed');
    const started = Date.now();
    await title.press('Enter');
    await second.waitForFunction(
      () => (document.querySelector('input[aria-label="Project name"]') as HTMLInputElement | null)?.value === 'Two tabs, renamed',
      undefined,
      { timeout: 1000, polling: 16 },
    );
    const latency = Date.now() - started;
    await home.waitForFunction(() => [...document.querySelectorAll('a')].some((a) => a.textContent === 'Two tabs, renamed'), undefined, { timeout: 1000, polling: 16 });
    console.log(`[e2e] rename seen by the second tab after ${latency} ms`);
    expect(latency).toBeLessThan(1000);
    await shot(home, '05-home-after-rename-in-other-tab');
    await second.close();
    await home.close();
  });

  it('opens the app and a project offline after the first visit', async () => {
    const id = await createProject(page, 'Offline field trip');
    await expect.poll(() => page.getByRole('status', { name: 'Sync status' }).textContent(), { timeout: 10_000 }).toContain('Synced');
    await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
      return reg.active?.state;
    });
    await device.setOffline(true);
    try {
      await page.goto(baseURL());
      await expect.poll(() => projectList(page).getByRole('link', { name: 'Offline field trip' }).isVisible()).toBe(true);
      await page.goto(`${baseURL()}/p/${id}`);
      await expect.poll(() => page.getByRole('textbox', { name: 'Project name' }).inputValue()).toBe('Offline field trip');
      await expect.poll(() => page.getByRole('status', { name: 'Sync status' }).textContent(), { timeout: 10_000 }).toContain('Offline');
      // An edit made offline is counted as not yet sent, even though this session never reached the relay.
      const title = page.getByRole('textbox', { name: 'Project name' });
      await title.fill('Offline field trip, edited offline');
      await title.press('Enter');
      await expect.poll(() => page.getByRole('status', { name: 'Sync status' }).textContent(), { timeout: 10_000 }).toContain('1 change not sent');
      await shot(page, '06-offline-project');
    } finally {
      await device.setOffline(false);
    }
  });

  it('deletes a project with undo, leaving the others untouched', async () => {
    await page.goto(baseURL());
    const list = projectList(page);
    await list.getByRole('link', { name: 'Leaf classifier' }).waitFor();
    const before = await list.getByRole('listitem').count();
    await page.getByRole('button', { name: 'Delete Sidebar test' }).click();
    await expect.poll(() => list.getByRole('link', { name: 'Sidebar test' }).count()).toBe(0);
    expect(await list.getByRole('listitem').count()).toBe(before - 1);
    await shot(page, '07-deleted-with-undo');
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => list.getByRole('link', { name: 'Sidebar test' }).count()).toBe(1);

    await page.getByRole('button', { name: 'Delete Sidebar test' }).click();
    await expect.poll(() => list.getByRole('link', { name: 'Sidebar test' }).count()).toBe(0);
    // A person reloads some time after clicking; a reload in the same millisecond can beat the write to IndexedDB.
    await page.waitForTimeout(250);
    await page.reload();
    await list.getByRole('link', { name: 'Leaf classifier' }).waitFor();
    expect(await list.getByRole('link', { name: 'Sidebar test' }).count()).toBe(0);
    expect(await list.getByRole('listitem').count()).toBe(before - 1);
    await page.getByRole('link', { name: 'Leaf classifier' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Project name' }).inputValue()).toBe('Leaf classifier');
  });

  it('fits a tablet, in the dark theme too', async () => {
    const tablet = await device.newPage();
    await tablet.setViewportSize({ width: 820, height: 1180 });
    await tablet.emulateMedia({ colorScheme: 'dark' });
    await tablet.goto(baseURL());
    await projectList(tablet).getByRole('link', { name: 'MNIST CNN' }).click();
    await expect.poll(() => tablet.getByRole('textbox', { name: 'Project name' }).inputValue()).toBe('MNIST CNN');
    expect(await tablet.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    // Nothing spills sideways at this width.
    expect(await tablet.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
    await shot(tablet, '12-tablet-dark');
    await tablet.setViewportSize({ width: 390, height: 844 });
    await tablet.getByRole('button', { name: 'Show the project sidebar' }).click();
    await expect.poll(() => tablet.getByRole('navigation', { name: 'Project' }).isVisible()).toBe(true);
    expect(await tablet.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
    await shot(tablet, '13-phone-sidebar');
    await tablet.close();
  });

  it('duplicates a project under a new name', async () => {
    await page.goto(baseURL());
    await page.getByRole('button', { name: 'Duplicate Leaf classifier' }).click();
    await expect.poll(() => projectList(page).getByRole('link', { name: 'Leaf classifier (copy)' }).isVisible()).toBe(true);
    await shot(page, '08-home-list');
  });
});

describe('bad input', () => {
  /** Write chunks straight into the app's IndexedDB, from a page of the same origin that does not run the app. */
  async function plant(documentId: string, bytes: Uint8Array): Promise<void> {
    const p = await device.newPage();
    await p.goto(`${baseURL()}/health`);
    await p.evaluate(
      ({ id, data }) =>
        new Promise<void>((ok, fail) => {
          const open = indexedDB.open('deepforge', 1);
          open.onupgradeneeded = () => open.result.createObjectStore('documents');
          open.onsuccess = () => {
            const tx = open.result.transaction('documents', 'readwrite');
            const key = [id, 'snapshot', 'planted'];
            tx.objectStore('documents').put({ key, binary: new Uint8Array(data) }, key);
            tx.oncomplete = () => ok();
            tx.onerror = () => fail(tx.error);
          };
          open.onerror = () => fail(open.error);
        }),
      { id: documentId, data: [...bytes] },
    );
    await p.close();
  }

  async function stored(documentId: string): Promise<number[] | undefined> {
    return page.evaluate(
      (id) =>
        new Promise<number[] | undefined>((ok) => {
          const open = indexedDB.open('deepforge', 1);
          open.onsuccess = () => {
            const req = open.result.transaction('documents').objectStore('documents').get([id, 'snapshot', 'planted']);
            req.onsuccess = () => ok(req.result ? [...(req.result.binary as Uint8Array)] : undefined);
          };
        }),
      documentId,
    );
  }

  it('shows a damaged project as an error page that exports its raw bytes and keeps them', async () => {
    const { documentId } = parseAutomergeUrl(generateAutomergeUrl());
    const garbage = new Uint8Array([0x85, 0x6f, 0x4a, 0x83, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3]);
    await plant(documentId, garbage);
    await page.goto(`${baseURL()}/p/${documentId}`);
    await expect.poll(() => page.getByRole('heading', { name: 'This project could not be opened' }).isVisible()).toBe(true);
    await shot(page, '09-damaged-project');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export raw bytes' }).click();
    const file = await download;
    const saved = await file.createReadStream().then(async (s) => {
      const parts: Buffer[] = [];
      for await (const c of s) parts.push(c as Buffer);
      return Buffer.concat(parts);
    });
    expect([...saved]).toEqual([...garbage]);
    expect(await stored(documentId)).toEqual([...garbage]);
  });

  it('refuses a project from a newer DeepForge without touching it', async () => {
    const { documentId } = parseAutomergeUrl(generateAutomergeUrl());
    const future = A.save(A.from({ kind: 'deepforge/project', schemaVersion: 999, name: 'From the future' }));
    await plant(documentId, future);
    await page.goto(`${baseURL()}/p/${documentId}`);
    await expect.poll(() => page.getByRole('heading', { name: 'This project needs a newer DeepForge' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Export raw bytes' }).isVisible()).toBe(true);
    await page.waitForTimeout(300);
    expect(await stored(documentId)).toEqual([...future]);
    await shot(page, '10-too-new-project');
  });

  it('answers an unknown address with a way home', async () => {
    await page.goto(`${baseURL()}/nowhere/at/all`);
    await expect.poll(() => page.getByRole('heading', { name: 'Nothing lives at this address' }).isVisible()).toBe(true);
  });
});
