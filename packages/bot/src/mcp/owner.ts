/** Who made an artifact: the MCP principal (and the guild, for surfaces that have one). */
export interface ArtifactOwner {
  principal: string;
  guildId?: string;
}

/**
 * True when `viewer` may list and read an artifact made by `owner`: the same principal in the same
 * guild (or both without one). Artifacts without a recorded owner (saved before owners were
 * recorded) belong to nobody, so they are never shown. The one place this rule lives until
 * `canReadArtifact` exists in @hearth/core's access rules.
 */
export function canReadArtifact(viewer: ArtifactOwner, owner: ArtifactOwner | undefined): boolean {
  return (
    owner !== undefined && owner.principal === viewer.principal && (owner.guildId ?? '') === (viewer.guildId ?? '')
  );
}
