import type { Hearth } from '@hearth/core';

/** The `discord` config section after defaults. */
export type DiscordSettings = Hearth['config']['discord'];

/** Whether mentions in this guild are answered in a new thread. */
export function repliesInThread(settings: DiscordSettings, guildId: string | null): boolean {
  if (!guildId) return false;
  return Array.isArray(settings.replyInThread) ? settings.replyInThread.includes(guildId) : settings.replyInThread;
}
