import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { baseURL, openDevice, shot } from './helpers';

let device: BrowserContext;
let page: Page;
let second: Page;
let errors: string[];

beforeAll(async () => {
  ({ device, page, errors } = await openDevice());
});
afterAll(async () => {
  await device?.close();
});

const nav = (p: Page) => p.getByRole('navigation', { name: 'Project' });
const code = (p: Page, name = 'Train') => p.getByRole('textbox', { name: `Code of ${name}` });
/** The editor's text as the user sees it (CodeMirror renders one element per line). */
const codeText = (p: Page, name = 'Train') => code(p, name).evaluate((el) => [...el.querySelectorAll('.cm-line')].map((l) => l.textContent).join('\n'));
const check = (p: Page) => p.getByRole('status', { name: 'Code check' });

/** Put the cursor at the very end of the code and type there, as a person would. */
async function typeAtEnd(p: Page, text: string) {
  await code(p).click();
  await p.keyboard.press('Control+End');
  await p.keyboard.type(text);
}

async function setTheme(p: Page, wanted: 'light' | 'dark') {
  for (let i = 0; i < 3 && (await p.evaluate(() => document.documentElement.dataset.theme)) !== wanted; i++) {
    await p.getByRole('button', { name: /theme/i }).click();
  }
  expect(await p.evaluate(() => document.documentElement.dataset.theme)).toBe(wanted);
}

