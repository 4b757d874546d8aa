/**
 * Discord's documented JSON shapes for what a bot sends: application commands, message
 * components and interaction responses. A body that breaks a rule is answered like Discord
 * does, `400 { code: 50035, message: 'Invalid Form Body', errors: { <path>: { _errors: [...] } } }`,
 * so the bot under test meets the same refusals it would meet in production.
 * https://discord.com/developers/docs/interactions/application-commands
 * https://discord.com/developers/docs/interactions/message-components
 * https://discord.com/developers/docs/interactions/receiving-and-responding
 */
import { HttpError } from './http.js';

/** Locales Discord accepts in `name_localizations` and `description_localizations`. */
export const LOCALES = new Set([
  'id',
  'da',
  'de',
  'en-GB',
  'en-US',
  'es-ES',
  'es-419',
  'fr',
  'hr',
  'it',
  'lt',
  'hu',
  'nl',
  'no',
  'pl',
  'pt-BR',
  'ro',
  'fi',
  'sv-SE',
  'vi',
  'tr',
  'cs',
  'el',
  'bg',
  'ru',
  'uk',
  'hi',
  'th',
  'zh-CN',
  'ja',
  'zh-TW',
  'ko',
]);
const CHAT_NAME = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

type Tree = { _errors?: { code: string; message: string }[]; [key: string]: unknown };

/** Collects field errors at paths, then throws them as one 50035. */
class Errors {
  readonly tree: Tree = {};
  count = 0;

  add(path: (string | number)[], code: string, message: string): void {
    let node = this.tree;
    for (const part of path) node = (node[String(part)] ??= {}) as Tree;
    (node._errors ??= []).push({ code, message });
    this.count++;
  }

