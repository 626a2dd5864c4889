import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { baseURL, openDevice, shot } from './helpers';

let device: BrowserContext;
let page: Page;
let errors: string[];

beforeAll(async () => {
  ({ device, page, errors } = await openDevice());
});
afterAll(async () => {
  await device?.close();
});

/** A node of the canvas, by its title (the UI contract: a `group` named by the node's title). */
const node = (title: string) => page.getByRole('group', { name: title, exact: true });
/** A connection of the canvas, named `From.port to To.port`. */
const connection = (name: string) => page.getByRole('group', { name, exact: true });
/** Wait for a connection to be drawn (a straight one has no height, so it never counts as "visible"). */
const drawn = (name: string, count = 1) => expect.poll(() => connection(name).count()).toBe(count);
const canvas = () => page.getByRole('region', { name: 'Pipeline canvas' });
const palette = () => page.getByRole('complementary', { name: 'Operations' });

/** The handle of a port: inputs are Svelte Flow targets, outputs are sources. */
function handle(title: string, port: string, side: 'in' | 'out'): Locator {
  return node(title).locator(`.svelte-flow__handle.${side === 'in' ? 'target' : 'source'}[data-handleid="${port}"]`);
}

/** Drag with the mouse from one handle to another, the way a person draws a connection. */
async function dragConnection(from: Locator, to: Locator): Promise<void> {
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  const [ax, ay, bx, by] = [a.x + a.width / 2, a.y + a.height / 2, b.x + b.width / 2, b.y + b.height / 2];
  // Start off towards the target (not towards the canvas edge, where the canvas would pan under the pointer).
  await page.mouse.move(ax + (bx - ax) * 0.2, ay + (by - ay) * 0.2 + 8, { steps: 4 });
  await page.mouse.move(bx, by, { steps: 12 });
  await page.mouse.up();
}

/** Where each node sits on screen, by title; to tell whether a reload kept the layout. */
async function layout(): Promise<Record<string, string>> {
  return page.locator('.svelte-flow__node').evaluateAll((els) =>
    Object.fromEntries(els.map((e) => [e.getAttribute('aria-label') ?? '', (e as HTMLElement).style.transform])),
  );
}

