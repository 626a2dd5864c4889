import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import * as tf from '@tensorflow/tfjs';
import { baseURL, openDevice, setCode, shot } from './helpers';

// Running pipelines in the browser (WASM/CPU here): the MNIST CNN example trains to ≥ 95% with live metrics, its
// model downloads and loads back with tfjs, unchanged jobs are reused, a failure shows its line, Cancel stops code
// that never yields, a reload mid-run leaves an interrupted run that can run again, and a second device sees it.
let device: BrowserContext;
let page: Page;
let errors: string[];
let projectUrl = '';

beforeAll(async () => {
  ({ device, page, errors } = await openDevice());
  await page.goto(baseURL());
  await page.getByRole('button', { name: 'Open example' }).click();
  await page.getByRole('menuitem', { name: 'MNIST CNN' }).click();
  await page.getByRole('button', { name: 'Run', exact: true }).waitFor();
  projectUrl = page.url();
});
afterAll(async () => {
  await device?.close();
});

const status = (p: Page) => p.getByRole('status', { name: 'Execution status' });
const metrics = (p: Page) => p.getByRole('table', { name: 'Metrics' });
const nav = (p: Page) => p.getByRole('navigation', { name: 'Project' });
const jobRow = (p: Page, name: string) => p.getByRole('table', { name: 'Jobs' }).getByRole('row').filter({ has: p.getByRole('button', { name, exact: true }) });

async function setTheme(p: Page, wanted: 'light' | 'dark') {
  for (let i = 0; i < 3 && (await p.evaluate(() => document.documentElement.dataset.theme)) !== wanted; i++) {
    await p.getByRole('button', { name: /theme/i }).click();
  }
  await p.waitForTimeout(300); // let colour transitions finish before a screenshot
}

/** The last value the Metrics table shows for a metric. */
async function metric(p: Page, name: string): Promise<number> {
  const row = metrics(p).getByRole('row').filter({ has: p.getByRole('cell', { name, exact: true }) }).first();
  return Number(await row.getByRole('cell').nth(1).textContent());
}

async function openPipeline(p: Page) {
  await nav(p).getByRole('link', { name: 'Train MNIST CNN', exact: true }).click();
  await p.getByRole('button', { name: 'Run', exact: true }).waitFor();
}

