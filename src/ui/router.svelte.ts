/**
 * Routes live in the URL path, so that a link opens the same place:
 *   /                          the project list
 *   /p/<documentId>            a project's overview
 *   /p/<documentId>/<kind>/<id> an item of the project (kind: pipelines, architectures, operations, artifacts, executions)
 */
import { ITEM_KINDS, type ItemKind } from '../model/types';

export type Route =
  | { name: 'home' }
  | { name: 'project'; documentId: string }
  | { name: 'item'; documentId: string; kind: ItemKind; itemId: string }
  | { name: 'not-found'; path: string };

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { name: 'home' };
  if (parts[0] === 'p' && parts[1]) {
    if (parts.length === 2) return { name: 'project', documentId: parts[1] };
    if (parts.length === 4 && (ITEM_KINDS as readonly string[]).includes(parts[2]!)) {
      return { name: 'item', documentId: parts[1], kind: parts[2] as ItemKind, itemId: parts[3]! };
    }
  }
  return { name: 'not-found', path: pathname };
}

export function projectPath(documentId: string, kind?: ItemKind, itemId?: string): string {
  const base = `/p/${encodeURIComponent(documentId)}`;
  return kind && itemId ? `${base}/${kind}/${encodeURIComponent(itemId)}` : base;
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
