/**
 * Routes live in the URL path, so that a link opens the same place:
 *   /                                   the project list
 *   /storage                            what DeepForge keeps on this device, and freeing space
 *   /p/<documentId>                     a project's overview
 *   /p/<documentId>/<kind>/<id>         an item of the project (kind: pipelines, architectures, operations, artifacts, executions)
 *   /p/<documentId>/history             the project's history
 *   /p/<documentId>/compare/<a>/<b>     what differs between two points (heads, or "now")
 *   /p/<documentId>/at/<heads>[/<kind>/<id>]   the project, read-only, as it was at a past point
 * Heads are Automerge change hashes, joined with "." when there are several.
 */
import { ITEM_KINDS, type ItemKind } from '../model/types';

export type Route =
  | { name: 'home' }
  | { name: 'storage' }
  | { name: 'project'; documentId: string; at?: string[] }
  | { name: 'item'; documentId: string; kind: ItemKind; itemId: string; at?: string[] }
  | { name: 'history'; documentId: string }
  | { name: 'compare'; documentId: string; from: string[] | 'now'; to: string[] | 'now' }
  | { name: 'not-found'; path: string };

const HASH = /^[0-9a-f]{64}$/;

function parseHeads(part: string | undefined): string[] | undefined {
  if (!part) return undefined;
  const heads = part.split('.');
  return heads.every((h) => HASH.test(h)) ? heads : undefined;
}

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const notFound = { name: 'not-found' as const, path: pathname };
  if (parts.length === 0) return { name: 'home' };
  if (parts[0] === 'storage' && parts.length === 1) return { name: 'storage' };
  if (parts[0] !== 'p' || !parts[1]) return notFound;
  const documentId = parts[1];
  let rest = parts.slice(2);
  let at: string[] | undefined;
  if (rest[0] === 'history' && rest.length === 1) return { name: 'history', documentId };
  if (rest[0] === 'compare' && rest.length === 3) {
    const from = rest[1] === 'now' ? 'now' : parseHeads(rest[1]);
    const to = rest[2] === 'now' ? 'now' : parseHeads(rest[2]);
    return from && to ? { name: 'compare', documentId, from, to } : notFound;
  }
  if (rest[0] === 'at') {
    at = parseHeads(rest[1]);
    if (!at) return notFound;
    rest = rest.slice(2);
  }
  if (rest.length === 0) return { name: 'project', documentId, ...(at ? { at } : {}) };
  if (rest.length === 2 && (ITEM_KINDS as readonly string[]).includes(rest[0]!)) {
    return { name: 'item', documentId, kind: rest[0] as ItemKind, itemId: rest[1]!, ...(at ? { at } : {}) };
  }
  return notFound;
}

export function projectPath(documentId: string, kind?: ItemKind, itemId?: string, at?: string[]): string {
  let base = `/p/${encodeURIComponent(documentId)}`;
  if (at) base += `/at/${at.join('.')}`;
  return kind && itemId ? `${base}/${kind}/${encodeURIComponent(itemId)}` : base;
}

export function historyPath(documentId: string): string {
  return `/p/${encodeURIComponent(documentId)}/history`;
}

export function comparePath(documentId: string, from: string[] | 'now', to: string[] | 'now'): string {
  const part = (h: string[] | 'now') => (h === 'now' ? 'now' : h.join('.'));
  return `/p/${encodeURIComponent(documentId)}/compare/${part(from)}/${part(to)}`;
}

class Router {
  route = $state<Route>({ name: 'home' });

  start(): void {
    this.route = parseRoute(location.pathname);
    addEventListener('popstate', () => {
      this.route = parseRoute(location.pathname);
    });
    // Plain links inside the app navigate without a reload.
    document.addEventListener('click', (event) => {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const a = (event.target as Element | null)?.closest?.('a');
      if (!a || a.target || a.hasAttribute('download') || a.origin !== location.origin) return;
      event.preventDefault();
      this.go(a.pathname + a.search + a.hash);
    });
  }

  go(path: string, { replace = false } = {}): void {
    if (path === location.pathname + location.search + location.hash) return;
    if (replace) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    this.route = parseRoute(location.pathname);
  }
}

export const router = new Router();
