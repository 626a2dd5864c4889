/**
 * Warm load: in a fresh profile, load the app once (cold), wait for its service worker to
 * finish installing (precache filled), close the tab, then open the app again in a new tab of
 * the same profile; measured like the cold load. Baseline: the same two loads of the one-button
 * static page.
 */
import { launchFresh, loadUntilInteractive, minimalPageUrl, waitForServiceWorker } from '../browser.mjs';

const KiB = 1024;

async function coldThenWarm(ctx, url, withWorker) {
  const browser = await launchFresh(ctx);
  try {
    const first = await loadUntilInteractive(browser.context, url);
    const worker = withWorker ? await waitForServiceWorker(first.page) : false;
    await first.page.close();
    const second = await loadUntilInteractive(browser.context, url);
    return { worker, m: second };
  } finally {
    await browser.close();
  }
}

export default {
  name: 'warm load to interactive',
  unit: 'ms',
  description: 'second navigation in the same profile (service worker and caches primed) → "New project" visible and enabled',
  async setup(ctx) {
    const app = await ctx.appServer();
    return { app, baselineUrl: await minimalPageUrl(ctx) };
  },
  async run(ctx, { app }) {
    const { worker, m } = await coldThenWarm(ctx, app.url, true);
    return {
      value: m.interactive,
      notes: {
        'service worker active before the second load': worker ? 'yes' : 'no',
        'second load controlled by the service worker': m.controlled ? 'yes' : 'no',
        'requests up to interactive': m.requests,
        'KiB transferred up to interactive': m.transferBytes / KiB,
        'page errors': m.errors.length,
      },
      checks: [
        { name: 'warm load is served by the service worker', ok: m.controlled, detail: worker ? '' : 'no service worker became active after the first load' },
        { name: 'no page errors', ok: m.errors.length === 0, detail: m.errors.slice(0, 3).join('; ') },
      ],
    };
  },
  baseline: {
    name: 'one-button static page, second navigation in the same profile',
    async run(ctx, { baselineUrl }) {
      const { m } = await coldThenWarm(ctx, baselineUrl, false);
      return { value: m.interactive };
    },
  },
};
