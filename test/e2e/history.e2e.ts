import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { baseURL, openDevice, shot } from './helpers';

let device: BrowserContext;
let page: Page;
let errors: string[];

beforeAll(async () => {
  ({ device, page, errors } = await openDevice());
  await page.addInitScript(() => {
    if (!localStorage.getItem('deepforge.profile')) localStorage.setItem('deepforge.profile', JSON.stringify({ name: 'Ada Lovelace', color: '#4f46e5', chosen: true }));
  });
});
afterAll(async () => {
  await device?.close();
});

const nav = () => page.getByRole('navigation', { name: 'Project' });
const historyList = () => page.getByRole('list', { name: 'History' });

async function renamePipeline(name: string) {
  const field = page.getByRole('textbox', { name: 'Pipeline name' });
  await field.fill(name);
  await field.press('Enter');
  await expect.poll(() => nav().getByRole('link', { name, exact: true }).isVisible()).toBe(true);
}

async function openHistory() {
  await page.getByRole('link', { name: 'History', exact: true }).click();
  await historyList().waitFor();
}

/** Select the newest history entry whose text contains `text`. */
async function select(text: string) {
  await historyList().getByRole('button').filter({ hasText: text }).first().click();
}

describe('history, versions and branches', () => {
  let projectUrl: string;

  it('edits, names a version, edits again, and opens the named version read-only', async () => {
    await page.goto(baseURL());
    await page.getByRole('button', { name: 'Open example' }).click();
    await page.getByRole('menuitem', { name: 'MNIST CNN' }).click();
    await nav().waitFor();
    projectUrl = page.url().replace(/\/pipelines\/.*$/, '');
    await renamePipeline('Baseline');

    await openHistory();
    await select('renamed pipeline Train MNIST CNN to Baseline');
    await page.getByRole('textbox', { name: 'Version name' }).fill('Submitted to the course');
    await page.getByRole('button', { name: 'Name it' }).click();
    await expect.poll(() => page.getByRole('list', { name: 'Named versions' }).getByRole('link', { name: 'Submitted to the course' }).isVisible()).toBe(true);

    await nav().getByRole('link', { name: 'Baseline' }).click();
    await renamePipeline('Bigger model');
    await openHistory();
    expect(await historyList().getByRole('listitem').first().textContent()).toContain('renamed pipeline Baseline to Bigger model');
    expect(await historyList().getByRole('listitem').first().textContent()).toContain('Ada Lovelace');
    await shot(page, 'h01-history');

    await page.getByRole('list', { name: 'Named versions' }).getByRole('link', { name: 'Submitted to the course' }).click();
    await page.getByRole('region', { name: 'Past version' }).waitFor();
    expect(await nav().getByRole('link', { name: 'Baseline', exact: true }).isVisible()).toBe(true);
    expect(await nav().getByRole('link', { name: 'Bigger model' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'New pipeline' }).count()).toBe(0);
    expect(await page.getByRole('textbox', { name: 'Project name' }).getAttribute('readonly')).not.toBeNull();
    await nav().getByRole('link', { name: 'Baseline', exact: true }).click();
    expect(await page.getByRole('textbox', { name: 'Pipeline name' }).getAttribute('readonly')).not.toBeNull();
    await shot(page, 'h02-past-version');
  });

  it('compares the named version with now', async () => {
    await page.getByRole('link', { name: 'Compare with now' }).click();
    await expect.poll(() => page.locator('p.summary[role=status]').textContent()).toContain('1 renamed');
    expect(await page.getByText('Baseline → Bigger model').first().isVisible()).toBe(true);
    await shot(page, 'h03-compare');
  });

  it('compares any two ticked points of the history', async () => {
    await page.goto(projectUrl);
    await openHistory();
    await page.getByRole('checkbox', { name: /^Tick for comparison: renamed pipeline Baseline to Bigger model/ }).check();
    await page.getByRole('checkbox', { name: /^Tick for comparison: created project MNIST CNN/ }).check();
    await page.getByRole('link', { name: 'Compare the two ticked versions' }).click();
    await expect.poll(() => page.locator('p.summary[role=status]').textContent()).toContain('1 renamed');
    expect(await page.getByText('Train MNIST CNN → Bigger model').first().isVisible()).toBe(true);
  });

  it('restores the named version as a new change that history shows', async () => {
    await page.goto(projectUrl);
    await openHistory();
    await page.getByRole('list', { name: 'Named versions' }).getByRole('link', { name: 'Submitted to the course' }).click();
    await page.getByRole('button', { name: 'Restore this version' }).click();
    await expect.poll(() => nav().getByRole('link', { name: 'Baseline', exact: true }).isVisible()).toBe(true);
    expect(await page.getByRole('region', { name: 'Past version' }).count()).toBe(0);
    expect(await nav().getByRole('link', { name: 'Bigger model' }).count()).toBe(0);
    await openHistory();
    expect(await historyList().getByRole('listitem').first().textContent()).toContain('restored the version of');
    // Nothing was rewritten: the rename that was undone is still in the history.
    expect(await historyList().getByText('renamed pipeline Baseline to Bigger model').isVisible()).toBe(true);
  });

  it('branches, edits both sides, merges back and settles the conflict', async () => {
    await select('restored the version of');
    await page.getByRole('textbox', { name: 'Branch name' }).fill('Wider layers');
    await page.getByRole('button', { name: 'Branch', exact: true }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Project name' }).inputValue()).toBe('Wider layers');
    const branchUrl = page.url();
    expect(branchUrl).not.toBe(projectUrl);

    // On the branch: rename the pipeline and add an architecture.
    await nav().getByRole('link', { name: 'Baseline', exact: true }).click();
    await renamePipeline('Wide');
    await page.getByRole('button', { name: 'New architecture' }).click();
    await expect.poll(() => nav().getByRole('link', { name: 'Architecture', exact: true }).isVisible()).toBe(true);

    // On the original: rename the same pipeline differently, and add an operation.
    await page.goto(projectUrl);
    await nav().getByRole('link', { name: 'Baseline', exact: true }).click();
    await renamePipeline('Narrow');
    await page.getByRole('button', { name: 'New operation' }).click();
    await expect.poll(() => nav().getByRole('link', { name: 'Operation', exact: true }).isVisible()).toBe(true);

    await openHistory();
    expect(await page.getByRole('list', { name: 'Branches' }).getByRole('link', { name: 'Wider layers' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Merge into this project' }).click();
    const dialog = page.getByRole('dialog', { name: 'Merged into MNIST CNN' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('added architecture Architecture');
    const conflicts = dialog.getByRole('list', { name: 'Conflicts' });
    expect(await conflicts.textContent()).toContain('Wide › name');
    await shot(page, 'h04-merge');
    await conflicts.getByRole('radio', { name: 'Wide' }).check();
    await dialog.getByRole('button', { name: 'Keep this value' }).click();
    await expect.poll(() => conflicts.getByText('Resolved').isVisible()).toBe(true);
    await dialog.getByRole('button', { name: 'Close' }).first().click();

    // Both sides' additions are here, the conflict is settled as chosen, and the project kept its own name.
    await expect.poll(() => nav().getByRole('link', { name: 'Wide', exact: true }).isVisible()).toBe(true);
    expect(await nav().getByRole('link', { name: 'Architecture', exact: true }).isVisible()).toBe(true);
    expect(await nav().getByRole('link', { name: 'Operation', exact: true }).isVisible()).toBe(true);
    expect(await nav().getByRole('link', { name: 'Narrow', exact: true }).count()).toBe(0);
    expect(await page.getByRole('textbox', { name: 'Project name' }).inputValue()).toBe('MNIST CNN');
    await shot(page, 'h05-after-merge');
  });

  it('exports the project as one file and imports it back without duplicating it', async () => {
    await page.goto(projectUrl);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export project' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('MNIST CNN.deepforge.zip');
    const dir = mkdtempSync(join(tmpdir(), 'deepforge-export-'));
    const path = join(dir, 'project.deepforge.zip');
    await file.saveAs(path);

    await page.goto(baseURL());
    const list = page.getByRole('list', { name: 'Projects' });
    await list.waitFor();
    const before = await list.getByRole('listitem').count();
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Import project' }).click();
    await (await chooser).setFiles(path);
    await expect.poll(() => page.getByText('Already up to date: “MNIST CNN”.').isVisible()).toBe(true);
    await page.goto(baseURL());
    await list.waitFor();
    expect(await list.getByRole('listitem').count()).toBe(before);

    // A damaged file is refused with a clear message, and nothing changes.
    const bytes = readFileSync(path);
    bytes.fill(0, 40, 400);
    writeFileSync(path, bytes);
    const chooser2 = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Import project' }).click();
    await (await chooser2).setFiles(path);
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'Nothing was imported' }).isVisible()).toBe(true);
    await shot(page, 'h06-import-damaged');
    expect(await list.getByRole('listitem').count()).toBe(before);
    expect(errors, errors.join('\n')).toEqual([]);
  });
});
