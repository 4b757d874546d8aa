import type { AddressInfo } from 'node:net';
import type { Hearth } from '@hearth/core';
import { HearthError } from '@hearth/sdk';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { isLoopbackHost, SessionBook, tokenTable } from './auth.js';
import { JobBoard } from './jobs.js';
import { WebStore } from './store.js';

/** Options of {@link startWebConsole}. */
export interface WebConsoleOptions {
  /** Interface to bind; default 127.0.0.1. A non-loopback address needs a token. */
  host?: string;
  /** Port; 0 picks a free one. Default 8787. */
  port?: number;
  /** Operator token; default `HEARTH_WEB_TOKEN`. */
  token?: string;
  /** Sign loopback visitors in as the operator without a token. Default false. */
  anonymousLoopback?: boolean;
  /** Extra host names the console answers to (behind a proxy). */
  allowedHosts?: string[];
  /** Cookie Secure flag, for a console served over HTTPS by a proxy. Default false. */
  secureCookie?: boolean;
  /** Environment to read tokens from; default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** A running console. */
export interface WebConsole {
  /** e.g. http://127.0.0.1:8787/ */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the web console over `hearth`: chat, knowledge, tools (forms generated from each tool's
 * schema), jobs, plugins and health. Refuses to bind a non-loopback address without a token.
 * @throws HearthError `invalid_config` when no token is configured and the address is not loopback,
 *   or when neither a token nor `anonymousLoopback` would let anybody in.
 * @example
 * const web = await startWebConsole(hearth, { port: 8787, anonymousLoopback: true });
 * console.log(`open ${web.url}`);
 */
export async function startWebConsole(hearth: Hearth, options: WebConsoleOptions = {}): Promise<WebConsole> {
  const host = options.host ?? '127.0.0.1';
  const env = options.env ?? process.env;
  const tokens = tokenTable(hearth.config, env, options.token ?? env.HEARTH_WEB_TOKEN);
  for (const t of tokens) hearth.redactor.add(t.token);
  const sessions = new SessionBook(tokens);
  const loopback = isLoopbackHost(host);
  if (!loopback && !sessions.hasTokens)
    throw new HearthError(
      'invalid_config',
      `Refusing to serve the web console on ${host} without authentication: set HEARTH_WEB_TOKEN (or bind 127.0.0.1).`,
    );
  const anonymousLoopback = loopback && options.anonymousLoopback === true;
  if (!sessions.hasTokens && !anonymousLoopback)
    throw new HearthError(
      'invalid_config',
      'Nobody could sign in to the web console: set HEARTH_WEB_TOKEN, or allow token-free loopback access (web.anonymousLoopback / --anonymous).',
    );

  const allowedHosts = new Set(
    ['localhost', '127.0.0.1', '[::1]', ...(options.allowedHosts ?? [])].map((h) => h.toLowerCase()),
  );
  if (!['0.0.0.0', '::'].includes(host)) allowedHosts.add(host.includes(':') ? `[${host}]` : host.toLowerCase());
  const jobs = new JobBoard(hearth.config.dataDir);
  const app = createApp(
    { hearth, sessions, jobs, store: new WebStore(hearth.database.sql) },
    { allowedHosts, anonymousLoopback, secureCookie: options.secureCookie ?? false },
  );
  const server = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 8787 });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (err) =>
      reject(new HearthError('invalid_config', `Cannot serve the web console on ${host}: ${err.message}`)),
    );
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        jobs.cancelAll();
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
