import type { Caller } from '@hearth/sdk';

/**
 * Whether a caller may call a tool of this access level: `everyone`, or `admin` for callers marked
 * admin (Discord: Manage Guild or an `adminRoles` role; MCP: a principal with `admin: true`; the CLI).
 * The SDK's call wrapper applies the same rule to plugin tools; external MCP servers' tools use it too.
 */
export function canCallTool(access: 'everyone' | 'admin' | undefined, caller: Caller): boolean {
  return access !== 'admin' || caller.isAdmin;
}
