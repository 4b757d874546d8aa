import type { Engine, HearthConfig, HearthLogger, KnowledgeStore, Redactor, ToolRegistry } from '@hearth/core';
import type { Caller } from '@hearth/sdk';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { LoggingLevel } from '@modelcontextprotocol/sdk/types.js';
import type { ArtifactOwner, ArtifactStore } from './artifacts.js';
import type { McpExtensions } from './extensions.js';
import type { Principal, RateLimiter } from './identity.js';

/** What the MCP surface needs from a running Hearth (a `Hearth` satisfies it). */
export interface McpHearth {
  config: Pick<HearthConfig, 'dataDir' | 'mcp'>;
  log: HearthLogger;
  redactor: Redactor;
  registry: ToolRegistry;
  knowledge: Pick<KnowledgeStore, 'listSources' | 'getSource' | 'onChange'>;
  engine: Pick<Engine, 'personas' | 'previewPrompt'>;
}

/** State shared by every session of one process: recent artifacts and the per-principal rate limits. */
export interface McpShared {
  artifacts: ArtifactStore;
  limiter: RateLimiter;
  /** Resources and prompts added beside Hearth's own. */
  extensions: McpExtensions;
}

/** One session's view: who is calling and how to reach the client. */
export interface SessionContext {
  hearth: McpHearth;
  shared: McpShared;
  principal: Principal;
  caller: Caller;
  /** Owner recorded on the artifacts this session makes; it sees only those. */
  owner: ArtifactOwner;
  server: Server;
  /** The session's negotiated protocol version (the oldest supported before initialize). */
  version(): string;
  /**
   * Sends a `notifications/message` to this session's client at or above its logging/setLevel
   * (default `warning`); `via` sends it on a request's own stream instead of the session's.
   */
  notify(
    level: LoggingLevel,
    data: unknown,
    via?: (n: {
      method: 'notifications/message';
      params: { level: LoggingLevel; logger: string; data: unknown };
    }) => Promise<void>,
  ): void;
  /** Resource URIs the client subscribed to (resources/subscribe). */
  subscriptions: Set<string>;
  /** Records the session's state where other instances read it (sessions in Redis); a no-op otherwise. */
  persist(): Promise<void>;
  /** Registers a cleanup run when the session closes. */
  onClose(cleanup: () => void): void;
}
