import { randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { HearthConfig } from '@hearth/core';
import { type Caller, PERMISSIONS, type Permission } from '@hearth/sdk';

/** Who is using the console: the operator (HEARTH_WEB_TOKEN or allowed loopback) or an MCP principal. */
export interface WebUser {
  name: string;
  admin: boolean;
  permissions: Permission[];
}

/** One signed-in browser: the user, a CSRF token the page echoes on every change, and an expiry. */
export interface WebSession {
  id: string;
  user: WebUser;
  csrf: string;
  expiresAt: number;
}

/** The operator: every permission, admin. */
export const OPERATOR: WebUser = { name: 'operator', admin: true, permissions: [...PERMISSIONS] };

/** The caller every console action runs as, so the same rules decide as on Discord and MCP. */
export function callerOf(user: WebUser): Caller {
  return {
    surface: 'web',
    userId: user.name,
    displayName: user.name,
    roles: [],
    isAdmin: user.admin,
    grants: user.permissions,
  };
}

/**
 * Tokens that open the console: `HEARTH_WEB_TOKEN` signs in as the operator, and each MCP
 * principal's token (its `tokenEnv`) signs in as that principal with its grants and admin flag.
 */
export function tokenTable(
  config: HearthConfig,
  env: NodeJS.ProcessEnv,
  webToken = env.HEARTH_WEB_TOKEN,
): { token: string; user: WebUser }[] {
  const table: { token: string; user: WebUser }[] = [];
  if (webToken) table.push({ token: webToken, user: OPERATOR });
  for (const p of config.mcp.principals) {
    const token = p.tokenEnv ? env[p.tokenEnv] : undefined;
    if (token) table.push({ token, user: { name: p.name, admin: p.admin, permissions: [...p.permissions] } });
  }
  return table;
}

/** Sign-in by token, sessions by HTTP-only cookie, CSRF tokens per session. */
export class SessionBook {
  private readonly sessions = new Map<string, WebSession>();

  constructor(
    private readonly tokens: { token: string; user: WebUser }[],
    private readonly ttlMs = 12 * 60 * 60 * 1000,
    private readonly maxSessions = 1000,
  ) {}

  /** True when at least one token can sign in. */
  get hasTokens(): boolean {
    return this.tokens.length > 0;
  }

  /** The user holding `token` (constant-time compare), or undefined. */
  userFor(token: string): WebUser | undefined {
    const given = Buffer.from(token);
    let found: WebUser | undefined;
    for (const t of this.tokens) {
      const want = Buffer.from(t.token);
      if (want.length === given.length && timingSafeEqual(want, given)) found ??= t.user;
    }
    return found;
  }

  /** Opens a session for `user`; the oldest session goes when the book is full. */
  open(user: WebUser, now = Date.now()): WebSession {
    if (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest) this.sessions.delete(oldest);
    }
    const session = {
      id: randomBytes(24).toString('base64url'),
      user,
      csrf: randomBytes(24).toString('base64url'),
      expiresAt: now + this.ttlMs,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id, or undefined (expired ones are dropped). */
  get(id: string | undefined, now = Date.now()): WebSession | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (s && s.expiresAt <= now) {
      this.sessions.delete(id);
      return undefined;
    }
    return s;
  }

  close(id: string): void {
    this.sessions.delete(id);
  }

  /** True when `given` is the session's CSRF token (constant time). */
  static csrfMatches(session: WebSession, given: string | undefined): boolean {
    if (!given) return false;
    const a = Buffer.from(session.csrf);
    const b = Buffer.from(given);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

/** True for names only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/**
 * DNS-rebinding and cross-site checks: the Host header must name this server and an Origin, when
 * the browser sends one, must be this server's. Returns why a request is refused, or undefined.
 */
export function checkHostAndOrigin(
  headers: { host?: string; origin?: string },
  allowedHosts: ReadonlySet<string>,
): string | undefined {
  const host = headers.host;
  if (!host) return 'Missing Host header';
  const hostName = safeHostname(`http://${host}`);
  if (!hostName || !allowedHosts.has(hostName)) return `Host "${host}" is not allowed`;
  const origin = headers.origin;
  if (origin !== undefined && origin !== 'null') {
    const originName = safeHostname(origin);
    if (!originName || !allowedHosts.has(originName)) return `Origin "${origin}" is not allowed`;
  } else if (origin === 'null') return 'Origin "null" is not allowed';
  return undefined;
}

function safeHostname(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}
