import { HearthError } from '@hearth/sdk';
import type { Redactor } from '../log/redact.js';
import type { ConversationRepository } from '../storage/conversations.js';

/** A conversation-store failure as users see it: one clear line, secrets redacted, the cause kept for the log. */
export class DatabaseUnavailableError extends HearthError {
  constructor(message: string, cause: unknown) {
    super('database_unavailable', message, { cause });
  }
}

/**
 * The repository with every failure turned into a {@link DatabaseUnavailableError} ("the database
 * is unavailable: …"), so a PostgreSQL outage during a turn reaches the user as a sentence rather
 * than a driver stack. The pool's connection timeout bounds how long a call can wait.
 */
export function guardConversations(repo: ConversationRepository, redactor: Redactor): ConversationRepository {
  const fail = (err: unknown): never => {
    if (err instanceof DatabaseUnavailableError) throw err;
    const detail = redactor.redact((err as Error)?.message || String(err));
    throw new DatabaseUnavailableError(`The database is unavailable: ${detail}. Try again shortly.`, err);
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
    appendExchange: (c, m, s) => guard(repo.appendExchange(c, m, s)),
    reset: (c) => guard(repo.reset(c)),
    guildPersona: (g) => guard(repo.guildPersona(g)),
    setGuildPersona: (g, p) => guard(repo.setGuildPersona(g, p)),
  };
}
