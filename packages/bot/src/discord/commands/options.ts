import type { FieldSpec } from '@hearth/sdk';
import {
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandOptionChoice,
  ApplicationCommandOptionType,
} from 'discord.js';

const DESCRIPTION_MAX = 100;
const CHOICE_NAME_MAX = 100;
const STRING_LENGTH_MAX = 6000;

/** Discord's type for each field type. */
const OPTION_TYPE = {
  string: ApplicationCommandOptionType.String,
  integer: ApplicationCommandOptionType.Integer,
  number: ApplicationCommandOptionType.Number,
  boolean: ApplicationCommandOptionType.Boolean,
  attachment: ApplicationCommandOptionType.Attachment,
} as const;

/** A slash option from one tool field: type, choices, bounds, required and autocomplete carried over. */
export function optionFromField(field: FieldSpec): APIApplicationCommandBasicOption {
  if (field.array) {
    // Discord has no list options: a text option of comma-separated values (parseFieldText splits it)
    const each = field.choices ? `; each one of ${field.choices.join(', ')}` : '';
    return {
      name: field.name,
      description: clip(`${field.description || field.name} (comma-separated${each})`, DESCRIPTION_MAX),
      required: field.required,
      type: ApplicationCommandOptionType.String,
      max_length: STRING_LENGTH_MAX,
    } as APIApplicationCommandBasicOption;
  }
  const base = {
    name: field.name,
    description: clip(field.description || field.name, DESCRIPTION_MAX),
    required: field.required,
  };
  switch (field.type) {
    case 'string':
      return {
        ...base,
        type: ApplicationCommandOptionType.String,
        ...(field.choices ? { choices: choices(field.choices.map(String)) } : {}),
        ...(field.autocomplete && !field.choices ? { autocomplete: true } : {}),
        ...(field.minLength !== undefined ? { min_length: Math.min(field.minLength, STRING_LENGTH_MAX) } : {}),
        ...(field.maxLength !== undefined ? { max_length: Math.min(field.maxLength, STRING_LENGTH_MAX) } : {}),
      } as APIApplicationCommandBasicOption;
    case 'integer':
    case 'number':
      return {
        ...base,
        type: OPTION_TYPE[field.type],
        ...(field.choices ? { choices: choices(field.choices.map(Number)) } : {}),
        ...(field.autocomplete && !field.choices ? { autocomplete: true } : {}),
        ...(field.min !== undefined ? { min_value: field.min } : {}),
        ...(field.max !== undefined ? { max_value: field.max } : {}),
      } as APIApplicationCommandBasicOption;
    default:
      return { ...base, type: OPTION_TYPE[field.type] } as APIApplicationCommandBasicOption;
  }
}

/** Options for every field, required ones first (Discord rejects optional before required). */
export function optionsFromFields(fields: FieldSpec[]): APIApplicationCommandBasicOption[] {
  return [...fields.filter((f) => f.required), ...fields.filter((f) => !f.required)].map(optionFromField);
}

function choices<T extends string | number>(values: T[]): APIApplicationCommandOptionChoice<T>[] {
  return values.map((value) => ({ name: clip(String(value), CHOICE_NAME_MAX), value }));
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
