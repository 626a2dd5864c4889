/**
 * The small pieces every diff detail is built from: equality and display of stored values, and the line diff of
 * operation code with unchanged stretches folded away, so that a one-line fix in a 200-line operation reads as such.
 */
import { diffLines } from 'diff';

/** Any value a detail reports: attribute values, layer config values, schema fields, ids and names. */
export type DiffValue = string | number | boolean | null | number[] | string[];

/**
 * A run of code lines. `same` runs keep a few lines of context around each change; the rest of an unchanged stretch
 * becomes one `skip` run whose text says how many lines it hides.
 */
export interface CodeHunk {
  kind: 'add' | 'remove' | 'same' | 'skip';
  /** The lines, joined by "\n" without a final newline; for `skip`, e.g. "12 unchanged lines". */
  text: string;
  /** How many lines of code the run stands for. */
  lines: number;
}

/** Lines of context kept on each side of a change. */
export const CODE_CONTEXT_LINES = 3;

/** Values as stored: primitives, or arrays of them (shapes, enum options). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  return false;
}

/** Plain data for a detail: `undefined` becomes `null` so the detail survives JSON; arrays are copied. */
export function toDiffValue(v: unknown): DiffValue {
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) return [...v] as DiffValue;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

const MAX_SHOWN = 40;

/** A value in a summary line: short, unquoted, `none` for a missing value. */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return 'none';
  if (v === '') return '""';
  const text = Array.isArray(v) ? `[${v.map(formatValue).join(', ')}]` : typeof v === 'string' ? v : String(v);
  const line = text.replace(/\s+/g, ' ');
  return line.length > MAX_SHOWN ? `${line.slice(0, MAX_SHOWN - 1)}…` : line;
}

/** "5 → 20". */
export function change(before: unknown, after: unknown): string {
  return `${formatValue(before)} → ${formatValue(after)}`;
}

/** "1 node", "3 nodes". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Case-insensitive first, then exact: a stable order that does not depend on the runtime's locale. */
export function compareText(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la !== lb) return la < lb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function linesOf(value: string): string[] {
  return (value.endsWith('\n') ? value.slice(0, -1) : value).split('\n');
}

/** The line diff of two versions of code, with long unchanged stretches folded; empty when the code is equal. */
export function codeHunks(before: string, after: string, context: number = CODE_CONTEXT_LINES): CodeHunk[] {
  if (before === after) return [];
  const parts = diffLines(before, after);
  const hunks: CodeHunk[] = [];
  parts.forEach((part, i) => {
    const lines = linesOf(part.value);
    if (part.added || part.removed) {
      hunks.push({ kind: part.added ? 'add' : 'remove', text: lines.join('\n'), lines: lines.length });
      return;
    }
    const keepHead = i === 0 ? 0 : context;
    const keepTail = i === parts.length - 1 ? 0 : context;
    const hidden = lines.length - keepHead - keepTail;
    // Folding a single line would take as much room as showing it.
    if (hidden < 2) {
      hunks.push({ kind: 'same', text: lines.join('\n'), lines: lines.length });
      return;
    }
    if (keepHead) hunks.push({ kind: 'same', text: lines.slice(0, keepHead).join('\n'), lines: keepHead });
    hunks.push({ kind: 'skip', text: `${hidden} unchanged lines`, lines: hidden });
    if (keepTail) hunks.push({ kind: 'same', text: lines.slice(-keepTail).join('\n'), lines: keepTail });
  });
  return hunks;
}
