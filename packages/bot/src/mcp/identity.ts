import { timingSafeEqual } from 'node:crypto';
import type { HearthConfig } from '@hearth/core';
import { type Caller, HearthError, type Permission } from '@hearth/sdk';

/** Who an MCP client is: a configured principal (or the restricted default) and what it was granted. */
export interface Principal {
  name: string;
  admin: boolean;
  roles: string[];
  permissions: Permission[];
  rateLimit: { perMinute: number; burst: number };
}

type McpConfig = HearthConfig['mcp'];

/** The caller every tool call of this principal runs as: its grants are exactly what the operator configured. */
export function callerOf(principal: Principal): Caller {
  return {
    surface: 'mcp',
    userId: principal.name,
    displayName: principal.name,
    roles: principal.roles,
    isAdmin: principal.admin,
    grants: principal.permissions,
  };
}

/**
 * A principal by name. The default principal (`mcp.defaultPrincipal`, `local`) exists even when not
 * configured, then with only `knowledge:read`, so an agent gets nothing the operator did not grant.
 */
export function resolvePrincipal(mcp: McpConfig, name = mcp.defaultPrincipal): Principal {
  const configured = mcp.principals.find((p) => p.name === name);
  if (configured) {
    return {
      name: configured.name,
      admin: configured.admin,
      roles: configured.roles,
      permissions: configured.permissions,
      rateLimit: configured.rateLimit ?? mcp.rateLimit,
    };
  }
  if (name !== mcp.defaultPrincipal) {
    const known = mcp.principals.map((p) => p.name).join(', ') || 'none';
    throw new HearthError(
      'invalid_config',
      `No MCP principal named "${name}" in mcp.principals (configured: ${known}).`,
    );
  }
  return { name, admin: false, roles: [], permissions: ['knowledge:read'], rateLimit: mcp.rateLimit };
}

/** Bearer token -> principal, from each principal's `tokenEnv` (and HEARTH_MCP_TOKEN for the default principal). */
export class TokenTable {
  private readonly entries: { token: Buffer; principal: Principal }[] = [];

  constructor(mcp: McpConfig, env: NodeJS.ProcessEnv, defaultToken?: string) {
    for (const p of mcp.principals) {
      const token = p.tokenEnv ? env[p.tokenEnv] : undefined;
      if (p.tokenEnv && !token) continue; // an unset variable grants nothing
      if (token) this.entries.push({ token: Buffer.from(token), principal: resolvePrincipal(mcp, p.name) });
    }
    if (defaultToken) this.entries.push({ token: Buffer.from(defaultToken), principal: resolvePrincipal(mcp) });
  }

  /** True when at least one token is configured, so every HTTP request must carry one. */
  get required(): boolean {
    return this.entries.length > 0;
  }

  /** How many distinct principals hold a token. */
  principalCount(): number {
    return new Set(this.entries.map((e) => e.principal.name)).size;
  }

  /** The tokens, for the redactor. */
  tokens(): string[] {
    return this.entries.map((e) => e.token.toString());
  }

  /** The principal holding `token`, compared in constant time; undefined when none does. */
  lookup(token: string): Principal | undefined {
    const given = Buffer.from(token);
    let found: Principal | undefined;
    for (const e of this.entries) {
      if (e.token.length === given.length && timingSafeEqual(e.token, given)) found ??= e.principal;
    }
    return found;
  }
}

/** A token bucket per principal, shared by all of its sessions. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /** Takes one request from the principal's bucket; returns the seconds to wait when it is empty, else 0. */
  take(principal: Principal, now = Date.now()): number {
    const { perMinute, burst } = principal.rateLimit;
    const perMs = perMinute / 60_000;
    const b = this.buckets.get(principal.name) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + (now - b.at) * perMs);
    b.at = now;
    this.buckets.set(principal.name, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / perMs / 1000);
  }
}