describe('the pipeline editor', () => {
  it('builds the Iris pipeline from an empty one with the palette, drags, and the Connect form', async () => {
    await page.goto(baseURL());
    await page.getByRole('button', { name: 'Open example' }).click();
    await page.getByRole('menuitem', { name: 'Iris MLP' }).click();
    await node('Train').waitFor();
    await shot(page, 'pe-01-example');

    await page.getByRole('button', { name: 'New pipeline' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Pipeline name' }).inputValue()).toBe('Pipeline');
    const search = page.getByRole('searchbox', { name: 'Search operations' });
    await search.waitFor();
    expect(await page.locator('.svelte-flow__node').count()).toBe(0);
    await shot(page, 'pe-02-empty');

    // Keyboard: search, arrow down to the entry, Enter adds it at the centre of the view and selects it.
    await search.fill('load iris');
    await search.press('ArrowDown');
    await page.keyboard.press('Enter');
    await node('Load Iris').waitFor();
    expect(await node('Load Iris').getAttribute('class')).toContain('selected');
    // Enter in the search adds the first match, next to the selected node.
    await search.fill('standardize');
    await search.press('Enter');
    await node('Standardize').waitFor();
    await search.fill('');

    // Mouse: drag palette entries onto the canvas; they land where they are dropped.
    const box = (await canvas().boundingBox())!;
    await palette().getByRole('button', { name: 'Train/Test Split', exact: true }).dragTo(canvas(), { targetPosition: { x: box.width * 0.2, y: box.height * 0.75 } });
    await node('Train/Test Split').waitFor();
    await palette().getByRole('button', { name: 'Train', exact: true }).dragTo(canvas(), { targetPosition: { x: box.width * 0.68, y: box.height * 0.75 } });
    await node('Train').waitFor();
    // And a plain click adds one too (a button, so Enter and click are the same thing).
    await palette().getByRole('button', { name: 'Evaluate', exact: true }).click();
    await node('Evaluate').waitFor();
    expect(await page.locator('.svelte-flow__node').count()).toBe(5);
    await page.getByRole('button', { name: 'Fit view' }).click();
    await page.waitForTimeout(400);
    await shot(page, 'pe-03-five-nodes');

    // Tab goes from the search to the palette (one stop, the entry used last), on to the tools and the run controls
    // (Run and Run all are disabled while the pipeline is incomplete), then the canvas.
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') || document.activeElement?.textContent?.trim());
    await search.focus();
    const stops = [];
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Tab');
      stops.push(await focused());
    }
    // (Evaluate, just added, is selected: Duplicate and Delete are enabled.)
    expect(stops.slice(0, 9)).toEqual(['Hide operations', 'Evaluate', 'Connect…', 'Duplicate selection', 'Delete selection', 'Auto layout', 'Fit view', 'Backend', 'Pipeline canvas']);
    expect(stops.slice(9).every((s) => ['Load Iris', 'Standardize', 'Train/Test Split', 'Train', 'Evaluate'].includes(s!))).toBe(true);

    // Connections by drag.
    await dragConnection(handle('Load Iris', 'dataset', 'out'), handle('Standardize', 'dataset', 'in'));
    await drawn('Load Iris.dataset to Standardize.dataset');
    await dragConnection(handle('Standardize', 'dataset', 'out'), handle('Train/Test Split', 'dataset', 'in'));
    await drawn('Standardize.dataset to Train/Test Split.dataset');

    // A refused drag (json into a dataset input) adds nothing and says why at the pointer, and out loud.
    const why = 'Evaluate.metrics gives json, but Train.dataset takes dataset.';
    await dragConnection(handle('Evaluate', 'metrics', 'out'), handle('Train', 'dataset', 'in'));
    await expect.poll(() => canvas().getByText(why).isVisible()).toBe(true);
    expect(await page.getByRole('status', { name: 'Pipeline editor messages' }).textContent()).toContain(why);
    await shot(page, 'pe-04-refused-drag');
    expect(await page.locator('.svelte-flow__edge').count()).toBe(2);

    // Connections with the keyboard: the Connect form.
    await page.getByRole('button', { name: 'Connect…' }).click();
    const from = page.getByRole('combobox', { name: 'Connect from' });
    const to = page.getByRole('combobox', { name: 'Connect to' });
    const connectButton = page.getByRole('button', { name: 'Connect', exact: true });
    await from.selectOption({ label: 'Evaluate.metrics (json)' });
    await to.selectOption({ label: 'Train.dataset (dataset)' });
    await connectButton.click();
    await expect.poll(() => page.getByRole('alert').filter({ hasText: why }).isVisible()).toBe(true);
    for (const [a, b] of [
      ['Train/Test Split.train (dataset)', 'Train.dataset (dataset)'],
      ['Train.model (model)', 'Evaluate.model (model)'],
      ['Train/Test Split.test (dataset)', 'Evaluate.dataset (dataset)'],
    ] as const) {
      await from.selectOption({ label: a });
      await to.selectOption({ label: b });
      await connectButton.press('Enter');
    }
    await drawn('Train/Test Split.train to Train.dataset');
    await drawn('Train.model to Evaluate.model');
    await drawn('Train/Test Split.test to Evaluate.dataset');
    await page.getByRole('button', { name: 'Close', exact: true }).click();

    // Train's architecture is a reference, set in the inspector for the selected node.
    await node('Train').click();
    await page.getByRole('combobox', { name: 'net (architecture)' }).selectOption({ label: 'Iris MLP' });
    await expect.poll(() => page.getByText('Ready to run: no problems found.').isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Auto layout' }).click();
    // Laid out left to right: every step sits to the right of the one before it.
    await expect
      .poll(async () => {
        const xs: number[] = [];
        for (const t of ['Load Iris', 'Standardize', 'Train/Test Split', 'Train', 'Evaluate']) xs.push((await node(t).boundingBox())!.x);
        return xs.every((x, i) => i === 0 || x > xs[i - 1]!);
      }, { timeout: 10_000 })
      .toBe(true);
    await page.waitForTimeout(400);
    await shot(page, 'pe-05-built-and-laid-out');

    const before = await layout();
    // A person reloads some time after the last edit; a reload in the same millisecond can beat IndexedDB.
    await page.waitForTimeout(300);
    await page.reload();
    await node('Evaluate').waitFor();
    expect(await page.locator('.svelte-flow__node').count()).toBe(5);
    expect(await page.locator('.svelte-flow__edge').count()).toBe(5);
    expect(await layout()).toEqual(before);
    expect(await page.getByText('Ready to run: no problems found.').isVisible()).toBe(true);
    await shot(page, 'pe-06-after-reload');
    expect(errors).toEqual([]);
  });

  it('deletes, copies, pastes and duplicates, each as one undoable step', async () => {
    const count = () => page.locator('.svelte-flow__node').count();
    expect(await count()).toBe(5);
    await node('Evaluate').click();
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await expect.poll(count).toBe(6);
    await page.keyboard.press('Control+d');
    await expect.poll(count).toBe(7);
    await page.getByRole('button', { name: 'Duplicate selection' }).click();
    await expect.poll(count).toBe(8);
    await shot(page, 'pe-07-pasted-and-duplicated');
    await page.getByRole('button', { name: 'Delete selection' }).click();
    await expect.poll(count).toBe(7);
    await page.keyboard.press('Control+z');
    await expect.poll(count).toBe(8);
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    await expect.poll(count).toBe(5);

    // Shift-click selects several; Delete removes them with their connections.
    await node('Train').click();
    await node('Evaluate').click({ modifiers: ['Shift'] });
    await page.keyboard.press('Delete');
    await expect.poll(count).toBe(3);
    expect(await page.locator('.svelte-flow__edge').count()).toBe(2);
    await page.keyboard.press('Control+z');
    await expect.poll(count).toBe(5);
    expect(await page.locator('.svelte-flow__edge').count()).toBe(5);

    // Copy into another pipeline of the project: the nodes and the connection between them come along.
    await node('Train').click();
    await node('Evaluate').click({ modifiers: ['Shift'] });
    await page.keyboard.press('Control+c');
    await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Train Iris MLP' }).click();
    await node('Load Iris').waitFor();
    await canvas().focus();
    await page.keyboard.press('Control+v');
    await expect.poll(count).toBe(7);
    await drawn('Train.model to Evaluate.model', 2);
    await shot(page, 'pe-08-pasted-into-another-pipeline');
    expect(errors).toEqual([]);
  });

  it('moves nodes with the keyboard and keeps the move', async () => {
    await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Pipeline', exact: true }).click();
    const train = node('Train');
    await train.waitFor();
    await train.focus();
    await page.keyboard.press('Enter');
    const before = (await train.boundingBox())!;
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown');
    await expect.poll(async () => (await train.boundingBox())!.y).toBeGreaterThan(before.y + 5);
    const moved = await layout();
    await page.waitForTimeout(300);
    await page.reload();
    await node('Train').waitFor();
    expect((await layout())['Train']).toBe(moved['Train']);
  });

  it('looks right in the dark theme', async () => {
    const dark = await device.newPage();
    await dark.emulateMedia({ colorScheme: 'dark' });
    await dark.goto(page.url());
    await dark.getByRole('group', { name: 'Train', exact: true }).first().waitFor();
    await dark.getByRole('button', { name: 'Fit view' }).click();
    await dark.waitForTimeout(400);
    expect(await dark.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await shot(dark, 'pe-09-dark');
    await dark.close();
  });
});
