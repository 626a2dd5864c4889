/**
 * Change messages: what a change did, plus who did it, as a trailer that any Automerge tool can read:
 *   "renamed project to Iris\n\nby: Ada Lovelace (#e11d48)"
 * History shows the first part and names the author from the trailer.
 */

export interface Author {
  name: string;
  color: string;
}

const TRAILER = /\n\nby: (.*) \((#[0-9a-fA-F]{3,8})\)$/;

export function encodeChangeMessage(message: string, author?: Author): string {
  if (!author?.name) return message;
  const name = author.name.replace(/[\r\n()]/g, ' ').trim().slice(0, 80);
  const color = /^#[0-9a-fA-F]{3,8}$/.test(author.color) ? author.color : '#64748b';
  return `${message}\n\nby: ${name} (${color})`;
}

export function decodeChangeMessage(raw: string | null | undefined): { message: string; author?: Author } {
  if (!raw) return { message: '' };
  const m = TRAILER.exec(raw);
  if (!m) return { message: raw };
  return { message: raw.slice(0, m.index), author: { name: m[1]!, color: m[2]! } };
}
