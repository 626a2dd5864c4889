import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { formatCount } from '../../src/lib/format';
import { ARCHITECTURE_TEMPLATES, importModel, inferArchitecture } from '../../src/model/architecture';
import { EXAMPLES } from '../../src/model/examples';
import type { Architecture, Layer, LayerEdge } from '../../src/model/types';
import { newDevice } from './browser';
import { baseURL, createProject, openDevice, shot, watchErrors } from './helpers';

let device: BrowserContext;
let page: Page;
let errors: string[];
/** Where the hand-built LeNet-5 lives, and the name the imported functional model got: later tests go back to them. */
let lenetUrl: string;
let importedName: string;

beforeAll(async () => {
  ({ device, page, errors } = await openDevice());
});
afterAll(async () => {
  await device?.close();
});

/** A layer card, by the layer's name (the UI contract: a `group` named by the node's title). */
const layer = (name: string, p = page) => p.getByRole('group', { name, exact: true });
/** A connection, named `from to to: [shape]`. */
const connection = (name: string) => page.getByRole('group', { name, exact: true });
const canvas = () => page.getByRole('region', { name: 'Architecture canvas' });
const palette = () => page.getByRole('complementary', { name: 'Layers' });
const search = () => page.getByRole('searchbox', { name: 'Search layers' });
const summary = (p = page) => p.getByRole('status', { name: 'Architecture summary' });
const problems = () => page.getByRole('region', { name: 'Problems' });
const cards = () => page.locator('.svelte-flow__node');

/** Set a parameter of the selected layer in the inspector (typed, committed on Enter). */
async function setParam(label: string, value: string): Promise<void> {
  const field = page.getByRole('complementary', { name: 'Inspector' }).getByRole('textbox', { name: label, exact: true }).or(page.getByRole('spinbutton', { name: label, exact: true }));
  await field.fill(value);
  await field.press('Enter');
}

/** Add a layer from the catalog the keyboard way: search, then Enter adds the first match below the selected layer. */
async function addBySearch(query: string, name: string): Promise<void> {
  await search().fill(query);
  await search().press('Enter');
  await layer(name).waitFor();
  await search().fill('');
}

/** Drag from the bottom handle of one card to the top handle of another, the way a person draws a connection. */
async function dragConnection(from: string, to: string): Promise<void> {
  const a = (await layer(from).locator('.svelte-flow__handle.source').boundingBox())!;
  const b = (await layer(to).locator('.svelte-flow__handle.target').boundingBox())!;
  const [ax, ay, bx, by] = [a.x + a.width / 2, a.y + a.height / 2, b.x + b.width / 2, b.y + b.height / 2];
  await page.mouse.move(ax, ay);
  await page.mouse.down();
  await page.mouse.move(ax + (bx - ax) * 0.2, ay + (by - ay) * 0.2 + 8, { steps: 4 });
  await page.mouse.move(bx, by, { steps: 12 });
  await page.mouse.up();
}

async function setTheme(p: Page, wanted: 'light' | 'dark') {
  for (let i = 0; i < 3 && (await p.evaluate(() => document.documentElement.dataset.theme)) !== wanted; i++) {
    await p.getByRole('button', { name: /theme/i }).click();
  }
}

/** LeNet-5 as the test builds it, as data: to compare what the editor shows with the model's own inference. */
function lenet(): Architecture {
  const specs: Array<[string, string, Layer['config']]> = [
    ['input_1', 'input', { shape: [28, 28, 1] }],
    ['conv2d_1', 'conv2d', { filters: 6, kernelSize: 5 }],
    ['maxPooling2d_1', 'maxPooling2d', {}],
    ['conv2d_2', 'conv2d', { filters: 16, kernelSize: 5 }],
    ['maxPooling2d_2', 'maxPooling2d', {}],
    ['flatten_1', 'flatten', {}],
    ['dense_1', 'dense', { units: 120 }],
    ['dense_2', 'dense', { units: 84 }],
    ['dense_3', 'dense', { units: 10 }],
  ];
  const layers: Record<string, Layer> = {};
  const edges: Record<string, LayerEdge> = {};
  specs.forEach(([name, type, config], i) => {
    layers[name] = { id: name, name, type, config, position: { x: 0, y: i * 100 } };
    if (i > 0) edges[`e${i}`] = { id: `e${i}`, from: specs[i - 1]![0], to: name };
  });
  return { id: 'lenet', name: 'LeNet-5', description: '', layers, edges, createdAt: 0, updatedAt: 0 };
}

