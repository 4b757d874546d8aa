import { join } from 'node:path';
import { HEARTH_VERSION } from '@hearth/core';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  InitializeRequestSchema,
  type InitializeResult,
  type LoggingLevel,
  LoggingLevelSchema,
  SetLevelRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { ArtifactStore } from './artifacts.js';
import { registerCompletion } from './completion.js';
import type { McpHearth, McpShared, SessionContext } from './context.js';
import type { McpExtensions } from './extensions.js';
import { callerOf, type Principal, RateLimiter } from './identity.js';
import { ownerOf } from './owner.js';
import { registerPrompts } from './prompts.js';
import { registerResources } from './resources.js';
import type { SessionState } from './session-store.js';
import { registerTools } from './tools.js';
import { hasStructuredContent, OLDEST_VERSION } from './version.js';

/** One MCP session: the SDK server bound to one principal. Connect it to a transport. */
export interface McpSession {
  server: Server;
  principal: Principal;
  /** The protocol version negotiated at initialize; undefined before. */
  protocolVersion(): string | undefined;
  /** Takes the logging level and subscriptions another instance recorded for this session. */
  update(state: SessionState): void;
  /** Detaches from the registry and store and closes the transport. */
  close(): Promise<void>;
}

/**
 * Artifacts, rate limits and extensions (extra resources and prompts) for a process; pass the same
 * object to every session.
 */
export function createMcpShared(hearth: Pick<McpHearth, 'config'>, extensions: McpExtensions = {}): McpShared {
  return {
    artifacts: new ArtifactStore(join(hearth.config.dataDir, 'artifacts'), hearth.config.mcp.keepArtifacts),
    limiter: new RateLimiter(),
    extensions,
  };
}

/** Options of {@link createMcpServer} for sessions shared by several processes. */
export interface McpSessionOptions {
  /** A session initialized elsewhere: its negotiated version, client capabilities and logging level. */
  restore?: SessionState;
  /** Told the session's state at initialize and logging/setLevel, before the client gets the answer. */
  onState?: (state: SessionState) => Promise<void>;
}

/** Logging levels from least to most severe. */
const SEVERITY = LoggingLevelSchema.options;

const INSTRUCTIONS =
  "Hearth is a community's AI assistant. Use `ask` for grounded answers with sources, `search_knowledge` to look things up, " +
  'and read knowledge sources as hearth://knowledge/<id> resources. Generated images and files are kept as hearth://artifacts/<file>.';

/**
 * Builds the MCP server for one session of `principal`: every registry tool, knowledge and artifact
 * resources, prompts with completions, and logging. Uses the SDK's low-level `Server` on purpose:
 * the registry already holds JSON Schemas, which `McpServer` would want as zod shapes.
 */
export function createMcpServer(
  hearth: McpHearth,
  principal: Principal,
  shared: McpShared = createMcpShared(hearth),
  options: McpSessionOptions = {},
): McpSession {
  const server = new Server(
    { name: 'hearth', title: 'Hearth', version: HEARTH_VERSION },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: false },
        logging: {},
        completions: {},
      },
      instructions: INSTRUCTIONS,
      debouncedNotificationMethods: ['notifications/tools/list_changed', 'notifications/resources/list_changed'],
    },
  );
  const cleanups: (() => void)[] = [];
  let sessionId: string | undefined;
  let protocolVersion = options.restore?.protocolVersion;
  // Until the client sends logging/setLevel it gets warnings and worse only: an info message for every
  // successful tool call doubles each result on the SSE stream (about 0.3 ms per call over HTTP, see
  // bench/mcp.ts) for clients that never asked for logs.
  let logLevel = (options.restore?.logLevel as LoggingLevel | undefined) ?? 'warning';
  // what the SDK's Server learns at initialize and uses for capability checks; private fields
  const sdk = server as unknown as { _clientCapabilities?: unknown; _clientVersion?: unknown };
  if (options.restore) {
    sdk._clientCapabilities = options.restore.clientCapabilities;
    sdk._clientVersion = options.restore.clientInfo;
  }
  const subscriptions = new Set(options.restore?.subscriptions ?? []);
  const state = (): SessionState => ({
    protocolVersion,
    clientCapabilities: sdk._clientCapabilities,
    clientInfo: sdk._clientVersion,
    logLevel,
    subscriptions: [...subscriptions],
  });
  const persist = async () => {
    await options.onState?.(state());
  };
  // The SDK negotiates the version but does not keep it; every result must match it, so wrap initialize.
  const initialize = (server as unknown as { _oninitialize(r: unknown): Promise<InitializeResult> })._oninitialize.bind(
    server,
  );
  server.setRequestHandler(InitializeRequestSchema, async (request) => {
    const result = await initialize(request);
    protocolVersion = result.protocolVersion;
    if (!hasStructuredContent(protocolVersion)) {
      const { title: _title, ...info } = result.serverInfo;
      result.serverInfo = info;
    }
    await persist();
    return result;
  });
  server.setRequestHandler(SetLevelRequestSchema, async (request) => {
    logLevel = request.params.level;
    await persist();
    return {};
  });
  const s: SessionContext = {
    hearth,
    shared,
    principal,
    caller: callerOf(principal),
    owner: ownerOf(callerOf(principal)),
    server,
    version: () => protocolVersion ?? OLDEST_VERSION,
    notify(level, data, via) {
      if (SEVERITY.indexOf(level) < SEVERITY.indexOf(logLevel)) return;
      const params = { level, logger: 'hearth', data };
      const sent = via
        ? via({ method: 'notifications/message', params })
        : server.sendLoggingMessage(params, sessionId ?? server.transport?.sessionId);
      sent.catch(() => {});
    },
    subscriptions,
    persist,
    onClose: (cleanup) => void cleanups.push(cleanup),
  };
  registerTools(s);
  registerResources(s);
  registerPrompts(s);
  registerCompletion(s);

  let closed = false;
  const detach = () => {
    if (closed) return;
    closed = true;
    for (const c of cleanups.splice(0)) c();
  };
  server.onclose = detach;
  server.oninitialized = () => {
    sessionId = server.transport?.sessionId;
  };
  return {
    server,
    principal,
    protocolVersion: () => protocolVersion,
    update(next) {
      if (next.logLevel) logLevel = next.logLevel as LoggingLevel;
      subscriptions.clear();
      for (const uri of next.subscriptions ?? []) subscriptions.add(uri);
    },
    async close() {
      detach();
      await server.close().catch(() => {});
    },
  };
}
