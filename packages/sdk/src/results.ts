/** Markdown text shown as a message (Discord), text content (MCP) or stdout (CLI). */
export interface TextPart {
  type: 'text';
  text: string;
}

/** A PNG image with alt text: an attachment (Discord), image content (MCP), a file on disk (CLI). */
export interface ImagePart {
  type: 'image';
  /** PNG bytes. */
  data: Uint8Array;
  mimeType: 'image/png';
  alt: string;
}

/** Any file: an attachment (Discord), an embedded resource (MCP), a file on disk (CLI). */
export interface FilePart {
  type: 'file';
  name: string;
  data: Uint8Array;
  mimeType: string;
}

/** One piece of a tool result. */
export type ResultPart = TextPart | ImagePart | FilePart;

/**
 * What a tool returns. `data` is the structured output; when the tool declares an output schema
 * it is validated against it and rendered as embed fields (Discord), structuredContent (MCP), `--json` (CLI).
 */
export interface ToolResult<Data = unknown> {
  content: ResultPart[];
  data?: Data;
}

/** What `run` may return: plain markdown text, or a full result. */
export type ToolReturn<Data = unknown> = string | ToolResult<Data>;

/** Helpers to build result parts. */
export const result = {
  text(text: string): TextPart {
    return { type: 'text', text };
  },
  image(data: Uint8Array, alt: string): ImagePart {
    return { type: 'image', data, mimeType: 'image/png', alt };
  },
  file(name: string, data: Uint8Array | string, mimeType = 'application/octet-stream'): FilePart {
    return { type: 'file', name, data: typeof data === 'string' ? new TextEncoder().encode(data) : data, mimeType };
  },
};

/** Normalises a tool's return value into a {@link ToolResult}. */
export function toToolResult<Data>(value: ToolReturn<Data>): ToolResult<Data> {
  if (typeof value === 'string') return { content: [{ type: 'text', text: value }] };
  if (!value || !Array.isArray(value.content)) {
    throw new TypeError('a tool must return a string or { content: ResultPart[], data? }');
  }
  return value;
}

/** The text parts of a result joined, for surfaces that only show text. */
export function resultText(value: ToolResult): string {
  return value.content
    .filter((p): p is TextPart => p.type === 'text')
    .map((p) => p.text)
    .join('\n\n');
}
