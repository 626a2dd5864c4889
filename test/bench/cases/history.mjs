/**
 * History on a project with 50,000 changes (the goal: opening its history, and viewing any
 * past state, each within 300 ms). The workload is generated in Node once per bench run (see
 * _history-project.mjs) and planted into a fresh profile's IndexedDB (see _history.mjs); the
 * baselines run the same measurement, in the same profile, on the same project generated with
 * only 50 changes.
 *
 * Three cases, each timed inside the page with performance.now() up to the frame after the view
 * appeared (when it is on screen), never with Node-side polling:
 *
 *  - "history: open (50k changes)": a new tab navigates to /p/<id>/history; navigation start →
 *    first History entry painted. A returning user opening the History link from a bookmark or
 *    a restored tab: app boot (service worker warm), Automerge's wasm, the project loaded from
 *    IndexedDB, then the History view.
 *  - "history: open from the project (50k changes)": the project is already shown in its tab
 *    (opened at /p/<id>, settled); click the header's History link → first entry painted. The
 *    "open the history" interaction itself.
 *  - "history: view a past state (50k changes)": the History view is shown; click a link to
 *    /p/<id>/at/<hash of change 25,000> (what "Open this version" does) → the "Past version"
 *    region and the project's sidebar painted. A note gives the same state opened by URL in a new
 *    tab (navigation start → painted).
 */
import { BIG_CHANGES, clickAndWait, device, historyEntryCount, historyReadMs, newTab, settle, stamped, workload, workloadNotes } from './_history.mjs';

const GOAL = { max: 300 };

/**
 * One fresh device (profile) holding both projects, shared by the History cases: made by the
 * first case that runs, closed by the teardown of the last of the three (or, when BENCH_FILTER
 * picks only some of them, at the end of the bench run, with no tab open in between).
 */
const CASE_COUNT = 3;
let started = 0;
async function setup(ctx) {
  started++;
  const app = await ctx.appServer();
  const { big, small } = await workload(ctx);
  // A device that failed to start is not kept: the next case tries again.
  ctx.shared.historyDevice ??= device(ctx, app, [big, small]).catch((error) => {
    delete ctx.shared.historyDevice;
    throw error;
  });
  const dev = await ctx.shared.historyDevice;
  return { app, big, small, dev, turns: {} };
}

async function teardown(ctx) {
  if (started < CASE_COUNT || !ctx.shared.historyDevice) return;
  const dev = await ctx.shared.historyDevice.catch(() => null);
  delete ctx.shared.historyDevice;
  await dev?.close();
}

const pageErrorCheck = (errors) => ({ name: 'no page errors', ok: errors.length === 0, detail: errors.slice(0, 3).join('; ') });

/** Navigation start of /p/<id>/history in a new tab → first entry painted. */
async function openByUrl({ dev }, project) {
  const { page, errors } = await newTab(dev.context);
  try {
    await page.goto(`${dev.base}p/${project.documentId}/history`, { waitUntil: 'commit' });
    const s = await stamped(page, 'history');
    const first = page.getByRole('list', { name: 'History' }).getByRole('listitem').first();
    const seen = await first.isVisible();
    const text = (await first.textContent()) ?? '';
    const m = await page.evaluate(() => {
      const wasm = performance.getEntriesByType('resource').find((e) => /\.wasm$/.test(new URL(e.name).pathname));
      const b = window.__bench;
      return { shell: b.dom.shell, project: b.dom.project, wasmEnd: wasm ? wasm.responseEnd : null, wasmReady: b.marks.wasm ?? null, controlled: !!navigator.serviceWorker?.controller };
    });
    return {
      value: s.paint,
      notes: {
        'phases (ms since navigation start): app shell in the DOM': m.shell,
        'phases: Automerge wasm fetched (responseEnd)': m.wasmEnd ?? '–',
        'phases: Automerge wasm instantiated': m.wasmReady ?? '–',
        'phases: project sidebar in the DOM': m.project,
        'phases: first History entry in the DOM': s.dom,
        'phases: painted (the value)': s.paint,
        'History says "read in" (ms)': (await historyReadMs(page)) ?? '–',
        'entries shown (first page)': await historyEntryCount(page),
        'served by the service worker': m.controlled ? 'yes' : 'no',
      },
      checks: [
        { name: 'Playwright sees the History list with a first entry naming its author', ok: seen && /(Ada Lovelace|Grace Hopper|Alan Turing)/.test(text), detail: text.slice(0, 120) },
        pageErrorCheck(errors),
      ],
    };
  } finally {
    await page.close();
  }
}

/** The project shown (tab opened at /p/<id>, settled); click History → first entry painted. */
async function openFromProject({ dev }, project) {
  const tab = await newTab(dev.context);
  const { page, errors } = tab;
  try {
    await page.goto(`${dev.base}p/${project.documentId}`, { waitUntil: 'commit' });
    const shown = await stamped(page, 'project');
    const settled = await settle(tab);
    const t = await clickAndWait(page, { selector: `a[href="/p/${project.documentId}/history"]` }, 'history');
    const seen = await page.getByRole('list', { name: 'History' }).getByRole('listitem').first().isVisible();
    return {
      value: t.paint,
      notes: {
        'click → first entry in the DOM (ms)': t.dom,
        'before it: navigation start → project painted (ms)': shown.paint,
        'History says "read in" (ms)': (await historyReadMs(page)) ?? '–',
        'entries shown (first page)': await historyEntryCount(page),
        'before the click: relay connection quiet': settled.quiet ? 'yes' : 'no',
        'before the click: Sync status': settled.status,
      },
      checks: [{ name: 'Playwright sees the History list with a first entry', ok: seen }, pageErrorCheck(errors)],
    };
  } finally {
    await page.close();
  }
}

