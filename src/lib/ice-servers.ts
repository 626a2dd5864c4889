/**
 * The STUN/TURN servers direct links use to find a way between two browsers, as a person writes them in the sync
 * settings: one per line (or separated by commas), `stun:host[:port]` or `turn:user:password@host[:port][?transport=…]`
 * (also `stuns:`/`turns:`). Without any, two browsers link only when they can reach each other directly (same network).
 */
export interface IceServer {
  urls: string;
  username?: string;
  credential?: string;
}

export type IceParse = { ok: true; servers: IceServer[] } | { ok: false; error: string };

const ENTRY = /^(stuns?|turns?):(?:([^:@\s]+):([^@\s]+)@)?([^\s@?]+)(\?transport=(?:udp|tcp))?$/i;

export function parseIceServers(text: string): IceParse {
  const servers: IceServer[] = [];
  for (const raw of text.split(/[\n,]/)) {
    const entry = raw.trim();
    if (!entry) continue;
    const m = ENTRY.exec(entry);
    if (!m) {
      return { ok: false, error: `“${entry}” is not a STUN or TURN server. Write stun:host:port, or turn:user:password@host:port.` };
    }
    const [, scheme, username, credential, host, transport] = m;
    const isTurn = scheme!.toLowerCase().startsWith('turn');
    if (isTurn && !username) return { ok: false, error: `The TURN server ${host} needs a user name and password: turn:user:password@${host}.` };
    if (!isTurn && username) return { ok: false, error: `STUN servers take no password: write stun:${host}.` };
    servers.push({ urls: `${scheme!.toLowerCase()}:${host}${transport ?? ''}`, ...(isTurn ? { username: decodeURIComponent(username!), credential: decodeURIComponent(credential!) } : {}) });
  }
  return { ok: true, servers };
}

/** The text form of servers, for the settings field. */
export function formatIceServers(servers: readonly IceServer[]): string {
  return servers
    .map((s) => {
      if (!s.username) return s.urls;
      const [scheme, ...rest] = s.urls.split(':');
      return `${scheme}:${encodeURIComponent(s.username)}:${encodeURIComponent(s.credential ?? '')}@${rest.join(':')}`;
    })
    .join('\n');
}
