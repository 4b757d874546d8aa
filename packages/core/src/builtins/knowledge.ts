import { attachment, attachmentBytes, defineTool } from '@hearth/sdk';
import { z } from 'zod';
import type { KnowledgeStore } from '../knowledge/types.js';
import { requireCaller } from './access.js';

const hitSchema = z.object({
  n: z.number(),
  sourceId: z.string(),
  title: z.string(),
  source: z.string(),
  score: z.number(),
  text: z.string(),
});

/** `search_knowledge`: hybrid search scoped to the caller's guild and channel. */
export function searchKnowledgeTool(store: KnowledgeStore) {
  return defineTool({
    name: 'search_knowledge',
    description: 'Search the knowledge base (hybrid full-text and vector search)',
    input: z.object({
      query: z.string().min(1).max(1000).describe('what to look for'),
      k: z.number().int().min(1).max(50).default(5).describe('how many results'),
    }),
    output: z.object({ hits: z.array(hitSchema) }),
    async run(input, ctx) {
      requireCaller(ctx.caller, 'knowledge:read', 'search the knowledge base');
      const hits = await store.search(input.query, {
        k: input.k,
        scope: { guildId: ctx.caller.guildId, channelId: ctx.caller.channelId },
        signal: ctx.signal,
      });
      const data = hits.map((h, i) => ({
        n: i + 1,
        sourceId: h.sourceId,
        title: h.title,
        source: h.source,
        score: h.score,
        text: h.text,
      }));
      const text = data.length
        ? data
            .map(
              (h) =>
                `[${h.n}] **${h.title}** (${h.source}, score ${h.score.toFixed(3)})\n> ${h.text.slice(0, 300).replace(/\n/g, '\n> ')}`,
            )
            .join('\n\n')
        : 'Nothing in the knowledge base matches that.';
      return { content: [{ type: 'text', text }], data: { hits: data } };
    },
  });
}

/** `add_knowledge`: adds text or a file to the caller's guild scope (global from MCP and the CLI). */
export function addKnowledgeTool(store: KnowledgeStore) {
  return defineTool({
    name: 'add_knowledge',
    description: 'Add a document to the knowledge base (text or a file)',
    input: z.object({
      title: z.string().min(1).max(200).describe('document title'),
      text: z.string().max(2_000_000).optional().describe('document text (or attach a file)'),
      file: attachment('a Markdown, text, HTML, PDF, JSON or CSV file').optional(),
    }),
    output: z.object({ sourceId: z.string(), chunks: z.number(), status: z.string() }),
    async run(input, ctx) {
      requireCaller(ctx.caller, 'knowledge:write', 'add knowledge');
      if (!input.text && !input.file) throw new Error('give either text or a file');
      const text = input.text ?? Buffer.from(attachmentBytes(input.file!)).toString('utf8');
      const r = await store.addText(
        {
          title: input.title,
          text,
          uri: input.file ? `upload:${input.file.name}` : undefined,
          mimeType: input.file?.mimeType,
        },
        { scope: { guildId: ctx.caller.guildId } },
      );
      return {
        content: [
          {
            type: 'text',
            text: `${r.status === 'unchanged' ? 'Already known' : 'Added'}: "${input.title}" (${r.chunks} chunks, id ${r.sourceId}).`,
          },
        ],
        data: r,
      };
    },
  });
}

/** `remove_knowledge`: removes one source the caller may change. */
export function removeKnowledgeTool(store: KnowledgeStore) {
  return defineTool({
    name: 'remove_knowledge',
    description: 'Remove a document from the knowledge base by its source id',
    input: z.object({ source_id: z.string().min(1).max(200).describe('the source id (see search_knowledge)') }),
    output: z.object({ removed: z.boolean() }),
    async run(input, ctx) {
      requireCaller(ctx.caller, 'knowledge:write', 'remove knowledge');
      const info = await store.getSource(input.source_id);
      if (info && info.scope !== 'global' && info.guildId !== ctx.caller.guildId) {
        return {
          content: [{ type: 'text', text: `No source "${input.source_id}" in this server.` }],
          data: { removed: false },
        };
      }
      const removed = info ? await store.removeSource(input.source_id) : false;
      return {
        content: [{ type: 'text', text: removed ? `Removed ${input.source_id}.` : `No source "${input.source_id}".` }],
        data: { removed },
      };
    },
  });
}
