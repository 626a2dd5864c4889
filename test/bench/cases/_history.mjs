/**
 * What the History cases share: the generated workload (a 50,000-change project and a ~50-change
 * one, generated once per bench run), a device (a fresh Chromium profile) that already holds both
 * projects in IndexedDB, and an in-page detector that stamps `performance.now()` when a view is
 * on screen.
 *
 * The device is what "a user opening a project already on their device" looks like: the
 * projects are written into the app's IndexedDB database (`deepforge`, store `documents`, as
 * automerge-repo's IndexedDBStorageAdapter keeps them) from a same-origin page that does not run
 * the app, then each project is opened once in the app (which installs the service worker and
 * lets the relay receive the project, so later loads sync nothing new). Every measured run then
 * opens a new tab, so the app boots and loads the project from IndexedDB each time; the tab is
 * closed after the run (no other tab of the app stays open to hand the document over).
 */
import * as A from '@automerge/automerge';
import { launchFresh, waitForServiceWorker } from '../browser.mjs';
import { generateProject } from './_history-project.mjs';

export const BIG_CHANGES = 50_000;
export const SMALL_CHANGES = 50;

/** Both projects, generated once per bench run (shared by every History case). */
export function workload(ctx) {
  ctx.shared.historyWorkload ??= Promise.resolve().then(() => {
    const big = generateProject({ root: ctx.root, changes: BIG_CHANGES });
    ctx.log(`  generated a ${big.changes}-change project in ${big.seconds.toFixed(1)} s (${(big.bytes.length / 1024).toFixed(1)} KiB saved)`);
    const small = generateProject({ root: ctx.root, changes: SMALL_CHANGES });
    // For reference: what loading it costs Automerge alone, in Node, the way automerge-repo loads
    // a stored document (StorageSubsystem.loadDoc: A.loadIncremental(A.init(), bytes)).
    for (const p of [big, small]) {
      const times = [];
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        A.loadIncremental(A.init(), p.bytes);
        times.push(performance.now() - t);
      }
      p.nodeLoadMs = Math.min(...times);
    }
    return { big, small };
  });
  return ctx.shared.historyWorkload;
}

/** Notes every History case reports about its workload. */
export function workloadNotes(big, small) {
  return {
    'workload': `${big.changes} changes by 3 authors (${big.staleSessions} of ${big.sessions} editing sessions started from a stale copy, then merged), generated in Node in ${big.seconds.toFixed(1)} s; saved document ${(big.bytes.length / 1024).toFixed(1)} KiB (baseline: ${small.changes} changes, ${(small.bytes.length / 1024).toFixed(1)} KiB)`,
    'Automerge alone, in Node: loading the saved document (ms, best of 3)': `${big.nodeLoadMs.toFixed(0)} (baseline ${small.nodeLoadMs.toFixed(1)})`,
  };
}

/**
 * Runs in every page before its own scripts. `window.__bench.dom[name]` is the moment a view's
 * element first appeared in the DOM (a MutationObserver callback, before layout and paint);
 * `window.__bench.paint[name]` the first moment after the frame in which it was visible had been
 * produced (checked in requestAnimationFrame, stamped by a message posted from there, which runs
 * after that frame's rendering), i.e. when it was on screen. Visibility is only checked in
 * requestAnimationFrame, where the layout is needed for the frame anyway, so the detector does
 * not force extra layouts while the app renders. `__bench.reset()` clears both and watches again
 * (for in-page interactions). `window.__bench.marks.wasm` is when Automerge's WebAssembly module
 * finished instantiating (the first WebAssembly.instantiate* that resolved).
 */
