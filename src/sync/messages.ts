/**
 * Change messages: what a change did, then trailer lines saying who did it and which item it touched, in a form
 * any Automerge tool can read:
 *   "renamed pipeline Train to Fit\n\nby: Ada Lovelace (#e11d48)\nitem: pipelines/p1"
 * History shows the first part, names the author and filters by item from the trailers.
 */

export interface Author {
  name: string;
  color: string;
}

export interface ChangeMessage {
  message: string;
  author?: Author;
  /** "kind/id" of the project item the change was about. */
  item?: string;
}

const BY = /^by: (.*) \((#[0-9a-fA-F]{3,8})\)$/;
const ITEM = /^item: ([a-z]+\/\S+)$/;

export function encodeChangeMessage(message: string, author?: Author, item?: string): string {
  const trailer: string[] = [];
  if (author?.name) {
    const name = author.name.replace(/[\r\n()]/g, ' ').trim().slice(0, 80);
    const color = /^#[0-9a-fA-F]{3,8}$/.test(author.color) ? author.color : '#64748b';
    trailer.push(`by: ${name} (${color})`);
  }
  if (item && ITEM.test(`item: ${item}`)) trailer.push(`item: ${item}`);
  return trailer.length ? `${message}\n\n${trailer.join('\n')}` : message;
}

export function decodeChangeMessage(raw: string | null | undefined): ChangeMessage {
  if (!raw) return { message: '' };
  const cut = raw.lastIndexOf('\n\n');
  if (cut < 0) return { message: raw };
  const lines = raw.slice(cut + 2).split('\n');
  const out: ChangeMessage = { message: raw.slice(0, cut) };
  for (const line of lines) {
    const by = BY.exec(line);
    const item = ITEM.exec(line);
    if (by) out.author = { name: by[1]!, color: by[2]! };
    else if (item) out.item = item[1]!;
    else return { message: raw }; // not a trailer after all: the message had a blank line of its own
  }
  return out;
}
