/**
 * Tool schemas in the form every client generation compiles. Zod emits JSON Schema 2020-12 with a
 * `"$schema"` declaration and `$defs`; Ajv in draft-07 mode (SDK 1.12) cannot compile a schema that
 * declares 2020-12, and resolves `$ref`s only into `definitions`. The subset Hearth's tools use means
 * the same in both drafts once the declaration is gone and `$defs` is spelled `definitions`.
 */
export function toDraft07<T>(schema: T): T {
  return rewrite(schema) as T;
}

/** Keywords whose value maps names (property names, definition names) to schemas. */
const NAME_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

function rewrite(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewrite);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema') continue;
    if (key === '$ref' && typeof value === 'string') out.$ref = value.replace(/^#\/\$defs\//, '#/definitions/');
    else if (NAME_MAPS.has(key) && typeof value === 'object' && value !== null && !Array.isArray(value))
      out[key === '$defs' ? 'definitions' : key] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, rewrite(sub)]),
      );
    else out[key] = rewrite(value);
  }
  return out;
}
