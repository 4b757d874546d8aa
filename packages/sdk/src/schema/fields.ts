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
}

/** The zod input schema as JSON Schema (draft 2020-12), the form MCP publishes. */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
}

/**
 * Derives flat field specs from a JSON Schema object. Throws an Error whose message names the
 * field when a field cannot be expressed as a slash option or CLI flag (nested objects, arrays,
 * unions of different types).
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
