import type { Hono } from 'hono';
import type { ConsoleDeps, ConsoleEnv } from '../context.js';
import type { UsageBucket } from '../store.js';

/** One line of the health page, as `hearth doctor` would say it. */
interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** Health: the runtime's checks, and usage over time (recorded on the configured engine, drawn by the page). */
export function healthRoutes(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const { hearth, store } = deps;
  app.get('/api/health', async (c) => {
    const checks: Check[] = [];
    const models = hearth.models.describe();
    checks.push({ name: 'chat model', ok: true, detail: models.chat ?? 'local (embedded)' });
    checks.push({ name: 'embedder', ok: true, detail: models.embed ?? 'local' });
    try {
      const sources = await hearth.knowledge.listSources();
      const chunks = sources.reduce((n, s) => n + s.chunks, 0);
      checks.push({ name: 'knowledge', ok: true, detail: `${sources.length} sources, ${chunks} chunks` });
    } catch (err) {
      checks.push({ name: 'knowledge', ok: false, detail: hearth.redactor.redact((err as Error).message) });
    }
    const failed = hearth.plugins.failures();
    checks.push({
      name: 'plugins',
      ok: failed.length === 0,
      detail: `${hearth.plugins.list().length} loaded${failed.length ? `, ${failed.length} failed` : ''}`,
    });
    checks.push({ name: 'tools', ok: true, detail: `${hearth.registry.list().length} in the registry` });
    const hours = Math.min(24 * 7, Math.max(1, Number(c.req.query('hours') ?? 24) || 24));
    // the page stays useful during a database outage: the failure is one of its checks
    let usage: UsageBucket[] = [];
    try {
      usage = await store.usage(hours);
      checks.push({
        name: 'database',
        ok: true,
        detail: hearth.database.engine === 'postgres' ? 'PostgreSQL' : 'SQLite',
      });
    } catch (err) {
      checks.push({ name: 'database', ok: false, detail: hearth.redactor.redact((err as Error).message) });
    }
    return c.json({ checks, usage });
  });
}
