import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { strToU8, zipSync } from 'fflate';
import * as tf from '@tensorflow/tfjs';
import type { BrowserContext, Page } from 'playwright-core';
import { baseURL, createProject, openDevice, shot } from './helpers';

// Artifacts: upload CSV, JSON, images and zips; preview and download them; deleting one a pipeline reads is refused
// with the reason; a full disk is reported and loses nothing.
let device: BrowserContext;
let page: Page;
let errors: string[];

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
const CSV = 'sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n6.3,6.0,virginica\n';
const files = [
  { name: 'flowers.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) },
  { name: 'labels.json', mimeType: 'application/json', buffer: Buffer.from('{"classes":["setosa","versicolor"]}') },
  { name: 'dot.png', mimeType: 'image/png', buffer: PNG },
  { name: 'bundle.zip', mimeType: 'application/zip', buffer: Buffer.from(zipSync({ 'a/readme.txt': strToU8('hello'), 'b.csv': strToU8(CSV) })) },
];

beforeAll(async () => {
  ({ device, page, errors } = await openDevice());
  // A switch the test flips to make IndexedDB report a full disk for artifact bytes only.
  await device.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if ((globalThis as { __diskFull?: boolean }).__diskFull && this.name === 'blobs') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    };
  });
});
afterAll(async () => {
  await device?.close();
});

async function setTheme(p: Page, wanted: 'light' | 'dark') {
  for (let i = 0; i < 3 && (await p.evaluate(() => document.documentElement.dataset.theme)) !== wanted; i++) {
    await p.getByRole('button', { name: /theme/i }).click();
  }
  await p.waitForTimeout(300); // let colour transitions finish before a screenshot
}

const nav = (p: Page) => p.getByRole('navigation', { name: 'Project' });

async function upload(p: Page, chosen: typeof files) {
  const chooser = p.waitForEvent('filechooser');
  await nav(p).getByRole('button', { name: 'Upload artifact' }).click();
  await (await chooser).setFiles(chosen);
}

