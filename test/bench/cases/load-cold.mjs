/**
 * Cold load: a brand-new browser profile (no cache, no service worker, empty IndexedDB) opens
 * the app served by the relay; measured from navigation start until "New project" is visible
 * and enabled. Baseline: the same on a one-button static page from a loopback server.
 */
import { launchFresh, loadUntilInteractive, minimalPageUrl } from '../browser.mjs';

const KiB = 1024;

export default {
  name: 'cold load to interactive',
  unit: 'ms',
  description: 'fresh profile, navigation start → "New project" button visible and enabled (in-page performance.now())',
  async setup(ctx) {
    const app = await ctx.appServer();
    return { app, baselineUrl: await minimalPageUrl(ctx) };
  },
  async run(ctx, { app }) {
    const browser = await launchFresh(ctx);
    try {
      const m = await loadUntilInteractive(browser.context, app.url);
      return {
        value: m.interactive,
        notes: {
          'served by': app.server,
          'requests up to interactive': m.requests,
          'KiB transferred up to interactive': m.transferBytes / KiB,
          'KiB decoded up to interactive': m.decodedBytes / KiB,
          'JS files up to interactive': m.jsFiles.join(', ') || '(none)',
          'largest transfers': m.largest.map((r) => `${r.file} ${(r.transferSize / KiB).toFixed(1)} KiB`).join(', ') || '(none)',
          'DOMContentLoaded (ms)': m.domContentLoaded,
          'page errors': m.errors.length,
        },
        checks: [
          { name: 'cold load does real work (≥ 2 requests, > 10 KiB over the wire)', ok: m.requests >= 2 && m.transferBytes > 10 * KiB, detail: `${m.requests} requests, ${(m.transferBytes / KiB).toFixed(1)} KiB` },
          { name: 'no page errors', ok: m.errors.length === 0, detail: m.errors.slice(0, 3).join('; ') },
        ],
      };
    } finally {
      await browser.close();
    }
  },
  baseline: {
    name: 'one-button static page from a loopback node:http server, same browser setup',
    async run(ctx, { baselineUrl }) {
      const browser = await launchFresh(ctx);
      try {
        const m = await loadUntilInteractive(browser.context, baselineUrl);
        return { value: m.interactive, notes: { requests: m.requests, 'KiB transferred': m.transferBytes / KiB } };
      } finally {
        await browser.close();
      }
    },
  },
};
