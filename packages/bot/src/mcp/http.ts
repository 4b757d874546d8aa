import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newRequestId, withRequestId } from '@hearth/core';
import { metrics } from '@hearth/core/ops';
import { HearthError } from '@hearth/sdk';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { closeStreamsOnCancel } from './cancel.js';
import type { McpHearth, McpShared } from './context.js';
import { HostGuard, isLoopback } from './http-guard.js';
import { type Principal, resolvePrincipal, TokenTable } from './identity.js';
import { reportInvalidParams } from './invalid-params.js';
import { JwtVerifier, type McpOAuthOptions, metadataUrl, resourceMetadata, TokenRejected } from './oauth.js';
import { createMcpServer, createMcpShared, type McpSession } from './server.js';
import { RedisSessionStore, type SessionState } from './session-store.js';
import { SharedGetStreams } from './shared-streams.js';
import { GetStreams } from './sse-streams.js';
import { allowsBatches } from './version.js';

/** Options of {@link startMcpHttp}. */
export interface McpHttpOptions {
  /** Address to bind; default 127.0.0.1. Anything beyond loopback needs a bearer token configured. */
  host?: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** Principal of unauthenticated loopback clients and of HEARTH_MCP_TOKEN; default `mcp.defaultPrincipal`. */
  principal?: string;
  /** Where principals' `tokenEnv` variables are read; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Token of the default principal (HEARTH_MCP_TOKEN); default `config.secrets.mcpToken` when present. */
  defaultToken?: string;
  shared?: McpShared;
  /**
   * Open sessions one principal may hold, so one agent cannot fill `mcp.http.maxSessions` and lock
   * the others out. Default: `maxSessions` shared evenly among the principals that can connect.
   */
  maxSessionsPerPrincipal?: number;
  /**
   * OAuth resource-server mode: publish Protected Resource Metadata and accept the issuer's JWTs
   * (besides any configured static tokens); the token's subject names the principal.
   */
  oauth?: McpOAuthOptions;
  /**
   * `redis://…` (HEARTH_REDIS_URL): record sessions in Redis so several instances behind a load
   * balancer serve each session together (see docs/mcp.md, "Several instances"). Unset: sessions live
   * in this process.
   */
  redisUrl?: string;
  /** Key prefix in Redis (default `hearth`). */
  redisPrefix?: string;
}

/** A running Streamable HTTP endpoint at `url` (path /mcp). */
export interface McpHttpServer {
  url: string;
  /** Open sessions (in this process: sessions of other instances served here count). */
  sessionCount(): number;
  /** Resolves when the endpoint can serve (listening; Redis answering when sessions live there), for /readyz. */
  check(): Promise<void>;
  close(): Promise<void>;
}

interface Entry {
  session: McpSession;
  transport: StreamableHTTPServerTransport;
  lastSeen: number;
  streams: GetStreams | SharedGetStreams;
  cancels: ReturnType<typeof closeStreamsOnCancel>;
}

/**
 * Serves MCP over Streamable HTTP with sessions (one SDK server per session, bound to the client's
 * principal), Host/Origin checks against DNS rebinding, bearer-token auth, body size and session limits.
 */
