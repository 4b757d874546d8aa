import type { Attachment, Collection } from 'discord.js';
import { fetchAttachment } from '../commands/inputs.js';
import type { SurfaceContext } from '../context.js';

/** An image a question carries, downloaded, as the engine hands it to a vision-capable model. */
export interface QuestionImage {
  name: string;
  mimeType: string;
  /** Base64 of the bytes. */
  data: string;
}

/** Image types vision models behind OpenAI-compatible servers accept. */
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif']);
/** Vision requests grow fast: more than a few images rarely helps. */
const MAX_IMAGES = 4;

/** Whether the configured chat model can see images, and its reference for the message saying it cannot. */
export async function chatVision(ctx: SurfaceContext): Promise<{ canSee: boolean; ref: string }> {
  const models = ctx.hearth.models;
  const ref = models?.describe().chat ?? 'local';
  const model = await models?.chat().catch(() => undefined);
  return { canSee: Boolean(model?.supportsImages), ref: model?.ref ?? ref };
}

/**
 * The question's images for the model: downloaded (within the attachment limits) when the chat
 * model can see images; otherwise none, and a note that says so plainly.
 */
export async function questionImages(
  ctx: SurfaceContext,
  attachments: Collection<string, Attachment> | Attachment[],
  signal?: AbortSignal,
): Promise<{ images: QuestionImage[]; note?: string }> {
  const list = [...attachments.values()].filter((a) => IMAGE_TYPES.has((a.contentType ?? '').split(';')[0]!.trim()));
  if (!list.length) return { images: [] };
  const vision = await chatVision(ctx);
  const names = list.map((a) => `"${a.name}"`).join(', ');
  if (!vision.canSee) {
    return {
      images: [],
      note: `🖼️ I could not look at ${names}: the configured model (${vision.ref}) cannot see images, so this answer is from your text only.`,
    };
  }
  const images: QuestionImage[] = [];
  const skipped: string[] = [];
  for (const file of list.slice(0, MAX_IMAGES)) {
    try {
      const got = await fetchAttachment(ctx.settings, file, signal);
      images.push({ name: got.name, mimeType: got.mimeType ?? file.contentType ?? 'image/png', data: got.data });
    } catch (err) {
      skipped.push(`${file.name} (${(err as Error).message})`);
    }
  }
  if (list.length > MAX_IMAGES) skipped.push(`${list.length - MAX_IMAGES} more (at most ${MAX_IMAGES} per question)`);
  return {
    images,
    ...(skipped.length ? { note: `🖼️ Not looked at: ${skipped.join('; ')}.` } : {}),
  };
}
