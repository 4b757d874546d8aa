/**
 * Remembers which reply chain each message belongs to, so a reply to any message of a chain
 * (the user's or the bot's) continues the same conversation. Bounded: oldest entries go first.
 */
export class ChainIndex {
  private readonly roots = new Map<string, string>();

  constructor(private readonly capacity = 50_000) {}

  /** The chain root of a message, when known. */
  rootOf(messageId: string): string | undefined {
    return this.roots.get(messageId);
  }

  /** Records that `messageIds` belong to the chain rooted at `root`. */
  link(root: string, ...messageIds: string[]): void {
    for (const id of messageIds) {
      this.roots.delete(id);
      this.roots.set(id, root);
    }
    while (this.roots.size > this.capacity) this.roots.delete(this.roots.keys().next().value!);
  }
}
