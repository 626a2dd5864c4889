/**
 * Chromium for the benchmarks: fresh persistent profiles (own IndexedDB, service worker and
 * caches, like a new device) and an in-page detector that stamps `performance.now()` the moment
 * a page becomes interactive, so load times are navigation-relative and free of Node-side
 * polling latency.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export const CHROME_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromePath() {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROME_PATH is set to ${fromEnv}, but there is no file there.`);
    return fromEnv;
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error('The browser benchmarks need Chromium: install it (Debian: `apt-get install -y chromium`) or set CHROME_PATH.');
  return found;
}

/** "Chromium 156.0.8078.108 …" from `chromium --version` (Debian's wrapper script may chatter on stderr). */
export function chromeVersion() {
  try {
    const out = execFileSync(chromePath(), ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 15000 });
    return out.trim().split('\n').pop();
  } catch (error) {
    return `unknown (${error instanceof Error ? error.message.split('\n')[0] : error})`;
  }
}

/**
 * The accessible name the home page is ready on. The detector below approximates Playwright's
 * role/name matching (case-insensitive substring of aria-label, else text content, else title);
 * the harness confirms with the real `getByRole` locator every run.
 */
export const READY_BUTTON = 'New project';

/** Runs in every page before its own scripts; records `window.__benchInteractive`. */
function interactiveDetector(name) {
  if (window.top !== window) return;
  const wanted = name.toLowerCase();
  window.__benchInteractive = null;
  const label = (el) => (el.getAttribute('aria-label') || el.textContent || el.getAttribute('title') || '').replace(/\s+/g, ' ').trim().toLowerCase();
  const visible = (el) => {
    if (typeof el.checkVisibility === 'function' && !el.checkVisibility({ visibilityProperty: true })) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const enabled = (el) => !el.disabled && el.getAttribute('aria-disabled') !== 'true' && !el.closest('[inert]');
  const check = () => {
    if (window.__benchInteractive !== null) return true;
    for (const el of document.querySelectorAll('button, [role="button"]')) {
      // Cheap test first; layout is only forced for a candidate.
      if (label(el).includes(wanted) && enabled(el) && visible(el)) {
        window.__benchInteractive = performance.now();
        return true;
      }
    }
    return false;
  };
  // Mutations are seen before the next paint; the per-frame check catches changes that come
  // without one (a stylesheet arriving, say).
  const mo = new MutationObserver(() => {
    if (check()) mo.disconnect();
  });
  mo.observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
  const frame = () => {
    if (check()) mo.disconnect();
    else requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

/**
 * A fresh Chromium profile in its own temp dir. Returns `{ context, close }`; `close` is also
 * registered with the bench context's cleanup, so an error never leaks a browser.
 */
export async function launchFresh(ctx, { viewport = { width: 1366, height: 860 } } = {}) {
  if (ctx.isClosing()) throw new Error('the bench run is stopping');
  const dir = ctx.tempDir('deepforge-bench-profile-');
  const launching = chromium.launchPersistentContext(dir.path, {
    executablePath: chromePath(),
    headless: true,
    args: CHROME_ARGS,
    viewport,
    // The harness closes its browsers on Ctrl-C itself, then stops the relay; Playwright's own
    // handlers would exit the process first and orphan the relay.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  // Registered before the launch settles (and after the profile dir, so it runs first): a Ctrl-C
  // during the launch still closes this browser before its profile is removed.
  const close = ctx.runOnce(async () => {
    const context = await launching.catch(() => null);
    await context?.close().catch(() => {});
    await dir.remove();
  });
  ctx.onCleanup(close);
  const context = await launching;
  await context.addInitScript(interactiveDetector, READY_BUTTON);
  return { context, close };
}

/**
 * Opens a new page in `context`, navigates to `url` and waits until the "New project" button is
 * visible and enabled. Returns the in-page interactive time (ms since navigation start) and what
 * the page loaded up to then: request count, bytes over the wire, JS files, and page errors.
 */
export async function loadUntilInteractive(context, url, { timeout = 30000 } = {}) {
  // Reuse the blank tab a persistent context opens with; later loads get a tab of their own.
  const blank = context.pages().find((p) => p.url() === 'about:blank');
  const page = blank ?? (await context.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url, { waitUntil: 'commit', timeout });
  const button = page.getByRole('button', { name: READY_BUTTON }).first();
  await button.waitFor({ state: 'visible', timeout });
  const deadline = Date.now() + timeout;
  while (!(await button.isEnabled())) {
    if (Date.now() > deadline) throw new Error(`"${READY_BUTTON}" stayed disabled for ${timeout / 1000} s at ${url}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  try {
    await page.waitForFunction(() => window.__benchInteractive !== null, null, { timeout: 3000, polling: 20 });
  } catch (error) {
    if (page.isClosed() || !/timeout/i.test(String(error?.message))) throw error;
    throw new Error(
      `Playwright sees the "${READY_BUTTON}" button at ${url}, but the in-page detector (test/bench/browser.mjs) never matched it: update the detector to the page's markup.`,
      { cause: error },
    );
  }
  const m = await page.evaluate(() => {
    const t = window.__benchInteractive;
    const nav = performance.getEntriesByType('navigation')[0];
    const before = performance.getEntriesByType('resource').filter((e) => e.startTime <= t);
    const js = before.filter((e) => /\.m?js$/.test(new URL(e.name).pathname));
    return {
      interactive: t,
      domContentLoaded: nav ? nav.domContentLoadedEventEnd : null,
      requests: before.length + (nav ? 1 : 0),
      transferBytes: before.reduce((s, e) => s + (e.transferSize || 0), 0) + (nav ? nav.transferSize || 0 : 0),
      decodedBytes: before.reduce((s, e) => s + (e.decodedBodySize || 0), 0) + (nav ? nav.decodedBodySize || 0 : 0),
      jsFiles: js.map((e) => new URL(e.name).pathname.split('/').pop()),
      largest: [...before]
        .sort((a, b) => (b.transferSize || 0) - (a.transferSize || 0))
        .slice(0, 3)
        .filter((e) => e.transferSize > 0)
        .map((e) => ({ file: new URL(e.name).pathname.split('/').pop(), transferSize: e.transferSize })),
      controlled: !!navigator.serviceWorker?.controller,
    };
  });
  return { page, errors, ...m };
}

/** Waits (up to `timeout`) for the page's service worker to be active; false when there is none. */
export async function waitForServiceWorker(page, timeout = 15000) {
  return page.evaluate(
    (ms) =>
      'serviceWorker' in navigator
        ? Promise.race([navigator.serviceWorker.ready.then(() => true), new Promise((r) => setTimeout(() => r(false), ms))])
        : false,
    timeout,
  );
}

/** The baseline for page loads: the smallest page with the same ready button, on loopback. */
export const MINIMAL_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>baseline</title><link rel="icon" href="data:,"></head><body><button>New project</button></body></html>';

export function minimalPageUrl(ctx) {
  return ctx.staticServer('minimal-page', { '/': { body: MINIMAL_PAGE } });
}
