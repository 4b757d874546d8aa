import type { IncomingMessage } from 'node:http';
import { DatabaseUnavailableError } from '@hearth/core';
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { HTTPException } from 'hono/http-exception';
import { serveAssets } from './assets.js';
import { callerOf, checkHostAndOrigin, isLoopbackHost, OPERATOR, SessionBook } from './auth.js';
import { type ConsoleDeps, type ConsoleEnv, problem } from './context.js';
import { chatRoutes } from './routes/chat.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { knowledgeRoutes } from './routes/knowledge.js';
import { pluginRoutes } from './routes/plugins.js';
import { toolRoutes } from './routes/tools.js';

/** The session cookie: HTTP-only (scripts cannot read it) and SameSite=Strict (no cross-site sends). */
export const SESSION_COOKIE = 'hearth_session';
/** The header every state-changing request carries with the session's CSRF token. */
export const CSRF_HEADER = 'x-hearth-csrf';

/** Access rules of one console. */
export interface AccessOptions {
  /** Host names (no port) the console answers to. */
  allowedHosts: ReadonlySet<string>;
  /** Sign loopback visitors in as the operator without a token. */
  anonymousLoopback: boolean;
  /** Set the cookie's Secure flag (behind HTTPS). */
  secureCookie: boolean;
}

/**
 * The console's HTTP app: Host/Origin checks on every request, static assets, sign-in, then the
 * API, where every request needs a session and every change its CSRF token.
 */
export function createApp(deps: ConsoleDeps, access: AccessOptions): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const { sessions } = deps;

  app.use('*', async (c, next) => {
    const refused = checkHostAndOrigin(
      { host: c.req.header('host'), origin: c.req.header('origin') },
      access.allowedHosts,
    );
    if (refused) return problem(c, 403, refused);
    await next();
    c.header('x-frame-options', 'DENY');
    c.header('referrer-policy', 'no-referrer');
  });

  serveAssets(app);

  const cookie = () =>
    ({ httpOnly: true, sameSite: 'Strict', path: '/', secure: access.secureCookie, maxAge: 12 * 3600 }) as const;

  app.post('/api/login', async (c) => {
    const body = (await c.req.json().catch(() => undefined)) as { token?: unknown } | undefined;
    const user = typeof body?.token === 'string' ? sessions.userFor(body.token) : undefined;
    if (!user) return problem(c, 401, 'That token is not valid.');
    const session = sessions.open(user);
    setCookie(c, SESSION_COOKIE, session.id, cookie());
    return c.json({ user, csrf: session.csrf });
  });

  app.get('/api/session', (c) => {
    let session = sessions.get(getCookie(c, SESSION_COOKIE));
    if (!session && access.anonymousLoopback && fromLoopback(c.env as { incoming?: IncomingMessage })) {
      session = sessions.open(OPERATOR);
      setCookie(c, SESSION_COOKIE, session.id, cookie());
    }
    if (!session) return c.json({ error: 'Sign in with a token.', tokenRequired: true }, 401);
    return c.json({ user: session.user, csrf: session.csrf });
  });

  app.use('/api/*', async (c, next) => {
    const session = sessions.get(getCookie(c, SESSION_COOKIE));
    if (!session) return problem(c, 401, 'Sign in with a token.');
    if (
      c.req.method !== 'GET' &&
      c.req.method !== 'HEAD' &&
      !SessionBook.csrfMatches(session, c.req.header(CSRF_HEADER))
    )
      return problem(c, 403, 'Missing or wrong CSRF token; reload the page.');
    c.set('session', session);
    c.set('user', session.user);
    c.set('caller', callerOf(session.user));
    await next();
  });

  app.post('/api/logout', (c) => {
    sessions.close(c.var.session.id);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.json({ ok: true });
  });

  chatRoutes(app, deps);
  toolRoutes(app, deps);
  knowledgeRoutes(app, deps);
  pluginRoutes(app, deps);
  healthRoutes(app, deps);
  eventRoutes(app, deps);
  app.all('/api/*', (c) => problem(c, 404, `No route ${c.req.method} ${c.req.path}.`));
  // a failure a handler did not expect answers one sentence, never a stack or a dropped connection
  app.onError((err, c) => {
    if (err instanceof HTTPException) return err.getResponse();
    if (err instanceof DatabaseUnavailableError) {
      deps.hearth.log.warn({ err, route: c.req.path }, 'web console: database unavailable');
      return problem(c, 503, deps.hearth.redactor.redact(err.message));
    }
    deps.hearth.log.error({ err, route: c.req.path }, 'web console request failed');
    return problem(c, 500, 'The request failed; the server log has the details.');
  });
  return app;
}

function fromLoopback(env: { incoming?: IncomingMessage }): boolean {
  const address = env.incoming?.socket.remoteAddress;
  return !!address && isLoopbackHost(address.replace(/^::ffff:/, ''));
}
