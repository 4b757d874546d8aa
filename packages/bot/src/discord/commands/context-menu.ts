import type { ConversationKey } from '@hearth/core';
import {
  ApplicationCommandType,
  type MessageContextMenuCommandInteraction,
  type RESTPostAPIContextMenuApplicationCommandsJSONBody,
} from 'discord.js';
import { callerFromInteraction, interactionRefusal } from '../access.js';
import { questionImages } from '../answers/images.js';
import { runAnswer } from '../answers/run.js';
import type { SurfaceContext } from '../context.js';
import { linkOrWarn } from '../conversation/link.js';
import { interactionTarget } from '../conversation/targets.js';
import { limitMessage } from '../limits/rate-limit.js';
import type { DiscordSettings } from '../settings.js';
import { reply } from './builtins.js';

/** The message command's name, as members see it under Apps. */
export const ASK_HEARTH = 'Ask Hearth';
const QUOTE_MAX = 3_000;

/** Message context-menu commands: "Ask Hearth" answers about the message it is used on. */
export function contextMenuCommands(settings: DiscordSettings): RESTPostAPIContextMenuApplicationCommandsJSONBody[] {
  return [{ type: ApplicationCommandType.Message, name: ASK_HEARTH, dm_permission: settings.allowDMs }];
}

/**
 * "Ask Hearth" on a message: explains it and answers what it asks, citing the knowledge base. The
 * answer starts a conversation rooted at that message, so replies to the answer continue it.
 */
export async function askAboutMessage(
  ctx: SurfaceContext,
  interaction: MessageContextMenuCommandInteraction,
): Promise<void> {
  const refused = interactionRefusal(ctx.jobs.accepting, ctx.settings, interaction);
  if (refused) return reply(interaction, refused, true);
  const target = interaction.targetMessage;
  const content = target.content.trim();
  const hasImages = target.attachments.some((a) => (a.contentType ?? '').startsWith('image/'));
  if (!content && !hasImages)
    return reply(interaction, 'That message has no text or image I could answer about.', true);
  const decision = await ctx.limiter.take(interaction.user.id, interaction.guildId ?? undefined, ASK_HEARTH);
  if (!decision.ok) return reply(interaction, `⏳ ${limitMessage(decision)}`, true);
  await interaction.deferReply();
  const author = target.member?.displayName ?? target.author.globalName ?? target.author.username;
  const quoted = content.length > QUOTE_MAX ? `${content.slice(0, QUOTE_MAX)}…` : content;
  const question = quoted
    ? `Explain this message by ${author} and answer what it asks:\n"""\n${quoted}\n"""`
    : `Explain the image in this message by ${author}.`;
  const conversation: ConversationKey = {
    surface: 'discord',
    guildId: interaction.guildId ?? undefined,
    channelId: interaction.channelId,
    chainId: target.id,
  };
  const { images, note } = await questionImages(ctx, target.attachments);
  const sent = await ctx.gate.run(() =>
    runAnswer(ctx, {
      target: interactionTarget(interaction),
      conversation,
      question,
      caller: callerFromInteraction(ctx.settings, interaction),
      images,
      ...(note ? { note } : {}),
    }),
  );
  await linkOrWarn(ctx, target.id, ...sent);
}
