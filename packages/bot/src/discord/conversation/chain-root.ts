import type { Message } from 'discord.js';
import type { SurfaceContext } from '../context.js';

/** How far up a reply chain the bot follows references when its links are missing. */
const MAX_HOPS = 25;

/**
 * The root of the reply chain a message continues. Known links answer at once (SQLite-backed);
 * on a miss for a reply to the bot (links pruned, a fresh data folder) the chain is rebuilt by
 * following `message_reference` through the API up to its first message, and the messages
 * walked are linked again so the next reply needs no walk.
 */
export async function chainRoot(ctx: SurfaceContext, message: Message): Promise<string> {
  const referenced = message.reference?.messageId;
  if (!referenced) return message.id;
  const known = ctx.chains.rootOf(referenced);
  if (known) return known;
  // a mention replying to someone else's message starts a chain there, as before
  if (message.mentions.repliedUser?.id !== ctx.client.user?.id) return referenced;
  const walked: string[] = [];
  let current = message;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const ref = current.reference?.messageId;
    if (!ref) break;
    const root = ctx.chains.rootOf(ref);
    if (root) {
      if (walked.length) ctx.chains.link(root, ...walked);
      return root;
    }
    const parent = await current.fetchReference().catch(() => undefined);
    if (!parent) break; // deleted or not visible: the chain starts at the last message reached
    walked.push(parent.id);
    current = parent;
  }
  const root = walked.length ? current.id : referenced;
  ctx.chains.link(root, ...walked);
  ctx.log.debug({ root, hops: walked.length }, 'discord: reply chain rebuilt from message references');
  return root;
}
