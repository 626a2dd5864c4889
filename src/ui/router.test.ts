import { describe, expect, it } from 'vitest';
import { parseRoute, projectPath } from './router.svelte';

describe('routes', () => {
  it('round-trip through the URL', () => {
    expect(parseRoute('/')).toEqual({ name: 'home' });
    expect(parseRoute(projectPath('abc'))).toEqual({ name: 'project', documentId: 'abc' });
    expect(parseRoute(projectPath('abc', 'pipelines', 'p 1'))).toEqual({ name: 'item', documentId: 'abc', kind: 'pipelines', itemId: 'p 1' });
    expect(parseRoute('/p/abc/nonsense/x').name).toBe('not-found');
  });
});
