import type { RegisteredTool } from '@hearth/core';
import type { ChatInputCommandInteraction } from 'discord.js';
import { callerFromInteraction } from '../access.js';
import { describeFailure, type SurfaceContext } from '../context.js';
import { renderToolResult } from '../render/results.js';
import { EditThrottle } from '../render/throttle.js';

/** A text progress bar: `▰▰▰▱▱▱▱▱▱▱ 30%`. */
export function progressLine(title: string, fraction: number, message?: string): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * 10);
  const bar = `${'▰'.repeat(filled)}${'▱'.repeat(10 - filled)}`;
  return `⏳ **${title}** ${bar} ${Math.round(fraction * 100)}%${message ? ` · ${message}` : ''}`;
}

/**
 * Runs a registry tool for a deferred interaction: throttled progress edits, then the result
 * (text split under the limit, images and files attached, structured data as an embed). Every
 * ending edits the reply, so it never stays "thinking".
 */
export async function runToolJob(
  ctx: SurfaceContext,
  interaction: ChatInputCommandInteraction,
  tool: RegisteredTool,
  input: (signal: AbortSignal) => Promise<Record<string, unknown>>,
  title: string,
  options: { embed?: boolean } = {},
): Promise<void> {
  const caller = callerFromInteraction(ctx.settings, interaction);
  const warn = (err: unknown) =>
    ctx.log.warn({ err: ctx.redact(String((err as Error)?.message ?? err)) }, 'discord: edit failed');
  const progress = new EditThrottle<string>(
    ctx.settings.editIntervalMs,
    (content) => interaction.editReply({ content }),
    warn,
  );
  await ctx.jobs.run(ctx.settings.jobTimeoutMs, async (signal) => {
    try {
      const value = await input(signal);
      const result = await ctx.hearth.registry.call(tool.name, value, {
        caller,
        signal,
        onProgress: (fraction, message) => progress.push(progressLine(title, fraction, message)),
      });
      await progress.cancel();
      const messages = renderToolResult(result, title, options);
      for (const [i, m] of messages.entries()) {
        const body = {
          content: m.content,
          embeds: m.embeds,
          ...(m.files.length ? { files: m.files } : {}),
          allowedMentions: { parse: [] },
        };
        if (i === 0) await interaction.editReply(body);
        else await interaction.followUp(body);
      }
    } catch (err) {
      await progress.cancel();
      await interaction.editReply({ content: describeFailure(ctx, err, signal), embeds: [], files: [] }).catch(warn);
    }
  });
}
