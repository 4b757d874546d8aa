import {
  type Attachment,
  attachment,
  attachmentBytes,
  defineTool,
  PermissionDeniedError,
  ValidationError,
} from '@hearth/sdk';
import { z } from 'zod';
import { canAddKnowledge, canModifySource, canReadSource, readScopeOf, writeScopeOf } from '../access/knowledge.js';
import { loadBytes, SkipError } from '../knowledge/loaders/index.js';
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
        scope: readScopeOf(ctx.caller),
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
      if (!input.text && !input.file) throw new ValidationError('give either text or a file');
      const scope = writeScopeOf(ctx.caller);
      if (!scope || !canAddKnowledge(ctx.caller)) {
        throw new PermissionDeniedError('You may not add knowledge here: only server admins may, in their own server.');
      }
      const doc = input.file ? await uploadText(input.file) : { text: input.text!, mimeType: undefined };
      const r = await store.addText(
        {
          title: input.title,
          text: doc.text,
          uri: input.file ? `upload:${input.file.name}` : undefined,
          mimeType: doc.mimeType,
        },
        { scope },
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

/**
 * An upload's text through the same loaders as `hearth ingest` (PDF text, HTML without tags, JSON and
 * CSV records), never its raw bytes. Several records become Markdown sections of one source.
 */
async function uploadText(file: Attachment): Promise<{ text: string; mimeType: string }> {
  try {
    const source = await loadBytes(attachmentBytes(file), file.name, file.mimeType);
    if (source.docs.length === 1) {
      const [doc] = source.docs;
      return { text: doc.text, mimeType: doc.markdown ? 'text/markdown' : 'text/plain' };
    }
    const text = source.docs
      .map((d) => `## ${d.title.replace(/\s+/g, ' ').trim() || 'Untitled'}\n\n${d.text}`)
      .join('\n\n');
    return { text, mimeType: 'text/markdown' };
  } catch (error) {
    if (error instanceof SkipError) {
      throw new ValidationError(`Could not read "${file.name}" (${error.reason}): ${error.message}.`);
    }
    throw error;
  }
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
      // another guild's source is reported as absent: its id says nothing to this caller
      if (!info || !canReadSource(info, ctx.caller)) {
        return {
          content: [{ type: 'text', text: `No source "${input.source_id}" in this server.` }],
          data: { removed: false },
        };
      }
      if (!canModifySource(info, ctx.caller)) {
        throw new PermissionDeniedError(
          info.scope === 'global'
            ? `You may not remove "${input.source_id}": it is global knowledge, shared by every server; only the operator may remove it.`
            : `You may not remove "${input.source_id}": only admins of its server may.`,
        );
      }
      const removed = await store.removeSource(input.source_id);
      return {
        content: [{ type: 'text', text: removed ? `Removed ${input.source_id}.` : `No source "${input.source_id}".` }],
        data: { removed },
      };
    },
  });
}
