import { HearthError } from '@hearth/sdk';

/** The `code` label for an error: a HearthError's code, else `internal` (labels stay a small set). */
export function errorCode(err: unknown): string {
  return err instanceof HearthError ? err.code : 'internal';
}

/** REST routes that post something users see: a message, an interaction's answer, a follow-up. */
const REPLY_ROUTES = [
  /^\/channels\/[^/]+\/messages$/,
  /^\/interactions\/[^/]+\/[^/]+\/callback$/,
  /^\/webhooks\/[^/]+\/[^/]+$/,
];

/** Whether a REST request (method, @discordjs/rest route) sent a reply, as opposed to an edit or a read. */
export function isReply(method: string, route: string): boolean {
  return method.toUpperCase() === 'POST' && REPLY_ROUTES.some((r) => r.test(route));
}