/** History shown; click a link to the past state → "Past version" + sidebar painted; then the same by URL. */
async function viewPast({ dev, turns }, project, { measured }) {
  const tab = await newTab(dev.context);
  const { page, errors } = tab;
  const path = `/p/${project.documentId}/at/${project.past.hash}`;
  let clicked;
  let settled;
  const checks = [];
  try {
    await page.goto(`${dev.base}p/${project.documentId}/history`, { waitUntil: 'commit' });
    await stamped(page, 'history');
    settled = await settle(tab);
    clicked = await clickAndWait(page, { href: path }, 'past');
    const name = await page.getByRole('textbox', { name: 'Project name' }).inputValue().catch(() => '');
    const banner = (await page.getByRole('region', { name: 'Past version' }).textContent()) ?? '';
    checks.push(
      { name: 'the past version shows the project as it was (its name then, not now)', ok: name === project.past.name && name !== project.name, detail: `shows "${name}", then "${project.past.name}", now "${project.name}"` },
      { name: 'the banner says which version it is', ok: /as it was on/.test(banner), detail: banner.slice(0, 120) },
      { name: 'Playwright sees the "Past version" region and the "Project" navigation', ok: (await page.getByRole('region', { name: 'Past version' }).isVisible()) && (await page.getByRole('navigation', { name: 'Project' }).isVisible()) },
    );
  } finally {
    await page.close();
  }
  // The same state opened by its link in a new tab: on every other measured run (the first, the
  // third, …), which is enough for a note and keeps the case short.
  const turn = (turns[project.documentId] = (turns[project.documentId] ?? -1) + (measured ? 1 : 0));
  let byUrl;
  if (measured && turn % 2 === 0) {
    const second = await newTab(dev.context);
    try {
      await second.page.goto(`${dev.base}${path.slice(1)}`, { waitUntil: 'commit' });
      byUrl = await stamped(second.page, 'past');
      errors.push(...second.errors);
    } finally {
      await second.page.close();
    }
  }
  checks.push(pageErrorCheck(errors));
  return {
    value: clicked.paint,
    notes: {
      'click → in the DOM (ms)': clicked.dom,
      ...(byUrl ? { 'by URL in a new tab (every other run): navigation start → painted (ms)': byUrl.paint } : {}),
      'past state': `change ${project.past.index} of ${project.changes}`,
      'before the click: relay connection quiet': settled.quiet ? 'yes' : 'no',
      'before the click: Sync status': settled.status,
    },
    checks,
  };
}

const big = (fn) => (ctx, state, info) => fn(state, state.big, info);
const small = (fn) => (ctx, state, info) => fn(state, state.small, info);
const BASELINE = (what) => `the same on the same project with ${what} (the fixture plus small edits), same profile`;

/** Workload notes are added once per case (from the first measured run). */
const withWorkload = (interval, fn) => async (ctx, state, info) => {
  const r = await fn(ctx, state, info);
  return { ...r, notes: { 'the value is': interval, ...r.notes, ...workloadNotes(state.big, state.small), 'device primed (each project opened once)': state.dev.primed } };
};

const INTERVAL = {
  open: 'new tab, navigation start of /p/<id>/history → first History entry painted (app boot + project loaded from IndexedDB + History view)',
  fromProject: 'project shown at /p/<id> (tab settled) → click the History link → first History entry painted',
  past: 'History shown (tab settled) → click a link to /p/<id>/at/<hash of change 25,000> → "Past version" region and "Project" navigation painted',
};

export default [
  {
    name: `history: open (${BIG_CHANGES / 1000}k changes)`,
    unit: 'ms',
    goal: GOAL,
    description: `${INTERVAL.open}; the project is already on the device`,
    setup,
    teardown,
    run: withWorkload(INTERVAL.open, big(openByUrl)),
    baseline: { name: BASELINE('50 changes'), run: small(openByUrl) },
  },
  {
    name: `history: open from the project (${BIG_CHANGES / 1000}k changes)`,
    unit: 'ms',
    goal: GOAL,
    description: INTERVAL.fromProject,
    setup,
    teardown,
    run: withWorkload(INTERVAL.fromProject, big(openFromProject)),
    baseline: { name: BASELINE('50 changes'), run: small(openFromProject) },
  },
  {
    name: `history: view a past state (${BIG_CHANGES / 1000}k changes)`,
    unit: 'ms',
    goal: GOAL,
    description: `${INTERVAL.past} (the route "Open this version" links to)`,
    setup,
    teardown,
    run: withWorkload(INTERVAL.past, big(viewPast)),
    baseline: { name: BASELINE('50 changes'), run: small(viewPast) },
  },
];
