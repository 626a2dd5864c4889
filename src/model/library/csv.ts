/**
 * CSV as the Load CSV operation reads it (the engine hands this to operation code as ctx.parseCsv): papaparse for
 * quoting and delimiters, then header detection and a type per column, so numbers arrive as numbers.
 */
import Papa from 'papaparse';

export type ColumnType = 'number' | 'string';

export interface CsvTable {
  rows: Array<Array<number | string>>;
  header?: string[];
  types: ColumnType[];
}

export interface CsvOptions {
  /** true: the first row names the columns; false: it is data; 'auto' (default): decide from the data. */
  header?: boolean | 'auto';
  /** undefined lets papaparse detect it. */
  delimiter?: string;
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const isNumeric = (v: string) => NUMBER.test(v.trim());

export function parseCsv(text: string, options: CsvOptions = {}): CsvTable {
  if (text.trim() === '' || text.trim() === '\uFEFF') return { rows: [], types: [] };
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { delimiter: options.delimiter ?? '', skipEmptyLines: 'greedy' });
  if (parsed.errors.length && parsed.data.length === 0) {
    throw new Error(`This file is not readable as CSV: ${parsed.errors[0]!.message}.`);
  }
  let raw = parsed.data.map((r) => r.map((c) => c.trim()));
  if (raw.length === 0) return { rows: [], types: [] };
  const width = Math.max(...raw.map((r) => r.length));
  raw = raw.map((r) => (r.length < width ? [...r, ...Array(width - r.length).fill('')] : r));

  // A header is a first row with no numbers above columns that are numeric below it.
  const auto = () => raw.length > 1 && raw[0]!.every((c) => !isNumeric(c)) && raw[1]!.some((c) => isNumeric(c));
  const hasHeader = options.header === 'auto' || options.header === undefined ? auto() : options.header;
  const header = hasHeader ? raw[0]!.map((c, i) => c || `column ${i}`) : undefined;
  const body = hasHeader ? raw.slice(1) : raw;
  const types: ColumnType[] = Array.from({ length: width }, (_, i) => (body.every((r) => r[i] === '' || isNumeric(r[i]!)) && body.some((r) => r[i] !== '') ? 'number' : 'string'));
  const rows = body.map((r) => r.map((c, i) => (types[i] === 'number' ? (c === '' ? Number.NaN : Number(c)) : c)));
  return { rows, types, ...(header ? { header } : {}) };
}
