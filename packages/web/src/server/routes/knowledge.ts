import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { canAddKnowledge, canModifySource, canReadSource } from '@hearth/core';
import { HearthError, type ToolResult } from '@hearth/sdk';
import type { Hono } from 'hono';
import { type ConsoleDeps, type ConsoleEnv, problem } from '../context.js';

/**
 * Knowledge: sources by scope, uploads (files or URLs, through the same loaders as `hearth ingest`)
 * as jobs with progress, remove, re-index, and a search playground that shows each hit's scores.
 */
export function knowledgeRoutes(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const { hearth, jobs } = deps;
  const knowledge = hearth.knowledge;
  const uploads = join(hearth.config.dataDir, 'uploads');

  app.get('/api/knowledge/sources', async (c) => {
    // the same rule as every surface: the operator sees every scope, a principal the global sources
    const sources = (await knowledge.listSources()).filter((s) => canReadSource(s, c.var.caller));
    return c.json({ sources });
  });

  app.get('/api/knowledge/search', async (c) => {
    const q = (c.req.query('q') ?? '').trim();
    if (!q) return problem(c, 400, 'Type something to search for.');
    if (!canReadSource({ scope: 'global' }, c.var.caller))
      return problem(c, 403, `User "${c.var.user.name}" lacks the knowledge:read permission.`);
    const k = Math.min(20, Math.max(1, Number(c.req.query('k') ?? 8) || 8));
    const hits = await knowledge.search(q, { k, rerank: false });
    return c.json({ hits });
  });

  app.post('/api/knowledge/upload', async (c) => {
    if (!canAddKnowledge(c.var.caller))
      return problem(c, 403, `User "${c.var.user.name}" lacks the knowledge:write permission.`);
    const body = (await c.req.json().catch(() => undefined)) as
      | { url?: unknown; name?: unknown; data?: unknown }
      | undefined;
    let input: string;
    if (typeof body?.url === 'string' && body.url.trim()) {
      input = body.url.trim();
      if (!/^https?:\/\//i.test(input)) return problem(c, 400, 'A URL starts with http:// or https://.');
    } else if (typeof body?.name === 'string' && typeof body.data === 'string') {
      const bytes = Buffer.from(body.data, 'base64');
      if (bytes.byteLength > hearth.config.knowledge.maxFileBytes)
        return problem(
          c,
          413,
          `Files are limited to ${hearth.config.knowledge.maxFileBytes} bytes (knowledge.maxFileBytes).`,
        );
      const name = basename(body.name).replace(/[^\w. -]/g, '_') || 'upload';
      mkdirSync(uploads, { recursive: true });
      input = join(uploads, name);
      writeFileSync(input, bytes);
    } else return problem(c, 400, 'Send a file ({ name, data: base64 }) or { url }.');

    const job = jobs.start('ingest', c.var.caller.userId, async (signal, onProgress): Promise<ToolResult> => {
      const report = await knowledge.ingest([input], {
        signal,
        onProgress: (done, total, label) => onProgress(total ? done / total : 0, label),
      });
      const problems = report.skipped.map((s) => `${s.uri}: ${s.reason}${s.detail ? ` (${s.detail})` : ''}`);
      if (problems.length && !report.added.length && !report.changed.length && !report.unchanged.length)
        throw new HearthError('invalid_input', `Nothing was added: ${problems.join('; ')}`);
      const counts = `${report.added.length} added, ${report.changed.length} changed, ${report.unchanged.length} unchanged`;
      return {
        content: [{ type: 'text', text: `${counts}${problems.length ? `; skipped ${problems.join('; ')}` : ''}` }],
        data: report,
      };
    });
    return c.json({ job });
  });

  app.delete('/api/knowledge/sources/:id', async (c) => {
    const id = c.req.param('id');
    const source = (await knowledge.listSources()).find((s) => s.id === id);
    if (!source) return problem(c, 404, 'No such source.');
    if (!canModifySource(source, c.var.caller))
      return problem(c, 403, `User "${c.var.user.name}" may not remove this ${source.scope} source.`);
    await knowledge.removeSource(id);
    return c.json({ removed: id });
  });

  app.post('/api/knowledge/reindex', (c) => {
    if (!c.var.user.admin) return problem(c, 403, 'Only the operator may re-index the knowledge base.');
    const embedder = hearth.config.models.embed;
    const job = jobs.start('reindex', c.var.caller.userId, async (_signal, onProgress) => {
      const r = await knowledge.reindex(embedder, { onProgress: (d, t, l) => onProgress(t ? d / t : 0, l) });
      return { content: [{ type: 'text', text: `Re-indexed ${r.sources} sources (${r.chunks} chunks).` }], data: r };
    });
    return c.json({ job });
  });
}
