import { describe, expect, it } from 'vitest';
import { comparePath, historyPath, parseRoute, projectPath } from './router.svelte';

const h1 = 'a'.repeat(64);
const h2 = 'b'.repeat(64);

describe('routes', () => {
  it('round-trip through the URL', () => {
    expect(parseRoute('/')).toEqual({ name: 'home' });
    expect(parseRoute('/storage')).toEqual({ name: 'storage' });
    expect(parseRoute(projectPath('abc'))).toEqual({ name: 'project', documentId: 'abc' });
    expect(parseRoute(projectPath('abc', 'pipelines', 'p 1'))).toEqual({ name: 'item', documentId: 'abc', kind: 'pipelines', itemId: 'p 1' });
    expect(parseRoute(historyPath('abc'))).toEqual({ name: 'history', documentId: 'abc' });
    expect(parseRoute(projectPath('abc', undefined, undefined, [h1, h2]))).toEqual({ name: 'project', documentId: 'abc', at: [h1, h2] });
    expect(parseRoute(projectPath('abc', 'operations', 'o', [h1]))).toEqual({ name: 'item', documentId: 'abc', kind: 'operations', itemId: 'o', at: [h1] });
    expect(parseRoute(comparePath('abc', [h1], 'now'))).toEqual({ name: 'compare', documentId: 'abc', from: [h1], to: 'now' });
  });
  it('refuses what is not a place', () => {
    expect(parseRoute('/p/abc/nonsense/x').name).toBe('not-found');
    expect(parseRoute('/p/abc/at/nothex').name).toBe('not-found');
    expect(parseRoute('/p/abc/compare/now').name).toBe('not-found');
  });
});
