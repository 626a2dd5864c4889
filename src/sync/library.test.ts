import { describe, expect, it } from 'vitest';
import { Repo } from '@automerge/automerge-repo';
import { coreOperation } from '../model/library/core';
import { libraryOperations, openHome, removeFromLibrary, saveToLibrary, type HomeDoc } from './home';

const NOW = 1_700_000_000_000;

async function home() {
  const repo = new Repo({ network: [] });
  let url: string | null = null;
  return openHome(repo, { get: () => url, set: (u) => void (url = u) });
}

describe("this device's operation library", () => {
  it('keeps saved operations, newest copy per operation, listed by name', async () => {
    const h = await home();
    expect(libraryOperations(h.doc())).toEqual([]);
    const train = coreOperation('core.train');
    saveToLibrary(h, train, NOW);
    saveToLibrary(h, coreOperation('core.evaluate'), NOW);
    saveToLibrary(h, { ...train, code: `${train.code}// v2\n` }, NOW + 1);
    const ops = libraryOperations(h.doc());
    expect(ops.map((o) => o.name)).toEqual(['Evaluate', 'Train']);
    expect(ops[1]!.code.endsWith('// v2\n')).toBe(true);
    expect(ops[1]).toEqual({ ...train, code: `${train.code}// v2\n` });
    expect(h.doc().library?.['core.train']?.savedAt).toBe(NOW + 1);
    removeFromLibrary(h, 'core.evaluate');
    expect(libraryOperations(h.doc()).map((o) => o.id)).toEqual(['core.train']);
  });

  it('leaves out a damaged entry instead of offering it to a pipeline', async () => {
    const h = await home();
    saveToLibrary(h, coreOperation('core.split'), NOW);
    h.change((d: HomeDoc) => {
      d.library!.broken = { operation: { id: 'broken', name: '' } as never, savedAt: NOW };
    });
    expect(libraryOperations(h.doc()).map((o) => o.id)).toEqual(['core.split']);
    expect(libraryOperations(undefined)).toEqual([]);
  });
});
