import type { Caller } from '@hearth/sdk';

/**
 * Who is asking, as the threat model (docs/security.md) names the parties. Plugins and external MCP
 * servers are not callers: they act for one, inside the caller's rights.
 */
export type Party = 'operator' | 'mcp-principal' | 'guild-admin' | 'member' | 'dm-user';

/**
 * The party of a caller. The CLI runs as the operator (who owns the data folder anyway); an MCP
 * caller is a principal the operator configured; on Discord a guild caller is an admin or a member
 * and a caller without a guild is a DM user. The web console's user is the operator or an MCP principal. Other surfaces (tests) follow the Discord fields.
 */
export function partyOf(caller: Caller): Party {
  if (caller.surface === 'cli') return 'operator';
  if (caller.surface === 'mcp') return 'mcp-principal';
  // the web console signs in the operator (HEARTH_WEB_TOKEN, or allowed loopback) or an MCP principal
  if (caller.surface === 'web') return caller.isAdmin && caller.userId === 'operator' ? 'operator' : 'mcp-principal';
  if (!caller.guildId) return 'dm-user';
  return caller.isAdmin ? 'guild-admin' : 'member';
}

/** Whether the operator granted this caller a permission: an MCP principal by its grants, others by surface. */
export function hasGrant(caller: Caller, permission: string): boolean {
  return caller.grants ? (caller.grants as readonly string[]).includes(permission) : true;
}
