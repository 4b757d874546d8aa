import { sql } from './chunk-table.js';
import type { KnowledgeScope, SourceInfo } from './types.js';

/** The stored scope of a source ingested with `scope`: channel when a channel is given, else guild, else global. */
export function scopeOf(scope: KnowledgeScope | undefined): Pick<SourceInfo, 'scope' | 'guildId' | 'channelId'> {
  if (scope?.channelId) return { scope: 'channel', guildId: scope.guildId, channelId: scope.channelId };
  if (scope?.guildId) return { scope: 'guild', guildId: scope.guildId };
  return { scope: 'global' };
}

/** Whether a source in `source`'s scope is visible from `viewer` (global, the same guild, the same channel). */
export function isVisible(
  source: Pick<SourceInfo, 'scope' | 'guildId' | 'channelId'>,
  viewer: KnowledgeScope,
): boolean {
  if (source.scope === 'global') return true;
  if (source.scope === 'guild') return viewer.guildId !== undefined && source.guildId === viewer.guildId;
  return (
    viewer.channelId !== undefined &&
    source.channelId === viewer.channelId &&
    (source.guildId === undefined || source.guildId === viewer.guildId || viewer.guildId === undefined)
  );
}

/** The LanceDB filter matching `isVisible` for chunk rows. */
export function scopeFilter(viewer: KnowledgeScope | undefined): string {
  const parts = ["scope = 'global'"];
  if (viewer?.guildId) parts.push(`(scope = 'guild' AND guild_id = ${sql(viewer.guildId)})`);
  if (viewer?.channelId) {
    const guild = viewer.guildId ? ` AND (guild_id = '' OR guild_id = ${sql(viewer.guildId)})` : '';
    parts.push(`(scope = 'channel' AND channel_id = ${sql(viewer.channelId)}${guild})`);
  }
  return `(${parts.join(' OR ')})`;
}

/**
 * Parses a CLI scope: `global`, `guild:<guildId>`, `channel:<channelId>` or `channel:<guildId>/<channelId>`.
 * Throws a specific error for anything else.
 */
export function parseScope(text: string | undefined): KnowledgeScope {
  if (!text || text === 'global') return {};
  const guild = /^guild:([\w-]+)$/.exec(text);
  if (guild) return { guildId: guild[1] };
  const channel = /^channel:(?:([\w-]+)\/)?([\w-]+)$/.exec(text);
  if (channel) return channel[1] ? { guildId: channel[1], channelId: channel[2] } : { channelId: channel[2] };
  throw new Error(`invalid scope "${text}": use global, guild:<id>, channel:<id> or channel:<guildId>/<channelId>`);
}
