import { DiscordAPIError } from 'discord.js';

/** One field Discord refused in a command list. */
export interface RefusedField {
  /** The command's name (from the index in the list sent), or undefined for a list-level error. */
  command?: string;
  /** Path of the field inside the command, e.g. `options[1].description`. */
  field: string;
  code: string;
  message: string;
}

interface ErrorTree {
  _errors?: { code?: string; message?: string }[];
  [key: string]: unknown;
}

/**
 * The fields a rejected `PUT .../commands` named, from Discord's error body
 * (`{ code: 50035, errors: { "0": { "name": { "_errors": [...] } } } }`), mapped back to command names.
 */
export function refusedFields(err: unknown, sent: { name: string }[]): RefusedField[] {
  const raw = err instanceof DiscordAPIError ? (err.rawError as { errors?: ErrorTree }) : undefined;
  if (!raw?.errors) return [];
  const out: RefusedField[] = [];
  const walk = (node: ErrorTree, path: string[]) => {
    for (const e of node._errors ?? []) out.push(fieldOf(path, e, sent));
    for (const [key, child] of Object.entries(node)) {
      if (key !== '_errors' && child && typeof child === 'object') walk(child as ErrorTree, [...path, key]);
    }
  };
  walk(raw.errors, []);
  return out;
}

function fieldOf(path: string[], e: { code?: string; message?: string }, sent: { name: string }[]): RefusedField {
  const [first, ...rest] = path;
  const index = first !== undefined && /^\d+$/.test(first) ? Number(first) : undefined;
  const field = (index === undefined ? path : rest).reduce(
    (acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part),
    '',
  );
  return {
    ...(index !== undefined ? { command: sent[index]?.name ?? `#${index}` } : {}),
    field: field || '(the command)',
    code: e.code ?? 'UNKNOWN',
    message: e.message ?? 'refused',
  };
}

/** A sentence for the log: `command "paint" field options[1].description: Must be 100 or fewer in length. (BASE_TYPE_MAX_LENGTH)`. */
export function describeRefusal(err: unknown, sent: { name: string }[]): string {
  const fields = refusedFields(err, sent);
  const status = err instanceof DiscordAPIError ? `HTTP ${err.status} ` : '';
  if (!fields.length) return `${status}${String((err as Error)?.message ?? err).split('\n')[0]}`;
  return `${status}${fields
    .map((f) => `${f.command ? `command "${f.command}" ` : ''}field ${f.field}: ${f.message} (${f.code})`)
    .join('; ')}`;
}
