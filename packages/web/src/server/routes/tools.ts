import type { RegisteredTool } from '@hearth/core';
import { HearthError } from '@hearth/sdk';
import type { Hono } from 'hono';
import { type ConsoleDeps, type ConsoleEnv, problem, recordUsage } from '../context.js';

/** How long an autocomplete handler may take before the field shows no suggestions. */
const AUTOCOMPLETE_MS = 2000;

/**
 * Tools: every tool of the one registry the user may see, with its JSON Schema (derived from the
 * tool's zod schema) from which the page generates a form; runs become jobs with progress.
 */
export function toolRoutes(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const { hearth, jobs } = deps;
  const visible = (t: RegisteredTool | undefined, admin: boolean): t is RegisteredTool =>
    !!t && (t.access !== 'admin' || admin);

  app.get('/api/tools', (c) =>
    c.json({
      tools: hearth.registry
        .list()
        .filter((t) => visible(t, c.var.user.admin))
        .map((t) => ({
          name: t.name,
          shortName: t.shortName,
          description: t.description,
          origin: t.origin,
          access: t.access,
          inputSchema: t.inputSchema,
          outputSchema: t.outputSchema,
          autocomplete: t.fields.filter((f) => f.autocomplete).map((f) => f.name),
        })),
    }),
  );

  app.get('/api/tools/:name/complete', async (c) => {
    const tool = hearth.registry.get(c.req.param('name'));
    if (!visible(tool, c.var.user.admin)) return problem(c, 404, 'No such tool.');
    const field = c.req.query('field') ?? '';
    if (!tool.autocomplete) return c.json({ choices: [] });
    const timeout = new Promise<string[]>((resolve) => setTimeout(() => resolve([]), AUTOCOMPLETE_MS).unref());
    const choices = await Promise.race([
      tool.autocomplete(field, c.req.query('q') ?? '', c.var.caller).catch(() => []),
      timeout,
    ]);
    return c.json({ choices: choices.slice(0, 25) });
  });

  app.post('/api/tools/:name/run', async (c) => {
    const tool = hearth.registry.get(c.req.param('name'));
    if (!visible(tool, c.var.user.admin)) return problem(c, 404, 'No such tool.');
    const body = (await c.req.json().catch(() => undefined)) as { input?: unknown } | undefined;
    if (!body || typeof body.input !== 'object' || body.input === null)
      return problem(c, 400, 'Send { "input": { ... } } with the form values.');
    const caller = c.var.caller;
    const job = jobs.start(tool.name, caller.userId, async (signal, onProgress) => {
      const started = performance.now();
      try {
        const result = await tool.invoke(body.input, { caller, signal, onProgress });
        await recordUsage(deps, {
          surface: 'web',
          kind: 'tool',
          name: tool.name,
          ms: performance.now() - started,
          ok: true,
        });
        return result;
      } catch (err) {
        await recordUsage(deps, {
          surface: 'web',
          kind: 'error',
          name: tool.name,
          ms: performance.now() - started,
          ok: false,
        });
        if (err instanceof HearthError) throw new HearthError(err.code, hearth.redactor.redact(err.message));
        hearth.log.error({ err, tool: tool.name }, 'web tool call failed');
        throw err;
      }
    });
    return c.json({ job }, 202 as 200);
  });

  app.get('/api/jobs', (c) => c.json({ jobs: jobs.list(c.var.caller) }));

  app.get('/api/jobs/:id', (c) => {
    const job = jobs.get(c.req.param('id'), c.var.caller);
    return job ? c.json({ job }) : problem(c, 404, 'No such job.');
  });

  app.post('/api/jobs/:id/cancel', (c) =>
    jobs.cancel(c.req.param('id'), c.var.caller)
      ? c.json({ cancelled: true })
      : problem(c, 409, 'That job is not running (or not yours).'),
  );

  app.get('/api/jobs/:id/artifacts/:artifact', (c) => {
    const found = jobs.artifact(c.req.param('id'), c.req.param('artifact'), c.var.caller);
    if (!found) return problem(c, 404, 'No such artifact.');
    const inline = found.meta.mimeType.startsWith('image/') || c.req.query('inline') === '1';
    return c.body(new Uint8Array(found.data), 200, {
      'content-type': found.meta.mimeType,
      'content-disposition': `${inline ? 'inline' : 'attachment'}; filename="${found.meta.name.replace(/[^\w.-]/g, '_')}"`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, max-age=3600',
    });
  });
}
