import type { Hearth } from '@hearth/core';
import type { Command } from 'commander';
import { resolveOpsListen, startSurfaceOps } from '../../ops/index.js';
import { type CliContext, watchShutdown } from '../context.js';
import { parseListen } from './mcp.js';

interface WebFlags {
  http?: string;
  anonymous?: boolean;
  ops?: string;
}

/** Starts the web console over `hearth` as `web.*` (and the flags) say; returns it to close later. */
export async function serveWebConsole(hearth: Hearth, flags: WebFlags = {}) {
  const { startWebConsole } = await import('@hearth/web');
  const web = hearth.config.web;
  // tokens (HEARTH_WEB_TOKEN, principals' tokenEnv) may sit in .env like every other secret
  const env = { ...process.env, ...hearth.config.secrets.named };
  return startWebConsole(hearth, {
    ...parseListen(flags.http ?? web.listen),
    anonymousLoopback: flags.anonymous ?? web.anonymousLoopback,
    allowedHosts: web.allowedHosts,
    secureCookie: web.secureCookie,
    env,
  });
}

/**
 * `hearth web [--http host:port] [--anonymous]`: serves the web console (chat, knowledge, tools,
 * jobs, plugins, health) until Ctrl-C. Sign-in needs HEARTH_WEB_TOKEN or an MCP principal's token;
 * `--anonymous` lets loopback visitors in as the operator without one.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('web')
    .description('Serve the web console (chat, knowledge, tools, jobs, plugins, health) in your browser')
    .option('--http <host:port>', 'address to serve on (default web.listen, 127.0.0.1:8787)')
    .option('--anonymous', 'let loopback visitors in as the operator without a token (web.anonymousLoopback)')
    .option('--ops <host:port>', 'serve /healthz, /readyz and /metrics (default ops.listen / HEARTH_OPS_LISTEN)')
    .action(async (flags: WebFlags) => {
      const shutdown = watchShutdown();
      try {
        const hearth = await ctx.hearth({ logs: 'server' });
        const console_ = await serveWebConsole(hearth, flags);
        const opsListen = resolveOpsListen(flags.ops, hearth.config);
        const ops = opsListen ? await startSurfaceOps(hearth, opsListen) : undefined;
        process.stderr.write(
          `Hearth web console at ${console_.url}${ops ? `, ops at ${ops.url}` : ''} (Ctrl-C stops it)\n`,
        );
        await shutdown.stopped;
        await hearth.idle(hearth.config.mcp.shutdownGraceMs);
        await ops?.close();
        await console_.close();
      } finally {
        shutdown.release();
      }
    });
}
