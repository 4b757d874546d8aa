import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type Tool, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { McpServerConfig } from '../config/mcp.js';
import type { HearthLogger } from '../log/logger.js';
import { Redactor } from '../log/redact.js';
import type { ToolRegistry } from '../plugins/registry.js';
import { HEARTH_VERSION } from '../version.js';
import { remoteTool, type SkippedTool } from './convert.js';

/** What a connection needs. */
export interface ConnectionDeps {
  registry: ToolRegistry;
  log: HearthLogger;
  env: NodeJS.ProcessEnv;
  /** First reconnect delay; doubles up to a minute. */
  retryMs: number;
  /**
   * The runtime's redactor: this server's tokens (`tokenEnv`, `envFrom` values) are added to it, so
   * no log line or error anywhere shows them. Without one, only this connection's own output is redacted.
   */
  redactor?: Redactor;
}

/** One external server's state, for `hearth doctor` and tests. */
export interface ServerStatus {
  name: string;
  connected: boolean;
  tools: string[];
  skipped: SkippedTool[];
  error?: string;
}

/**
 * A client connection to one external MCP server whose tools live in the registry while it is
 * connected: removed when it drops, re-added after a reconnect (with backoff), refreshed on
 * `notifications/tools/list_changed`.
 */
export class ServerConnection {
  private client: Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private closing = false;
  /** Redacts this server's own tokens (and the runtime's secrets) from its stderr and errors. */
  private readonly redactor: Redactor;
  readonly status: ServerStatus;

  constructor(
    private readonly cfg: McpServerConfig,
    private readonly deps: ConnectionDeps,
  ) {
    this.status = { name: cfg.name, connected: false, tools: [], skipped: [] };
    const tokens = [cfg.tokenEnv, ...Object.values(cfg.envFrom)].map((name) => (name ? deps.env[name] : undefined));
    this.redactor = deps.redactor ?? new Redactor();
    this.redactor.add(...tokens);
  }

  /** Connects once; on failure logs and keeps retrying in the background. Never throws. */
  async start(): Promise<void> {
    try {
      await this.connect();
    } catch (err) {
      this.fail(err);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.timer);
    this.removeTools();
    const c = this.client;
    this.client = undefined;
    await c?.close().catch(() => {});
  }

  private get log() {
    return this.deps.log.child({ mcpServer: this.cfg.name });
  }

  private async connect(): Promise<void> {
    const client = new Client({ name: 'hearth', version: HEARTH_VERSION });
    const transport = this.transport();
    client.onclose = () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.fail(new Error('connection closed'));
    };
    client.onerror = (err) => this.log.debug({ err: this.redact(err.message) }, 'MCP server transport error');
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      if (this.client === client)
        await this.refresh(client).catch((err) =>
          this.log.warn({ err: this.redact((err as Error).message) }, 'tool refresh failed'),
        );
    });
    await client.connect(transport, { timeout: this.cfg.timeoutMs });
    if (this.closing) return void (await client.close());
    this.client = client;
    await this.refresh(client);
    this.attempt = 0;
    this.status.connected = true;
    this.status.error = undefined;
    this.log.info({ tools: this.status.tools.length, skipped: this.status.skipped.length }, 'connected to MCP server');
  }

  private transport(): Transport {
    const { cfg, deps } = this;
    if (cfg.command) {
      const env = { ...getDefaultEnvironment() };
      for (const [name, from] of Object.entries(cfg.envFrom))
        if (deps.env[from] !== undefined) env[name] = deps.env[from]!;
      const t = new StdioClientTransport({ command: cfg.command, args: cfg.args, env, cwd: cfg.cwd, stderr: 'pipe' });
      // whole lines only: a token split across two chunks would escape redaction
      let pending = '';
      const flush = (text: string) => {
        if (text.trim()) this.log.debug({ stderr: this.redact(text).trimEnd().slice(0, 2000) }, 'MCP server stderr');
      };
      t.stderr?.on('data', (chunk: Buffer) => {
        pending += chunk.toString();
        const end = pending.lastIndexOf('\n');
        if (end >= 0) {
          flush(pending.slice(0, end));
          pending = pending.slice(end + 1);
        }
        if (pending.length > 8192) {
          flush(pending);
          pending = '';
        }
      });
      t.stderr?.on('end', () => {
        flush(pending);
        pending = '';
      });
      return t;
    }
    const token = cfg.tokenEnv ? deps.env[cfg.tokenEnv] : undefined;
    return new StreamableHTTPClientTransport(new URL(cfg.url!), {
      requestInit: token ? { headers: { Authorization: `Bearer ${token}` } } : undefined,
    });
  }

  /** Replaces this server's registry entries with its current tool list. */
  private async refresh(client: Client): Promise<void> {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : undefined);
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    this.removeTools();
    const added: string[] = [];
    const skipped: SkippedTool[] = [];
    for (const tool of tools) {
      const entry = remoteTool(this.cfg, tool, () => this.client);
      if ('reason' in entry) {
        skipped.push(entry);
        this.log.warn({ tool: entry.tool, reason: entry.reason }, 'skipping MCP tool: a surface cannot express it');
        continue;
      }
      try {
        this.deps.registry.add([entry]);
        added.push(entry.name);
      } catch (err) {
        skipped.push({ tool: tool.name, reason: (err as Error).message });
        this.log.warn({ tool: tool.name, reason: (err as Error).message }, 'skipping MCP tool');
      }
    }
    this.status.tools = added;
    this.status.skipped = skipped;
  }

  private redact(text: string): string {
    return this.redactor.redact(text);
  }

  private removeTools(): void {
    const name = this.cfg.name;
    this.deps.registry.remove((t) => t.origin.kind === 'mcp' && t.origin.server === name);
    this.status.tools = [];
    this.status.connected = false;
  }

  private fail(err: unknown): void {
    this.removeTools();
    if (this.closing) return;
    const message = this.redact((err as Error)?.message ?? String(err));
    this.status.error = message;
    const delay = Math.min(60_000, this.deps.retryMs * 2 ** this.attempt++);
    this.log.warn(
      { err: message, retryInMs: delay },
      'MCP server unavailable; its tools are removed until it reconnects',
    );
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.start(), delay);
    this.timer.unref();
  }
}
