import { describe, expect, it } from 'vitest';
import {
  authorsOf,
  FALLBACK_MESSAGE,
  filterEntries,
  GROUP_WINDOW_MS,
  groupHistory,
  itemsOf,
  type HistoryChange,
} from './history';

const T0 = 1_700_000_000_000;
const ADA = { name: 'Ada', color: '#f00' };
const BOB = { name: 'Bob', color: '#00f' };

/** A linear history: each change depends on the one before. */
function chain(specs: Array<Partial<HistoryChange> & { time: number }>): HistoryChange[] {
  const seqs = new Map<string, number>();
  let previous: string | undefined;
  return specs.map((s, i) => {
    const actor = s.actor ?? 'a';
    const seq = (seqs.get(actor) ?? 0) + 1;
    seqs.set(actor, seq);
    const change: HistoryChange = {
      hash: s.hash ?? `h${i}`,
      actor,
      seq,
      time: s.time,
      message: s.message ?? '',
      items: s.items ?? [],
      deps: previous ? [previous] : [],
      ...(s.author ? { author: s.author } : {}),
    };
    previous = change.hash;
    return change;
  });
}

describe('groupHistory', () => {
  it('merges a burst of keystrokes by one person into one entry', () => {
    const changes = chain(
      Array.from({ length: 300 }, (_, i) => ({
        time: T0 + i * 1000,
        message: 'edited code of Normalize',
        items: ['operations/normalize'],
        author: ADA,
      })),
    );
    const entries = groupHistory(changes);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toEqual({
      id: 'h299',
      heads: ['h299'],
      first: 'h0',
      time: T0 + 299_000,
      startTime: T0,
      author: ADA,
      actor: 'a',
      message: 'edited code of Normalize',
      count: 300,
      items: ['operations/normalize'],
    });
  });

  it('returns the newest entry first', () => {
    const entries = groupHistory(chain([
      { time: T0, message: 'created pipeline' },
      { time: T0 + 1, message: 'renamed pipeline' },
      { time: T0 + 2, message: 'added node' },
    ]));
    expect(entries.map((e) => e.message)).toEqual(['added node', 'renamed pipeline', 'created pipeline']);
    expect(entries.map((e) => e.heads)).toEqual([['h2'], ['h1'], ['h0']]);
  });

  it('splits on another actor, another message, or a pause of two minutes', () => {
    const entries = groupHistory(chain([
      { time: T0, message: 'edit', actor: 'a' },
      { time: T0 + 1, message: 'edit', actor: 'b' },
      { time: T0 + 2, message: 'edit', actor: 'a' },
      { time: T0 + 3, message: 'other', actor: 'a' },
      { time: T0 + 3 + GROUP_WINDOW_MS, message: 'other', actor: 'a' },
      { time: T0 + 3 + 2 * GROUP_WINDOW_MS - 1, message: 'other', actor: 'a' },
    ]));
    expect(entries.map((e) => [e.first, e.id, e.count])).toEqual([
      ['h4', 'h5', 2],
      ['h3', 'h3', 1],
      ['h2', 'h2', 1],
      ['h1', 'h1', 1],
      ['h0', 'h0', 1],
    ]);
  });

  it('measures the pause from the newest change, so a long steady burst stays one entry', () => {
    const changes = chain(Array.from({ length: 10 }, (_, i) => ({ time: T0 + i * 60_000, message: 'typing' })));
    const [entry] = groupHistory(changes);
    expect(entry?.count).toBe(10);
    expect(entry!.time - entry!.startTime).toBe(9 * 60_000);
  });

  it('gives messageless changes a fallback and never merges them with a message', () => {
    const entries = groupHistory(chain([
      { time: T0, message: '' },
      { time: T0 + 1, message: '  ' },
      { time: T0 + 2, message: FALLBACK_MESSAGE },
      { time: T0 + 3, message: '' },
    ]));
    expect(entries.map((e) => [e.message, e.count])).toEqual([
      [FALLBACK_MESSAGE, 1],
      [FALLBACK_MESSAGE, 1],
      [FALLBACK_MESSAGE, 2],
    ]);
  });

  it('unions and sorts the items, and keeps the newest author', () => {
    const [entry] = groupHistory(chain([
      { time: T0, message: 'm', items: ['pipelines/b'] },
      { time: T0 + 1, message: 'm', items: [] },
      { time: T0 + 2, message: 'm', items: ['pipelines/a', 'pipelines/b'], author: ADA },
      { time: T0 + 3, message: 'm', items: ['architectures/z'] },
    ]));
    expect(entry?.items).toEqual(['architectures/z', 'pipelines/a', 'pipelines/b']);
    expect(entry?.author).toEqual(ADA);
    expect(groupHistory(chain([{ time: T0, message: 'm' }]))[0]).not.toHaveProperty('author');
  });

  it('handles no changes', () => {
    expect(groupHistory([])).toEqual([]);
  });

  it('groups 50,000 changes correctly and quickly', () => {
    // Two people taking turns in bursts of 25 keystrokes, touching one of 40 items per burst. Messages and items
    // come from a table, as decoded change metadata would (one flat string per distinct value).
    const messages = Array.from({ length: 40 }, (_, k) => `edited item ${k}`);
    const items = Array.from({ length: 40 }, (_, k) => [`operations/op${k}`]);
    const changes: HistoryChange[] = [];
    for (let i = 0; i < 50_000; i++) {
      const burst = Math.floor(i / 25);
      const actor = burst % 2 ? 'b' : 'a';
      changes.push({
        hash: `h${i}`,
        actor,
        seq: i + 1,
        time: T0 + i * 500,
        message: messages[burst % 40]!,
        author: actor === 'a' ? ADA : BOB,
        items: items[burst % 40]!,
        deps: i ? [`h${i - 1}`] : [],
      });
    }
    const start = performance.now();
    const entries = groupHistory(changes);
    const ms = performance.now() - start;
    console.log(`groupHistory: 50,000 changes → ${entries.length} entries in ${ms.toFixed(1)} ms`);
    expect(entries).toHaveLength(2000);
    expect(entries.every((e) => e.count === 25)).toBe(true);
    expect(entries[0]).toMatchObject({ id: 'h49999', first: 'h49975', actor: 'b', items: ['operations/op39'] });
    expect(entries.at(-1)).toMatchObject({ id: 'h24', first: 'h0', actor: 'a', message: 'edited item 0' });
  });
});

