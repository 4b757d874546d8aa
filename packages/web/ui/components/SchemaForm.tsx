import { useState } from 'preact/hooks';
import { api, fileToBase64 } from '../api.js';

/** The subset of JSON Schema that tool inputs use (derived from their zod schemas). */
export interface Schema {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  anyOf?: Schema[];
  'x-hearth-attachment'?: boolean;
}

type Values = Record<string, unknown>;

/** The schema without a nullable/optional wrapper (`anyOf: [X, {type: 'null'}]`). */
function unwrap(s: Schema): Schema {
  if (s.anyOf) return s.anyOf.find((x) => x.type !== 'null') ?? s;
  return s;
}

function kindOf(s: Schema): string {
  if (s['x-hearth-attachment']) return 'attachment';
  if (s.enum) return 'enum';
  const t = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
  return t ?? 'string';
}

/** The initial form values: each field's default, arrays empty. */
export function initialValues(schema: Schema): Values {
  const values: Values = {};
  for (const [name, raw] of Object.entries(schema.properties ?? {})) {
    const s = unwrap(raw);
    if (s.default !== undefined) values[name] = s.default;
    else if (kindOf(s) === 'array') values[name] = [];
    else if (kindOf(s) === 'boolean') values[name] = false;
  }
  return values;
}

/** Form values to the tool's input: empty optional fields left out, numbers parsed. */
export function toInput(schema: Schema, values: Values): Values {
  const input: Values = {};
  for (const [name, raw] of Object.entries(schema.properties ?? {})) {
    const s = unwrap(raw);
    const v = values[name];
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0 && !schema.required?.includes(name)))
      continue;
    const kind = kindOf(s);
    if (kind === 'number' || kind === 'integer') input[name] = Number(v);
    else if (kind === 'array') {
      const itemKind = kindOf(unwrap(s.items ?? {}));
      input[name] = (v as string[])
        .filter((x) => x !== '')
        .map((x) => (itemKind === 'number' || itemKind === 'integer' ? Number(x) : x));
    } else input[name] = v;
  }
  return input;
}

/** Props of {@link SchemaForm}. */
interface Props {
  tool: string;
  schema: Schema;
  autocomplete: string[];
  values: Values;
  onChange: (values: Values) => void;
}

/**
 * A form generated from a tool's input schema: text, number (with its range), checkbox, select for
 * choices, repeatable inputs for arrays, file inputs for attachments, and autocomplete suggestions
 * from the tool's own handler. No per-tool code: every tool in the registry gets one.
 */
