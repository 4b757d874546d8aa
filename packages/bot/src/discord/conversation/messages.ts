import type { ConversationKey } from '@hearth/core';
import { type Message, MessageType } from 'discord.js';
import { callerFromMessage, channelAllowed } from '../access.js';
import { questionImages } from '../answers/images.js';
import { runAnswer } from '../answers/run.js';
import { describeFailure, type SurfaceContext } from '../context.js';
import { BusyError } from '../limits/queue.js';
import { limitMessage } from '../limits/rate-limit.js';
import { repliesInThread } from '../settings.js';
import { chainRoot } from './chain-root.js';
import { linkOrWarn } from './link.js';
import { messageTarget } from './targets.js';
import { threadTitle } from './thread-title.js';

/** Why the bot answers a message, or undefined when it stays quiet. */
type Trigger = 'dm' | 'mention' | 'reply' | 'thread';

/**
 * Decides whether a message is for the bot: a DM, a mention, a reply to the bot or to a message of
 * one of its chains, or a thread it started. When the database cannot say whether a reply to
 * someone else's message belongs to a chain, the bot stays quiet (logged): answering every reply
 * between members with an outage notice would be worse.
 */
export async function triggerOf(ctx: SurfaceContext, message: Message): Promise<Trigger | undefined> {
  const me = ctx.client.user?.id;
  if (!me || message.author.bot || message.author.id === me) return undefined;
  if (message.type !== MessageType.Default && message.type !== MessageType.Reply) return undefined;
  if (!message.guildId) return 'dm';
  if (message.channel.isThread() && message.channel.ownerId === me) return 'thread';
  const referenced = message.reference?.messageId;
  if (referenced && (message.mentions.repliedUser?.id === me || (await inChain(ctx, referenced)))) return 'reply';
  if (message.mentions.users.has(me)) return 'mention';
  return undefined;
}

/** Whether a message belongs to a known reply chain; false (logged) when the database cannot say. */
async function inChain(ctx: SurfaceContext, messageId: string): Promise<boolean> {
  try {
    return (await ctx.chains.rootOf(messageId)) !== undefined;
  } catch (err) {
    ctx.log.warn({ err: ctx.redact(String((err as Error)?.message ?? err)) }, 'discord: could not read reply chains');
    return false;
  }
}

/** The conversation a message continues: the DM, the bot's thread, or its reply chain. */
async function conversationOf(ctx: SurfaceContext, message: Message, trigger: Trigger): Promise<ConversationKey> {
  const base = { surface: 'discord' as const, guildId: message.guildId ?? undefined };
  if (trigger === 'dm') return { ...base, channelId: message.channelId };
  if (trigger === 'thread') {
    // a thread opened for a long reply chain continues that chain's conversation
    const chain = await ctx.chains.rootOf(message.channelId);
    if (chain) {
      const parentId = message.channel.isThread() ? (message.channel.parentId ?? message.channelId) : message.channelId;
      return { ...base, channelId: parentId, chainId: chain };
    }
    return {
      ...base,
      channelId: message.channel.isThread() ? (message.channel.parentId ?? undefined) : undefined,
      threadId: message.channelId,
    };
  }
  return { ...base, channelId: message.channelId, chainId: await chainRoot(ctx, message) };
}

function hasImage(message: Message): boolean {
  return message.attachments.some((a) => (a.contentType ?? '').startsWith('image/'));
}

/** The question without the bot's mention. */
function questionText(ctx: SurfaceContext, message: Message): string {
  const me = ctx.client.user!.id;
  return message.content.replace(new RegExp(`<@!?${me}>`, 'g'), '').trim();
}

/**
 * Handles one incoming message: checks (channel, DMs, rate limit), then queues the answer behind
 * earlier messages of the same channel, so replies keep the order of the questions.
 */