  length(path: (string | number)[], value: unknown, min: number, max: number, required = true): void {
    if (value === undefined || value === null) {
      if (required) this.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
      return;
    }
    if (typeof value !== 'string') {
      this.add(path, 'STRING_TYPE_CONVERT', 'Could not interpret value as string.');
      return;
    }
    if (value.length < min || value.length > max)
      this.add(path, 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${max} in length.`);
  }

  throwIfAny(): void {
    if (this.count) throw new HttpError(400, 50035, 'Invalid Form Body', this.tree);
  }
}

function lowercaseOk(name: string): boolean {
  return name === name.toLowerCase();
}

function localizations(
  errors: Errors,
  path: (string | number)[],
  value: unknown,
  check: (text: string) => string | undefined,
): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'object') {
    errors.add(path, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used.');
    return;
  }
  for (const [locale, text] of Object.entries(value as Record<string, unknown>)) {
    if (!LOCALES.has(locale)) errors.add([...path, locale], 'LOCALE_INVALID', `Invalid locale "${locale}".`);
    else if (typeof text !== 'string') errors.add([...path, locale], 'STRING_TYPE_CONVERT', 'Must be a string.');
    else {
      const problem = check(text);
      if (problem) errors.add([...path, locale], 'APPLICATION_COMMAND_INVALID_NAME', problem);
    }
  }
}

function chatName(errors: Errors, path: (string | number)[], name: unknown): void {
  if (typeof name !== 'string') {
    errors.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    return;
  }
  if (!CHAT_NAME.test(name) || !lowercaseOk(name))
    errors.add(path, 'APPLICATION_COMMAND_INVALID_NAME', `Command name is invalid`);
}

function options(errors: Errors, path: (string | number)[], list: unknown, depth: number): void {
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) {
    errors.add(path, 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType.');
    return;
  }
  if (list.length > 25) errors.add(path, 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
  let optionalSeen = false;
  const names = new Set<string>();
  for (const [i, o] of (list as Record<string, unknown>[]).entries()) {
    const at = [...path, i];
    const type = o.type as number;
    if (!Number.isInteger(type) || type < 1 || type > 11)
      errors.add([...at, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of (1..11).');
    chatName(errors, [...at, 'name'], o.name);
    if (names.has(String(o.name)))
      errors.add([...at, 'name'], 'APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS', 'Option names must be unique');
    names.add(String(o.name));
    errors.length([...at, 'description'], o.description, 1, 100);
    localizations(errors, [...at, 'name_localizations'], o.name_localizations, (t) =>
      CHAT_NAME.test(t) && lowercaseOk(t) ? undefined : 'Option name is invalid',
    );
    localizations(errors, [...at, 'description_localizations'], o.description_localizations, (t) =>
      t.length >= 1 && t.length <= 100 ? undefined : 'Must be between 1 and 100 in length.',
    );
    const sub = type === 1 || type === 2;
    if (sub) {
      if (depth >= 2)
        errors.add([...at, 'type'], 'APPLICATION_COMMAND_OPTION_TYPE_INVALID', 'Subcommands nest at most two levels');
      options(errors, [...at, 'options'], o.options, depth + 1);
      continue;
    }
    if (o.required) {
      if (optionalSeen)
        errors.add(
          [...at, 'required'],
          'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
          'Required options must be placed before non-required options',
        );
    } else optionalSeen = true;
    if (Array.isArray(o.choices)) {
      if (o.choices.length > 25)
        errors.add([...at, 'choices'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
      if (o.autocomplete)
        errors.add(
          [...at, 'autocomplete'],
          'APPLICATION_COMMAND_AUTOCOMPLETE_INVALID',
          'Autocomplete cannot be set with choices',
        );
      for (const [j, c] of (o.choices as { name?: unknown; value?: unknown }[]).entries()) {
        errors.length([...at, 'choices', j, 'name'], c.name, 1, 100);
        if (typeof c.value === 'string' && c.value.length > 100)
          errors.add([...at, 'choices', j, 'value'], 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.');
      }
    }
  }
}

/** Checks a `PUT .../commands` body: names, descriptions, options, localisations, per-type limits. */
export function checkCommands(list: unknown): void {
  const errors = new Errors();
  if (!Array.isArray(list)) {
    errors.add([], 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType.');
    errors.throwIfAny();
    return;
  }
  const perType = new Map<number, number>();
  const names = new Set<string>();
  for (const [i, c] of (list as Record<string, unknown>[]).entries()) {
    const type = (c.type as number | undefined) ?? 1;
    perType.set(type, (perType.get(type) ?? 0) + 1);
    const key = `${type}:${String(c.name)}`;
    if (names.has(key))
      errors.add([i, 'name'], 'APPLICATION_COMMANDS_DUPLICATE_NAME', `Application command names must be unique`);
    names.add(key);
    if (type === 1) {
      chatName(errors, [i, 'name'], c.name);
      errors.length([i, 'description'], c.description, 1, 100);
      options(errors, [i, 'options'], c.options, 0);
      localizations(errors, [i, 'name_localizations'], c.name_localizations, (t) =>
        CHAT_NAME.test(t) && lowercaseOk(t) ? undefined : 'Command name is invalid',
      );
      localizations(errors, [i, 'description_localizations'], c.description_localizations, (t) =>
        t.length >= 1 && t.length <= 100 ? undefined : 'Must be between 1 and 100 in length.',
      );
    } else if (type === 2 || type === 3) {
      // user and message commands: any case and spaces, no description, no options
      errors.length([i, 'name'], c.name, 1, 32);
      if (c.description !== undefined && c.description !== '')
        errors.add(
          [i, 'description'],
          'APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION',
          'Context menu commands cannot have a description',
        );
      if (Array.isArray(c.options) && c.options.length)
        errors.add(
          [i, 'options'],
          'APPLICATION_COMMAND_CONTEXT_MENU_OPTIONS',
          'Context menu commands cannot have options',
        );
      localizations(errors, [i, 'name_localizations'], c.name_localizations, (t) =>
        t.length >= 1 && t.length <= 32 ? undefined : 'Must be between 1 and 32 in length.',
      );
    } else errors.add([i, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of (1, 2, 3, 4).');
  }
  if ((perType.get(1) ?? 0) > 100)
    errors.add([], 'APPLICATION_COMMAND_TOO_MANY', 'Maximum number of chat input commands (100) reached');
  for (const t of [2, 3])
    if ((perType.get(t) ?? 0) > 5)
      errors.add([], 'APPLICATION_COMMAND_TOO_MANY', `Maximum number of type ${t} commands (5) reached`);
  errors.throwIfAny();
}

/** Checks message components: at most 5 action rows of at most 5 buttons, each button well formed. */
function components(errors: Errors, path: (string | number)[], rows: unknown): void {
  if (rows === undefined || rows === null) return;
  if (!Array.isArray(rows)) {
    errors.add(path, 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType.');
    return;
  }
  if (rows.length > 5) errors.add(path, 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
  const ids = new Set<string>();
  for (const [i, row] of (rows as Record<string, unknown>[]).entries()) {
    if (row.type !== 1) {
      errors.add([...path, i, 'type'], 'UNION_TYPE_CHOICES', 'Top-level components must be action rows (type 1).');
      continue;
    }
    const inner = row.components as Record<string, unknown>[] | undefined;
    if (!Array.isArray(inner) || inner.length < 1 || inner.length > 5) {
      errors.add([...path, i, 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
      continue;
    }
    for (const [j, b] of inner.entries()) {
      const at = [...path, i, 'components', j];
      if (b.type !== 2) continue; // selects and text inputs are not used by Hearth; buttons are checked
      const style = b.style as number;
      if (!Number.isInteger(style) || style < 1 || style > 5)
        errors.add([...at, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of (1, 2, 3, 4, 5).');
      if (b.label === undefined && b.emoji === undefined)
        errors.add([...at, 'label'], 'BASE_TYPE_REQUIRED', 'A button needs a label or an emoji');
      errors.length([...at, 'label'], b.label, 1, 80, false);
      if (style === 5) {
        if (typeof b.url !== 'string') errors.add([...at, 'url'], 'BASE_TYPE_REQUIRED', 'This field is required');
        if (b.custom_id !== undefined)
          errors.add([...at, 'custom_id'], 'COMPONENT_LINK_CUSTOM_ID', 'Link buttons cannot have a custom_id');
      } else {
        errors.length([...at, 'custom_id'], b.custom_id, 1, 100);
        if (typeof b.custom_id === 'string') {
          if (ids.has(b.custom_id))
            errors.add(
              [...at, 'custom_id'],
              'COMPONENT_CUSTOM_ID_DUPLICATED',
              'Component custom id cannot be duplicated',
            );
          ids.add(b.custom_id);
        }
      }
    }
  }
}

/** Checks a message body (create, edit, follow-up, callback data): content, embeds, components, flags. */
export function checkMessageBody(body: Record<string, unknown>, path: (string | number)[] = []): void {
  const errors = new Errors();
  messageBody(errors, body, path);
  errors.throwIfAny();
}

function messageBody(errors: Errors, body: Record<string, unknown>, path: (string | number)[]): void {
  if (typeof body.content === 'string' && body.content.length > 2000)
    errors.add([...path, 'content'], 'BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.');
  if (Array.isArray(body.embeds) && body.embeds.length > 10)
    errors.add([...path, 'embeds'], 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
  components(errors, [...path, 'components'], body.components);
  // flags a bot may set on a message: SUPPRESS_EMBEDS, EPHEMERAL, SUPPRESS_NOTIFICATIONS, IS_COMPONENTS_V2
  const flags = body.flags as number | undefined;
  if (flags !== undefined && flags !== null && (flags & ~(4 | 64 | 4096 | 32768)) !== 0)
    errors.add([...path, 'flags'], 'MESSAGE_FLAGS_INVALID', 'Invalid message flags');
  const mentions = body.allowed_mentions as { parse?: unknown[]; users?: unknown[]; roles?: unknown[] } | undefined;
  if (mentions?.parse) {
    for (const [i, p] of mentions.parse.entries())
      if (!['roles', 'users', 'everyone'].includes(String(p)))
        errors.add(
          [...path, 'allowed_mentions', 'parse', i],
          'BASE_TYPE_CHOICES',
          'Value must be one of (roles, users, everyone).',
        );
    if (mentions.parse.includes('users') && mentions.users?.length)
      errors.add(
        [...path, 'allowed_mentions'],
        'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE',
        'parse:users and users are mutually exclusive',
      );
  }
}

/** Interaction callback types Discord accepts for each interaction type. */
const CALLBACKS: Record<number, number[]> = {
  2: [4, 5, 9], // application command: message, deferred message, modal
  3: [4, 5, 6, 7, 9], // component: also deferred update and update message
  4: [8], // autocomplete
  5: [4, 5, 6, 7], // modal submit
};

/** Checks `POST /interactions/:id/:token/callback`: the type fits the interaction, the data is a valid message. */
export function checkCallback(interactionType: number, body: Record<string, unknown>): void {
  const errors = new Errors();
  const type = body.type as number;
  if (!(CALLBACKS[interactionType] ?? []).includes(type))
    errors.add(
      ['type'],
      'INTERACTION_CALLBACK_TYPE_INVALID',
      `Callback type ${type} is not valid for interaction type ${interactionType}`,
    );
  const data = (body.data ?? {}) as Record<string, unknown>;
  if (type === 4 || type === 7) messageBody(errors, data, ['data']);
  if (type === 8) {
    const choices = data.choices as unknown[] | undefined;
    if (!Array.isArray(choices)) errors.add(['data', 'choices'], 'BASE_TYPE_REQUIRED', 'This field is required');
    else if (choices.length > 25)
      errors.add(['data', 'choices'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
  }
  errors.throwIfAny();
}
