import { DiscordAPIError, type Message, type RepliableInteraction, type ThreadChannel } from 'discord.js';
import type { Payload, ReplyTarget } from '../render/stream.js';

const UNKNOWN_MESSAGE = 10008;

/**
 * Answers a message: the first part as a reply (or in the thread the bot opened for it), edited
 * while streaming; further parts as replies to the previous part. A deleted reply is sent again.
 */
export function messageTarget(message: Message, thread?: ThreadChannel): ReplyTarget {
  let primary: Message | undefined;
  let last: Message | undefined;
  const send = async (payload: Payload, replyTo?: Message): Promise<Message> => {
    const body = {
      content: payload.content,
      files: payload.files ?? [],
      embeds: payload.embeds ?? [],
      components: payload.components ?? [],
      allowedMentions: { parse: [], repliedUser: false },
    };
    if (thread) return thread.send(body);
    return (replyTo ?? message).reply(body);
  };
  return {
    async primary(payload) {
      if (primary) {
        try {
          await primary.edit(messageBody(payload));
          return primary.id;
        } catch (err) {
          if (!(err instanceof DiscordAPIError && err.code === UNKNOWN_MESSAGE)) throw err;
        }
      }
      primary = await send(payload);
      last = primary;
      return primary.id;
    },
    async followUp(payload) {
      last = await send(payload, last);
      return last.id;
    },
  };
}

/** Answers a deferred interaction: its reply is the primary message, follow-ups come after it. */
export function interactionTarget(interaction: RepliableInteraction): ReplyTarget {
  return {
    async primary(payload) {
      const sent = await interaction.editReply({
        content: payload.content,
        files: payload.files ?? [],
        embeds: payload.embeds ?? [],
        components: payload.components ?? [],
        allowedMentions: { parse: [] },
      });
      return sent.id;
    },
    async followUp(payload) {
      const sent = await interaction.followUp({
        content: payload.content,
        files: payload.files ?? [],
        embeds: payload.embeds ?? [],
        components: payload.components ?? [],
        allowedMentions: { parse: [] },
      });
      return sent.id;
    },
  };
}

/** Content and embeds always (an edit clears stale embeds); files only when there are some, since an
 * empty file list on an edit would also remove the message's existing attachments. */
function messageBody(payload: Payload) {
  return {
    content: payload.content,
    embeds: payload.embeds ?? [],
    components: payload.components ?? [],
    ...(payload.files?.length ? { files: payload.files } : {}),
  };
}
