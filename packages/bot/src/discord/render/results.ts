import type { ResultPart, ToolResult } from '@hearth/sdk';
import { AttachmentBuilder, EmbedBuilder } from 'discord.js';
import { splitMessage } from './split.js';

/** Discord's upload limit for bots without boosts. */
export const UPLOAD_LIMIT_BYTES = 25 * 1024 * 1024;
const EMBED_FIELDS = 25;
const FIELD_VALUE = 1024;

/** A citation as the engine returns it. */
export interface SourceRef {
  n: number;
  title: string;
  uri: string;
}

/** The "Sources" block appended to an answer; URLs in angle brackets so Discord does not unfurl them. */
export function sourcesBlock(sources: SourceRef[]): string {
  if (!sources.length) return '';
  const lines = sources.map((s) => {
    const link = /^https?:\/\//.test(s.uri) ? ` <${s.uri}>` : s.uri ? ` (${s.uri})` : '';
    return `[${s.n}] ${s.title}${link}`;
  });
  return `\n\n**Sources**\n${lines.join('\n')}`;
}

/** One outgoing message: content plus optional files and embeds. */
export interface OutgoingMessage {
  content: string;
  files: AttachmentBuilder[];
  embeds: EmbedBuilder[];
}

/**
 * Renders a tool result as messages: text split under the limit, images and files attached to
 * the last message, structured data as an embed. Files over the upload limit become a note.
 */
export function renderToolResult(
  result: ToolResult,
  title: string,
  options: { embed?: boolean } = {},
): OutgoingMessage[] {
  const texts = result.content.filter((p): p is Extract<ResultPart, { type: 'text' }> => p.type === 'text');
  const notes: string[] = [];
  const files: AttachmentBuilder[] = [];
  let index = 0;
  for (const part of result.content) {
    if (part.type === 'text') continue;
    index++;
    const name = part.type === 'image' ? `image-${index}.png` : safeFileName(part.name);
    if (part.data.byteLength > UPLOAD_LIMIT_BYTES) {
      notes.push(
        `(${name} is ${(part.data.byteLength / 1048576).toFixed(1)} MB, over Discord's upload limit, so it was not attached.)`,
      );
      continue;
    }
    const file = new AttachmentBuilder(Buffer.from(part.data), { name });
    if (part.type === 'image') file.setDescription(part.alt.slice(0, 1024));
    files.push(file);
  }
  const embed = result.data !== undefined && options.embed !== false ? dataEmbed(result.data, title) : undefined;
  let text = [...texts.map((t) => t.text), ...notes].join('\n\n').trim();
  if (!text) text = files.length || embed ? `**${title}** finished.` : `**${title}** finished with no output.`;
  const chunks = splitMessage(text);
  return chunks.map((content, i) => {
    const last = i === chunks.length - 1;
    return { content, files: last ? files.slice(0, 10) : [], embeds: last && embed ? [embed] : [] };
  });
}

/** Structured data as embed fields: scalars as values, short lists joined, anything else as JSON. */
export function dataEmbed(data: unknown, title: string): EmbedBuilder | undefined {
  const embed = new EmbedBuilder().setTitle(title.slice(0, 256)).setColor(0xe8833a);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return embed.setDescription(clip(formatValue(data), 4096));
  }
  const entries = Object.entries(data as Record<string, unknown>);
  if (!entries.length) return undefined;
  for (const [key, value] of entries.slice(0, EMBED_FIELDS)) {
    const scalar = value === null || typeof value !== 'object';
    embed.addFields({ name: clip(key, 256), value: clip(formatValue(value) || '—', FIELD_VALUE), inline: scalar });
  }
  return embed;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined)
    return String(value);
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) return value.join(', ');
  return `\`\`\`json\n${JSON.stringify(value, null, 1).slice(0, FIELD_VALUE - 12)}\n\`\`\``;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function safeFileName(name: string): string {
  const cleaned = name.replace(/[^\w.-]+/g, '_').slice(-100);
  return cleaned || 'file';
}