describe('the operation editor', () => {
  it('opens an operation with its interface beside its code, in light and dark', async () => {
    await page.goto(baseURL());
    await page.getByRole('button', { name: 'Open example' }).click();
    await page.getByRole('menuitem', { name: 'Iris MLP' }).click();
    await nav(page).getByRole('link', { name: 'Train', exact: true }).click();
    await code(page).waitFor();
    expect(await codeText(page)).toContain('export default async function run({ dataset }, attrs, { net }, ctx) {');
    expect(await page.getByRole('region', { name: 'Interface' }).getByRole('textbox', { name: 'Name of input dataset' }).inputValue()).toBe('dataset');
    expect(await page.getByRole('list', { name: 'Used by' }).textContent()).toContain('pipeline Train Iris MLP (node Train)');
    await expect.poll(() => check(page).textContent()).toContain('No syntax errors.');
    // Syntax highlighting: keywords are coloured, and differently in the dark theme.
    const keywordColour = () => page.locator('.cm-line').first().locator('span').first().evaluate((el) => getComputedStyle(el).color);
    const background = () => page.locator('.cm-editor').evaluate((el) => getComputedStyle(el).backgroundColor);
    await setTheme(page, 'light');
    const light = { keyword: await keywordColour(), background: await background() };
    await code(page).scrollIntoViewIfNeeded();
    await shot(page, 'operation-editor-light');
    await setTheme(page, 'dark');
    await expect.poll(background).not.toBe(light.background);
    expect(await keywordColour()).not.toBe(light.keyword);
    expect(await page.locator('.cm-editor').evaluate((el) => getComputedStyle(el).colorScheme)).toBeDefined();
    await shot(page, 'operation-editor-dark');
    await setTheme(page, 'light');
  });

  it('shows typing live in a second tab, and the second tab’s typing here', async () => {
    second = await device.newPage();
    await second.goto(page.url());
    await code(second).waitFor();
    await typeAtEnd(page, '// tuned in tab one');
    await expect.poll(() => codeText(second), { timeout: 10_000 }).toContain('// tuned in tab one');
    await typeAtEnd(second, '\n// and in tab two');
    await expect.poll(() => codeText(page), { timeout: 10_000 }).toContain('// and in tab two');
    expect(await codeText(page)).toBe(await codeText(second));
  });

  it('renames an input: the signature and its uses in the code follow, in both tabs, and the pipeline stays valid', async () => {
    const name = page.getByRole('textbox', { name: 'Name of input dataset' });
    await name.fill('data');
    await name.press('Enter');
    await expect.poll(() => codeText(page)).toContain('run({ data }, attrs, { net }, ctx)');
    expect(await codeText(page)).toContain('await model.fit(data.x, data.y, {');
    expect(await codeText(page)).toContain('// and in tab two');
    await expect.poll(() => codeText(second), { timeout: 10_000 }).toContain('run({ data }, attrs, { net }, ctx)');
    // Connections point at the port's id, which a rename keeps: the pipeline has no problems.
    await nav(page).getByRole('link', { name: 'Train Iris MLP' }).click();
    await expect.poll(() => page.getByText('Ready to run: no problems found.').isVisible()).toBe(true);
    await page.goBack();
    await code(page).waitFor();
  });

  it('adds and removes an input and an attribute, and the signature lists them', async () => {
    await page.getByRole('button', { name: 'Add input' }).click();
    const added = page.getByRole('textbox', { name: 'Name of input input' });
    await expect.poll(() => added.evaluate((el) => el === document.activeElement)).toBe(true);
    await added.fill('labels');
    await added.press('Enter');
    await expect.poll(() => codeText(page)).toContain('run({ data, labels }, attrs, { net }, ctx)');
    await page.getByRole('combobox', { name: 'Type of input labels' }).selectOption('tensor');
    await page.getByRole('button', { name: 'Remove input labels' }).click();
    await expect.poll(() => codeText(page)).toContain('run({ data }, attrs, { net }, ctx)');

    // A name code cannot use is refused where it was typed.
    await page.getByRole('button', { name: 'Add attribute' }).click();
    const attr = page.getByRole('textbox', { name: 'Name of attribute attribute' });
    await attr.fill('class');
    await attr.press('Enter');
    expect(await page.getByRole('alert').filter({ hasText: 'cannot be a name in code' }).first().isVisible()).toBe(true);
    await attr.fill('momentum');
    await attr.press('Enter');
    const value = page.getByRole('textbox', { name: 'Default of attribute momentum' });
    await value.fill('0.9');
    await value.press('Enter');
    await page.getByRole('button', { name: 'Details of attribute momentum' }).click();
    const max = page.getByRole('textbox', { name: 'Maximum of attribute momentum' });
    await max.fill('0.5');
    await max.press('Enter');
    await expect.poll(() => page.getByText('The default does not fit: momentum must be at most 0.5.').first().isVisible()).toBe(true);
    await max.fill('1');
    await max.press('Enter');
    await page.getByRole('button', { name: 'Remove attribute momentum' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Name of attribute momentum' }).count()).toBe(0);
  });

  it('shows a syntax error as the user types, and clears it when fixed', async () => {
    await typeAtEnd(page, '\nconst = 1;');
    await expect.poll(() => check(page).textContent(), { timeout: 5_000 }).toMatch(/Syntax error on line \d+, column \d+: Unexpected token/);
    await expect.poll(() => page.locator('.cm-lint-marker-error').count()).toBeGreaterThan(0);
    await code(page).scrollIntoViewIfNeeded();
    await shot(page, 'operation-editor-syntax-error');
    // Interface edits still work while the code does not parse; the code is left alone and the user is told why.
    await page.getByRole('button', { name: 'Add input' }).click();
    await expect.poll(() => page.getByText(/signature was left as it is/).first().isVisible()).toBe(true);
    expect(await codeText(page)).toContain('run({ data }, attrs, { net }, ctx)');
    await code(page).click();
    await page.keyboard.press('Control+End');
    for (let i = 0; i < '\nconst = 1;'.length; i++) await page.keyboard.press('Backspace');
    await expect.poll(() => check(page).textContent(), { timeout: 5_000 }).toContain('No syntax errors.');
    // Once it parses again, the editor offers to bring the signature in line with the interface.
    await page.getByRole('button', { name: 'Update signature' }).click();
    await expect.poll(() => codeText(page)).toContain('run({ data, input }, attrs, { net }, ctx)');
    await page.getByRole('button', { name: 'Remove input input' }).click();
    await expect.poll(() => codeText(page)).toContain('run({ data }, attrs, { net }, ctx)');
  });

  it('keeps each action in the history', async () => {
    await page.getByRole('link', { name: 'History', exact: true }).click();
    const history = page.getByRole('list', { name: 'History' });
    await history.waitFor();
    await expect.poll(() => history.textContent()).toContain('renamed input dataset to data in operation Train');
    expect(await history.textContent()).toContain('edited code of Train');
    await page.goBack();
    await code(page).waitFor();
  });

  it('duplicates, exports, imports and saves an operation to the library', async () => {
    await page.getByRole('button', { name: 'Duplicate as new operation' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Operation name' }).inputValue()).toBe('Train (copy)');
    await code(page, 'Train (copy)').waitFor();
    expect(await page.getByText('Not used by any pipeline yet.').isVisible()).toBe(true);

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export operation' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('train-copy.operation.json');
    const exported = JSON.parse(readFileSync((await file.path())!, 'utf8'));
    expect(exported).toMatchObject({ format: 'deepforge/operation', version: 1, operation: { name: 'Train (copy)' } });

    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Import operation' }).click();
    const changed = { ...exported, operation: { ...exported.operation, id: 'op_from_file', name: 'Fit from file' } };
    await (await chooser).setFiles({ name: 'fit.operation.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(changed)) });
    await expect.poll(() => page.getByRole('textbox', { name: 'Operation name' }).inputValue()).toBe('Fit from file');
    expect(await nav(page).getByRole('link', { name: 'Fit from file' }).isVisible()).toBe(true);

    const bad = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Import operation' }).click();
    await (await bad).setFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ ...exported, operation: { ...exported.operation, inputs: { x: { name: 'x', type: 'banana' } } } })) });
    await expect.poll(() => page.getByText(/That file is not a valid operation: inputs\.x has the type “banana”/).isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Save to my library' }).click();
    await expect.poll(() => page.getByText('In my library').isVisible()).toBe(true);

    // A saved operation is offered in the palette of every project on this device. (A person leaves the page some
    // time after saving; a full page load in the same millisecond can beat the write to IndexedDB.)
    const back = page.url();
    await page.waitForTimeout(300);
    await page.goto(baseURL());
    await page.getByRole('button', { name: 'New project' }).first().click();
    await page.getByRole('button', { name: 'New pipeline' }).click();
    await page.getByRole('searchbox', { name: 'Search operations' }).fill('Fit from file');
    await expect.poll(() => page.getByRole('button', { name: 'Fit from file' }).isVisible(), { timeout: 10_000 }).toBe(true);
    await page.goto(back);
    await page.getByRole('textbox', { name: 'Operation name' }).waitFor();
  });

  it('shows a past version read-only', async () => {
    await page.getByRole('link', { name: 'History', exact: true }).click();
    const history = page.getByRole('list', { name: 'History' });
    await history.getByRole('button').filter({ hasText: 'renamed input dataset to data in operation Train' }).first().click();
    await page.getByRole('textbox', { name: 'Version name' }).fill('Data renamed');
    await page.getByRole('button', { name: 'Name it' }).click();
    await page.getByRole('list', { name: 'Named versions' }).getByRole('link', { name: 'Data renamed' }).click();
    await page.getByRole('region', { name: 'Past version' }).waitFor();
    await nav(page).getByRole('link', { name: 'Train', exact: true }).click();
    await code(page).waitFor();
    expect(await code(page).getAttribute('aria-readonly')).toBe('true');
    expect(await codeText(page)).toContain('run({ data }, attrs, { net }, ctx)');
    expect(await page.getByRole('textbox', { name: 'Name of input data' }).getAttribute('readonly')).not.toBeNull();
    expect(await page.getByRole('button', { name: 'Add input' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Remove input data' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Export operation' }).isVisible()).toBe(true);
    await shot(page, 'operation-editor-read-only');

    // Back in the present, the same view is editable again and bound to the document.
    await page.getByRole('link', { name: 'Back to the current version' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Past version' }).count()).toBe(0);
    await expect.poll(() => code(page).getAttribute('aria-readonly')).toBeNull();
    await typeAtEnd(page, '\n// back in the present');
    await expect.poll(() => codeText(second), { timeout: 10_000 }).toContain('// back in the present');
    expect(errors).toEqual([]);
  });
});
