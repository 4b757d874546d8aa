import type { Command } from 'commander';
import { resolvePrincipal, serveStdio, startMcpHttp } from '../../mcp/index.js';
import { resolveOpsListen, startSurfaceOps } from '../../ops/index.js';
import { type CliContext, watchShutdown } from '../context.js';

/** After the last in-flight call finishes: time for its response to reach the client before connections close. */
const FLUSH_MS = 200;

interface McpFlags {
  http?: string;
  principal?: string;
  ops?: string;
}

/** Parses `PORT`, `HOST:PORT` or `[IPV6]:PORT`. */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]]+):)?(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || port > 65535) throw new Error(`--http wants HOST:PORT (e.g. 127.0.0.1:8765), not "${value}"`);
  return { host: (m[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port };
}

/**
 * `hearth mcp [--http host:port] [--principal name] [--ops host:port]`: serves Hearth's tools,
 * knowledge and prompts to AI agents. Stdio by default (stdout carries only the protocol; logs go to
 * stderr); `--http` serves Streamable HTTP at /mcp until Ctrl-C or SIGTERM, with sessions in Redis
 * when HEARTH_REDIS_URL is set (several instances behind a load balancer). On a stop signal, tool
 * calls in flight get `mcp.shutdownGraceMs` to finish and answer before the server closes.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('mcp')
    .description("Serve Hearth's tools, knowledge and prompts to AI agents over MCP (stdio, or --http)")
    .option(
      '--http <host:port>',
      'serve Streamable HTTP at http://HOST:PORT/mcp instead of stdio (loopback unless a token is configured)',
    )
    .option(
      '--principal <name>',
      'mcp.principals entry for stdio and unauthenticated loopback clients (default mcp.defaultPrincipal)',
    )
    .option('--ops <host:port>', 'serve /healthz, /readyz and /metrics (default ops.listen / HEARTH_OPS_LISTEN)')
    .action(async (flags: McpFlags) => {
      const listen = flags.http ? parseListen(flags.http) : undefined;
      // stdout is the protocol in stdio mode: anything a plugin prints goes to stderr instead
      if (!listen) console.log = console.error;
      const shutdown = watchShutdown({
        onForce: (signal) => process.stderr.write(`${signal} again: stopping without waiting\n`),
      });
      try {
        const hearth = await ctx.hearth({ logs: 'server' });
        const finishInFlight = async (signal: string) => {
          const graceMs = hearth.config.mcp.shutdownGraceMs;
          process.stderr.write(`${signal}: finishing in-flight calls (up to ${graceMs / 1000} s), then closing...\n`);
          if (await hearth.idle(graceMs)) await new Promise((r) => setTimeout(r, FLUSH_MS));
          else hearth.log.warn({ graceMs }, 'mcp: in-flight calls did not finish in time; closing anyway');
        };
        if (!listen) {
          const principal = resolvePrincipal(hearth.config.mcp, flags.principal);
          const ended = await Promise.race([serveStdio(hearth, principal).then(() => undefined), shutdown.stopped]);
          if (ended) await finishInFlight(ended);
          return;
        }
        // principals' tokens may sit in .env like every other secret (config.secrets.named has them)
        const env = { ...process.env, ...hearth.config.secrets.named };
        // config.redisUrl when the config has it (it reads HEARTH_REDIS_URL), else the variable itself
        const redisUrl = (hearth.config as { redisUrl?: string }).redisUrl || process.env.HEARTH_REDIS_URL || undefined;
        const server = await startMcpHttp(hearth, { ...listen, principal: flags.principal, env, redisUrl });
        const opsListen = resolveOpsListen(flags.ops, hearth.config);
        const ops = opsListen ? await startSurfaceOps(hearth, opsListen, { mcp: () => server.check() }) : undefined;
        process.stderr.write(
          `Hearth MCP server at ${server.url}${redisUrl ? ' (sessions in Redis)' : ''}${ops ? `, ops at ${ops.url}` : ''} (Ctrl-C stops it)\n`,
        );
        await finishInFlight(await shutdown.stopped);
        await ops?.close();
        await server.close();
      } finally {
        shutdown.release();
      }
    });
}
