import { HearthError } from '@hearth/sdk';
import type { Hono } from 'hono';
import { type ConsoleDeps, type ConsoleEnv, problem } from '../context.js';

/** Plugins: loaded and failed ones with the reason, grants, and reload (operator only). */
export function pluginRoutes(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const { hearth } = deps;
  app.get('/api/plugins', (c) => c.json({ loaded: hearth.plugins.list(), failed: hearth.plugins.failures() }));

  app.post('/api/plugins/:id/reload', async (c) => {
    if (!c.var.user.admin) return problem(c, 403, 'Only the operator may reload plugins.');
    try {
      const plugin = await hearth.plugins.reload(c.req.param('id'));
      return c.json({ plugin });
    } catch (err) {
      const message = err instanceof HearthError ? err.message : 'Reload failed; the server log has the details.';
      if (!(err instanceof HearthError)) hearth.log.error({ err }, 'web plugin reload failed');
      return problem(c, 409, hearth.redactor.redact(message));
    }
  });
}
