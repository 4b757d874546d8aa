import { HearthError } from '@hearth/sdk';
import type { ConversationRepository } from '../storage/conversations.js';

/** A conversation-store failure as users see it: one clear line, secrets redacted, the cause kept for the log. */
export class DatabaseUnavailableError extends HearthError {
  constructor(message: string, cause: unknown) {
    super('database_unavailable', message, { cause });
  }
}

/**
 * What went wrong, in words a user may see: the kind of failure and the driver's code, never the
 * driver's message (it may name the database's address; it stays on the error's `cause`, for the log).
 */
function failureKind(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  const message = (err as Error)?.message || String(err);
  if (code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED)';
  if (/timeout|timed out/i.test(message)) return 'no answer in time (timeout)';
  if (code === 'ECONNRESET' || /terminat|closed|reset|after calling end/i.test(message))
    return 'the connection was lost';
  if (typeof code === 'string' && /^[A-Z0-9_]{2,}$/.test(code)) return `error ${code}`;
  return 'the query failed';
}

/**
 * Any storage failure as the one sentence users see ("The database is unavailable: connection refused
 * (ECONNREFUSED). Try again shortly."), the driver's error kept as `cause`. Every surface uses it.
 */
export function databaseUnavailable(err: unknown): DatabaseUnavailableError {
  if (err instanceof DatabaseUnavailableError) return err;
  return new DatabaseUnavailableError(`The database is unavailable: ${failureKind(err)}. Try again shortly.`, err);
}

/**
 * The repository with every failure turned into a {@link DatabaseUnavailableError} ("the database
 * is unavailable: …"), so a PostgreSQL outage during a turn reaches the user as a sentence rather
 * than a driver stack. The pool's connection timeout bounds how long a call can wait.
 */
export function guardConversations(repo: ConversationRepository): ConversationRepository {
  const fail = (err: unknown): never => {
    throw databaseUnavailable(err);
  };
  const guard = <T>(p: Promise<T>) => p.catch(fail);
  return {
    summary: (c) => guard(repo.summary(c)),
    async *newestFirst(c, after) {
      try {
        yield* repo.newestFirst(c, after);
      } catch (err) {
        fail(err);
      }
    },
    appendExchange: (c, m, s, o) => guard(repo.appendExchange(c, m, s, o)),
    reset: (c) => guard(repo.reset(c)),
    guildPersona: (g) => guard(repo.guildPersona(g)),
    setGuildPersona: (g, p) => guard(repo.setGuildPersona(g, p)),
  };
}