export function SchemaForm({ tool, schema, autocomplete, values, onChange }: Props) {
  const set = (name: string, value: unknown) => onChange({ ...values, [name]: value });
  return (
    <div class="fields">
      {Object.entries(schema.properties ?? {}).map(([name, raw]) => {
        const s = unwrap(raw);
        const id = `f-${tool}-${name}`;
        const required = schema.required?.includes(name);
        return (
          <div class="field" key={name}>
            {kindOf(s) === 'array' ? (
              <span class="label" id={`${id}-name`}>
                {name}
              </span>
            ) : (
              <label for={id}>
                {name}
                {required ? <span aria-hidden="true"> *</span> : null}
              </label>
            )}
            <Input
              id={id}
              tool={tool}
              name={name}
              schema={s}
              required={!!required}
              value={values[name]}
              complete={autocomplete.includes(name)}
              values={values}
              onValue={(v) => set(name, v)}
            />
            {s.description ? (
              <small id={`${id}-help`} class="help">
                {s.description}
                {rangeText(s)}
              </small>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}

function rangeText(s: Schema): string {
  const lo = s.minimum ?? s.exclusiveMinimum;
  const hi = s.maximum ?? s.exclusiveMaximum;
  if (lo !== undefined && hi !== undefined) return ` (${lo}–${hi})`;
  if (lo !== undefined) return ` (≥ ${lo})`;
  if (hi !== undefined) return ` (≤ ${hi})`;
  return '';
}

interface InputProps {
  id: string;
  tool: string;
  name: string;
  schema: Schema;
  required: boolean;
  value: unknown;
  complete: boolean;
  values: Values;
  onValue: (v: unknown) => void;
}

function Input({ id, tool, name, schema, required, value, complete, values, onValue }: InputProps) {
  const [choices, setChoices] = useState<string[]>([]);
  const kind = kindOf(schema);
  const described = schema.description ? `${id}-help` : undefined;
  if (kind === 'enum')
    return (
      <select
        id={id}
        aria-describedby={described}
        value={String(value ?? '')}
        onChange={(e) => onValue(schema.enum?.[Number((e.target as HTMLSelectElement).selectedIndex) - 1])}
      >
        <option value="">{required ? 'choose…' : '(default)'}</option>
        {(schema.enum ?? []).map((c) => (
          <option key={String(c)} value={String(c)}>
            {String(c)}
          </option>
        ))}
      </select>
    );
  if (kind === 'boolean')
    return (
      <input
        id={id}
        type="checkbox"
        aria-describedby={described}
        checked={value === true}
        onChange={(e) => onValue((e.target as HTMLInputElement).checked)}
      />
    );
  if (kind === 'number' || kind === 'integer')
    return (
      <input
        id={id}
        type="number"
        aria-describedby={described}
        required={required}
        min={schema.minimum ?? schema.exclusiveMinimum}
        max={schema.maximum ?? schema.exclusiveMaximum}
        step={kind === 'integer' ? 1 : 'any'}
        value={value === undefined ? '' : String(value)}
        onInput={(e) => onValue((e.target as HTMLInputElement).value)}
      />
    );
  if (kind === 'attachment')
    return (
      <input
        id={id}
        type="file"
        aria-describedby={described}
        required={required}
        onChange={async (e) => {
          const file = (e.target as HTMLInputElement).files?.[0];
          if (!file) return onValue(undefined);
          onValue({ name: file.name, mimeType: file.type || undefined, data: await fileToBase64(file) });
        }}
      />
    );
  if (kind === 'array') {
    const list = (value as string[] | undefined) ?? [];
    return (
      <fieldset class="array" aria-labelledby={`${id}-name`} aria-describedby={described}>
        {list.map((item, i) => (
          <div class="row" key={i}>
            <input
              aria-label={`${name} ${i + 1}`}
              value={item}
              onInput={(e) => onValue(list.map((x, j) => (j === i ? (e.target as HTMLInputElement).value : x)))}
            />
            <button type="button" class="ghost" onClick={() => onValue(list.filter((_, j) => j !== i))}>
              remove
            </button>
          </div>
        ))}
        {schema.maxItems === undefined || list.length < schema.maxItems ? (
          <button type="button" class="ghost" onClick={() => onValue([...list, ''])}>
            add {name}
          </button>
        ) : null}
      </fieldset>
    );
  }
  const long = (schema.maxLength ?? 0) > 200 || name === 'prompt' || name === 'text';
  const common = {
    id,
    'aria-describedby': described,
    required,
    maxLength: schema.maxLength,
    value: String(value ?? ''),
    list: complete ? `${id}-choices` : undefined,
    onInput: async (e: Event) => {
      const v = (e.target as HTMLInputElement).value;
      onValue(v);
      if (complete) {
        const q = new URLSearchParams({ field: name, q: v, input: JSON.stringify(values) });
        const r = await api<{ choices: string[] }>(`/api/tools/${tool}/complete?${q}`).catch(() => ({ choices: [] }));
        setChoices(r.choices);
      }
    },
  };
  return (
    <>
      {long ? <textarea rows={3} {...common} /> : <input {...common} />}
      {complete ? (
        <datalist id={`${id}-choices`}>
          {choices.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
      ) : null}
    </>
  );
}
