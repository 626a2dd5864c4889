import { describe, expect, it } from 'vitest';
import type { StoredArtifact } from './artifact-store';
import { hashesIn, RECENT_MS, summarizeUsage } from './usage';

const h = (c: string) => c.repeat(64);
const file = (c: string, size: number, storedAt = 0): StoredArtifact => ({ sha256: h(c), size, mediaType: 'text/csv', storedAt });
const NOW = 10 * RECENT_MS;

describe('storage usage', () => {
  it('puts each file in the first thing that needs it: a project artifact, a past run, the job cache, or nothing', () => {
    const stored = [file('a', 100), file('b', 20), file('c', 3), file('d', 4000), file('e', 5)];
    const usage = summarizeUsage(
      stored,
      [
        { documentId: 'p1', name: 'Iris', artifacts: [h('a')], runs: [h('a'), h('b')] },
        { documentId: 'p2', name: 'Digits', artifacts: [], runs: [h('c')] },
      ],
      [h('b'), h('c'), h('e')],
      NOW,
    );
    expect(usage.total).toEqual({ count: 5, bytes: 4128 });
    expect(usage.artifacts).toEqual({ count: 1, bytes: 100 });
    expect(usage.runs).toEqual({ count: 2, bytes: 23 });
    expect(usage.cache).toEqual({ count: 1, bytes: 5 });
    expect(usage.unused).toEqual({ count: 1, bytes: 4000 });
    expect(usage.removable.map((f) => f.sha256)).toEqual([h('d')]);
    // Largest first; a file shared by a project's artifacts and its runs counts once for that project.
    expect(usage.byProject).toEqual([
      { documentId: 'p1', name: 'Iris', count: 2, bytes: 120 },
      { documentId: 'p2', name: 'Digits', count: 1, bytes: 3 },
    ]);
  });

  it('keeps unused bytes stored in the last minute, which a tab may be about to record', () => {
    const usage = summarizeUsage([file('a', 1, NOW - RECENT_MS + 1), file('b', 2, NOW - RECENT_MS)], [], [], NOW);
    expect(usage.unused).toEqual({ count: 2, bytes: 3 });
    expect(usage.removable.map((f) => f.sha256)).toEqual([h('b')]);
  });

  it('does not count references to bytes this device does not have', () => {
    const usage = summarizeUsage([], [{ documentId: 'p', name: 'P', artifacts: [h('a')], runs: [] }], [h('b')], NOW);
    expect(usage.total).toEqual({ count: 0, bytes: 0 });
    expect(usage.byProject[0]).toMatchObject({ count: 0, bytes: 0 });
  });

  it('finds every hash named under a sha256 key in a run record, and nothing else', () => {
    const record = {
      inputs: { in1: { artifactId: 'a1', sha256: h('a') } },
      jobs: {
        train: { outputs: { model: { sha256: h('b'), size: 1 } }, inputs: { data: { kind: 'artifact', sha256: h('a') } } },
        eval: { outputs: { report: { sha256: 'not a hash' } }, note: h('c') },
      },
      list: [{ sha256: h('d') }],
    };
    expect([...hashesIn(record)].sort()).toEqual([h('a'), h('b'), h('d')]);
  });
});
