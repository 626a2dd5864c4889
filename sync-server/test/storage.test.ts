import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';
import { TEMP_DIR, TrackedStorageAdapter } from '../src/storage.js';
import { Scope } from './helpers.js';

let scope: Scope;
afterEach(async () => {
  await scope.cleanup();
});

const bytes = (...values: number[]) => new Uint8Array(values);

describe('TrackedStorageAdapter', () => {
  it('writes NodeFSStorageAdapter’s layout (the stock adapter reads what it saved) and leaves no temp files', async () => {
    scope = new Scope();
    const dir = await scope.tempDir();
    const storage = new TrackedStorageAdapter(dir);
    await storage.save(['4NMNnkMhL8jXrdJ9jamS58PAVdXu', 'snapshot', 'abc'], bytes(1, 2, 3));
    await storage.save(['4NMNnkMhL8jXrdJ9jamS58PAVdXu', 'incremental', 'def'], bytes(4));
    await storage.save(['4NMNnkMhL8jXrdJ9jamS58PAVdXu', 'snapshot', 'abc'], bytes(9, 9)); // replaced whole
    await storage.save(['storage-adapter-id'], bytes(7));
    await storage.idle();

    const stock = new NodeFSStorageAdapter(dir);
    expect(await stock.load(['4NMNnkMhL8jXrdJ9jamS58PAVdXu', 'snapshot', 'abc'])).toEqual(bytes(9, 9));
    expect(await stock.load(['storage-adapter-id'])).toEqual(bytes(7));
    const range = await stock.loadRange(['4NMNnkMhL8jXrdJ9jamS58PAVdXu']);
    expect(range.map(c => c.key.join('/')).sort()).toEqual([
      '4NMNnkMhL8jXrdJ9jamS58PAVdXu/incremental/def',
      '4NMNnkMhL8jXrdJ9jamS58PAVdXu/snapshot/abc',
    ]);
    expect(await storage.load(['4NMNnkMhL8jXrdJ9jamS58PAVdXu', 'incremental', 'def'])).toEqual(bytes(4));
    expect(await readdir(path.join(dir, TEMP_DIR))).toEqual([]);
  });

  it('the relay clears half-written temp files a killed process left behind', async () => {
    scope = new Scope();
    const dataDir = await scope.tempDir();
    const temp = path.join(dataDir, 'docs', TEMP_DIR);
    await mkdir(temp, { recursive: true });
    await writeFile(path.join(temp, 'torn'), bytes(0x85, 0x6f));
    await scope.relay({ dataDir });
    expect(existsSync(path.join(temp, 'torn'))).toBe(false);
  });
});
