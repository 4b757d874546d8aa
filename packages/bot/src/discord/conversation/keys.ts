import type { ConversationKey } from '@hearth/core';
import type { Interaction } from 'discord.js';

/** `/ask`'s conversation: one per user per channel (or thread), kept until `/reset`. */
export function conversationForAsk(interaction: Interaction): ConversationKey {
  return {
    surface: 'discord',
    guildId: interaction.guildId ?? undefined,
    channelId: interaction.channelId ?? undefined,
    sessionId: `user:${interaction.user.id}`,
  };
}
