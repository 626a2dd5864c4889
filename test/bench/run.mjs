#!/usr/bin/env node
/**
 * `npm run bench`: runs every case in test/bench/cases/ (each against a baseline measured in
 * the same run), prints a table and writes test-results/bench.json. Benchmarks are reported,
 * never asserted: the exit code is non-zero only when a case crashes.
 *
 *   BENCH_RUNS=7      measured runs per case (cases may fix their own, e.g. deterministic ones)
 *   BENCH_WARMUP=1    unmeasured warm-up runs before them
 *   BENCH_FILTER=re   only cases whose name matches (also: node test/bench/run.mjs <re>)
 *   BENCH_BUILD=1     rebuild the app even when dist/ exists
 *   BENCH_SERVER=preview  serve the app with `vite preview` instead of the relay (to test the fallback)
 *   CHROME_PATH=…     the Chromium binary (default /usr/bin/chromium)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromeVersion } from './browser.mjs';
import { createContext, ROOT } from './context.mjs';
import { renderReport, runCase, validateCase } from './harness.mjs';

const CASES_DIR = join(import.meta.dirname, 'cases');
const OUT_FILE = join(ROOT, 'test-results/bench.json');

function intFromEnv(name, fallback, min) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    console.error(`${name} must be a whole number ≥ ${min}, not "${raw}"`);
    process.exit(2);
  }
  return n;
}

/** Every `cases/*.mjs` (files starting with `_` are helpers), in file-name order. */
async function loadCases() {
  const files = readdirSync(CASES_DIR)
    .filter((f) => f.endsWith('.mjs') && !f.startsWith('_'))
    .sort();
  const cases = [];
  for (const file of files) {
    const mod = await import(pathToFileURL(join(CASES_DIR, file)).href);
    for (const c of [mod.default].flat()) {
      validateCase(c, `cases/${file}`);
      cases.push(c);
    }
  }
  const names = cases.map((c) => c.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`Two benchmark cases are named "${dup}"; names must be unique.`);
  return cases;
}

function machine() {
  const cpus = os.cpus();
  let commit = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a git checkout
  }
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
    chromium: chromeVersion(),
    commit,
  };
}

async function main() {
  const runs = intFromEnv('BENCH_RUNS', 7, 1);
  const warmup = intFromEnv('BENCH_WARMUP', 1, 0);
  const filterSrc = process.argv[2] ?? process.env.BENCH_FILTER ?? '';
  const filter = filterSrc ? new RegExp(filterSrc, 'i') : null;

  const ctx = createContext({ log: (m) => console.log(m) });
  let interrupted = false;
  const onSignal = (signal) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error(`\n${signal}: stopping servers and browsers…`);
    ctx.cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const started = new Date();
  const t0 = performance.now();
  const results = [];
  let info;
  let app = null;
  try {
    const cases = (await loadCases()).filter((c) => !filter || filter.test(c.name));
    if (cases.length === 0) throw new Error(`No benchmark case matches /${filterSrc}/i.`);
    info = machine();
    console.log(`DeepForge benchmarks: ${cases.length} case(s), ${runs} run(s) after ${warmup} warm-up (BENCH_RUNS, BENCH_WARMUP)`);
    console.log(`Machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB; ${info.os}; Node ${info.node}; ${info.chromium}`);
    for (const c of cases) {
      if (interrupted) break;
      console.log(`\n▶ ${c.name}`);
      const r = await runCase(c, ctx, { runs, warmup }, (m) => console.log(m));
      if (r.error) console.log(`  CRASHED: ${r.error.split('\n')[0]}`);
      else console.log(`  median ${r.median.toFixed(2)} ${r.unit}, baseline ${r.baseline.median.toFixed(2)} ${r.unit} (${r.seconds.toFixed(1)} s)`);
      results.push(r);
    }
    // Report how the app was served, if any case asked for it.
    if (ctx.appStarted()) app = await ctx.appServer().catch(() => null);
  } finally {
    await ctx.cleanup();
  }

  const seconds = (performance.now() - t0) / 1000;
  console.log('\n' + '='.repeat(100));
  console.log(`DeepForge benchmarks, ${started.toISOString()}`);
  console.log(`Machine: ${info.cpu}; ${info.cores} cores; ${info.memoryGiB} GiB RAM; ${info.os}`);
  console.log(`Node ${info.node}; ${info.chromium}${info.commit ? `; commit ${info.commit}` : ''}`);
  if (app) console.log(`App served by: ${app.server}; ${app.build}${app.note ? `\nNOTE: ${app.note}` : ''}`);
  console.log(`Ratio = case median / baseline median (baseline measured in this run). Goals are judged on the median.\n`);
  console.log(renderReport(results));
  console.log(`\nTotal ${seconds.toFixed(1)} s.`);

  mkdirSync(join(ROOT, 'test-results'), { recursive: true });
  const report = { date: started.toISOString(), seconds, machine: info, config: { runs, warmup, filter: filterSrc || null }, app, cases: results };
  writeFileSync(OUT_FILE, JSON.stringify(report, null, 2) + '\n');
  console.log(`Results written to ${OUT_FILE.slice(ROOT.length + 1)}.`);

  const crashed = results.filter((r) => r.error);
  if (crashed.length) {
    console.error(`\n${crashed.length} case(s) crashed:`);
    for (const r of crashed) console.error(`\n${r.name}:\n${r.error}`);
    process.exitCode = 1;
  }
}

main().then(
  // Exit explicitly: a stray handle (a browser pipe, a socket) must not keep the run alive.
  () => process.exit(process.exitCode ?? 0),
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
