import type { ConversationKey } from '@hearth/core';
import type { Caller } from '@hearth/sdk';
import { describeFailure, type SurfaceContext } from '../context.js';
import type { Typable } from '../conversation/typing.js';
import { renderToolResult } from '../render/results.js';
import { type ReplyTarget, StreamedAnswer } from '../render/stream.js';
import { answerButtons } from './buttons.js';
import type { QuestionImage } from './images.js';
import type { AnswerRecord } from './store.js';

/** One answer to produce: where it goes, the conversation it continues and who asked. */
export interface AnswerJob {
  target: ReplyTarget;
  conversation: ConversationKey;
  question: string;
  caller: Caller;
  /** Images the question carries (already downloaded); only a vision-capable model gets them. */
  images?: QuestionImage[];
  /** A note appended to the answer (e.g. why images were not looked at). */
  note?: string;
  /** Where to show "typing" until the first token. */
  typing?: Typable;
  /** A regenerated answer: it replaces the conversation's last exchange for this question. */
  regenerate?: boolean;
}

/**
 * Runs one engine turn for a Discord answer: streamed edits, the final text split under the limit
 * with its sources, tool attachments, and the buttons (regenerate, sources, 👍/👎) on the last
 * message, whose turn is stored so the buttons work after a restart. Returns the ids of every
 * message sent, so reply chains can be linked to them. Failures end the answer with a notice.
 */
export async function runAnswer(ctx: SurfaceContext, job: AnswerJob): Promise<string[]> {
  const warn = (err: unknown) =>
    ctx.log.warn({ err: ctx.redact(String((err as Error)?.message ?? err)) }, 'discord: could not send');
  const stream = new StreamedAnswer(job.target, ctx.settings.editIntervalMs, warn);
  const stopTyping = job.typing ? ctx.typing.start(job.typing) : () => {};
  try {
    await ctx.jobs.run(ctx.settings.jobTimeoutMs, async (signal) => {
      try {
        const input = {
          conversation: job.conversation,
          text: job.question,
          caller: job.caller,
          signal,
          onToken: (delta: string) => {
            stopTyping();
            stream.token(delta);
          },
          // the engine passes images on to vision-capable models (see docs/discord.md)
          ...(job.images?.length ? { images: job.images } : {}),
          ...(job.regenerate ? { regenerate: true } : {}),
        };
        const turn = await ctx.hearth.engine.turn(input);
        stopTyping();
        const files = turn.attachments.filter((p) => p.type !== 'text');
        const extra = files.length ? renderToolResult({ content: files }, 'Attachments').at(-1) : undefined;
        const text = job.note ? `${turn.text}\n\n${job.note}` : turn.text;
        await stream.finish(text, turn.citations, {
          ...(extra ? { files: extra.files } : {}),
          components: answerButtons(turn.citations.length > 0),
        });
        const last = stream.messageIds.at(-1);
        if (last) {
          // the answer is out: a record that cannot be stored only costs its buttons (logged)
          await storeRecord(ctx, {
            messageId: last,
            conversation: job.conversation,
            userId: job.caller.userId,
            question: job.question,
            answer: turn.text,
            citations: turn.citations.map(({ n, title, uri, excerpt }) => ({ n, title, uri, excerpt })),
            model: turn.model,
          });
        }
      } catch (err) {
        stopTyping();
        await stream.fail(describeFailure(ctx, err, signal)).catch(warn);
      }
    });
  } finally {
    stopTyping();
  }
  return stream.messageIds;
}

async function storeRecord(ctx: SurfaceContext, record: AnswerRecord): Promise<void> {
  await ctx.answers.put(record).catch((err) => {
    ctx.log.warn(
      { err: ctx.redact(String((err as Error)?.message ?? err)), message: record.messageId },
      "discord: could not store an answer's record; its buttons will not work",
    );
  });
}