describe('the architecture editor', () => {
  it('builds LeNet-5 from the catalog by hand and shows every shape and the parameter total', async () => {
    await createProject(page, 'Digits');
    await page.getByRole('button', { name: 'New architecture' }).click();
    await search().waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Start from LeNet-5' }).isVisible()).toBe(true);
    expect(await summary().textContent()).toBe('Total params: 0 · 0 errors');
    await shot(page, 'ar-01-empty');

    // The keyboard: search, Enter adds the first match (selected, so the next one goes below it, connected).
    await addBySearch('input', 'input_1');
    await setParam('Shape', '28, 28, 1');
    await expect.poll(() => layer('input_1').textContent()).toContain('[null, 28, 28, 1]');
    await search().fill('conv2d');
    await search().press('ArrowDown');
    await page.keyboard.press('Enter');
    await layer('conv2d_1').waitFor();
    await search().fill('');
    await setParam('Filters', '6');
    await setParam('Kernel size', '5');
    await expect.poll(() => layer('conv2d_1').textContent()).toContain('[null, 24, 24, 6]');
    // A click on a catalog entry adds it below the selected layer too.
    await palette().getByRole('button', { name: 'MaxPooling2D', exact: true }).click();
    await layer('maxPooling2d_1').waitFor();
    await addBySearch('conv2d', 'conv2d_2');
    await setParam('Filters', '16');
    await setParam('Kernel size', '5');
    await addBySearch('maxpooling2d', 'maxPooling2d_2');

    // The mouse: drag Flatten from the catalog onto the canvas, then connect it by dragging between handles.
    await page.getByRole('button', { name: 'Fit view' }).click();
    const box = (await canvas().boundingBox())!;
    await palette().getByRole('button', { name: 'Flatten', exact: true }).dragTo(canvas(), { targetPosition: { x: box.width * 0.8, y: box.height * 0.3 } });
    await layer('flatten_1').waitFor();
    expect(await page.locator('.svelte-flow__edge').count()).toBe(4);
    // (Flatten has no input yet: the problems list opens under the canvas; fit the view to see both layers.)
    await page.getByRole('button', { name: 'Fit view' }).click();
    await page.waitForTimeout(350);
    await dragConnection('maxPooling2d_2', 'flatten_1');
    await connection('maxPooling2d_2 to flatten_1: [null, 4, 4, 16]').waitFor({ state: 'attached' });

    // Dense layers: the first one unconnected (nothing selected), joined with the keyboard Connect form.
    await page.keyboard.press('Escape');
    await canvas().click({ position: { x: 10, y: 10 } });
    await addBySearch('dense', 'dense_1');
    await setParam('Units', '120');
    await page.getByRole('button', { name: 'Connect…' }).click();
    await page.getByRole('combobox', { name: 'Connect from' }).selectOption({ label: 'flatten_1 (Flatten)' });
    await page.getByRole('combobox', { name: 'Connect to' }).selectOption({ label: 'dense_1 (Dense)' });
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await connection('flatten_1 to dense_1: [null, 256]').waitFor({ state: 'attached' });
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await layer('dense_1').click();
    await addBySearch('dense', 'dense_2');
    await setParam('Units', '84');
    await addBySearch('dense', 'dense_3');
    await setParam('Units', '10');

    // Every shape on the cards and the connections, and the total: what the model's inference says for LeNet-5
    // with these settings, which is also the number worked out by hand (156 + 2,416 + 30,840 + 10,164 + 850).
    const expected = inferArchitecture(lenet());
    expect(expected.totalParams).toBe(44_426);
    await expect.poll(() => summary().textContent()).toBe(`Total params: ${formatCount(expected.totalParams)} · 0 errors`);
    for (const [name, info] of Object.entries(expected.layers)) {
      expect(await layer(name).textContent()).toContain(`[${info.outputShape!.map((d) => String(d)).join(', ')}]`);
    }
    for (const name of ['input_1 to conv2d_1: [null, 28, 28, 1]', 'conv2d_1 to maxPooling2d_1: [null, 24, 24, 6]', 'maxPooling2d_1 to conv2d_2: [null, 12, 12, 6]', 'dense_2 to dense_3: [null, 84]']) {
      expect(await connection(name).count()).toBe(1);
    }
    expect(await page.locator('.svelte-flow__edge').count()).toBe(8);
    await page.getByRole('button', { name: 'Auto layout' }).click();
    await expect
      .poll(async () => {
        const ys: number[] = [];
        for (const n of ['input_1', 'conv2d_1', 'maxPooling2d_1', 'conv2d_2', 'maxPooling2d_2', 'flatten_1', 'dense_1', 'dense_2', 'dense_3']) ys.push((await layer(n).boundingBox())!.y);
        return ys.every((y, i) => i === 0 || y > ys[i - 1]!);
      }, { timeout: 10_000 })
      .toBe(true);
    await page.waitForTimeout(400);
    await shot(page, 'ar-02-lenet-by-hand');
    lenetUrl = page.url();
    expect(errors).toEqual([]);
  });

  it('puts an error on the right layer, with a fix that is one undoable step', async () => {
    await page.getByRole('button', { name: 'Fit view' }).click();
    await page.waitForTimeout(350);
    await layer('flatten_1').click();
    await page.keyboard.press('Delete');
    await expect.poll(() => cards().count()).toBe(8);
    // Dense now takes the pooled maps directly.
    await dragConnection('maxPooling2d_2', 'dense_1');
    await expect.poll(() => summary().textContent()).toBe('Total params: 2,572 · 1 error');
    const message = 'Dense got a rank-4 input [null,4,4,16]; insert Flatten?';
    expect(await layer('dense_1').textContent()).toContain(message);
    expect(await layer('dense_1').locator('.layer').getAttribute('class')).toContain('problem');
    expect(await layer('dense_2').locator('.layer').getAttribute('class')).not.toContain('problem');
    expect(await problems().textContent()).toContain(message);
    await shot(page, 'ar-03-error');

    // The problem's link selects the layer; its fix inserts Flatten where it belongs.
    await problems().getByRole('button', { name: 'dense_1' }).click();
    expect(await layer('dense_1').getAttribute('class')).toContain('selected');
    await problems().getByRole('button', { name: 'Insert Flatten' }).click();
    await expect.poll(() => summary().textContent()).toBe('Total params: 44,426 · 0 errors');
    expect(await problems().count()).toBe(0);
    await connection('flatten_1 to dense_1: [null, 256]').waitFor({ state: 'attached' });
    await shot(page, 'ar-04-fixed');

    // Undo takes back the fix alone; redo brings it back.
    await canvas().click({ position: { x: 10, y: 10 } });
    await page.keyboard.press('Control+z');
    await expect.poll(() => summary().textContent()).toBe('Total params: 2,572 · 1 error');
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => summary().textContent()).toBe('Total params: 44,426 · 0 errors');

    // A value that breaks a parameter's spec is shown and not saved.
    await layer('dense_3').click();
    await setParam('Units', '0');
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'Units must be at least 1' }).isVisible()).toBe(true);
    expect(await summary().textContent()).toBe('Total params: 44,426 · 0 errors');
    await shot(page, 'ar-05-invalid-value');
    await page.getByRole('spinbutton', { name: 'Units', exact: true }).press('Escape');

    // Several layers: Shift-click selects them, Ctrl+D duplicates them (with the connection between them), undo.
    await page.getByRole('button', { name: 'Fit view' }).click();
    await page.waitForTimeout(350);
    await layer('dense_2').click();
    await layer('dense_3').click({ modifiers: ['Shift'] });
    await page.keyboard.press('Control+d');
    await expect.poll(() => cards().count()).toBe(11);
    // (The copies are not fed by anything, so the shape between them is unknown.)
    await connection('dense_4 to dense_5: ?').or(connection('dense_5 to dense_4: ?')).waitFor({ state: 'attached' });
    await page.keyboard.press('Control+z');
    await expect.poll(() => cards().count()).toBe(9);
    expect(await summary().textContent()).toBe('Total params: 44,426 · 0 errors');
    expect(errors).toEqual([]);
  });

  it('starts an architecture from a template', async () => {
    await page.getByRole('button', { name: 'New architecture' }).click();
    await page.getByRole('button', { name: 'Start from ResNet block' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Architecture name' }).inputValue()).toBe('ResNet block');
    const template = ARCHITECTURE_TEMPLATES.find((t) => t.id === 'resnet-block')!;
    const built = template.build('x');
    const expected = inferArchitecture({ id: 'x', name: 'x', description: '', ...built, createdAt: 0, updatedAt: 0 });
    await expect.poll(() => summary().textContent()).toBe(`Total params: ${formatCount(expected.totalParams)} · 0 errors`);
    expect(await cards().count()).toBe(Object.keys(built.layers).length);
    // The merge numbers its inputs.
    expect(await page.locator('.svelte-flow__edge-label', { hasText: '#2' }).count()).toBe(1);
    await page.waitForTimeout(300);
    await shot(page, 'ar-06-template-resnet');
    expect(errors).toEqual([]);
  });

  it('imports a model.json from the home page as a new project, and says by layer what it could not map', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deepforge-models-'));
    // A Keras 2.2 Sequential whose middle layer is a custom class DeepForge does not know.
    const custom = {
      class_name: 'Sequential',
      config: {
        name: 'sentiment',
        layers: [
          { class_name: 'Dense', config: { name: 'hidden', units: 16, activation: 'relu', use_bias: true, batch_input_shape: [null, 8], dtype: 'float32', trainable: true } },
          { class_name: 'MyAttention', config: { name: 'attention', heads: 2 } },
          { class_name: 'Dense', config: { name: 'out', units: 1, activation: 'sigmoid', use_bias: true } },
        ],
      },
      keras_version: '2.2.4',
      backend: 'tensorflow',
    };
    const customFile = join(dir, 'sentiment.json');
    writeFileSync(customFile, JSON.stringify(custom));
    const expected = importModel(JSON.stringify(custom), 'sentiment.json');
    expect(expected.unmapped.map((u) => u.layer)).toEqual(['attention']);

    await page.goto(baseURL());
    await page.getByRole('list', { name: 'Projects' }).waitFor();
    await shot(page, 'ar-07a-home-import-model');
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Import model' }).click();
    await (await chooser).setFiles(customFile);
    const report = page.getByRole('region', { name: 'Import report' });
    await report.waitFor();
    expect(await page.getByRole('textbox', { name: 'Project name' }).inputValue()).toBe('sentiment');
    expect(await report.textContent()).toContain('attention');
    expect(await report.textContent()).toContain('MyAttention');
    await expect.poll(() => cards().count()).toBe(Object.keys(expected.architecture.layers).length);
    // The unknown layer stays in the graph, in red, and the summary counts it.
    expect(await layer('attention').locator('.layer').getAttribute('class')).toContain('problem');
    expect(await summary().textContent()).toMatch(/[1-9]\d* errors?$/);
    await shot(page, 'ar-07-imported-with-unknown-layer');
    await report.getByRole('button', { name: 'Dismiss' }).click();
    expect(await report.count()).toBe(0);

    // From a project's overview: a tf.keras Functional model with a skip connection joins the open project.
    await page.getByRole('link', { name: 'Overview' }).click();
    const fixture = join(process.cwd(), 'test/fixtures/models/tf-keras-2-functional-skip.json');
    const skip = importModel(readFileSync(fixture, 'utf8'), 'tf-keras-2-functional-skip.json');
    const inferred = inferArchitecture(skip.architecture);
    importedName = skip.architecture.name;
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await shot(page, 'ar-07b-overview-import-model');
    const chooser2 = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Import model' }).click();
    await (await chooser2).setFiles(fixture);
    await report.waitFor();
    await expect.poll(() => cards().count()).toBe(Object.keys(skip.architecture.layers).length);
    await expect.poll(() => summary().textContent()).toBe(`Total params: ${formatCount(inferred.totalParams)} · ${inferred.problems.length} error${inferred.problems.length === 1 ? '' : 's'}`);
    expect(await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: importedName, exact: true }).count()).toBe(1);
    await page.waitForTimeout(300);
    await shot(page, 'ar-08-imported-functional');

    // A file that is not a model: nothing is created, and the message says what to pick.
    const bad = join(dir, 'notes.json');
    writeFileSync(bad, JSON.stringify({ hello: 'world' }));
    const chooser3 = page.waitForEvent('filechooser');
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('button', { name: 'Import model' }).click();
    await (await chooser3).setFiles(bad);
    await expect.poll(() => page.getByText(/not a Keras or tfjs model/).isVisible()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('exports the architecture as model.json and as tfjs code', async () => {
    await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: importedName, exact: true }).click();
    await summary().waitFor();
    const count = await cards().count();
    await page.getByRole('button', { name: 'Export' }).click();
    const download = page.waitForEvent('download');
    await page.getByRole('menuitem', { name: 'Download model.json' }).click();
    const file = await (await download).path();
    const json = JSON.parse(readFileSync(file, 'utf8')) as { format: string; modelTopology: { config: { layers: unknown[] } } };
    expect(json.format).toBe('layers-model');
    expect(json.modelTopology.config.layers).toHaveLength(count);

    await page.getByRole('button', { name: 'Export' }).click();
    await page.getByRole('menuitem', { name: 'Show tfjs code…' }).click();
    const code = page.getByLabel('tfjs code', { exact: true }).locator('pre');
    await code.waitFor();
    expect(await code.textContent()).toContain('tf.layers.add(');
    expect(await code.textContent()).toContain('tf.model({');
    await shot(page, 'ar-09-tfjs-code');
    await page.keyboard.press('Escape');
    expect(errors).toEqual([]);
  });

  it('opens a past version read-only', async () => {
    await page.goto(lenetUrl);
    await layer('dense_1').waitFor();
    await page.getByRole('link', { name: 'History', exact: true }).click();
    await page.getByRole('list', { name: 'History' }).getByRole('button').filter({ hasText: 'inserted Flatten between maxPooling2d_2 and dense_1' }).first().click();
    await page.getByRole('link', { name: 'Open this version' }).click();
    await page.getByRole('region', { name: 'Past version' }).waitFor();
    await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Architecture', exact: true }).click();
    await expect.poll(() => summary().textContent()).toBe('Total params: 44,426 · 0 errors');
    expect(await search().count()).toBe(0);
    expect(await page.getByText('A past version, read-only').isVisible()).toBe(true);
    await shot(page, 'ar-10-read-only');
    await page.getByRole('button', { name: 'Fit view' }).click();
    await page.waitForTimeout(350);
    await layer('dense_3').click();
    await page.keyboard.press('Delete');
    expect(await cards().count()).toBe(9);
    expect(await page.getByRole('spinbutton', { name: 'Units', exact: true }).getAttribute('readonly')).not.toBeNull();
    expect(errors).toEqual([]);
  });

  it('looks right in the dark and at tablet width', async () => {
    await page.getByRole('link', { name: 'Back to the current version' }).click();
    await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Architecture', exact: true }).click();
    await layer('conv2d_2').click();
    await setTheme(page, 'dark');
    await page.waitForTimeout(300);
    await shot(page, 'ar-11-dark');
    await page.setViewportSize({ width: 820, height: 1180 });
    await page.getByRole('button', { name: 'Fit view' }).click();
    await page.waitForTimeout(400);
    await shot(page, 'ar-12-tablet-dark');
    await setTheme(page, 'light');
    await page.waitForTimeout(200);
    await shot(page, 'ar-13-tablet');
    await page.setViewportSize({ width: 1366, height: 860 });
    expect(errors).toEqual([]);
  });
});

