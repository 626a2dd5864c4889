/**
 * The benchmark harness: runs cases (each with its own baseline, measured in the same run),
 * summarises the runs, prints the table and builds the JSON report. No timing is ever asserted:
 * goals are reported as pass/miss, and only a crashing case makes the run fail.
 *
 * The case shape is documented in test/bench/README.md.
 */

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function summarize(values) {
  return { values, min: Math.min(...values), median: median(values), max: Math.max(...values) };
}

/** Throws, with a readable message, when a case module does not have the documented shape. */
export function validateCase(c, file) {
  const where = `${file}${c && c.name ? ` ("${c.name}")` : ''}`;
  const fail = (why) => {
    throw new Error(`Benchmark case ${where}: ${why}. See test/bench/README.md for the shape.`);
  };
  if (!c || typeof c !== 'object') fail('the module must export a case object (or an array of them) as default');
  if (typeof c.name !== 'string' || !c.name) fail('`name` must be a non-empty string');
  if (typeof c.unit !== 'string' || !c.unit) fail('`unit` must be a string such as "ms" or "KiB"');
  if (typeof c.run !== 'function') fail('`run(ctx, state)` must be a function');
  if (!c.baseline || typeof c.baseline !== 'object' || typeof c.baseline.run !== 'function' || !c.baseline.name) {
    fail('`baseline` must be `{ name, run(ctx, state) }`: it is measured in the same run, never a fixed number');
  }
  if (c.goal !== undefined) {
    const g = c.goal;
    if (!g || typeof g !== 'object' || (typeof g.max !== 'number' && typeof g.min !== 'number')) {
      fail('`goal` must be `{ max: number }` or `{ min: number }` (in the case unit)');
    }
  }
  for (const k of ['setup', 'teardown']) {
    if (c[k] !== undefined && typeof c[k] !== 'function') fail(`\`${k}\` must be a function when given`);
  }
  for (const k of ['runs', 'warmup']) {
    if (c[k] !== undefined && !(Number.isInteger(c[k]) && c[k] >= (k === 'runs' ? 1 : 0))) fail(`\`${k}\` must be a whole number`);
  }
}

export function goalLabel(goal, unit) {
  if (!goal) return '';
  if (goal.label) return goal.label;
  const parts = [];
  if (typeof goal.min === 'number') parts.push(`≥ ${goal.min} ${unit}`);
  if (typeof goal.max === 'number') parts.push(`≤ ${goal.max} ${unit}`);
  return parts.join(', ');
}

export function goalMet(goal, value) {
  if (!goal) return null;
  if (typeof goal.max === 'number' && !(value <= goal.max)) return false;
  if (typeof goal.min === 'number' && !(value >= goal.min)) return false;
  return true;
}

/** A run's result is a number, or `{ value, notes?, checks? }`. */
function normalizeResult(r, what) {
  const out = typeof r === 'number' ? { value: r } : r;
  if (!out || typeof out.value !== 'number' || !Number.isFinite(out.value)) {
    throw new Error(`${what} returned ${JSON.stringify(r)}; expected a finite number or { value: number, ... }`);
  }
  return { value: out.value, notes: out.notes ?? {}, checks: out.checks ?? [] };
}

/**
 * Notes from several runs: numbers become their median, anything else the distinct values seen.
 */
function mergeNotes(list) {
  const keys = [];
  for (const n of list) for (const k of Object.keys(n)) if (!keys.includes(k)) keys.push(k);
  const out = {};
  for (const k of keys) {
    const vals = list.map((n) => n[k]).filter((v) => v !== undefined);
    if (vals.every((v) => typeof v === 'number')) {
      out[k] = median(vals);
    } else {
      const distinct = [...new Set(vals.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))))];
      out[k] = distinct.length === 1 ? distinct[0] : distinct.join(' | ');
    }
  }
  return out;
}

/** Checks from several runs: a check passes only when it passed in every run. */
function mergeChecks(list) {
  const byName = new Map();
  for (const checks of list) {
    for (const c of checks) {
      const prev = byName.get(c.name);
      if (!prev) byName.set(c.name, { name: c.name, ok: !!c.ok, detail: c.detail ?? '' });
      else if (prev.ok && !c.ok) byName.set(c.name, { name: c.name, ok: false, detail: c.detail ?? '' });
    }
  }
  return [...byName.values()];
}

/**
 * Runs one case: setup, then warm-up + measured iterations (case then baseline, alternating the
 * order each iteration so drift hits both alike), then teardown (always).
 */
