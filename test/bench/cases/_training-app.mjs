/**
 * Training through the pipeline, in the built app served by the relay: open an example from
 * "Open example", optionally change an operation's attribute default in its editor (the way a
 * user would, e.g. Load MNIST's `samples`), pick the backend in the Run bar and press "Run all"
 * (so that the job cache never answers), then read when each epoch ended.
 *
 * Epoch ends are the moments the page receives the engine's per-epoch `metric` messages
 * (`loss`, step = epoch) on its MessagePort to the sandboxed engine worker: an init script
 * wraps `MessagePort.prototype.onmessage` in the app's page (top frame only) and stamps
 * `performance.now()` on the engine's messages before handing them on unchanged. Nothing in the
 * app is changed; the stamps include whatever the page's main thread makes the messages wait.
 * The same tap records the device the engine chose, job events and `run-finished` (with the
 * engine's `tf.memory().numTensors` after the run).
 */
import { launchFresh } from '../browser.mjs';

/** Runs in the app's page before its scripts (see the module comment). */
function engineTap() {
  if (window.top !== window) return;
  const tap = (window.__engineTap = { events: [] });
  const kept = ['device', 'job-started', 'job-finished', 'job-failed', 'job-skipped', 'run-finished'];
  const descriptor = Object.getOwnPropertyDescriptor(MessagePort.prototype, 'onmessage');
  Object.defineProperty(MessagePort.prototype, 'onmessage', {
    configurable: true,
    enumerable: descriptor.enumerable,
    get() {
      return descriptor.get.call(this);
    },
    set(handler) {
      if (typeof handler !== 'function') {
        descriptor.set.call(this, handler);
        return;
      }
      descriptor.set.call(this, function (event) {
        const d = event.data;
        if (d && typeof d === 'object' && typeof d.type === 'string') {
          const t = performance.now();
          if (d.type === 'metric' && !String(d.name).startsWith('batch/')) tap.events.push({ t, type: 'metric', jobId: d.jobId, name: d.name, step: d.step });
          else if (kept.includes(d.type)) {
            tap.events.push({ t, type: d.type, jobId: d.jobId, backend: d.backend, reason: d.reason, status: d.status, numTensors: d.numTensors, error: d.error?.message ?? d.reason });
          }
        }
        return handler.call(this, event);
      });
    },
  });
}

/**
 * A fresh browser with the app open on example `title` (e.g. 'MNIST MLP'), its operation
 * defaults changed as `defaults` says (`{ 'Load MNIST': { samples: 1000 } }`). Resolves to
 * `{ page, cdp, errors, context, close, pipelineName }`.
 */
export async function openExample(ctx, { title, pipelineName, defaults = {} }) {
  const app = await ctx.appServer();
  const browser = await launchFresh(ctx);
  await browser.context.addInitScript(engineTap);
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(app.url);
  await page.getByRole('button', { name: 'Open example' }).click();
  await page.getByRole('menuitem', { name: title, exact: true }).click();
  await page.getByRole('button', { name: 'Run all', exact: true }).waitFor({ timeout: 30_000 });
  const nav = page.getByRole('navigation', { name: 'Project' });
  for (const [operation, values] of Object.entries(defaults)) {
    await nav.getByRole('link', { name: operation, exact: true }).click();
    for (const [name, value] of Object.entries(values)) {
      const box = page.getByRole('textbox', { name: `Default of attribute ${name}` });
      await box.fill(String(value));
      await box.press('Enter');
      await page.waitForFunction(
        ([label, wanted]) => document.querySelector(`[aria-label="${label}"]`)?.value === wanted,
        [`Default of attribute ${name}`, String(value)],
        { timeout: 5000 },
      );
    }
  }
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('Performance.enable');
  return { page, cdp, errors, context: browser.context, close: browser.close, pipelineName };
}

/** Time the page's main thread has spent running tasks so far (ms). */
async function mainThreadBusy(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return (metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0) * 1000;
}

/**
 * Runs the open example's pipeline once on `backend` ('wasm', 'cpu', … as the Run bar offers)
 * and resolves to `{ status, device, devices, epochEnds, numTensors, mainThreadBusyMs, runMs,
 * failures }` once the engine says the run finished. `epochEnds`: in-page times (ms) of the
 * `trainJob`'s per-epoch metrics; `mainThreadBusyMs`: the page's main thread busy with tasks
 * (CDP Performance TaskDuration) from pressing Run all to the end, out of `runMs`.
 */
export async function runPipeline(session, { backend, trainJob, timeout = 600_000 }) {
  const { page, pipelineName } = session;
  await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: pipelineName, exact: true }).click();
  await page.getByRole('combobox', { name: 'Backend' }).selectOption(backend);
  const started = await page.evaluate(() => {
    window.__engineTap.events = [];
    return performance.now();
  });
  const busyBefore = await mainThreadBusy(session.cdp);
  await page.getByRole('button', { name: 'Run all', exact: true }).click();
  await page.waitForFunction(() => window.__engineTap.events.some((e) => e.type === 'run-finished'), null, { timeout, polling: 250 });
  const busy = (await mainThreadBusy(session.cdp)) - busyBefore;
  const events = await page.evaluate(() => window.__engineTap.events);
  const finished = events.find((e) => e.type === 'run-finished');
  const devices = events.filter((e) => e.type === 'device');
  const epochEnds = events.filter((e) => e.type === 'metric' && e.jobId === trainJob && e.name === 'loss').map((e) => e.t);
  return {
    status: finished.status,
    device: devices.at(-1) ?? null,
    devices: devices.map((d) => d.backend),
    epochEnds,
    numTensors: finished.numTensors,
    mainThreadBusyMs: busy,
    runMs: finished.t - started,
    failures: events.filter((e) => e.type === 'job-failed' || e.type === 'job-skipped').map((e) => `${e.jobId}: ${e.error}`),
  };
}
