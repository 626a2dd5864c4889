import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv';

describe('parseCsv', () => {
  it('detects a header and column types, with quoting and a BOM', () => {
    const t = parseCsv('\uFEFFsepal length,sepal width,"species, latin"\n5.1,3.5,"Iris setosa"\n4.9,3,Iris setosa\n');
    expect(t.header).toEqual(['sepal length', 'sepal width', 'species, latin']);
    expect(t.types).toEqual(['number', 'number', 'string']);
    expect(t.rows).toEqual([[5.1, 3.5, 'Iris setosa'], [4.9, 3, 'Iris setosa']]);
  });

  it('treats an all-numeric first row as data, and honours an explicit choice', () => {
    expect(parseCsv('1,2\n3,4').header).toBeUndefined();
    expect(parseCsv('1,2\n3,4', { header: true }).header).toEqual(['1', '2']);
    expect(parseCsv('a,b\nc,d', { header: false }).rows).toEqual([['a', 'b'], ['c', 'd']]);
  });

  it('detects semicolons and tabs, pads short rows, and marks missing numbers as NaN', () => {
    const semi = parseCsv('x;y\n1;2\n3;\n');
    expect(semi.header).toEqual(['x', 'y']);
    expect(semi.rows[1]).toEqual([3, Number.NaN]);
    expect(parseCsv('a\tb\n1\t2\n').rows).toEqual([[1, 2]]);
    expect(parseCsv('a,b,c\n1,2\n').rows).toEqual([[1, 2, '']]);
  });

  it('returns nothing for an empty file', () => {
    expect(parseCsv('')).toEqual({ rows: [], types: [] });
  });
});
