import type { RegisteredTool } from '@hearth/core';
import { type Attachment as ToolAttachment, ValidationError } from '@hearth/sdk';
import type { Attachment, ChatInputCommandInteraction } from 'discord.js';
import type { DiscordSettings } from '../settings.js';

/** Checks an upload against the configured size and type limits; throws a clear, user-facing error. */
export function checkAttachment(
  settings: DiscordSettings,
  file: Pick<Attachment, 'name' | 'size' | 'contentType'>,
): void {
  const { maxBytes, types } = settings.attachments;
  if (file.size > maxBytes) {
    throw new ValidationError(
      `"${file.name}" is ${formatBytes(file.size)}; the limit here is ${formatBytes(maxBytes)}.`,
    );
  }
  const type = (file.contentType ?? guessType(file.name)).split(';')[0]!.trim().toLowerCase();
  const allowed = types.some((t) => (t.endsWith('/') ? type.startsWith(t) : type === t));
  if (!allowed)
    throw new ValidationError(`"${file.name}" is ${type || 'an unknown type'}; accepted here: ${types.join(', ')}.`);
}

/**
 * Downloads an upload (after the limit check) as a tool attachment value. The size Discord reported
 * is checked first, then the declared Content-Length, then the bytes as they stream in, so a large
 * or lying download is cut off at the limit instead of being held in memory whole.
 */
export async function fetchAttachment(
  settings: DiscordSettings,
  file: Pick<Attachment, 'name' | 'size' | 'contentType' | 'url'>,
  signal?: AbortSignal,
): Promise<ToolAttachment> {
  checkAttachment(settings, file);
  const { maxBytes } = settings.attachments;
  const tooLarge = () => new ValidationError(`"${file.name}" is larger than ${formatBytes(maxBytes)}.`);
  const res = await fetch(file.url, { signal });
  if (!res.ok) {
    await res.body?.cancel().catch(() => {});
    throw new ValidationError(`Could not download "${file.name}" (HTTP ${res.status}); please upload it again.`);
  }
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    parts.push(value);
  }
  const bytes = Buffer.concat(parts, size);
  return { name: file.name, mimeType: file.contentType ?? guessType(file.name), data: bytes.toString('base64') };
}

/** A tool's input from the interaction's options, one field per option; attachments are downloaded. */
export async function toolInput(
  settings: DiscordSettings,
  tool: RegisteredTool,
  interaction: ChatInputCommandInteraction,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const input: Record<string, unknown> = {};
  for (const field of tool.fields) {
    if (field.type === 'attachment') {
      const file = interaction.options.getAttachment(field.name);
      if (file) input[field.name] = await fetchAttachment(settings, file, signal);
      continue;
    }
    const option = interaction.options.get(field.name);
    if (option && option.value !== undefined && option.value !== null) input[field.name] = option.value;
  }
  return input;
}

function guessType(name: string): string {
  const ext = name.toLowerCase().split('.').pop() ?? '';
  const types: Record<string, string> = {
    md: 'text/markdown',
    txt: 'text/plain',
    html: 'text/html',
    htm: 'text/html',
    csv: 'text/csv',
    json: 'application/json',
    pdf: 'application/pdf',
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
  };
  return types[ext] ?? 'application/octet-stream';
}

function formatBytes(n: number): string {
  return n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}
