import { type ConversationKey, canModifySource } from '@hearth/core';
import { type ChatInputCommandInteraction, MessageFlags, type RepliableInteraction } from 'discord.js';
import { callerFromInteraction } from '../access.js';
import { runAnswer } from '../answers/run.js';
import { describeFailure, type SurfaceContext } from '../context.js';
import { conversationForAsk } from '../conversation/keys.js';
import { interactionTarget } from '../conversation/targets.js';
import { splitMessage } from '../render/split.js';
import { fetchAttachment } from './inputs.js';
import type { CommandRegistrar } from './register.js';
import { runToolJob } from './tool-job.js';

/** Runs one built-in command; the interaction is already checked (channel, rate limit). */
export async function runBuiltin(
  ctx: SurfaceContext,
  registrar: CommandRegistrar,
  interaction: ChatInputCommandInteraction,
): Promise<void> {
  switch (interaction.commandName) {
    case 'ask':
      return ask(ctx, interaction);
    case 'knowledge':
      return knowledge(ctx, interaction);
    case 'persona':
      return persona(ctx, interaction);
    case 'plugins':
      return viaTool(ctx, interaction, 'list_plugins', async () => ({}), 'Plugins');
    case 'help':
      return reply(interaction, helpText(registrar), true);
    case 'reset':
      return reset(ctx, interaction);
  }
}

async function ask(ctx: SurfaceContext, interaction: ChatInputCommandInteraction): Promise<void> {
  await runAnswer(ctx, {
    target: interactionTarget(interaction),
    conversation: conversationForAsk(interaction),
    question: interaction.options.getString('question', true),
    caller: callerFromInteraction(ctx.settings, interaction),
  });
}

async function knowledge(ctx: SurfaceContext, interaction: ChatInputCommandInteraction): Promise<void> {
  const sub = interaction.options.getSubcommand(true);
  if (sub === 'add') {
    const file = interaction.options.getAttachment('file');
    const text = interaction.options.getString('text');
    if (!file && !text) return reply(interaction, 'Attach a file or give `text` to add.', true);
    const title = interaction.options.getString('title', true);
    return viaTool(
      ctx,
      interaction,
      'add_knowledge',
      async (signal) => ({
        title,
        ...(text ? { text } : {}),
        ...(file ? { file: await fetchAttachment(ctx.settings, file, signal) } : {}),
      }),
      'Knowledge',
    );
  }
  if (sub === 'search') {
    const query = interaction.options.getString('query', true);
    const k = interaction.options.getInteger('k') ?? 5;
    return viaTool(ctx, interaction, 'search_knowledge', async () => ({ query, k }), 'Search');
  }
  if (sub === 'remove') {
    const id = interaction.options.getString('source_id', true);
    return viaTool(ctx, interaction, 'remove_knowledge', async () => ({ source_id: id }), 'Knowledge');
  }
  const sources = await ctx.hearth.knowledge.listSources({ guildId: interaction.guildId ?? undefined });
  const caller = callerFromInteraction(ctx.settings, interaction);
  // global sources are the operator's: listed, but their ids are offered only to whoever may remove them
  const lines = sources.map((s) =>
    canModifySource(s, caller)
      ? `• **${s.title}** · \`${s.id}\` · ${s.scope} · ${s.chunks} chunks`
      : `• **${s.title}** · ${s.scope === 'global' ? "global (the operator's)" : s.scope} · ${s.chunks} chunks`,
  );
  return reply(
    interaction,
    lines.length ? `**Documents (${lines.length})**\n${lines.join('\n')}` : 'The knowledge base is empty here.',
    true,
  );
}

async function persona(ctx: SurfaceContext, interaction: ChatInputCommandInteraction): Promise<void> {
  const name = interaction.options.getString('name');
  const available = await ctx.hearth.engine.personas();
  if (!name) return reply(interaction, `Personas: ${available.map((p) => `\`${p}\``).join(', ') || 'none'}.`, true);
  const caller = callerFromInteraction(ctx.settings, interaction);
  if (!caller.isAdmin) return reply(interaction, '🔒 Only server admins (Manage Server) may change the persona.', true);
  if (!available.includes(name))
    return reply(interaction, `No persona "${name}". Available: ${available.join(', ')}.`, true);
  await ctx.hearth.engine.setGuildPersona(interaction.guildId!, name);
  return reply(interaction, `Persona for this server is now **${name}**.`, false);
}

async function reset(ctx: SurfaceContext, interaction: ChatInputCommandInteraction): Promise<void> {
  const keys: ConversationKey[] = [conversationForAsk(interaction)];
  const channel = interaction.channel;
  if (!interaction.guildId) keys.push({ surface: 'discord', channelId: interaction.channelId });
  else if (channel?.isThread() && channel.ownerId === ctx.client.user?.id) {
    keys.push({
      surface: 'discord',
      guildId: interaction.guildId,
      channelId: channel.parentId ?? undefined,
      threadId: channel.id,
    });
  }
  for (const key of keys) await ctx.hearth.engine.reset(key);
  return reply(interaction, 'Done: I have forgotten our conversation here.', true);
}

/** A built-in command backed by a registry tool, run like any tool job. */
async function viaTool(
  ctx: SurfaceContext,
  interaction: ChatInputCommandInteraction,
  name: string,
  input: (signal: AbortSignal) => Promise<Record<string, unknown>>,
  title: string,
): Promise<void> {
  const tool = ctx.hearth.registry.get(name);
  if (!tool) return reply(interaction, `⚠️ The ${name} tool is not available.`, true);
  // Built-ins already say everything in text; their structured data would only repeat it.
  return runToolJob(ctx, interaction, tool, input, title, { embed: false }).catch(async (err) => {
    await interaction.editReply({ content: describeFailure(ctx, err) }).catch(() => {});
  });
}

function helpText(registrar: CommandRegistrar): string {
  const tools = [...registrar.commands.tools.entries()].map(([name, tool]) => `\`/${name}\` ${tool.description}`);
  return [
    "**Hearth** answers questions from this server's knowledge base and runs plugin tools.",
    '• Mention me, reply to my answers (the reply chain is our conversation), or DM me.',
    '• `/ask` a question · `/knowledge add|search|remove|list` · `/persona` · `/plugins` · `/reset`',
    ...(tools.length ? ['**Tools**', ...tools] : []),
  ].join('\n');
}

/** A plain reply, split under the limit (the first part replies, the rest follow up). */
export async function reply(interaction: RepliableInteraction, content: string, ephemeral: boolean): Promise<void> {
  const parts = splitMessage(content);
  const flags = ephemeral ? (MessageFlags.Ephemeral as const) : undefined;
  for (const [i, part] of parts.entries()) {
    const body = { content: part, allowedMentions: { parse: [] }, ...(flags ? { flags } : {}) };
    if (i === 0 && !interaction.replied && !interaction.deferred) await interaction.reply(body);
    else if (i === 0) await interaction.editReply({ content: part });
    else await interaction.followUp(body);
  }
}
