import {
  type Caller,
  fieldsFromJsonSchema,
  HearthError,
  type JsonSchema,
  PermissionDeniedError,
  type ResultPart,
  surfaceProblems,
  ToolCancelledError,
  ToolFailedError,
  type ToolResult,
  ToolTimeoutError,
} from '@hearth/sdk';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { type CallToolResult, ErrorCode, McpError, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { McpServerConfig } from '../config/mcp.js';
import type { RegisteredTool } from '../plugins/registry.js';

/** A remote tool Hearth cannot offer on every surface, and why. */
export interface SkippedTool {
  tool: string;
  reason: string;
}

/** The Discord-safe short name of a remote tool (`a-z0-9_-`, at most 32 characters). */
export function shortNameOf(remote: string): string {
  return remote
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 32);
}

/**
 * A remote MCP tool as a registry entry named `<server>_<tool>`, with fields derived from its JSON
 * Schema. Returns a skip reason when a surface cannot express the input.
 */
export function remoteTool(
  server: McpServerConfig,
  tool: Tool,
  client: () => Client | undefined,
): RegisteredTool | SkippedTool {
  const shortName = shortNameOf(tool.name);
  if (!shortName) return { tool: tool.name, reason: 'its name has no usable characters' };
  const inputSchema = tool.inputSchema as JsonSchema;
  let fields: RegisteredTool['fields'];
  try {
    fields = fieldsFromJsonSchema(inputSchema);
  } catch (err) {
    return { tool: tool.name, reason: (err as Error).message };
  }
  const problems = surfaceProblems(fields);
  if (problems.length) return { tool: tool.name, reason: problems.join('; ') };
  const name = `${server.name}_${shortName}`;
  const description = (tool.description ?? tool.title ?? tool.name).split('\n')[0]!.trim().slice(0, 100) || tool.name;
  return {
    name,
    shortName,
    origin: { kind: 'mcp', server: server.name },
    description,
    inputSchema,
    outputSchema: tool.outputSchema as JsonSchema | undefined,
    fields,
    access: server.access,
    async invoke(input, call) {
      checkCaller(name, server.access, call.caller);
      const c = client();
      if (!c)
        throw new HearthError(
          'unavailable',
          `MCP server "${server.name}" is not connected right now; Hearth keeps retrying.`,
        );
      if (call.signal?.aborted) throw new ToolCancelledError(name);
      const timeoutMs = call.timeoutMs ?? server.timeoutMs;
      let result: CallToolResult;
      try {
        result = (await c.callTool(
          { name: tool.name, arguments: (input ?? {}) as Record<string, unknown> },
          undefined,
          {
            signal: call.signal,
            timeout: timeoutMs,
            onprogress: call.onProgress
              ? (p) => call.onProgress?.(p.total ? p.progress / p.total : 0, p.message)
              : undefined,
          },
        )) as CallToolResult;
      } catch (err) {
        if (call.signal?.aborted) throw new ToolCancelledError(name);
        if (err instanceof McpError && err.code === ErrorCode.RequestTimeout)
          throw new ToolTimeoutError(name, timeoutMs);
        throw new ToolFailedError(name, err);
      }
      const converted = fromCallToolResult(result);
      if (result.isError)
        throw new ToolFailedError(name, new Error(textOf(converted) || 'the server reported an error'));
      return converted;
    },
  };
}

/**
 * External tools act outside Hearth: admin-only ones need an admin, and an MCP principal (a caller
 * with grants) needs the `network` grant.
 */
function checkCaller(name: string, access: 'everyone' | 'admin', caller: Caller): void {
  if (access === 'admin' && !caller.isAdmin) throw new PermissionDeniedError(`"${name}" is for server admins only.`);
  if (caller.grants && !caller.grants.includes('network')) {
    throw new PermissionDeniedError(
      `You may not use "${name}" (an external MCP tool): the operator has not granted "network" to ${caller.userId}.`,
    );
  }
}

/** MCP content as Hearth result parts: text, PNG images, everything else as files. */
export function fromCallToolResult(result: CallToolResult): ToolResult {
  const content: ResultPart[] = [];
  let n = 0;
  for (const c of result.content ?? []) {
    n++;
    if (c.type === 'text') content.push({ type: 'text', text: c.text });
    else if (c.type === 'image' && c.mimeType === 'image/png')
      content.push({ type: 'image', data: bytes(c.data), mimeType: 'image/png', alt: `image ${n}` });
    else if (c.type === 'image' || c.type === 'audio')
      content.push({
        type: 'file',
        name: `${c.type}-${n}.${c.mimeType.split('/')[1] ?? 'bin'}`,
        data: bytes(c.data),
        mimeType: c.mimeType,
      });
    else if (c.type === 'resource') {
      const r = c.resource;
      const name = r.uri.split('/').pop() || `resource-${n}`;
      const data =
        'text' in r && typeof r.text === 'string'
          ? new TextEncoder().encode(r.text)
          : bytes(String((r as { blob?: string }).blob ?? ''));
      content.push({ type: 'file', name, data, mimeType: r.mimeType ?? 'application/octet-stream' });
    } else if (c.type === 'resource_link') content.push({ type: 'text', text: `[${c.name}](${c.uri})` });
  }
  return { content, ...(result.structuredContent ? { data: result.structuredContent } : {}) };
}

function textOf(r: ToolResult): string {
  return r.content
    .filter((p) => p.type === 'text')
    .map((p) => (p as { text: string }).text)
    .join('\n');
}

function bytes(base64: string): Uint8Array {
  return new Uint8Array(Buffer.from(base64, 'base64'));
}
