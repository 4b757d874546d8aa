import { canModifySource } from '@hearth/core';
import {
  ApplicationCommandOptionType,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  MessageFlags,
} from 'discord.js';
import { callerFromInteraction, interactionRefusal } from '../access.js';
import { describeFailure, type SurfaceContext } from '../context.js';
import { BusyError } from '../limits/queue.js';
import { limitMessage } from '../limits/rate-limit.js';
import { reply, runBuiltin } from './builtins.js';
import { handleButton } from './buttons.js';
import { ASK_HEARTH, askAboutMessage } from './context-menu.js';
import { BUILTIN_COMMANDS } from './definitions.js';
import { toolInput } from './inputs.js';
import type { CommandRegistrar } from './register.js';
import { runToolJob } from './tool-job.js';

/** Commands that answer at once and need no slot in the work queue. */
const INSTANT = new Set(['help', 'reset', 'persona']);

/** Routes one interaction: autocomplete, built-in commands, or a generated tool command. */
export async function handleInteraction(
  ctx: SurfaceContext,
  registrar: CommandRegistrar,
  interaction: Interaction,
): Promise<void> {
  if (interaction.isAutocomplete()) return autocomplete(ctx, registrar, interaction);
  if (!interaction.isChatInputCommand() && !interaction.isButton() && !interaction.isMessageContextMenuCommand())
    return;
  try {
    if (interaction.isButton()) await handleButton(ctx, interaction);
    else if (interaction.isMessageContextMenuCommand()) {
      if (interaction.commandName === ASK_HEARTH) await askAboutMessage(ctx, interaction);
    } else await command(ctx, registrar, interaction);
  } catch (err) {
    const content = err instanceof BusyError ? `⏳ ${err.message}` : describeFailure(ctx, err);
    if (interaction.deferred || interaction.replied) await interaction.editReply({ content }).catch(() => {});
    else await interaction.reply({ content, flags: MessageFlags.Ephemeral }).catch(() => {});
  }
}

async function command(
  ctx: SurfaceContext,
  registrar: CommandRegistrar,
  interaction: ChatInputCommandInteraction,
): Promise<void> {
  const name = interaction.commandName;
  const refused = interactionRefusal(ctx.jobs.accepting, ctx.settings, interaction);
  if (refused) return reply(interaction, refused, true);
  const builtin = (BUILTIN_COMMANDS as readonly string[]).includes(name);
  const tool = builtin ? undefined : toolFor(registrar, interaction);
  if (!builtin && !tool)
    return reply(
      interaction,
      `The command /${commandLabel(interaction)} is no longer available; its plugin may have been unloaded.`,
      true,
    );
  if (tool?.access === 'admin' && !callerFromInteraction(ctx.settings, interaction).isAdmin) {
    return reply(
      interaction,
      `🔒 /${commandLabel(interaction)} is for server admins only (Manage Server or an admin role).`,
      true,
    );
  }
  const decision = await ctx.limiter.take(
    interaction.user.id,
    interaction.guildId ?? undefined,
    commandLabel(interaction),
  );
  if (!decision.ok) return reply(interaction, `⏳ ${limitMessage(decision)}`, true);
  if (builtin && INSTANT.has(name)) return runBuiltin(ctx, registrar, interaction);
  // Defer before queueing, so the user sees "thinking" at once and the token stays valid for 15 minutes.
  // a tool may ask for a reply only its caller sees (render.discord.ephemeral)
  await interaction.deferReply(tool?.render?.discord?.ephemeral ? { flags: MessageFlags.Ephemeral } : {});
  await ctx.gate.run(() => (tool ? runTool(ctx, interaction, tool) : runBuiltin(ctx, registrar, interaction)), {
    onQueued: (position) =>
      void interaction
        .editReply({ content: `🕒 Queued (position ${position}); I'll start as soon as a slot frees up.` })
        .catch(() => {}),
  });
}