describe('artifacts', () => {
  it('uploads CSV, JSON, images and zips, and previews each', async () => {
    await createProject(page, 'Artifacts');
    await upload(page, files);
    for (const f of files) await nav(page).getByRole('link', { name: f.name }).waitFor();
    await shot(page, 'a01-uploaded');

    await nav(page).getByRole('link', { name: 'flowers.csv' }).click();
    const table = page.getByRole('table', { name: 'Table preview' });
    await table.waitFor();
    expect(await table.getByRole('columnheader').allTextContents()).toEqual(['sepal', 'petal', 'species']);
    expect(await table.getByRole('row').count()).toBe(4);
    await shot(page, 'a02-csv-preview');

    await nav(page).getByRole('link', { name: 'labels.json' }).click();
    await expect.poll(() => page.locator('pre.code').textContent()).toContain('"versicolor"');

    await nav(page).getByRole('link', { name: 'dot.png' }).click();
    await expect.poll(() => page.getByRole('img', { name: 'dot.png' }).evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);

    await nav(page).getByRole('link', { name: 'bundle.zip' }).click();
    const zip = page.getByRole('table', { name: 'Files in the zip' });
    await zip.waitFor();
    expect(await zip.getByRole('cell').allTextContents()).toEqual(expect.arrayContaining(['a/readme.txt', 'b.csv']));
    await shot(page, 'a03-zip-preview');
    await setTheme(page, 'dark');
    await shot(page, 'a04-zip-preview-dark');
    await setTheme(page, 'light');
  });

  it('downloads an artifact as the file it was', async () => {
    await nav(page).getByRole('link', { name: 'flowers.csv' }).click();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download' }).click();
    const d = await download;
    expect(d.suggestedFilename()).toBe('flowers.csv');
    expect(readFileSync((await d.path())!, 'utf8')).toBe(CSV);
  });

  it('imports a model saved by tfjs (model.json with its weights) back as one model artifact', async () => {
    await tf.setBackend('cpu');
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })] });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const modelJson = { modelTopology: saved!.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: saved!.weightSpecs }] };
    await upload(page, [
      { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(modelJson)) },
      { name: 'weights.bin', mimeType: 'application/octet-stream', buffer: Buffer.from(saved!.weightData as ArrayBuffer) },
    ]);
    await nav(page).getByRole('link', { name: 'model.zip' }).click();
    const layers = page.getByRole('table', { name: 'Layers' });
    await layers.waitFor();
    expect(await layers.getByRole('cell', { name: 'Dense', exact: true }).count()).toBe(1);
    expect(await page.getByText('15 parameters').first().isVisible()).toBe(true);
  });

  it('refuses to delete an artifact a pipeline reads, saying which', async () => {
    await nav(page).getByRole('button', { name: 'New pipeline' }).click();
    const search = page.getByRole('searchbox', { name: 'Search operations' });
    await search.fill('Input');
    await page.getByRole('button', { name: 'Input', exact: true }).press('Enter');
    await page.getByRole('group', { name: 'Input', exact: true }).click();
    const picker = page.getByRole('combobox', { name: 'Artifact' });
    const value = await picker.locator('option', { hasText: 'flowers.csv' }).getAttribute('value');
    await picker.selectOption(value!);
    await nav(page).getByRole('link', { name: 'flowers.csv' }).click();
    const inspector = page.getByRole('complementary', { name: 'Inspector' });
    await expect.poll(() => inspector.textContent()).toMatch(/In use: pipeline Pipeline reads it/);
    expect(await inspector.getByRole('button', { name: 'Delete artifact' }).isDisabled()).toBe(true);
    await shot(page, 'a05-delete-refused');

    page.once('dialog', (d) => void d.accept());
    await nav(page).getByRole('link', { name: 'labels.json' }).click();
    await inspector.getByRole('button', { name: 'Delete artifact' }).click();
    await expect.poll(() => nav(page).getByRole('link', { name: 'labels.json' }).count()).toBe(0);
  });

  it('says so when the disk is full, and keeps what was stored', async () => {
    await page.evaluate(() => ((globalThis as { __diskFull?: boolean }).__diskFull = true));
    await upload(page, [{ name: 'more.csv', mimeType: 'text/csv', buffer: Buffer.from('x\n1\n2\n') }]);
    await expect.poll(() => page.getByText(/more\.csv was not added\. The browser's storage for DeepForge is full/).count(), { timeout: 10_000 }).toBe(1);
    await shot(page, 'a06-disk-full');
    await page.evaluate(() => ((globalThis as { __diskFull?: boolean }).__diskFull = false));
    expect(await nav(page).getByRole('link', { name: 'more.csv' }).count()).toBe(0);
    await nav(page).getByRole('link', { name: 'flowers.csv' }).click();
    await page.getByRole('table', { name: 'Table preview' }).waitFor();
  });

  it('shows what the files on this device are for, and removes only those nothing uses', async () => {
    await page.goto(baseURL());
    await page.getByRole('link', { name: 'Storage on this device' }).click();
    const part = (label: string) =>
      page.locator('.part').filter({ has: page.getByRole('term').filter({ hasText: label }) }).getByRole('definition').first().textContent();
    await expect.poll(() => part('Not used')).toMatch(/^35 B\s*· 1 file$/);
    // labels.json, deleted above, was stored a moment ago: kept a minute in case a tab is still recording it.
    const remove = page.getByRole('button', { name: /^Remove unused files/ });
    expect(await remove.isDisabled()).toBe(true);
    expect(await page.getByText('1 unused file was stored in the last minute').count()).toBe(1);
    expect(await part('Project artifacts')).toMatch(/· 4 files$/);
    await shot(page, 'a07-storage');

    await page.clock.setSystemTime(Date.now() + 2 * 60_000);
    await page.reload();
    await expect.poll(() => remove.isEnabled()).toBe(true);
    expect(await remove.textContent()).toContain('(35 B)');
    await remove.click();
    await page.getByRole('dialog', { name: 'Remove unused files?' }).getByRole('button', { name: 'Remove files' }).click();
    await expect.poll(() => page.getByText('Removed 1 file (35 B).').count()).toBe(1);
    await expect.poll(() => part('Not used')).toMatch(/^0 B\s*· 0 files$/);
    expect(await part('Project artifacts')).toMatch(/· 4 files$/);

    // What projects use is untouched.
    await page.getByRole('table', { name: 'Storage by project' }).getByRole('link', { name: 'Artifacts' }).click();
    await nav(page).getByRole('link', { name: 'flowers.csv' }).click();
    await page.getByRole('table', { name: 'Table preview' }).waitFor();
  });

  it('had no page errors', () => {
    expect(errors).toEqual([]);
  });
});
