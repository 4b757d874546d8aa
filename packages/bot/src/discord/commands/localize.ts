import type { DiscordSettings } from '../settings.js';

/** Locales Discord accepts in `name_localizations` / `description_localizations`. */
export const DISCORD_LOCALES = new Set([
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

/** A command's name and description in one locale. */
export interface Localized {
  name?: string;
  description?: string;
}

/** command name -> locale -> translation. */
export type Localizations = Record<string, Record<string, Localized>>;

/** Translations shipped for the built-ins and "Ask Hearth"; `discord.localizations` adds or overrides. */
export const BUILTIN_LOCALIZATIONS: Localizations = {
  ask: {
    de: { name: 'fragen', description: 'Stelle Hearth eine Frage; Antworten zitieren die Wissensdatenbank' },
    fr: { name: 'demander', description: 'Posez une question à Hearth ; les réponses citent la base de connaissances' },
    'es-ES': {
      name: 'preguntar',
      description: 'Haz una pregunta a Hearth; las respuestas citan la base de conocimiento',
    },
  },
  help: {
    de: { name: 'hilfe', description: 'Was Hearth hier kann' },
    fr: { name: 'aide', description: 'Ce que Hearth sait faire ici' },
    'es-ES': { name: 'ayuda', description: 'Lo que Hearth puede hacer aquí' },
  },
  reset: {
    de: { name: 'zurücksetzen', description: 'Unser Gespräch in diesem Kanal vergessen' },
    fr: { name: 'oublier', description: 'Oublier notre conversation dans ce salon' },
    'es-ES': { name: 'reiniciar', description: 'Olvidar nuestra conversación en este canal' },
  },
  'Ask Hearth': {
    de: { name: 'Hearth fragen' },
    fr: { name: 'Demander à Hearth' },
    'es-ES': { name: 'Preguntar a Hearth' },
  },
};

const CHAT_NAME = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** A command as registered: only the fields localisation touches. */
interface LocalizableCommand {
  type?: number;
  name: string;
}

/**
 * Adds `name_localizations` / `description_localizations` to each command that has translations
 * (shipped ones, then `discord.localizations` from config). A translation Discord would refuse
 * (unknown locale, invalid name, description over 100 characters) is left out and reported, so
 * one bad entry never blocks registering every command.
 */
export function localizeCommands<T extends LocalizableCommand>(
  commands: T[],
  settings: DiscordSettings,
  warn: (message: string) => void,
): T[] {
  const configured = (settings as { localizations?: Localizations }).localizations ?? {};
  return commands.map((command) => {
    const merged = { ...BUILTIN_LOCALIZATIONS[command.name], ...configured[command.name] };
    const names: Record<string, string> = {};
    const descriptions: Record<string, string> = {};
    const chat = (command.type ?? 1) === 1;
    for (const [locale, t] of Object.entries(merged)) {
      if (!DISCORD_LOCALES.has(locale)) {
        warn(`discord.localizations.${command.name}: "${locale}" is not a Discord locale (e.g. de, fr, es-ES, pt-BR)`);
        continue;
      }
      if (t.name !== undefined) {
        const ok = chat
          ? CHAT_NAME.test(t.name) && t.name === t.name.toLowerCase()
          : t.name.length >= 1 && t.name.length <= 32;
        if (ok) names[locale] = t.name;
        else
          warn(
            `discord.localizations.${command.name}.${locale}.name "${t.name}": ${chat ? 'slash command names are 1-32 lower-case letters, digits, "-" or "_"' : 'names are 1-32 characters'}`,
          );
      }
      if (t.description !== undefined && chat) {
        if (t.description.length >= 1 && t.description.length <= 100) descriptions[locale] = t.description;
        else warn(`discord.localizations.${command.name}.${locale}.description: 1-100 characters`);
      }
    }
    return {
      ...command,
      ...(Object.keys(names).length ? { name_localizations: names } : {}),
      ...(Object.keys(descriptions).length ? { description_localizations: descriptions } : {}),
    } as T;
  });
}
