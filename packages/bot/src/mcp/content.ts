import type { RegisteredTool } from '@hearth/core';
import type { ToolResult } from '@hearth/sdk';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { type ArtifactOwner, type ArtifactStore, isTextMime } from './artifacts.js';
import { toDraft07 } from './schema.js';
import { hasAudioContent, hasStructuredContent } from './version.js';

/** One kept image or file as it appears in `structuredContent` (for clients that read only that). */
export interface ArtifactRef {
  uri: string;
  name: string;
  mimeType: string;
  /** The image's alt text, when the tool gave one. */
  alt?: string;
}

/** JSON Schema of the artifact list added to every published output schema. */
const ARTIFACTS_SCHEMA = {
  type: 'array',
  description: 'Images and files this call produced, readable as resources (resources/read)',
  items: {
    type: 'object',
    properties: {
      uri: { type: 'string' },
      name: { type: 'string' },
      mimeType: { type: 'string' },
      alt: { type: 'string' },
    },
    required: ['uri', 'name', 'mimeType'],
  },
};

/**
 * The output schema as Hearth publishes it: an object schema (MCP wants one at the root) that
 * draft-07 validators compile, with the optional artifact list added. Undefined when the tool's
 * output is not an object.
 */
export function publishedOutputSchema(
  tool: RegisteredTool,
): (Record<string, unknown> & { type: 'object' }) | undefined {
  const schema = objectSchema(tool.outputSchema);
  if (!schema) return undefined;
  const properties = (schema.properties ?? {}) as Record<string, unknown>;
  return toDraft07({ ...schema, properties: { ...properties, [artifactsKey(tool)]: ARTIFACTS_SCHEMA } });
}

/** `artifacts`, or `hearth_artifacts` when the tool's own output already has an `artifacts` field. */
export function artifactsKey(tool: RegisteredTool): string {
  const own = (tool.outputSchema?.properties ?? {}) as Record<string, unknown>;
  return 'artifacts' in own ? 'hearth_artifacts' : 'artifacts';
}

/** Who is calling and which protocol revision their session speaks. */
export interface ResultContext {
  artifacts: ArtifactStore;
  /** The session's negotiated protocol version. */
  version: string;
  owner: ArtifactOwner;
}

/**
 * A Hearth tool result as MCP content for the session's protocol version. Text parts become text;
 * images image content plus a `resource_link` to the kept artifact (2025-06-18+; older sessions get
 * the link as text); audio files audio content (2025-03-26+); other files embedded resources. `data` becomes `structuredContent` when the tool
 * declares an output schema (2025-06-18+), with the artifacts' URIs and alt text in it, and always
 * also serialized JSON as the last text block, as the spec asks for clients that do not read
 * structured content (and for older sessions, which have none).
 */
export async function toCallToolResult(
  result: ToolResult,
  tool: RegisteredTool,
  ctx: ResultContext,
): Promise<CallToolResult> {
  const modern = hasStructuredContent(ctx.version);
  const content: CallToolResult['content'] = [];
  const kept: ArtifactRef[] = [];
  for (const part of result.content) {
    if (part.type === 'text') {
      content.push({ type: 'text', text: part.text });
    } else if (part.type === 'image') {
      const saved = await ctx.artifacts.save(part.alt || 'image.png', part.data, part.mimeType, ctx.owner);
      kept.push({ uri: saved.uri, name: saved.name, mimeType: part.mimeType, ...(part.alt ? { alt: part.alt } : {}) });
      content.push({ type: 'image', data: base64(part.data), mimeType: part.mimeType });
      content.push(
        modern
          ? { type: 'resource_link', uri: saved.uri, name: saved.name, mimeType: part.mimeType, description: part.alt }
          : { type: 'text', text: `Image kept as ${saved.uri}${part.alt ? ` (${part.alt})` : ''}` },
      );
    } else if (part.mimeType.startsWith('audio/') && hasAudioContent(ctx.version)) {
      const saved = await ctx.artifacts.save(part.name, part.data, part.mimeType, ctx.owner);
      kept.push({ uri: saved.uri, name: saved.name, mimeType: part.mimeType });
      content.push({ type: 'audio', data: base64(part.data), mimeType: part.mimeType });
      if (modern) content.push({ type: 'resource_link', uri: saved.uri, name: saved.name, mimeType: part.mimeType });
    } else {
      const saved = await ctx.artifacts.save(part.name, part.data, part.mimeType, ctx.owner);
      kept.push({ uri: saved.uri, name: saved.name, mimeType: part.mimeType });
      content.push({
        type: 'resource',
        resource: isTextMime(part.mimeType)
          ? { uri: saved.uri, mimeType: part.mimeType, text: Buffer.from(part.data).toString('utf8') }
          : { uri: saved.uri, mimeType: part.mimeType, blob: base64(part.data) },
      });
    }
  }
  const out: CallToolResult = { content };
  if (isPlainObject(result.data) && objectSchema(tool.outputSchema)) {
    const structured = kept.length ? { ...result.data, [artifactsKey(tool)]: kept } : result.data;
    if (modern) out.structuredContent = structured;
    // a tool may leave the JSON copy out (render.mcp.dataAsText: false), but an older session, which has
    // no structuredContent, always gets it: otherwise its client would never see the data
    if (tool.render?.mcp?.dataAsText !== false || !modern) pushJson(content, structured);
  } else if (result.data !== undefined && !content.some((c) => c.type === 'text')) {
    pushJson(content, result.data);
  }
  return out;
}

/** Appends `data` as JSON text unless a text block already says exactly that. */
function pushJson(content: CallToolResult['content'], data: unknown): void {
  const json = JSON.stringify(data, null, 2);
  if (!content.some((c) => c.type === 'text' && c.text === json)) content.push({ type: 'text', text: json });
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
