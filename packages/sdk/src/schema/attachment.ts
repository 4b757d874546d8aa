import { z } from 'zod';

/** JSON Schema marker that tells surfaces a field is a file upload. */
export const ATTACHMENT_MARKER = 'x-hearth-attachment';

/**
 * A file input: a Discord attachment option, an MCP object `{ name, mimeType, data }` with base64
 * data, a CLI file path. Use it as a field of a tool's input schema.
 */
export function attachment(description: string) {
  return z
    .object({
      name: z.string().describe('file name'),
      mimeType: z.string().optional().describe('MIME type'),
      data: z.string().describe('file content, base64'),
    })
    .describe(description)
    .meta({ [ATTACHMENT_MARKER]: true });
}

/** The value of an {@link attachment} field. */
export type Attachment = { name: string; mimeType?: string; data: string };

/** Decodes an attachment's base64 data. */
export function attachmentBytes(file: Attachment): Uint8Array {
  return new Uint8Array(Buffer.from(file.data, 'base64'));
}
