import { currentRequestId, type RegisteredTool } from '@hearth/core';
import { metrics } from '@hearth/core/ops';
import { HearthError } from '@hearth/sdk';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { errorResult, publishedOutputSchema, toCallToolResult } from './content.js';
import type { SessionContext } from './context.js';
import { toDraft07 } from './schema.js';
import { hasStructuredContent } from './version.js';

/**
 * tools/list and tools/call over the one registry: every built-in, plugin and external MCP tool the
 * principal may see, called as the principal's caller (its grants limit what the tool may do).
 */
export function registerTools(s: SessionContext): void {
  const { server, hearth, principal } = s;
  const visible = (t: RegisteredTool) => t.access !== 'admin' || principal.admin;

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: hearth.registry
      .list()
      .filter(visible)
      .map((t) => describeTool(t, s.version())),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name, arguments: args } = request.params;
    const tool = hearth.registry.get(name);
    if (!tool || !visible(tool)) {
      // not labelled by the requested name: clients choose it, and series must stay bounded
      metrics().error('mcp', 'unknown_tool');
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool "${name}".`);
    }
    const wait = s.shared.limiter.take(principal);
    if (wait) {
      metrics().mcpCall(tool.name, 'error');
      metrics().error('mcp', 'rate_limited');
      return errorResult(`Rate limit of principal "${principal.name}" reached; try again in ${wait} s.`);
    }

    const token = extra._meta?.progressToken;
    // on this request's stream, so HTTP clients get them without a GET stream open
    const log = (level: 'debug' | 'info' | 'warning', data: unknown) =>
      s.notify(level, data, (n) => extra.sendNotification(n));
    let last = -1;
    // Progress goes out as notifications/progress when the client sent a token, and as debug log
    // messages (what the tool is doing) to clients that lowered their logging level.
    const onProgress = (fraction: number, message?: string) => {
      if (fraction <= last) return; // progress must increase
      last = fraction;
      log('debug', { tool: tool.name, progress: fraction, ...(message ? { message } : {}) });
      if (token === undefined) return;
      extra
        .sendNotification({
          method: 'notifications/progress',
          params: { progressToken: token, progress: fraction, total: 1, ...(message ? { message } : {}) },
        })
        .catch(() => {});
    };
    const started = performance.now();
    try {
      const result = await tool.invoke(args ?? {}, { caller: s.caller, signal: extra.signal, onProgress });
      log('info', { tool: tool.name, ok: true, ms: Math.round(performance.now() - started) });
      const converted = await toCallToolResult(result, tool, {
        artifacts: s.shared.artifacts,
        version: s.version(),
        owner: s.owner,
      });
      metrics().mcpCall(tool.name, 'ok');
      return converted;
    } catch (err) {
      const code = err instanceof HearthError ? err.code : 'internal';
      const cancelled = extra.signal.aborted || code === 'cancelled';
      metrics().mcpCall(tool.name, cancelled ? 'cancelled' : 'error');
      if (!cancelled) metrics().error('mcp', code);
      const message = hearth.redactor.redact(
        err instanceof HearthError ? err.message : `Tool "${tool.name}" failed unexpectedly.`,
      );
      if (!(err instanceof HearthError))
        hearth.log.error({ err, tool: tool.name, requestId: currentRequestId() }, 'MCP tool call failed');
      log('warning', { tool: tool.name, ok: false, error: message });
      return errorResult(message);
    }
  });

  const unsubscribe = hearth.registry.onChange(() => {
    server.sendToolListChanged().catch(() => {});
  });
  s.onClose(unsubscribe);
}

/** A tool as the session's protocol version knows it: `title` and `outputSchema` only from 2025-06-18. */
function describeTool(t: RegisteredTool, version: string): Tool {
  const base: Tool = {
    name: t.name,
    description: t.description,
    inputSchema: toDraft07(t.inputSchema) as Tool['inputSchema'],
  };
  if (!hasStructuredContent(version)) return base;
  const outputSchema = publishedOutputSchema(t);
  return {
    ...base,
    ...(t.shortName !== t.name ? { title: t.shortName } : {}),
    ...(outputSchema ? { outputSchema: outputSchema as Tool['outputSchema'] } : {}),
  };
}
