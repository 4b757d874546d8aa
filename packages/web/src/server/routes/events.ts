import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { ConsoleDeps, ConsoleEnv } from '../context.js';

/**
 * One server-sent event stream per page: `tools` when the registry changes (a plugin loaded or
 * reloaded), `plugins`, `knowledge`, and `job` for the user's own jobs. The page re-fetches on each.
 */
export function eventRoutes(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const { hearth, jobs } = deps;
  app.get('/api/events', (c) => {
    const caller = c.var.caller;
    return streamSSE(c, async (stream) => {
      let queue = Promise.resolve();
      const send = (event: string, data: unknown) => {
        queue = queue.then(() => stream.writeSSE({ event, data: JSON.stringify(data) })).catch(() => {});
      };
      const offs = [
        hearth.registry.onChange((e) => send('tools', e)),
        hearth.plugins.onChange((e) => send('plugins', { kind: e.kind })),
        hearth.knowledge.onChange((e) => send('knowledge', e)),
        jobs.onEvent((e) => {
          if (e.job.owner === caller.userId || caller.isAdmin) send('job', e);
        }),
      ];
      send('ready', {});
      await new Promise<void>((resolve) => {
        stream.onAbort(resolve);
        // a comment line keeps proxies from closing an idle stream
        const ping = setInterval(() => send('ping', {}), 25_000);
        stream.onAbort(() => clearInterval(ping));
      });
      for (const off of offs) off();
    });
  });
}
