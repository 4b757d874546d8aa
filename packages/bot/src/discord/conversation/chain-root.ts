import type { Message } from 'discord.js';
import type { SurfaceContext } from '../context.js';
import { linkOrWarn } from './link.js';

/** How far up a reply chain the bot follows references when its links are missing. */
const MAX_HOPS = 25;

/**
 * The root of the reply chain a message continues. Known links answer at once (cache, then database);
 * on a miss for a reply to the bot (links pruned, a fresh data folder) the chain is rebuilt by
 * following `message_reference` through the API up to its first message, and the messages
 * walked are linked again so the next reply needs no walk. Rejects when the database cannot be
 * read (a `DatabaseUnavailableError`, for the member); a failed link write is only logged.
 */
export async function chainRoot(ctx: SurfaceContext, message: Message): Promise<string> {
  const referenced = message.reference?.messageId;
  if (!referenced) return message.id;
  const known = await ctx.chains.rootOf(referenced);
  if (known) return known;
  // a mention replying to someone else's message starts a chain there, as before
  if (message.mentions.repliedUser?.id !== ctx.client.user?.id) return referenced;
  const walked: string[] = [];
  let current = message;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const ref = current.reference?.messageId;
    if (!ref) break;
    const root = await ctx.chains.rootOf(ref);
    if (root) {
      if (walked.length) await linkOrWarn(ctx, root, ...walked);
      return root;
    }
    const parent = await current.fetchReference().catch(() => undefined);
    if (!parent) break; // deleted or not visible: the chain starts at the last message reached
    walked.push(parent.id);
    current = parent;
  }
  const root = walked.length ? current.id : referenced;
  await linkOrWarn(ctx, root, ...walked);
  ctx.log.debug({ root, hops: walked.length }, 'discord: reply chain rebuilt from message references');
  return root;
}
