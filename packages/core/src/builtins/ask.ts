import { defineTool, result } from '@hearth/sdk';
import { z } from 'zod';
import { ownConversationId } from '../access/conversations.js';
import type { Engine } from '../engine/types.js';
import { requireCaller } from './access.js';

/** `ask`: a grounded answer with numbered sources, through the same engine as Discord and `hearth chat`. */
export function askTool(engine: Engine) {
  return defineTool({
    name: 'ask',
    description: 'Ask Hearth a question; the answer is grounded in the knowledge base and cites its sources',
    input: z.object({
      question: z.string().min(1).max(4000).describe('the question'),
      conversation: z
        .string()
        .max(100)
        .optional()
        .describe('conversation id to continue (default: a fresh one per session)'),
    }),
    output: z.object({
      answer: z.string(),
      sources: z.array(z.object({ n: z.number(), title: z.string(), uri: z.string(), sourceId: z.string() })),
      notCovered: z.boolean(),
      support: z
        .number()
        .optional()
        .describe("share of the answer's content words found in its sources (grounding check), 0-1"),
    }),
    async run(input, ctx) {
      // the answer quotes the knowledge base, so an agent needs the same grant as for search
      requireCaller(ctx.caller, 'knowledge:read', 'ask questions answered from the knowledge base');
      const turn = await engine.turn({
        conversation: {
          surface: ctx.caller.surface,
          guildId: ctx.caller.guildId,
          channelId: ctx.caller.channelId,
          // a named conversation stays in the caller's namespace: one principal never continues another's
          sessionId: ownConversationId(ctx.caller, input.conversation),
        },
        text: input.question,
        caller: ctx.caller,
        signal: ctx.signal,
        onProgress: ctx.progress,
      });
      const sources = turn.citations.map((c) => ({ n: c.n, title: c.title, uri: c.uri, sourceId: c.sourceId }));
      const list = sources.length
        ? `\n\nSources:\n${sources.map((s) => `[${s.n}] ${s.title} (${s.uri})`).join('\n')}`
        : '';
      return {
        content: [result.text(turn.text + list), ...turn.attachments],
        data: {
          answer: turn.text,
          sources,
          notCovered: turn.notCovered,
          ...(turn.grounding ? { support: turn.grounding.support } : {}),
        },
      };
    },
  });
}