describe('running a pipeline', () => {
  it('trains MNIST CNN with live metrics to at least 95% test accuracy, followed live on a second device', async () => {
    await shot(page, 'x01-pipeline-run-button');
    const started = Date.now();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => status(page).textContent(), { timeout: 20_000 }).toMatch(/Running/);
    // A collaborator opens the run while it trains: status and metrics reach them live, through the relay.
    const other = await openDevice();
    try {
      await other.page.goto(page.url());
      // Live: metrics arrive in the table and the chart while training is still going, here and there.
      for (const p of [page, other.page]) {
        await expect.poll(async () => (await metrics(p).isVisible()) && (await status(p).textContent())!.includes('Running'), { timeout: 90_000 }).toBe(true);
        await p.locator('.u-wrap').first().waitFor({ timeout: 60_000 });
      }
      await shot(page, 'x02-execution-running');
      await shot(other.page, 'x02-execution-running-second-device');
      await expect.poll(() => status(page).textContent(), { timeout: 240_000 }).toMatch(/Succeeded|Failed/);
      console.log(`[e2e] MNIST CNN trained in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      expect(await status(page).textContent()).toContain('Succeeded');
      const accuracy = await metric(page, 'test_accuracy');
      console.log(`[e2e] MNIST CNN test accuracy ${accuracy}`);
      expect(accuracy).toBeGreaterThanOrEqual(0.95);
      await expect.poll(() => status(other.page).textContent(), { timeout: 20_000 }).toContain('Succeeded');
      await expect.poll(() => metric(other.page, 'test_accuracy'), { timeout: 20_000 }).toBe(accuracy);
      expect(other.errors).toEqual([]);
    } finally {
      await other.device.close();
    }
    await shot(page, 'x03-execution-succeeded');
    await setTheme(page, 'dark');
    await shot(page, 'x04-execution-succeeded-dark');
    await setTheme(page, 'light');
  }, 400_000);

  it('downloads the trained model as files tf.loadLayersModel opens, and it predicts', async () => {
    await nav(page).getByRole('link', { name: /Train · model/ }).first().click();
    await page.getByRole('table', { name: 'Layers' }).waitFor();
    await shot(page, 'x05-model-artifact');
    const downloads: Array<{ name: string; path: string }> = [];
    page.on('download', async (d) => downloads.push({ name: d.suggestedFilename(), path: await d.path() }));
    await page.getByRole('button', { name: 'Download' }).click();
    await expect.poll(() => downloads.length, { timeout: 10_000 }).toBe(2);
    const byName = Object.fromEntries(downloads.map((d) => [d.name, readFileSync(d.path)]));
    expect(Object.keys(byName).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    await tf.setBackend('cpu');
    const json = JSON.parse(byName['model.json']!.toString('utf8'));
    const weights = byName['group1-shard1of1.bin']!;
    const model = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }));
    const prediction = model.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor;
    expect(prediction.shape).toEqual([2, 10]);
    const sums = (await prediction.sum(1).data()) as Float32Array;
    for (const s of sums) expect(s).toBeCloseTo(1, 4);
  });

  it('re-runs only what changed: unchanged jobs show "cached"', async () => {
    await openPipeline(page);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => status(page).textContent(), { timeout: 60_000 }).toContain('Succeeded');
    const jobs = page.getByRole('table', { name: 'Jobs' });
    expect(await jobs.getByText('Cached', { exact: true }).count()).toBe(4);
    expect(await metric(page, 'test_accuracy')).toBeGreaterThanOrEqual(0.95);
    await shot(page, 'x06-cached-rerun');
  });

  it('shows a failure with its line in the code and skips what depends on it', async () => {
    await setCode(page, 'Train', "  throw new Error('the data is not what I expected');");
    await openPipeline(page);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => status(page).textContent(), { timeout: 60_000 }).toContain('Failed');
    const alert = page.getByRole('alert').filter({ hasText: 'Train failed' });
    await expect.poll(() => alert.textContent()).toMatch(/at line 2 of its code/);
    expect(await alert.textContent()).toContain('the data is not what I expected');
    expect(await jobRow(page, 'Evaluate').textContent()).toContain('Skipped');
    expect(await page.getByRole('log', { name: 'Job log' }).textContent()).toContain('the data is not what I expected');
    await shot(page, 'x07-failed-job');
    // The error's link opens the operation's code with that line selected.
    await alert.getByRole('link', { name: 'Open the operation Train at line 2' }).click();
    await expect.poll(() => page.evaluate(() => getSelection()?.toString() ?? '')).toContain("throw new Error('the data is not what I expected')");
  });

  it('cancels a job stuck in while(true){} within a second', async () => {
    await setCode(page, 'Train', '  while (true) {}');
    await openPipeline(page);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const row = jobRow(page, 'Train');
    await expect.poll(() => row.textContent(), { timeout: 60_000 }).toContain('Running');
    await page.waitForTimeout(500);
    await shot(page, 'x08-stuck-running');
    const pressed = Date.now();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForFunction(() => document.querySelector('[aria-label="Execution status"]')?.textContent?.includes('Canceled'), undefined, { timeout: 5000, polling: 20 });
    const took = Date.now() - pressed;
    console.log(`[e2e] Cancel of while(true){} took ${took} ms`);
    expect(took).toBeLessThan(1000);
    await shot(page, 'x09-canceled');
  });

  it('keeps a run interrupted by a reload, and it can run again', async () => {
    await openPipeline(page);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const row = jobRow(page, 'Train');
    await expect.poll(() => row.textContent(), { timeout: 60_000 }).toContain('Running');
    const executionUrl = page.url();
    await page.reload();
    await expect.poll(() => status(page).textContent(), { timeout: 20_000 }).toContain('Interrupted');
    expect(page.url()).toBe(executionUrl);
    await shot(page, 'x10-interrupted');
    // Fix the code, then run it again from the interrupted execution.
    await setCode(page, 'Train', "  const model = ctx.buildModel(net, { seed: 1 });\n  model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });\n  return { model };");
    await page.goto(executionUrl);
    await page.getByRole('button', { name: 'Run again' }).click();
    await expect.poll(() => page.url()).not.toBe(executionUrl);
    await expect.poll(() => status(page).textContent(), { timeout: 60_000 }).toContain('Succeeded');
  });

  it('lists every run with its status, and compares two', async () => {
    await page.goto(projectUrl.replace(/\/pipelines\/.*$/, ''));
    const index = page.getByRole('table', { name: 'Executions' });
    await index.waitFor();
    // One row per run (plus the header), newest first, each with its status.
    expect(await index.getByRole('row').count()).toBe(7);
    const statuses = async () => (await index.getByRole('row').allTextContents()).slice(1).map((t) => /Running|Succeeded|Failed|Canceled|Interrupted/.exec(t)?.[0]);
    // The last run's summary reaches the project a moment after its view shows it finished.
    await expect.poll(statuses, { timeout: 10_000 }).toEqual(['Succeeded', 'Interrupted', 'Canceled', 'Failed', 'Succeeded', 'Succeeded']);
    // The first run against the last: Train's code differs, and both runs' metric series are overlaid.
    await index.getByRole('checkbox', { name: 'Compare Train MNIST CNN #1' }).check();
    await index.getByRole('checkbox', { name: 'Compare Train MNIST CNN #6' }).check();
    const comparison = page.getByRole('region', { name: 'Comparison' });
    const diff = comparison.getByRole('table', { name: /Differences between/ });
    await diff.waitFor();
    expect(await diff.getByRole('row').filter({ hasText: 'code' }).filter({ hasText: 'Train' }).count()).toBe(1);
    await comparison.locator('.u-wrap').first().waitFor();
    await comparison.scrollIntoViewIfNeeded();
    await shot(page, 'x11-executions-compare');
    await setTheme(page, 'dark');
    await shot(page, 'x12-executions-compare-dark');
    await setTheme(page, 'light');
  });

  it('had no page errors', () => {
    expect(errors).toEqual([]);
  });
});