export async function runCase(c, ctx, defaults, log = () => {}) {
  const runs = c.runs ?? defaults.runs;
  const warmup = c.warmup ?? (c.runs !== undefined ? 0 : defaults.warmup);
  const started = performance.now();
  const result = {
    name: c.name,
    unit: c.unit,
    description: c.description ?? '',
    runs,
    warmup,
    goal: c.goal ? { ...c.goal, label: goalLabel(c.goal, c.unit) } : null,
  };
  let state;
  try {
    state = c.setup ? await c.setup(ctx) : undefined;
    const caseRuns = [];
    const baseRuns = [];
    for (let i = 0; i < warmup + runs; i++) {
      const measured = i >= warmup;
      const tag = measured ? `run ${i - warmup + 1}/${runs}` : `warm-up ${i + 1}/${warmup}`;
      const doCase = async () => {
        const r = normalizeResult(await c.run(ctx, state, { iteration: i, measured }), `"${c.name}" run`);
        if (measured) caseRuns.push(r);
        return r;
      };
      const doBase = async () => {
        const r = normalizeResult(await c.baseline.run(ctx, state, { iteration: i, measured }), `"${c.name}" baseline`);
        if (measured) baseRuns.push(r);
        return r;
      };
      let a, b;
      if (i % 2 === 0) {
        a = await doCase();
        b = await doBase();
      } else {
        b = await doBase();
        a = await doCase();
      }
      log(`  ${tag}: ${fmt(a.value)} ${c.unit} (baseline ${fmt(b.value)} ${c.unit})`);
    }
    Object.assign(result, summarize(caseRuns.map((r) => r.value)));
    result.baseline = { name: c.baseline.name, ...summarize(baseRuns.map((r) => r.value)), notes: mergeNotes(baseRuns.map((r) => r.notes)) };
    result.ratio = result.baseline.median === 0 ? null : result.median / result.baseline.median;
    result.goalMet = goalMet(c.goal, result.median);
    result.notes = mergeNotes(caseRuns.map((r) => r.notes));
    result.checks = mergeChecks(caseRuns.map((r) => r.checks));
  } catch (error) {
    result.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
  } finally {
    if (c.teardown) {
      try {
        await c.teardown(ctx, state);
      } catch (error) {
        result.error ??= `teardown failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
      }
    }
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

export function fmt(n, digits) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  if (typeof n !== 'number') return String(n);
  if (digits === undefined && Number.isInteger(n)) return String(n);
  const d = digits ?? (Math.abs(n) >= 100 ? 1 : Math.abs(n) >= 1 ? 2 : 3);
  return n.toFixed(d);
}

function pad(s, w, right) {
  const len = [...s].length;
  return right ? ' '.repeat(Math.max(0, w - len)) + s : s + ' '.repeat(Math.max(0, w - len));
}

/** A plain-text table; numeric columns are right-aligned. */
export function renderTable(headers, rows, rightAligned = []) {
  const widths = headers.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...r[i]].length)));
  const line = (cells) => '| ' + cells.map((c, i) => pad(c, widths[i], rightAligned.includes(i))).join(' | ') + ' |';
  const sep = '|' + widths.map((w, i) => (rightAligned.includes(i) ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|') + '|';
  return [line(headers), sep, ...rows.map(line)].join('\n');
}

/** The results table plus, under it, each case's baseline, notes and checks. */
export function renderReport(results) {
  const headers = ['Case', 'Unit', 'Runs', 'Min', 'Median', 'Max', 'Baseline median', 'Ratio', 'Goal', 'Result'];
  const rows = results.map((r) => {
    if (r.error) return [r.name, r.unit, String(r.runs), '–', '–', '–', '–', '–', r.goal?.label ?? '', 'CRASH'];
    return [
      r.name,
      r.unit,
      String(r.runs),
      fmt(r.min),
      fmt(r.median),
      fmt(r.max),
      fmt(r.baseline.median),
      r.ratio === null ? '–' : `${r.ratio.toFixed(2)}×`,
      r.goal?.label ?? '',
      r.goal ? (r.goalMet ? 'pass ✓' : 'MISS ✗') : '',
    ];
  });
  const out = [renderTable(headers, rows, [2, 3, 4, 5, 6, 7])];
  for (const r of results) {
    out.push('', `${r.name}:`);
    if (r.error) {
      out.push(`  CRASHED: ${r.error}`);
      continue;
    }
    out.push(`  baseline: ${r.baseline.name} (min ${fmt(r.baseline.min)}, max ${fmt(r.baseline.max)} ${r.unit})`);
    for (const [k, v] of Object.entries(r.notes)) out.push(`  ${k}: ${typeof v === 'number' ? fmt(v) : v}`);
    const bn = Object.entries(r.baseline.notes);
    if (bn.length) out.push(`  baseline ${bn.map(([k, v]) => `${k}: ${typeof v === 'number' ? fmt(v) : v}`).join('; ')}`);
    for (const c of r.checks) out.push(`  check: ${c.name}: ${c.ok ? 'pass ✓' : 'MISS ✗'}${c.detail ? ` (${c.detail})` : ''}`);
  }
  return out.join('\n');
}
