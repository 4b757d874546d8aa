import type { Caller } from '@hearth/sdk';

/** Who made an artifact: the MCP principal (the caller's `userId`) and the guild, where there is one. */
export interface ArtifactOwner {
  principal: string;
  guildId?: string;
}

/** The owner recorded for what `caller` makes. */
export function ownerOf(caller: Caller): ArtifactOwner {
  return { principal: caller.userId, ...(caller.guildId ? { guildId: caller.guildId } : {}) };
}

/**
 * Whether `caller` may list and read an artifact made by `owner`: the same principal in the same
 * guild (or both without one). An artifact without a recorded owner (saved before owners were
 * recorded) belongs to nobody. Same rule and signature as `canReadArtifact` in
 * packages/core/src/access/artifacts.ts, which @hearth/core does not export yet; once it does, this
 * becomes a re-export.
 */
export function canReadArtifact(owner: ArtifactOwner | undefined, caller: Caller): boolean {
  return owner !== undefined && owner.principal === caller.userId && (owner.guildId ?? '') === (caller.guildId ?? '');
}