export async function startMcpHttp(
  hearth: McpHearth & { config: { secrets?: { mcpToken?: string } } },
  options: McpHttpOptions,
): Promise<McpHttpServer> {
  const mcp = hearth.config.mcp;
  // config keys the core schema may add later (mcp.oauth, mcp.http.maxSessionsPerPrincipal); options win
  const later = mcp as unknown as { oauth?: McpOAuthOptions; http: { maxSessionsPerPrincipal?: number } };
  const oauth = options.oauth ?? later.oauth;
  const host = options.host ?? '127.0.0.1';
  const defaultPrincipal = resolvePrincipal(mcp, options.principal);
  const tokens = new TokenTable(
    { ...mcp, defaultPrincipal: defaultPrincipal.name },
    options.env ?? process.env,
    options.defaultToken ?? hearth.config.secrets?.mcpToken,
  );
  hearth.redactor.add(...tokens.tokens());
  if (!isLoopback(host) && !tokens.required && !oauth) {
    throw new HearthError(
      'invalid_config',
      `Refusing to serve MCP on ${host} without authentication: give a principal a "tokenEnv" (and set that variable) or set HEARTH_MCP_TOKEN, or bind 127.0.0.1.`,
    );
  }
  const guard = new HostGuard(host, mcp.http.allowedHosts, mcp.http.allowedOrigins);
  const shared = options.shared ?? createMcpShared(hearth);
  const sessions = new Map<string, Entry>();
  const perPrincipal =
    options.maxSessionsPerPrincipal ??
    later.http.maxSessionsPerPrincipal ??
    Math.max(
      1,
      Math.ceil(
        mcp.http.maxSessions /
          (oauth ? Math.max(1, mcp.principals.length) : tokens.required ? tokens.principalCount() : 1),
      ),
    );
  const openedBy = (name: string) => [...sessions.values()].filter((e) => e.session.principal.name === name).length;
  const log = hearth.log.child({ area: 'mcp-http' });
  const store = options.redisUrl
    ? await RedisSessionStore.open(options.redisUrl, { ttlMs: mcp.http.sessionIdleMs, prefix: options.redisPrefix })
    : undefined;
  const storeError = (err: unknown) => {
    metrics().error('mcp', 'redis');
    log.error({ err: hearth.redactor.redact(String(err)) }, 'MCP sessions: Redis failed');
  };
  // a cancellation that reached another instance, for a call running here
  store?.onCancel((sessionId, requestId) => {
    sessions.get(sessionId)?.transport.onmessage?.({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId, reason: 'cancelled through another instance' },
    });
  });

  /**
   * A session's server and transport: a new one (`restore` undefined, the initialize request decides
   * the id), or one another instance initialized, rebuilt from its Redis record under its id.
   */
  const openSession = async (principal: Principal, restore?: { id: string; state: SessionState }) => {
    let entry: Entry | undefined;
    const session = createMcpServer(hearth, principal, shared, {
      restore: restore?.state,
      onState: store
        ? async (state) => {
            const id = transport.sessionId;
            if (id) await store.save(id, { principal: principal.name, state });
          }
        : undefined,
    });
    const streams = store ? new SharedGetStreams(store, storeError) : new GetStreams();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => restore?.id ?? randomUUID(),
      onsessioninitialized: (id) => void (entry && sessions.set(id, entry)),
      maxRequestBodySize: mcp.http.maxBodyBytes,
    });
    transport.onclose = () => {
      if (transport.sessionId && sessions.get(transport.sessionId) === entry) sessions.delete(transport.sessionId);
      streams.closeAll();
      void session.close();
    };
    reportInvalidParams(transport);
    await session.server.connect(transport);
    entry = { session, transport, lastSeen: Date.now(), streams, cancels: closeStreamsOnCancel(transport) };
    streams.attach(transport);
    if (restore) {
      // the SDK transport accepts a session's requests only after its own initialize; this one was
      // initialized on another instance (private fields of the pinned SDK version)
      const inner = (transport as unknown as { _webStandardTransport: { sessionId?: string; _initialized: boolean } })
        ._webStandardTransport;
      inner.sessionId = restore.id;
      inner._initialized = true;
      sessions.set(restore.id, entry);
    }
    return entry;
  };
  const restoring = new Map<string, Promise<Entry | undefined>>();
  /** The local entry of a session, rebuilt from Redis when another instance started it; undefined when unknown. */
  const findSession = async (id: string, principal: Principal): Promise<Entry | undefined> => {
    const local = sessions.get(id);
    if (!store) return local;
    if (local) {
      const record = await store.refresh(id);
      // the logging level and subscriptions may have changed through another instance
      if (record) local.session.update(record.state);
      if (record) return local;
      // deleted or expired everywhere: drop this copy too
      void local.transport.close();
      return undefined;
    }
    let pending = restoring.get(id);
    if (!pending) {
      pending = (async () => {
        const record = await store.refresh(id);
        if (!record || record.principal !== principal.name) return undefined;
        return openSession(principal, { id, state: record.state });
      })().finally(() => restoring.delete(id));
      restoring.set(id, pending);
    }
    return pending;
  };

  // known once listening (port 0 picks one); the OAuth audience defaults to it
  let mcpUrl = '';
  let verifier: JwtVerifier | undefined;
  const authRequired = tokens.required || Boolean(oauth);

  const authenticate = async (req: IncomingMessage): Promise<Principal | TokenRejected> => {
    if (!authRequired) return defaultPrincipal;
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    const missing = 'Unauthorized: send "Authorization: Bearer <token>" with a token configured for an MCP principal';
    if (!bearer) return new TokenRejected(missing);
    const fixed = tokens.lookup(bearer);
    if (fixed) return fixed;
    if (!verifier) return new TokenRejected(missing);
    try {
      const name = verifier.principalOf(await verifier.verify(bearer));
      if (name !== defaultPrincipal.name && !mcp.principals.some((p) => p.name === name))
        return new TokenRejected(`The token's principal "${name}" is not configured in mcp.principals`, 403);
      return resolvePrincipal({ ...mcp, defaultPrincipal: defaultPrincipal.name }, name);
    } catch (err) {
      return err instanceof TokenRejected ? err : new TokenRejected('The bearer token could not be verified');
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const refused = guard.check(req);
    if (oauth && path.startsWith('/.well-known/oauth-protected-resource')) {
      if (refused) return reply(res, 403, `Forbidden: ${refused}`);
      if (path !== '/.well-known/oauth-protected-resource' && path !== '/.well-known/oauth-protected-resource/mcp')
        return reply(res, 404, 'Not found');
      res
        .writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' })
        .end(JSON.stringify(resourceMetadata(mcpUrl, oauth)));
      return;
    }
    if (path !== '/mcp') return reply(res, 404, 'Not found: the MCP endpoint is /mcp');
    if (refused) return reply(res, 403, `Forbidden: ${refused}`);
    const principal = await authenticate(req);
    if (principal instanceof TokenRejected) {
      const params = [
        'realm="hearth-mcp"',
        ...(oauth ? [`resource_metadata="${metadataUrl(mcpUrl)}"`] : []),
        ...(req.headers.authorization
          ? [
              `error="${principal.status === 403 ? 'insufficient_scope' : 'invalid_token'}"`,
              `error_description="${principal.message.replace(/["\\]/g, '')}"`,
            ]
          : []),
      ];
      res.setHeader('WWW-Authenticate', `Bearer ${params.join(', ')}`);
      return reply(res, principal.status, principal.message);
    }
    const sessionId = header(req, 'mcp-session-id');
    let body: unknown;
    if (req.method === 'POST') {
      const read = await readBody(req, mcp.http.maxBodyBytes);
      if (read === 'too large')
        return reply(res, 413, `Payload too large: the limit is ${mcp.http.maxBodyBytes} bytes`);
      try {
        body = JSON.parse(read);
      } catch {
        return reply(res, 400, 'Parse error: the body is not JSON', -32700);
      }
    }
    if (sessionId) {
      let entry: Entry | undefined;
      try {
        entry = await findSession(sessionId, principal);
      } catch (err) {
        storeError(err);
        return reply(res, 503, 'Service unavailable: the MCP session store (Redis) does not answer; retry shortly');
      }
      // another principal's session id is answered like an unknown one
      if (!entry || entry.session.principal.name !== principal.name)
        return reply(res, 404, 'Session not found', -32001);
      entry.lastSeen = Date.now();
      if (Array.isArray(body) && !allowsBatches(entry.session.protocolVersion() ?? '')) {
        return reply(
          res,
          400,
          `Invalid Request: protocol version ${entry.session.protocolVersion()} has no JSON-RPC batches (only 2025-03-26 does); send one message per request`,
          -32600,
        );
      }
      // GET streams are served here (several per session, event ids, replay), not by the SDK
      if (req.method === 'GET') return entry.streams.serve(req, res, sessionId);
      entry.cancels.noteBody(body);
      // the call may be running on another instance: tell them all
      if (store) await Promise.all(cancelledIds(body).map((id) => store.publishCancel(sessionId, id)));
      await entry.transport.handleRequest(req, res, body);
      if (store && req.method === 'DELETE') await store.remove(sessionId);
      return;
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      return reply(res, 400, 'Bad Request: no valid session; start one with an initialize request');
    }
    if (sessions.size >= mcp.http.maxSessions)
      return reply(res, 503, `Too many sessions (limit ${mcp.http.maxSessions}); close one first`);
    if (openedBy(principal.name) >= perPrincipal)
      return reply(
        res,
        503,
        `Too many sessions for principal "${principal.name}" (limit ${perPrincipal} per principal); close one first`,
      );
    const { session, transport } = await openSession(principal);
    await transport.handleRequest(req, res, body);
    if (!transport.sessionId) await session.close();
  };

  const http = createServer((req, res) => {
    // one id per HTTP request: the tool call's engine, queue and worker log lines carry it
    const requestId = newRequestId();
    res.setHeader('X-Request-Id', requestId);
    withRequestId(requestId, () => handle(req, res)).catch((err) => {
      metrics().error('mcp', 'http');
      log.error({ err: hearth.redactor.redact(String(err)), requestId }, 'MCP HTTP request failed');
      if (!res.headersSent) reply(res, 500, 'Internal error');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, host, () => resolve());
  });
  const sweep = setInterval(
    () => {
      const cutoff = Date.now() - mcp.http.sessionIdleMs;
      for (const [id, e] of sessions)
        if (e.lastSeen < cutoff) void e.transport.close().finally(() => sessions.delete(id));
    },
    Math.min(60_000, mcp.http.sessionIdleMs),
  );
  sweep.unref();

  const address = http.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}/mcp`;
  mcpUrl = url;
  if (oauth) verifier = new JwtVerifier(oauth, oauth.audience ?? url);
  log.info(
    {
      url,
      auth: oauth ? `oauth (${oauth.issuer})` : tokens.required ? 'bearer' : 'none (loopback)',
      principal: defaultPrincipal.name,
    },
    'MCP server listening',
  );
  return {
    url,
    sessionCount: () => sessions.size,
    async check() {
      if (!http.listening) throw new Error('the MCP HTTP listener is closed');
      await store?.ping();
    },
    async close() {
      clearInterval(sweep);
      await Promise.all([...sessions.values()].map((e) => e.transport.close().catch(() => {})));
      sessions.clear();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await store?.close();
    },
  };
}

/** Request ids that a POST body's `notifications/cancelled` messages cancel. */
function cancelledIds(body: unknown): RequestId[] {
  const ids: RequestId[] = [];
  for (const m of Array.isArray(body) ? body : [body]) {
    const msg = m as { method?: unknown; params?: { requestId?: unknown } } | null;
    const id = msg?.params?.requestId;
    if (msg?.method === 'notifications/cancelled' && (typeof id === 'string' || typeof id === 'number')) ids.push(id);
  }
  return ids;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function reply(res: ServerResponse, status: number, message: string, code = -32000): void {
  res
    .writeHead(status, { 'Content-Type': 'application/json' })
    .end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

async function readBody(req: IncomingMessage, max: number): Promise<string | 'too large'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    req.resume();
    return 'too large';
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      req.resume();
      return 'too large';
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