describe('filters', () => {
  const entries = groupHistory(chain([
    { time: T0, message: 'created', items: ['pipelines/p1'], author: ADA },
    { time: T0 + 1, message: 'edited', items: ['architectures/a1'], author: BOB, actor: 'b' },
    { time: T0 + 2, message: 'wired', items: ['pipelines/p10', 'pipelines/p1'], author: { ...ADA, color: '#0f0' } },
    { time: T0 + 3, message: 'anonymous', items: [] },
  ]));

  it('filters by item, by kind, and by author name', () => {
    expect(filterEntries(entries, { item: 'pipelines/p1' }).map((e) => e.message)).toEqual(['wired', 'created']);
    expect(filterEntries(entries, { item: 'pipelines/p10' }).map((e) => e.message)).toEqual(['wired']);
    expect(filterEntries(entries, { item: 'pipelines' }).map((e) => e.message)).toEqual(['wired', 'created']);
    expect(filterEntries(entries, { author: 'Bob' }).map((e) => e.message)).toEqual(['edited']);
    expect(filterEntries(entries, { author: 'Ada', item: 'architectures/a1' })).toEqual([]);
    expect(filterEntries(entries, {})).toEqual(entries);
  });

  it('lists distinct authors (newest colour) and items for the filter menus', () => {
    expect(authorsOf(entries)).toEqual([{ name: 'Ada', color: '#0f0' }, BOB]);
    expect(itemsOf(entries)).toEqual(['architectures/a1', 'pipelines/p1', 'pipelines/p10']);
  });
});
