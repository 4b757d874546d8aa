import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { type FieldSpec, parseFieldText } from '@hearth/sdk';
import { type Command, Option } from 'commander';

/** `source_id` -> `--source-id`. */
export function flagName(field: string): string {
  return field.replace(/_/g, '-');
}

/** The help text of a field: its description plus choices, range, default and repetition. */
export function flagHelp(field: FieldSpec): string {
  const notes = [
    field.choices ? `${field.array ? 'each ' : ''}one of ${field.choices.join(', ')}` : '',
    field.min !== undefined || field.max !== undefined ? `range ${field.min ?? '-∞'}..${field.max ?? '∞'}` : '',
    field.minLength !== undefined || field.maxLength !== undefined
      ? `${field.minLength ?? 0}-${field.maxLength ?? '∞'} characters`
      : '',
    field.array ? 'repeat the flag for several values' : '',
    field.type === 'attachment' ? 'a file path' : '',
    field.required ? 'required' : '',
  ].filter(Boolean);
  return notes.length ? `${field.description} (${notes.join('; ')})` : field.description;
}

/**
 * Adds one typed flag per field: numbers parsed, choices listed and checked, defaults shown,
 * arrays as repeated flags, booleans as `--x` / `--no-x`, attachments as file paths.
 */
export function addFieldFlags(command: Command, fields: FieldSpec[]): void {
  for (const field of fields) {
    const flag = flagName(field.name);
    if (field.type === 'boolean' && !field.array) {
      command.addOption(new Option(`--${flag}`, flagHelp(field)));
      command.addOption(new Option(`--no-${flag}`, `turn ${flag} off`).hideHelp());
      continue;
    }
    const placeholder = field.type === 'attachment' ? 'file' : field.type === 'string' ? 'text' : field.type;
    const option = new Option(`--${flag} <${placeholder}>`, flagHelp(field));
    if (field.default !== undefined) option.default(field.default, JSON.stringify(field.default));
    if (field.array) option.argParser((value: string, previous: unknown) => [...asList(previous, field), value]);
    command.addOption(option);
  }
}

function asList(previous: unknown, field: FieldSpec): string[] {
  // the first repeated value replaces the default instead of adding to it
  if (!Array.isArray(previous) || previous === field.default) return [];
  return previous as string[];
}

/** Raised for input the tool never sees: exit code 2, like a schema error. */
export class BadInputError extends Error {
  readonly code = 'invalid_input';
}

/**
 * The tool input from parsed flags: each value converted to its field's type (the zod schema
 * checks ranges and choices afterwards), files read into attachments, missing required fields
 * reported by flag name.
 */
export function inputFromFlags(fields: FieldSpec[], values: Record<string, unknown>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const field of fields) {
    const key = camel(flagName(field.name));
    const raw = values[key];
    if (raw === undefined || (Array.isArray(raw) && raw === field.default)) {
      if (field.required) missing.push(`--${flagName(field.name)} (${field.description})`);
      if (raw !== undefined) input[field.name] = raw;
      continue;
    }
    try {
      if (field.type === 'attachment') input[field.name] = attachmentFromPath(String(raw));
      else if (typeof raw === 'boolean' || typeof raw === 'number') input[field.name] = raw;
      else input[field.name] = parseFieldText(field, raw as string | string[]);
      const values = Array.isArray(input[field.name]) ? (input[field.name] as unknown[]) : [input[field.name]];
      const wrong = field.choices ? values.find((v) => !field.choices?.includes(v as string | number)) : undefined;
      if (wrong !== undefined) throw new Error(`"${String(wrong)}" is not one of ${field.choices!.join(', ')}`);
    } catch (err) {
      throw new BadInputError(`--${flagName(field.name)}: ${(err as Error).message}`);
    }
  }
  if (missing.length) throw new BadInputError(`missing ${missing.join(', ')}`);
  return input;
}

/** commander's attribute name of a flag: `source-id` -> `sourceId`. */
export function camel(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

const MIME: Record<string, string> = {
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.md': 'text/markdown',
  '.txt': 'text/plain',
  '.png': 'image/png',
  '.pdf': 'application/pdf',
  '.html': 'text/html',
};

/** A file path as the attachment value every surface sends: name, MIME type, base64 data. */
export function attachmentFromPath(path: string): { name: string; mimeType?: string; data: string } {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${(err as Error).message}`);
  }
  const mimeType = MIME[extname(path).toLowerCase()];
  return { name: basename(path), ...(mimeType ? { mimeType } : {}), data: data.toString('base64') };
}