describe('two people on one architecture', () => {
  it('shows the layer the other person has selected', async () => {
    const people: Array<[BrowserContext, Page, string[]]> = [];
    for (const [name, color] of [['Ada Lovelace', '#e11d48'], ['Bob Kahn', '#16a34a']] as const) {
      const ctx = await newDevice();
      await ctx.addInitScript(([n, c]) => localStorage.setItem('deepforge.profile', JSON.stringify({ name: n, color: c, chosen: true })), [name, color]);
      const p = ctx.pages()[0] ?? (await ctx.newPage());
      people.push([ctx, p, watchErrors(p)]);
    }
    const [[ada, pa, ea], [bob, pb, eb]] = people as [[BrowserContext, Page, string[]], [BrowserContext, Page, string[]]];
    try {
      const example = EXAMPLES.find((e) => e.id === 'mnist-cnn')!.build(0).project;
      const cnn = Object.values(example.architectures)[0]!;
      const conv = Object.values(cnn.layers).find((l) => l.type === 'conv2d')!.name;
      await pa.goto(baseURL());
      await pa.getByRole('button', { name: 'Open example' }).click();
      await pa.getByRole('menuitem', { name: 'MNIST CNN' }).click();
      await expect.poll(() => pa.getByRole('status', { name: 'Sync status' }).textContent(), { timeout: 15_000 }).toContain('Synced');
      await pa.getByRole('button', { name: 'Share' }).click();
      const link = await pa.getByRole('textbox', { name: 'Share link' }).inputValue();
      await pa.keyboard.press('Escape');
      await pb.goto(link);
      for (const p of [pa, pb]) {
        await p.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: cnn.name }).click({ timeout: 15_000 });
        await layer(conv, p).waitFor();
      }
      await layer(conv, pa).click();
      await expect.poll(() => layer(conv, pb).getByLabel('Selected by Ada Lovelace').isVisible(), { timeout: 10_000 }).toBe(true);
      await shot(pb, 'ar-14-presence');
      expect([...ea, ...eb]).toEqual([]);
    } finally {
      await ada.close();
      await bob.close();
    }
  });
});
