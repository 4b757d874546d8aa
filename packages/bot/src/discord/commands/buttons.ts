import type { ButtonInteraction } from 'discord.js';
import { callerFromInteraction, channelAllowed } from '../access.js';
import { BUTTON_PREFIX, BUTTONS } from '../answers/buttons.js';
import { runAnswer } from '../answers/run.js';
import type { AnswerRecord, Verdict } from '../answers/store.js';
import type { SurfaceContext } from '../context.js';
import { linkOrWarn } from '../conversation/link.js';
import { interactionTarget } from '../conversation/targets.js';
import { limitMessage } from '../limits/rate-limit.js';
import { reply } from './builtins.js';

const EXCERPT_MAX = 300;

/**
 * A click on an answer's buttons. Regenerate (the asker or an admin) answers the same question
 * again as a new message; Sources lists the cited sources with excerpts, only to the clicker;
 * 👍/👎 records the clicker's verdict with the turn (a second click changes it).
 */
export async function handleButton(ctx: SurfaceContext, interaction: ButtonInteraction): Promise<void> {
  const id = interaction.customId;
  if (!id.startsWith(BUTTON_PREFIX)) return;
  // a database failure rejects: handleInteraction answers it with the "database is unavailable" sentence
  const record = await ctx.answers.get(interaction.message.id);
  if (!record) {
    return reply(interaction, "I no longer have this answer's details, so its buttons do nothing now.", true);
  }
  if (id === BUTTONS.sources) return reply(interaction, sourcesText(record), true);
  if (id === BUTTONS.up || id === BUTTONS.down)
    return vote(ctx, interaction, record, id === BUTTONS.up ? 'up' : 'down');
  if (id === BUTTONS.regenerate) return regenerate(ctx, interaction, record);
}

function sourcesText(record: AnswerRecord): string {
  if (!record.citations.length) return 'This answer cites no sources.';
  const lines = record.citations.map((c) => {
    const link = /^https?:\/\//.test(c.uri) ? ` <${c.uri}>` : c.uri ? ` (${c.uri})` : '';
    const excerpt = c.excerpt.replace(/\s+/g, ' ').trim();
    const clipped = excerpt.length > EXCERPT_MAX ? `${excerpt.slice(0, EXCERPT_MAX - 1)}…` : excerpt;
    return `**[${c.n}] ${c.title}**${link}${clipped ? `\n> ${clipped}` : ''}`;
  });
  return `**Sources of this answer**\n${lines.join('\n')}`;
}

async function vote(
  ctx: SurfaceContext,
  interaction: ButtonInteraction,
  record: AnswerRecord,
  verdict: Verdict,
): Promise<void> {
  const before = await ctx.answers.verdict(record.messageId, interaction.user.id);
  await ctx.answers.vote(record, interaction.user.id, verdict);
  ctx.log.info({ message: record.messageId, verdict, model: record.model }, 'discord: answer feedback');
  const icon = verdict === 'up' ? '👍' : '👎';
  const text =
    before === verdict
      ? `You already gave this answer a ${icon}.`
      : before
        ? `Changed your feedback to ${icon}. Thanks!`
        : `Thanks for the ${icon}: it is stored with this answer to help improve Hearth.`;
  return reply(interaction, text, true);
}

async function regenerate(ctx: SurfaceContext, interaction: ButtonInteraction, record: AnswerRecord): Promise<void> {
  const caller = callerFromInteraction(ctx.settings, interaction);
  if (caller.userId !== record.userId && !caller.isAdmin) {
    return reply(interaction, 'Only the person who asked (or a server admin) can regenerate this answer.', true);
  }
  if (!ctx.jobs.accepting) return reply(interaction, 'Hearth is restarting; please try again in a moment.', true);
  const channel = interaction.channel;
  const parentId = channel?.isThread() ? channel.parentId : null;
  if (!channelAllowed(ctx.settings, { guildId: interaction.guildId, channelId: interaction.channelId, parentId }))
    return reply(interaction, "I'm not enabled in this channel.", true);
  const decision = await ctx.limiter.take(interaction.user.id, interaction.guildId ?? undefined);
  if (!decision.ok) return reply(interaction, `⏳ ${limitMessage(decision)}`, true);
  await interaction.deferReply();
  const sent = await ctx.gate.run(() =>
    runAnswer(ctx, {
      target: interactionTarget(interaction),
      conversation: record.conversation,
      question: record.question,
      caller,
      regenerate: true,
    }),
  );
  if (record.conversation.chainId) await linkOrWarn(ctx, record.conversation.chainId, ...sent);
}
