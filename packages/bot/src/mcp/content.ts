import type { RegisteredTool } from '@hearth/core';
import type { ToolResult } from '@hearth/sdk';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { type ArtifactStore, isTextMime } from './artifacts.js';

/**
 * A Hearth tool result as MCP content: text parts as text, images as image content (and a link to
 * the kept artifact), files as embedded resources, `data` as structuredContent when the tool
 * declares an output schema (with the JSON as text too when the tool wrote no text).
 */
export async function toCallToolResult(
  result: ToolResult,
  tool: RegisteredTool,
  artifacts: ArtifactStore,
): Promise<CallToolResult> {
  const content: CallToolResult['content'] = [];
  for (const part of result.content) {
    if (part.type === 'text') {
      content.push({ type: 'text', text: part.text });
    } else if (part.type === 'image') {
      const saved = await artifacts.save(part.alt || 'image.png', part.data, part.mimeType);
      content.push({ type: 'image', data: base64(part.data), mimeType: part.mimeType });
      content.push({
        type: 'resource_link',
        uri: saved.uri,
        name: saved.name,
        mimeType: part.mimeType,
        description: part.alt,
      });
    } else {
      const saved = await artifacts.save(part.name, part.data, part.mimeType);
      content.push({
        type: 'resource',
        resource: isTextMime(part.mimeType)
          ? { uri: saved.uri, mimeType: part.mimeType, text: Buffer.from(part.data).toString('utf8') }
          : { uri: saved.uri, mimeType: part.mimeType, blob: base64(part.data) },
      });
    }
  }
  const out: CallToolResult = { content };
  if (isPlainObject(result.data)) {
    if (objectSchema(tool.outputSchema)) out.structuredContent = result.data;
    if (!content.some((c) => c.type === 'text'))
      content.push({ type: 'text', text: JSON.stringify(result.data, null, 2) });
  } else if (result.data !== undefined && !content.some((c) => c.type === 'text')) {
    content.push({ type: 'text', text: JSON.stringify(result.data, null, 2) });
  }
  return out;
}

/** A failure as an `isError` result the model can read and act on. */
export function errorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** The output schema when MCP can publish it (the spec wants an object schema at the root). */
export function objectSchema(
  schema: Record<string, unknown> | undefined,
): (Record<string, unknown> & { type: 'object' }) | undefined {
  return schema?.type === 'object' ? (schema as Record<string, unknown> & { type: 'object' }) : undefined;
}

function base64(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