export async function handleMessage(ctx: SurfaceContext, message: Message): Promise<void> {
  const trigger = await triggerOf(ctx, message);
  if (!trigger || !ctx.jobs.accepting) return;
  const parentId = message.channel.isThread() ? message.channel.parentId : null;
  if (!channelAllowed(ctx.settings, { guildId: message.guildId, channelId: message.channelId, parentId })) return;
  // an image alone is a question too: about the image
  const text = questionText(ctx, message) || (hasImage(message) ? 'What is in this image?' : '');
  const decision = await ctx.limiter.take(message.author.id, message.guildId ?? undefined);
  if (!decision.ok) {
    await message
      .reply({ content: `⏳ ${limitMessage(decision)}`, allowedMentions: { repliedUser: false } })
      .catch((err) => warn(ctx, err));
    return;
  }
  if (!text) {
    await message
      .reply({
        content: 'Hi! Ask me something after the mention, or try `/help`.',
        allowedMentions: { repliedUser: false },
      })
      .catch((err) => warn(ctx, err));
    return;
  }
  let conversation: ConversationKey;
  try {
    conversation = await conversationOf(ctx, message, trigger);
  } catch (err) {
    // the reply chain could not be read (database unavailable): say so rather than stay silent
    await message
      .reply({ content: describeFailure(ctx, err), allowedMentions: { repliedUser: false } })
      .catch((e) => warn(ctx, e));
    return;
  }
  await ctx.serial.run(message.channelId, async () => {
    try {
      await ctx.gate.run(() => answer(ctx, message, trigger, conversation, text));
    } catch (err) {
      const content = err instanceof BusyError ? `⏳ ${err.message}` : describeFailure(ctx, err);
      await message.reply({ content, allowedMentions: { repliedUser: false } }).catch((e) => warn(ctx, e));
    }
  });
}

async function answer(
  ctx: SurfaceContext,
  message: Message,
  trigger: Trigger,
  conversation: ConversationKey,
  text: string,
): Promise<void> {
  const thread = await openThread(ctx, message, trigger, conversation, text);
  // a thread opened for a mention is its own conversation; one opened for a long chain continues the chain
  const key: ConversationKey =
    thread && trigger === 'mention'
      ? { surface: 'discord', guildId: message.guildId ?? undefined, channelId: message.channelId, threadId: thread.id }
      : conversation;
  const channel = thread ?? message.channel;
  const { images, note } = await questionImages(ctx, message.attachments);
  let sent: string[] = [];
  try {
    sent = await runAnswer(ctx, {
      target: messageTarget(message, thread),
      conversation: key,
      question: text,
      caller: callerFromMessage(ctx.settings, message),
      images,
      ...(note ? { note } : {}),
      ...('sendTyping' in channel ? { typing: channel } : {}),
    });
  } finally {
    // the thread a message starts has the message's id, so linking the message links the thread too
    if (key.chainId) await linkOrWarn(ctx, key.chainId, message.id, ...sent);
  }
}

/** `discord.threadAfter` (exchanges; 0: never), read with a default until the config schema names it. */
function threadAfter(ctx: SurfaceContext): number {
  const value = (ctx.settings as { threadAfter?: unknown }).threadAfter;
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0;
}

/**
 * Opens a thread for the answer when configured: for a mention (`replyInThread`), or when a reply
 * chain in a channel reaches `threadAfter` exchanges, so long exchanges stop filling the channel.
 * The title summarises the question (for a chain, its first question).
 */
async function openThread(
  ctx: SurfaceContext,
  message: Message,
  trigger: Trigger,
  conversation: ConversationKey,
  text: string,
) {
  if (!message.guildId || message.channel.isThread()) return undefined;
  let title: string | undefined;
  if (trigger === 'mention') {
    if (repliesInThread(ctx.settings, message.guildId)) title = threadTitle(text);
  } else if (trigger === 'reply' && conversation.chainId && threadAfter(ctx) > 0) {
    // each exchange links the question and at least one answer message
    if ((await chainSize(ctx, conversation.chainId)) >= threadAfter(ctx) * 2) {
      const first = await message.channel.messages.fetch(conversation.chainId).catch(() => undefined);
      title = threadTitle(first ? questionText(ctx, first) || text : text);
    }
  }
  if (!title) return undefined;
  return message.startThread({ name: title, autoArchiveDuration: 1440 }).catch((err) => {
    warn(ctx, err);
    return undefined;
  });
}

/** Messages linked to a chain; 0 (logged) when the database cannot say, so the answer goes where it would anyway. */
async function chainSize(ctx: SurfaceContext, root: string): Promise<number> {
  try {
    return await ctx.chains.size(root);
  } catch (err) {
    ctx.log.warn({ err: ctx.redact(String((err as Error)?.message ?? err)) }, 'discord: could not count a reply chain');
    return 0;
  }
}

function warn(ctx: SurfaceContext, err: unknown): void {
  ctx.log.warn({ err: ctx.redact(String((err as Error)?.message ?? err)) }, 'discord: could not send');
}
