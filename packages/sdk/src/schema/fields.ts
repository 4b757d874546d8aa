import { z } from 'zod';
import { ATTACHMENT_MARKER } from './attachment.js';

/** A JSON Schema object, as zod emits it and MCP servers publish it. */
export type JsonSchema = Record<string, unknown>;

/** One input field, in the terms every surface understands. */
export interface FieldSpec {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'attachment';
  description: string;
  required: boolean;
  choices?: (string | number)[];
  min?: number;
  max?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
  autocomplete?: boolean;
  /**
   * A list of `type` values: repeated flags on the CLI (`--tag a --tag b`), a JSON array over MCP,
   * comma-separated text on Discord and in chat (see {@link parseFieldText}). `choices`, `min` and
   * `max` then apply to each item.
   */
  array?: { minItems?: number; maxItems?: number };
}

/** The zod input schema as JSON Schema (draft 2020-12), the form MCP publishes. */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
}

/**
 * Derives flat field specs from a JSON Schema object. Throws an Error whose message names the
 * field when a field cannot be expressed as a slash option or CLI flag (nested objects, arrays of
 * objects or arrays, unions of different types).
 */
export function fieldsFromJsonSchema(schema: JsonSchema, autocompleteFields: string[] = []): FieldSpec[] {
  if (schema.type !== 'object') throw new Error('input schema must be an object');
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, prop]) => {
    const field = fieldFrom(name, unwrap(prop), required.has(name) && !('default' in prop));
    if (autocompleteFields.includes(name)) field.autocomplete = true;
    return field;
  });
}

function unwrap(prop: JsonSchema): JsonSchema {
  // zod emits nullable/optional as anyOf [T, {type:'null'}]; keep T.
  const anyOf = prop.anyOf as JsonSchema[] | undefined;
  if (anyOf) {
    const nonNull = anyOf.filter((s) => s.type !== 'null');
    if (nonNull.length === 1) return { ...nonNull[0], description: prop.description ?? nonNull[0]!.description };
  }
  return prop;
}

function fieldFrom(name: string, prop: JsonSchema, required: boolean): FieldSpec {
  if (prop.type === 'array') {
    const items = unwrap((prop.items ?? {}) as JsonSchema);
    if (items.type === 'array' || items.type === 'object' || items[ATTACHMENT_MARKER]) {
      throw new Error(
        `field "${name}" is an array of ${items[ATTACHMENT_MARKER] ? 'attachments' : String(items.type)}s; only arrays of strings, numbers, integers, booleans or enums can be flags and options`,
      );
    }
    const item = fieldFrom(name, { ...items, description: prop.description ?? items.description }, required);
    const array = {
      ...(typeof prop.minItems === 'number' ? { minItems: prop.minItems } : {}),
      ...(typeof prop.maxItems === 'number' ? { maxItems: prop.maxItems } : {}),
    };
    const { default: _itemDefault, ...rest } = item;
    return { ...rest, ...(prop.default !== undefined ? { default: prop.default } : {}), array };
  }
  const description = String(prop.description ?? name.replace(/[_-]+/g, ' '));
  const base = { name, description, required, ...(prop.default !== undefined ? { default: prop.default } : {}) };
  if (prop[ATTACHMENT_MARKER]) return { ...base, type: 'attachment' };
  const values = (prop.enum as unknown[] | undefined) ?? ('const' in prop ? [prop.const] : undefined);
  const type = prop.type ?? inferType(values);
  switch (type) {
    case 'string':
      return {
        ...base,
        type: 'string',
        ...(values ? { choices: values as string[] } : {}),
        ...(prop.minLength !== undefined ? { minLength: prop.minLength as number } : {}),
        ...(prop.maxLength !== undefined ? { maxLength: prop.maxLength as number } : {}),
      };
    case 'integer':
    case 'number':
      return {
        ...base,
        type: type as 'integer' | 'number',
        ...(values ? { choices: values as number[] } : {}),
        ...bound('min', prop.minimum, prop.exclusiveMinimum, type === 'integer' ? 1 : 0),
        ...bound('max', prop.maximum, prop.exclusiveMaximum, type === 'integer' ? -1 : 0),
      };
    case 'boolean':
      return { ...base, type: 'boolean' };
    default:
      throw new Error(
        `field "${name}" has type ${JSON.stringify(type ?? 'unknown')}, which slash options and CLI flags cannot express; use a string, number, integer, boolean, enum or attachment`,
      );
  }
}

function inferType(values: unknown[] | undefined): string | undefined {
  if (!values?.length) return undefined;
  const kinds = new Set(values.map((v) => (Number.isInteger(v) ? 'integer' : typeof v)));
  return kinds.size === 1 ? [...kinds][0] : undefined;
}

function bound(
  key: 'min' | 'max',
  inclusive: unknown,
  exclusive: unknown,
  step: number,
): { min?: number; max?: number } {
  if (typeof inclusive === 'number') return { [key]: inclusive };
  if (typeof exclusive === 'number') return { [key]: exclusive + step };
  return {};
}

/**
 * Converts text typed on a surface (a CLI flag, a Discord string option, a chat `key=value`) to
 * the field's type: numbers and booleans parsed, arrays from repeated values or comma-separated
 * text. Range and choice checks are left to the tool's zod schema, which names the field.
 * @param field - the field
 * @param raw - one text value, or several (repeated flags)
 * @returns the value to put in the tool input
 * @throws Error naming the field when the text is not of its type
 */
export function parseFieldText(field: FieldSpec, raw: string | string[]): unknown {
  const one = (text: string): unknown => {
    if (field.type === 'integer' || field.type === 'number') {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n) || (field.type === 'integer' && !Number.isInteger(n)))
        throw new Error(`${field.name} must be ${field.type === 'integer' ? 'an integer' : 'a number'}, not "${text}"`);
      return n;
    }
    if (field.type === 'boolean') {
      if (/^(true|yes|1|on)$/i.test(text)) return true;
      if (/^(false|no|0|off)$/i.test(text)) return false;
      throw new Error(`${field.name} must be true or false, not "${text}"`);
    }
    return text;
  };
  if (field.array) {
    const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((r) =>
      Array.isArray(raw) ? [r] : r.split(',').map((x) => x.trim()),
    );
    return parts.filter((p) => p !== '').map(one);
  }
  return one(Array.isArray(raw) ? (raw.at(-1) ?? '') : raw);
}
