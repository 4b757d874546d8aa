import type { Caller } from '@hearth/sdk';

/** Who made an artifact (a generated image or file served as an MCP resource). */
export interface ArtifactOwner {
  /** The MCP principal's name (the caller's `userId`). */
  principal: string;
  guildId?: string;
}

/**
 * Whether `caller` may list and read an artifact made by `owner`: the same principal in the same
 * guild (or both without one). An artifact without a recorded owner belongs to nobody and is never
 * shown; the operator reads the data folder directly and needs no rule here.
 */
export function canReadArtifact(owner: ArtifactOwner | undefined, caller: Caller): boolean {
  return owner !== undefined && owner.principal === caller.userId && (owner.guildId ?? '') === (caller.guildId ?? '');
}
