import type { AutocompleteChoice, AutocompleteContext, AutocompleteHandler } from '../tool.js';

/** A normalised suggestion, as every surface shows it. */
export interface Suggestion {
  name: string;
  value: string | number;
}

/** Default limit: Discord drops an autocomplete answer after 3 s, so leave room for the round trip. */
export const AUTOCOMPLETE_TIMEOUT_MS = 2000;

/**
 * Runs one autocomplete handler with a time limit. Never throws and never hangs: a handler that
 * fails or runs past `timeoutMs` yields no suggestions (its signal is aborted). At most 25.
 */
export async function runAutocomplete(
  handler: AutocompleteHandler,
  partial: string,
  ctx: Omit<AutocompleteContext, 'signal'>,
  timeoutMs = AUTOCOMPLETE_TIMEOUT_MS,
): Promise<Suggestion[]> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`autocomplete did not answer within ${timeoutMs} ms`);
      controller.abort(err);
      reject(err);
    }, timeoutMs);
  });
  try {
    const running = Promise.resolve().then(() => handler(partial, { ...ctx, signal: controller.signal }));
    running.catch(() => {});
    const values = await Promise.race([running, limit]);
    return Array.isArray(values) ? values.slice(0, 25).flatMap(toSuggestion) : [];
  } catch {
    return [];
  } finally {
    clearTimeout(timer);
    limit.catch(() => {});
  }
}

function toSuggestion(choice: AutocompleteChoice): Suggestion[] {
  if (typeof choice === 'string' || typeof choice === 'number') return [{ name: String(choice), value: choice }];
  if (choice && typeof choice === 'object' && 'value' in choice) {
    return [{ name: String(choice.name ?? choice.value).slice(0, 100), value: choice.value }];
  }
  return [];
}
