import type { z } from 'zod';
import type { AtomicStorageApi, Caller, ToolContext } from './context.js';
import type { ToolReturn } from './results.js';

/** What an autocomplete handler gets besides the typed text. */
export interface AutocompleteContext {
  /** Who is typing. */
  caller: Caller;
  /** The plugin's storage for the caller's guild (needs `storage`). */
  storage: AtomicStorageApi;
  /** The other fields filled in so far (unvalidated, may be partial). */
  input: Record<string, unknown>;
  /** Aborted when the host's autocomplete time limit (2 s by default) passes. */
  signal: AbortSignal;
}

/** One suggestion: a plain value, or a label shown to the user with the value sent to the tool. */
export type AutocompleteChoice = string | number | { name: string; value: string | number };

/**
 * Suggestions for a field while the user types (Discord autocomplete, MCP completion/complete,
 * CLI shell completion). At most 25 are shown; a handler that throws or runs past the limit shows none.
 * @param partial - what the user has typed in this field
 * @param ctx - caller, storage, the other fields and a time-limit signal
 * @returns suggestions, best first
 * @example
 * autocomplete: { city: async (partial) => CITIES.filter((c) => c.startsWith(partial)) }
 */
export type AutocompleteHandler = (
  partial: string,
  ctx: AutocompleteContext,
) => Promise<AutocompleteChoice[]> | AutocompleteChoice[];

/**
 * How each surface shows a tool's result, where the default does not fit. Every field is optional;
 * a surface ignores hints it has no use for.
 */
export interface RenderHints {
  /**
   * Discord: `data: 'embed'` (the default when a result has data) shows it as embed fields,
   * `'hidden'` shows only the content parts; `ephemeral: true` shows the reply to the caller only.
   */
  discord?: { data?: 'embed' | 'hidden'; ephemeral?: boolean };
  /** CLI: `data: 'table'` prints `data`'s top-level fields after the text; `--json` always prints it all. */
  cli?: { data?: 'table' | 'hidden' };
  /** MCP: `dataAsText: false` leaves out the JSON text copy of `structuredContent` (for clients that read it). */
  mcp?: { dataAsText?: boolean };
}

/**
 * One tool of a plugin. Its zod `input` schema is the single source for Discord slash options,
 * the MCP inputSchema, CLI flags and generated docs.
 */
export interface ToolDefinition<
  Input extends z.ZodObject = z.ZodObject,
  Output extends z.ZodType | undefined = z.ZodType | undefined,
> {
  /** Lower-case name, 1-32 characters of `a-z0-9_-`; namespaced by the plugin id on every surface. */
  name: string;
  /** One line, at most 100 characters (Discord's limit). */
  description: string;
  input: Input;
  output?: Output;
  /** `admin`: only callers with `isAdmin`. Default `everyone`. */
  access?: 'everyone' | 'admin';
  /** Time limit in ms; default the host's (60 s). */
  timeoutMs?: number;
  /** Field name -> suggestions while typing. */
  autocomplete?: Partial<Record<keyof z.infer<Input> & string, AutocompleteHandler>>;
  /** Run in a worker thread (CPU-heavy tools), so the event loop stays responsive. */
  worker?: boolean;
  /** Per-surface rendering hints; see {@link RenderHints}. */
  render?: RenderHints;
  /**
   * Does the work.
   * @param input - the input, already validated and with defaults applied
   * @param ctx - caller, cancellation signal, progress, log and the permission-checked services
   * @returns markdown text, or `{ content, data }` (`data` must match `output`)
   * @throws anything: the caller sees `Tool "<plugin>_<tool>" failed: <message>`, secrets redacted
   */
  run(
    input: z.infer<Input>,
    ctx: ToolContext,
  ): Promise<ToolReturn<Output extends z.ZodType ? z.infer<Output> : unknown>>;
}

/**
 * Types a tool definition: `run`'s input is inferred from the zod `input` schema, and its data
 * from `output`. Validation happens when the plugin is defined and loaded.
 * @param tool - name, description, zod input (and output) schema, `run`, and optional access,
 * time limit, autocomplete, worker thread and rendering hints
 * @returns the same definition
 * @example
 * const forecast = defineTool({
 *   name: 'forecast',
 *   description: "Tomorrow's weather for a city",
 *   input: z.object({ city: z.string().describe('city name') }),
 *   async run({ city }, ctx) {
 *     const res = await ctx.fetch(`https://wttr.in/${encodeURIComponent(city)}?format=3`);
 *     return res.text();
 *   },
 * });
 */
export function defineTool<Input extends z.ZodObject, Output extends z.ZodType | undefined = undefined>(
  tool: ToolDefinition<Input, Output>,
): ToolDefinition<Input, Output> {
  return tool;
}

/** A tool definition with its type parameters erased, as the host stores it. */
// biome-ignore lint/suspicious/noExplicitAny: erased generic for heterogeneous tool lists
export type AnyToolDefinition = ToolDefinition<any, any>;
