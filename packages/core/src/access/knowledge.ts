import type { Caller } from '@hearth/sdk';
import { isVisible } from '../knowledge/scope.js';
import type { KnowledgeScope, SourceInfo } from '../knowledge/types.js';
import { hasGrant, partyOf } from './parties.js';

/** The fields of a source the rules look at. */
export type SourceScope = Pick<SourceInfo, 'scope' | 'guildId' | 'channelId'>;

/** The scope a caller reads from: its guild and channel (global sources are always included). */
export function readScopeOf(caller: Caller): KnowledgeScope {
  return { guildId: caller.guildId, channelId: caller.channelId };
}

/**
 * Where a caller's additions go: its guild on Discord, global for the operator and MCP principals.
 * A DM user has no scope to write to: undefined.
 */
export function writeScopeOf(caller: Caller): KnowledgeScope | undefined {
  if (caller.guildId) return { guildId: caller.guildId };
  const party = partyOf(caller);
  return party === 'operator' || party === 'mcp-principal' ? {} : undefined;
}

/**
 * Whether `caller` may read a source (search hits, listings, resources): global sources are
 * everyone's, a guild's sources only its own callers', a channel's only that channel's, and an MCP
 * principal without the `knowledge:read` grant reads nothing.
 */
export function canReadSource(source: SourceScope, caller: Caller): boolean {
  if (!hasGrant(caller, 'knowledge:read')) return false;
  if (partyOf(caller) === 'operator') return true;
  return isVisible(source, readScopeOf(caller));
}

/**
 * Whether `caller` may add, replace or remove a source in `source`'s scope:
 * - global: the operator (CLI) and MCP principals granted `knowledge:write`, never a Discord user,
 *   not even a guild admin (global knowledge is the operator's, shared by every guild);
 * - guild or channel: an admin of that guild (or an MCP principal granted `knowledge:write` calling
 *   with that guild), never another guild's admin;
 * - the operator may change anything.
 */
export function canModifySource(source: SourceScope, caller: Caller): boolean {
  if (!hasGrant(caller, 'knowledge:write')) return false;
  const party = partyOf(caller);
  if (party === 'operator') return true;
  if (source.scope === 'global') return party === 'mcp-principal';
  if (!caller.guildId || source.guildId !== caller.guildId) return false;
  if (source.scope === 'channel' && !isVisible(source, readScopeOf(caller))) return false;
  return party === 'guild-admin' || party === 'mcp-principal';
}

/** Whether `caller` may add sources at all (to {@link writeScopeOf}). */
export function canAddKnowledge(caller: Caller): boolean {
  const scope = writeScopeOf(caller);
  if (!scope) return false;
  const stored: SourceScope = scope.guildId ? { scope: 'guild', guildId: scope.guildId } : { scope: 'global' };
  return canModifySource(stored, caller);
}
