import type { APIActionRowComponent, APIButtonComponent, AttachmentBuilder, EmbedBuilder } from 'discord.js';
import { type SourceRef, sourcesBlock } from './results.js';
import { MESSAGE_LIMIT, splitMessage } from './split.js';
import { EditThrottle } from './throttle.js';

/** One message's content as the surface sends it. */
export interface Payload {
  content: string;
  files?: AttachmentBuilder[];
  embeds?: EmbedBuilder[];
  /** Buttons under the message (the answer's last message carries them). */
  components?: APIActionRowComponent<APIButtonComponent>[];
}

/**
 * Where an answer goes: a reply to a message, or an interaction's (deferred) reply. `primary`
 * creates or edits the first message; `followUp` sends the next ones. Both return the message id.
 */
export interface ReplyTarget {
  primary(payload: Payload): Promise<string | undefined>;
  followUp(payload: Payload): Promise<string | undefined>;
}

/**
 * A streamed answer: tokens become throttled edits of one message (at most one per interval), and
 * `finish` replaces it with the final text, split under Discord's limit, with sources at the end.
 */
export class StreamedAnswer {
  private text = '';
  private readonly throttle: EditThrottle<string>;
  /** Ids of every message sent for this answer, in order. */
  readonly messageIds: string[] = [];

  constructor(
    private readonly target: ReplyTarget,
    intervalMs: number,
    onError: (err: unknown) => void,
  ) {
    this.throttle = new EditThrottle(intervalMs, (content) => this.sendPrimary({ content }), onError);
  }

  /** Adds streamed text (a delta). */
  token(delta: string): void {
    this.text += delta;
    if (this.text.trim()) this.throttle.push(preview(this.text));
  }

  /** The text streamed so far. */
  get streamed(): string {
    return this.text;
  }

  /** Sends the final answer (replacing the streamed preview) and any extra payload on the last message. */
  async finish(text: string, sources: SourceRef[], extra: Omit<Payload, 'content'> = {}): Promise<void> {
    await this.throttle.cancel();
    const body = `${text.trim() || '(no answer)'}${sourcesBlock(sources)}`;
    const chunks = splitMessage(body);
    for (const [i, content] of chunks.entries()) {
      const payload: Payload = i === chunks.length - 1 ? { content, ...extra } : { content };
      if (i === 0) await this.sendPrimary(payload);
      else this.record(await this.target.followUp(payload));
    }
  }

  /** Ends the answer with a notice (timeout, cancellation, error), keeping what was streamed. */
  async fail(notice: string): Promise<void> {
    await this.throttle.cancel();
    const kept = this.text.trim() ? `${preview(this.text, MESSAGE_LIMIT - notice.length - 4)}\n\n` : '';
    await this.sendPrimary({ content: `${kept}${notice}` });
  }

  private async sendPrimary(payload: Payload): Promise<void> {
    const id = await this.target.primary(payload);
    if (this.messageIds.length === 0) this.record(id);
  }

  private record(id: string | undefined): void {
    if (id) this.messageIds.push(id);
  }
}

/** The first part of a long streamed text, with an ellipsis when more follows. */
function preview(text: string, limit = MESSAGE_LIMIT): string {
  if (text.length <= limit) return text;
  const first = splitMessage(text, limit - 2)[0] ?? text.slice(0, limit - 2);
  return `${first} …`;
}
