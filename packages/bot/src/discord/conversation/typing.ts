/** Discord shows "typing" for about 10 s after one request. */
const TYPING_LASTS_MS = 8_000;

/** A channel that can show the typing indicator. */
export interface Typable {
  id: string;
  sendTyping(): Promise<unknown>;
}

/**
 * Typing indicators that cost as few REST calls as possible: one starts only when an answer has
 * not appeared after a short delay, and a channel already showing one is not asked again, so a
 * busy channel does not spend its rate limit on typing.
 */
export class TypingIndicators {
  private readonly lastSent = new Map<string, number>();

  constructor(private readonly delayMs = 300) {}

  /** Shows typing in `channel` until the returned function is called. */
  start(channel: Typable): () => void {
    let stopped = false;
    let interval: NodeJS.Timeout | undefined;
    const tick = () => {
      if (stopped) return;
      const now = Date.now();
      if (now - (this.lastSent.get(channel.id) ?? 0) < TYPING_LASTS_MS) return;
      this.lastSent.set(channel.id, now);
      if (this.lastSent.size > 10_000) this.lastSent.delete(this.lastSent.keys().next().value!);
      void channel.sendTyping().catch(() => {});
    };
    const first = setTimeout(() => {
      tick();
      interval = setInterval(tick, 1_000);
    }, this.delayMs);
    return () => {
      stopped = true;
      clearTimeout(first);
      clearInterval(interval);
    };
  }
}