function viewDetector() {
  if (window.top !== window) return;
  const marks = {};
  for (const k of ['instantiateStreaming', 'instantiate']) {
    const orig = WebAssembly[k];
    if (typeof orig !== 'function') continue;
    WebAssembly[k] = function (...args) {
      const p = orig.apply(this, args);
      p.then(() => (marks.wasm ??= performance.now()), () => {});
      return p;
    };
  }
  const visible = (el) => {
    if (!el) return false;
    if (typeof el.checkVisibility === 'function' && !el.checkVisibility({ visibilityProperty: true })) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const q = (sel) => document.querySelector(sel);
  // Each view: the elements that must all be there (and visible).
  const conditions = {
    // The History list (role list, name "History") with a first entry.
    history: ['ul[aria-label="History"] > li'],
    // A past version: the "Past version" region and the project's sidebar (navigation "Project").
    past: ['[role="region"][aria-label="Past version"]', 'nav[aria-label="Project"]'],
    // The project is shown: its sidebar.
    project: ['nav[aria-label="Project"]'],
    // The app's shell: the first <main> ("Opening your projects…", then "Opening project…").
    shell: ['main'],
  };
  const bench = { dom: {}, paint: {}, marks };
  window.__bench = bench;
  let mo = null;
  const inDom = () => {
    for (const [name, sels] of Object.entries(conditions)) {
      if (!(name in bench.dom) && sels.every((s) => q(s))) bench.dom[name] = performance.now();
    }
  };
  const frame = () => {
    inDom();
    let left = 0;
    for (const [name, sels] of Object.entries(conditions)) {
      if (name in bench.paint) continue;
      if (name in bench.dom && sels.every((s) => visible(q(s)))) {
        bench.paint[name] = 'pending';
        const ch = new MessageChannel();
        ch.port1.onmessage = () => (bench.paint[name] = performance.now());
        ch.port2.postMessage(0);
      } else left++;
    }
    if (left > 0) requestAnimationFrame(frame);
    else mo?.disconnect();
  };
  bench.reset = () => {
    bench.dom = {};
    bench.paint = {};
    mo?.disconnect();
    mo = new MutationObserver(inDom);
    mo.observe(document, { childList: true, subtree: true });
    requestAnimationFrame(frame);
  };
  bench.reset();
}

/** Waits until the detector has a paint stamp for `name`; returns `{ dom, paint }` (page-relative ms). */
export async function stamped(page, name, timeout = 60_000) {
  try {
    await page.waitForFunction((n) => typeof window.__bench?.paint?.[n] === 'number', name, { timeout, polling: 20 });
  } catch (error) {
    if (page.isClosed() || !/timeout/i.test(String(error?.message))) throw error;
    const text = await page.evaluate(() => document.body?.innerText ?? '').catch(() => '');
    throw new Error(
      `"${name}" was not on screen within ${timeout / 1000} s at ${page.url()} (is dist/ complete, and does the detector in test/bench/cases/_history.mjs match the markup?). The page said: ${text.replace(/\s+/g, ' ').slice(0, 300)}`,
      { cause: error },
    );
  }
  return page.evaluate((n) => ({ dom: window.__bench.dom[n], paint: window.__bench.paint[n] }), name);
}

/** Writes a project's bytes into the app's IndexedDB, as automerge-repo's storage adapter would have. */
async function plant(context, base, projects) {
  const page = await context.newPage();
  await page.goto(`${base}health`);
  for (const { documentId, bytes } of projects) {
    await page.evaluate(
      ({ id, data }) =>
        new Promise((ok, fail) => {
          const bin = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
          const open = indexedDB.open('deepforge', 1);
          open.onupgradeneeded = () => open.result.createObjectStore('documents');
          open.onsuccess = () => {
            const tx = open.result.transaction('documents', 'readwrite');
            const key = [id, 'snapshot', 'planted'];
            tx.objectStore('documents').put({ key, binary: bin }, key);
            tx.oncomplete = () => {
              open.result.close();
              ok();
            };
            tx.onerror = () => fail(tx.error);
          };
          open.onerror = () => fail(open.error);
        }),
      { id: documentId, data: Buffer.from(bytes).toString('base64') },
    );
  }
  // A returning user: the profile is chosen.
  await page.evaluate(() => localStorage.setItem('deepforge.profile', JSON.stringify({ name: 'Ada Lovelace', color: '#e11d48', chosen: true })));
  await page.close();
}

/**
 * A fresh profile holding both projects, each opened once in the app (service worker installed,
 * the project sent to the relay and the connection quiet again). Returns
 * `{ context, close, base, primed }`, `primed` saying how that went.
 */
export async function device(ctx, app, projects) {
  const browser = await launchFresh(ctx);
  const { context } = browser;
  await context.addInitScript(viewDetector);
  for (const p of context.pages()) await p.close();
  await plant(context, app.url, projects);
  const primed = [];
  for (const { documentId, changes } of projects) {
    const tab = await newTab(context);
    await tab.page.goto(`${app.url}p/${documentId}/history`);
    await stamped(tab.page, 'history');
    const worker = await waitForServiceWorker(tab.page);
    const s = await settle(tab, { quietMs: 1000, timeout: 30_000 });
    primed.push(`${changes} changes: service worker ${worker ? 'active' : 'NOT active'}, relay ${s.quiet ? 'quiet' : 'STILL BUSY'}, status "${s.status}"`);
    await tab.page.close();
  }
  return { ...browser, base: app.url, primed: primed.join('; ') };
}

/**
 * A new tab whose page errors and WebSocket traffic (the relay connection) are followed:
 * `{ page, errors, net: { sockets, last } }`, `last` being the Date.now() of the latest frame.
 */
export async function newTab(context) {
  const page = await context.newPage();
  const errors = [];
  const net = { sockets: 0, last: Date.now() };
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('websocket', (ws) => {
    net.sockets++;
    net.last = Date.now();
    const seen = () => (net.last = Date.now());
    ws.on('framesent', seen);
    ws.on('framereceived', seen);
  });
  return { page, errors, net };
}

/**
 * Lets a freshly loaded tab settle before an interaction is timed, so that the relay handshake
 * (sync messages for the open project) does not run inside the measurement: waits until the
 * relay connection has been quiet for `quietMs` (at most `timeout`). Returns
 * `{ quiet, status }`, `status` being what the header's Sync status says then.
 */
export async function settle({ page, net }, { quietMs = 300, timeout = 8000 } = {}) {
  const start = Date.now();
  let quiet = false;
  while (Date.now() - start < timeout) {
    const opened = net.sockets > 0 || Date.now() - start > 2000;
    if (opened && Date.now() - net.last >= quietMs) {
      quiet = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const status = await page.evaluate(() => document.querySelector('[aria-label="Sync status"]')?.textContent?.trim() ?? '');
  return { quiet, status };
}

/**
 * Clicks a link inside the page (router navigation, no reload) and waits for the detector's
 * condition `name`. Returns `{ dom, paint }` in ms since the click was dispatched. `href` is an
 * app path; when `selector` is given, that existing link is clicked instead of a new one.
 */
export async function clickAndWait(page, { selector, href }, name, timeout = 60_000) {
  await page.evaluate(
    ({ selector, href }) => {
      let a = selector ? document.querySelector(selector) : null;
      if (!a) {
        if (selector) throw new Error(`no element matches ${selector}`);
        a = document.createElement('a');
        a.href = href;
        a.textContent = 'Open this version';
        a.style.cssText = 'position:fixed;left:0;bottom:0';
        document.body.append(a);
      }
      window.__bench.reset();
      window.__benchClick = performance.now();
      a.click();
    },
    { selector, href },
  );
  const s = await stamped(page, name, timeout);
  const t0 = await page.evaluate(() => window.__benchClick);
  return { dom: s.dom - t0, paint: s.paint - t0 };
}

/** The History view's own figure: "… · read in N ms" (how long it took to read its first page of changes). */
export async function historyReadMs(page) {
  const text = await page.evaluate(() => document.querySelector('[aria-label="Filter history"]')?.textContent ?? '');
  const m = /read in (\d+) ms/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** "12 of 40 entries so far": how many entries History shows from its first page. */
export async function historyEntryCount(page) {
  return page.getByRole('list', { name: 'History' }).getByRole('listitem').count();
}
