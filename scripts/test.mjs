#!/usr/bin/env node
// `npm test`: every check, in the order a failure is cheapest to read. Type checks and lint (the dependency rule
// among them), unit tests in Node, a production build, then the browser tests against the built app and the relay.
// Ends with one summary line: "N passed, M failed".
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';

const steps = [
  ['types (svelte-check + tsc)', 'npm', ['run', '--silent', 'check']],
  ['lint and dependency rule (eslint)', 'npm', ['run', '--silent', 'lint']],
  ['unit tests (vitest, Node)', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/unit.json']],
  ['build (vite + relay)', 'npm', ['run', '--silent', 'build']],
  ['browser tests (vitest + Chromium)', 'npx', ['vitest', 'run', '--config', 'vitest.e2e.config.ts', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/e2e.json']],
];

mkdirSync('test-results', { recursive: true });
for (const f of ['test-results/unit.json', 'test-results/e2e.json']) rmSync(f, { force: true });
const started = Date.now();
let failedStep;
for (const [title, cmd, args] of steps) {
  console.log(`\n▶ ${title}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    failedStep = title;
    break;
  }
}

let passed = 0;
let failed = 0;
for (const file of ['test-results/unit.json', 'test-results/e2e.json']) {
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
}
const seconds = ((Date.now() - started) / 1000).toFixed(0);
if (failedStep) {
  console.log(`\n✖ ${failedStep} failed (after ${seconds} s).`);
  if (failed === 0) failed = 1;
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failedStep ? 1 : 0);
