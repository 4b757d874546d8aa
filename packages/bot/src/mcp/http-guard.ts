import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/** True for "every interface" binds, where the Host header has no single right value. */
export function isWildcard(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === '0.0.0.0' || h === '::';
}

/**
 * Host and Origin checks against DNS rebinding: a page on evil.example whose name resolves to
 * 127.0.0.1 still sends `Host: evil.example`, so only known names pass. Hosts compare without port.
 */
export class HostGuard {
  private readonly hosts: Set<string> | undefined;
  private readonly origins: Set<string>;
  private readonly originHosts: Set<string>;

  constructor(bindHost: string, allowedHosts: string[], allowedOrigins: string[]) {
    const names = new Set(allowedHosts.map(normalise));
    if (isLoopback(bindHost) || isWildcard(bindHost)) for (const n of ['localhost', '127.0.0.1', '[::1]']) names.add(n);
    if (!isWildcard(bindHost)) names.add(normalise(bindHost));
    // A wildcard bind with no configured names cannot know its public name: Host is not checked
    // then (bearer tokens are required off loopback anyway), Origin still is.
    this.hosts = isWildcard(bindHost) && allowedHosts.length === 0 ? undefined : names;
    this.origins = new Set(allowedOrigins.map((o) => new URL(o).origin));
    this.originHosts = names;
  }

  /** Why the request must be refused, or undefined when it may pass. */
  check(req: IncomingMessage): string | undefined {
    const host = req.headers.host;
    if (this.hosts) {
      if (!host) return 'Missing Host header';
      const name = hostnameOf(host);
      if (!name || !this.hosts.has(name)) return `Host "${host}" is not allowed`;
    }
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let parsed: URL;
      try {
        parsed = new URL(origin);
      } catch {
        return `Origin "${origin}" is not allowed`;
      }
      if (!this.origins.has(parsed.origin) && !this.originHosts.has(normalise(parsed.hostname)))
        return `Origin "${origin}" is not allowed`;
    }
    return undefined;
  }
}

function hostnameOf(host: string): string | undefined {
  try {
    return normalise(new URL(`http://${host}`).hostname);
  } catch {
    return undefined;
  }
}

function normalise(name: string): string {
  const n = name.toLowerCase();
  return n.includes(':') && !n.startsWith('[') ? `[${n}]` : n;
}