async function runTool(
  ctx: SurfaceContext,
  interaction: ChatInputCommandInteraction,
  tool: NonNullable<ReturnType<CommandRegistrar['commands']['tools']['get']>>,
) {
  await runToolJob(
    ctx,
    interaction,
    tool,
    (signal) => toolInput(ctx.settings, tool, interaction, signal),
    `/${commandLabel(interaction)}`,
    // render.discord.data 'hidden': the structured data stays out of the message (e.g. a quiz's answer)
    { embed: tool.render?.discord?.data !== 'hidden' },
  );
}

async function autocomplete(
  ctx: SurfaceContext,
  registrar: CommandRegistrar,
  interaction: AutocompleteInteraction,
): Promise<void> {
  const focused = interaction.options.getFocused(true);
  const partial = String(focused.value ?? '');
  let values: string[] = [];
  try {
    const caller = callerFromInteraction(ctx.settings, interaction);
    if (interaction.commandName === 'persona') {
      values = (await ctx.hearth.engine.personas()).filter((p) => p.toLowerCase().includes(partial.toLowerCase()));
    } else if (interaction.commandName === 'knowledge') {
      const sources = await ctx.hearth.knowledge.listSources({ guildId: interaction.guildId ?? undefined });
      // the autocomplete of /knowledge remove offers only what this caller may remove (never global sources to a guild)
      const matches = sources.filter(
        (s) => canModifySource(s, caller) && `${s.title} ${s.id}`.toLowerCase().includes(partial.toLowerCase()),
      );
      await interaction.respond(
        matches.slice(0, 25).map((s) => ({ name: clip(`${s.title} (${s.id})`), value: clip(s.id) })),
      );
      return;
    } else {
      const tool = toolFor(registrar, interaction);
      if (tool?.suggest) {
        // labelled suggestions: Discord shows the name and sends the value; the handler sees the other fields
        const choices = await tool.suggest(focused.name, partial, caller, otherOptions(interaction));
        await interaction
          .respond(choices.slice(0, 25).map((c) => ({ name: clip(c.name), value: clipValue(c.value) })))
          .catch(() => {});
        return;
      }
      values = (await tool?.autocomplete?.(focused.name, partial, caller, otherOptions(interaction))) ?? [];
    }
  } catch (err) {
    ctx.log.warn({ err: String((err as Error)?.message ?? err) }, 'discord: autocomplete failed');
  }
  await interaction.respond(values.slice(0, 25).map((v) => ({ name: clip(v), value: clip(v) }))).catch(() => {});
}

/**
 * The registry tool behind a generated command: `/poll create` is keyed `poll create` when tools are
 * subcommands of their plugin's command, `/poll_create` by its name otherwise.
 */
function toolFor(registrar: CommandRegistrar, interaction: ChatInputCommandInteraction | AutocompleteInteraction) {
  const tools = registrar.commands.tools;
  const sub = interaction.options.getSubcommand(false);
  return (sub ? tools.get(`${interaction.commandName} ${sub}`) : undefined) ?? tools.get(interaction.commandName);
}

/** The command as typed: `poll create` or `echo`. */
function commandLabel(interaction: ChatInputCommandInteraction): string {
  const sub = interaction.options.getSubcommand(false);
  return sub ? `${interaction.commandName} ${sub}` : interaction.commandName;
}

function clip(text: string): string {
  return text.length <= 100 ? text : `${text.slice(0, 99)}…`;
}

/** The values already typed in the other options of the command (or of its subcommand). */
function otherOptions(interaction: AutocompleteInteraction): Record<string, unknown> {
  const top = interaction.options.data;
  const sub =
    top.length === 1 && top[0]?.type === ApplicationCommandOptionType.Subcommand ? (top[0].options ?? []) : top;
  return Object.fromEntries(sub.filter((o) => !o.focused && o.value !== undefined).map((o) => [o.name, o.value]));
}

/** A choice value within Discord's limits: strings clipped, numbers as they are. */
function clipValue(value: string | number): string | number {
  return typeof value === 'number' ? value : clip(value);
}
