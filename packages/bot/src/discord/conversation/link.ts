import type { SurfaceContext } from '../context.js';

/**
 * Links messages to their chain where a failed write must not fail the work around it (an answer
 * already sent, a chain rebuilt from references): a database failure is logged, not shown. This
 * process's cache still holds the links, and a later reply whose links are missing rebuilds the
 * chain by following message references.
 */
export async function linkOrWarn(ctx: SurfaceContext, root: string, ...messageIds: string[]): Promise<void> {
  await ctx.chains.link(root, ...messageIds).catch((err) => {
    ctx.log.warn(
      { err: ctx.redact(String((err as Error)?.message ?? err)), root },
      'discord: could not store reply chain links',
    );
  });
}
