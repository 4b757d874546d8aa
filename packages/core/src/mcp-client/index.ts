/**
 * External MCP servers as plugins: Hearth connects to each `mcp.servers` entry as a client and its
 * tools join the one registry (named `<server>_<tool>`), so Discord, MCP and the CLI offer them too.
 * @packageDocumentation
 */
import type { HearthConfig } from '../config/schema.js';
import type { HearthLogger } from '../log/logger.js';
import type { ToolRegistry } from '../plugins/registry.js';
import { ServerConnection, type ServerStatus } from './connection.js';

export type { ServerStatus } from './connection.js';
export { fromCallToolResult, remoteTool, type SkippedTool, shortNameOf } from './convert.js';

/** What {@link connectMcpServers} needs (a `Hearth` has all of it). */
export interface McpClientDeps {
  config: Pick<HearthConfig, 'mcp'>;
  registry: ToolRegistry;
  log: HearthLogger;
  /** Where `envFrom` and `tokenEnv` are read; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** First reconnect delay in ms (default 1000; doubles up to a minute). */
  retryMs?: number;
}

/** The running connections. */
export interface McpServers {
  status(): ServerStatus[];
  /** Disconnects every server and removes its tools. */
  close(): Promise<void>;
}

/**
 * Connects to every configured external MCP server (in parallel) and adds their tools to the
 * registry. Resolves once each server has connected or failed its first attempt; failed servers
 * keep retrying in the background and their tools appear when they connect.
 */
export async function connectMcpServers(deps: McpClientDeps): Promise<McpServers> {
  const log = deps.log.child({ area: 'mcp-client' });
  const connections = deps.config.mcp.servers.map(
    (cfg) =>
      new ServerConnection(cfg, {
        registry: deps.registry,
        log,
        env: deps.env ?? process.env,
        retryMs: deps.retryMs ?? 1000,
      }),
  );
  await Promise.all(connections.map((c) => c.start()));
  return {
    status: () => connections.map((c) => ({ ...c.status })),
    close: async () => void (await Promise.all(connections.map((c) => c.close()))),
  };
}
