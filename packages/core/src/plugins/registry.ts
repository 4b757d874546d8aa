import {
  type Caller,
  type FieldSpec,
  HearthError,
  type JsonSchema,
  type RenderHints,
  type ToolNames,
  type ToolResult,
  toolNames,
  ValidationError,
} from '@hearth/sdk';
import type { Suggestion } from '@hearth/sdk/host';

/** Where a registered tool comes from. */
export type ToolOrigin =
  | { kind: 'builtin' }
  | { kind: 'plugin'; pluginId: string; version: string }
  | { kind: 'mcp'; server: string };

/** Options of one registry call. */
export interface CallOptions {
  caller: Caller;
  signal?: AbortSignal;
  onProgress?: (fraction: number, message?: string) => void;
  timeoutMs?: number;
}

/** A tool as every surface sees it: one definition, many renderings. */
export interface RegisteredTool {
  /** Unique, stable name: built-ins bare (`ask`), plugin tools `<pluginId>_<tool>`, MCP tools `<server>_<tool>`. */
  name: string;
  /** The tool's own short name, offered on Discord and the CLI when no other tool has it. */
  shortName: string;
  origin: ToolOrigin;
  description: string;
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
  fields: FieldSpec[];
  access: 'everyone' | 'admin';
  /** The tool's per-surface rendering hints (Discord embed or not, ephemeral, CLI table, MCP text copy). */
  render?: RenderHints;
  /** Suggested values of a field (strings); never throws, answers within the autocomplete limit. */
  autocomplete?: (field: string, partial: string, caller: Caller, input?: Record<string, unknown>) => Promise<string[]>;
  /** Suggestions with a label and a value (Discord shows the label, sends the value). */
  suggest?: (field: string, partial: string, caller: Caller, input?: Record<string, unknown>) => Promise<Suggestion[]>;
  invoke(input: unknown, options: CallOptions): Promise<ToolResult>;
  /**
   * The checks a call passes before the tool runs (access, input), without running it; throws
   * `permission_denied` / `invalid_input`. Absent for tools Hearth cannot check locally (external MCP).
   */
  check?(input: unknown, caller: Caller): void;
}

/** A change to the set of tools: every surface re-renders (Discord re-registers commands, MCP sends list_changed). */
export type RegistryListener = (event: { added: string[]; removed: string[] }) => void;

/** Given a tool and the invoke it would use, returns the invoke to use instead (see {@link ToolRegistry.wrapInvoke}). */
export type InvokeWrapper = (tool: RegisteredTool, next: RegisteredTool['invoke']) => RegisteredTool['invoke'];

interface WrapperEntry {
  match: (tool: RegisteredTool) => boolean;
  wrap: InvokeWrapper;
}

/**
 * The one tool registry that Discord, MCP, the CLI and the engine's tool calls all read.
 * Names never collide silently: registering a taken name throws.
 */
export class ToolRegistry {
  /** What surfaces see: the added tools with the invoke wrappers applied. */
  private readonly tools = new Map<string, RegisteredTool>();
  /** The tools as added, so a wrapper can be undone. */
  private readonly added = new Map<string, RegisteredTool>();
  private readonly wrappers: WrapperEntry[] = [];
  private readonly listeners = new Set<RegistryListener>();

  /** Adds tools atomically: all or none. */
  add(tools: RegisteredTool[]): void {
    const names = new Set<string>();
    for (const t of tools) {
      const clash = this.tools.get(t.name) ?? (names.has(t.name) ? t : undefined);
      if (clash) {
        throw new HearthError(
          'name_collision',
          `Tool name "${t.name}" (${describeOrigin(t.origin)}) is already taken by ${describeOrigin(clash.origin)}; rename one of them.`,
        );
      }
      names.add(t.name);
    }
    for (const t of tools) {
      this.added.set(t.name, t);
      this.tools.set(t.name, this.wrapped(t));
    }
    this.emit({ added: [...names], removed: [] });
  }

  /** Removes every tool matching the predicate; returns their names. */
  remove(match: (tool: RegisteredTool) => boolean): string[] {
    const removed = [...this.tools.values()].filter(match).map((t) => t.name);
    for (const name of removed) {
      this.tools.delete(name);
      this.added.delete(name);
    }
    if (removed.length) this.emit({ added: [], removed });
    return removed;
  }

  /**
   * Changes how the matching tools run, for the tools present now and every tool added later
   * (e.g. after a plugin reload): each surface's `get(name).invoke` and {@link call} go through
   * `wrap`. The first wrapper installed is the outermost. Returns the function that removes it.
   * The set of tools does not change, so no change event is sent.
   */
  wrapInvoke(match: (tool: RegisteredTool) => boolean, wrap: InvokeWrapper): () => void {
    const entry: WrapperEntry = { match, wrap };
    this.wrappers.push(entry);
    this.rewrap();
    return () => {
      const i = this.wrappers.indexOf(entry);
      if (i < 0) return;
      this.wrappers.splice(i, 1);
      this.rewrap();
    };
  }

  /** Every tool, sorted by name. */
  list(): RegisteredTool[] {
    return [...this.tools.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** A tool by its unique name or an unambiguous short name. */
  get(name: string): RegisteredTool | undefined {
    const exact = this.tools.get(name);
    if (exact) return exact;
    const byShort = [...this.tools.values()].filter((t) => t.shortName === name);
    return byShort.length === 1 ? byShort[0] : undefined;
  }

  /** Every surface's name of a tool (see {@link surfaceNames}). */
  names(tool: RegisteredTool): ToolNames {
    return surfaceNames(tool);
  }

  /**
   * The command a person types, with the slash: `/poll create` for a plugin's (or external MCP
   * server's) tool, `/ask` for a built-in. The same words follow `hearth` on the CLI and name the
   * Discord command and subcommand. Chat's `/tools` lists these; {@link resolveCommand} reads them.
   */
  commandName(tool: RegisteredTool): string {
    return surfaceNames(tool).slash;
  }

  /**
   * The older short display name: the tool's own name when unique, else its full name.
   * @deprecated one name per surface now; use {@link commandName}.
   */
  displayName(tool: RegisteredTool): string {
    if (tool.shortName === tool.name) return tool.name;
    const taken = [...this.tools.values()].some(
      (t) => t !== tool && (t.shortName === tool.shortName || t.name === tool.shortName),
    );
    return taken ? tool.name : tool.shortName;
  }

  /**
   * Resolves a typed command line (`poll create text=hi`, `poll_create text=hi` or `ask why?`) to
   * its tool and the rest of the line; undefined when no tool matches.
   */
  resolveCommand(line: string): { tool: RegisteredTool; rest: string } | undefined {
    const words = line.trim().replace(/^\//, '').split(/\s+/);
    const [first = '', second = ''] = words;
    for (const tool of this.tools.values()) {
      const n = surfaceNames(tool);
      if (n.cli.length === 2 && n.cli[0] === first && n.cli[1] === second) {
        return { tool, rest: restAfter(line, 2) };
      }
    }
    const tool = this.tools.get(first);
    return tool ? { tool, rest: restAfter(line, 1) } : undefined;
  }

  /** Calls a tool by name; unknown names fail with a clear error. */
  async call(name: string, input: unknown, options: CallOptions): Promise<ToolResult> {
    const tool = this.get(name);
    if (!tool)
      throw new ValidationError(
        `Unknown tool "${name}". Known tools: ${
          this.list()
            .map((t) => t.name)
            .join(', ') || 'none'
        }.`,
      );
    return tool.invoke(input, options);
  }

  /**
   * Calls a tool in this process, past the {@link wrapInvoke} wrappers: how a worker runs a queued
   * call (so a worker whose tools are routed to the queue never queues its own jobs again).
   */
  async callLocal(name: string, input: unknown, options: CallOptions): Promise<ToolResult> {
    const routed = this.get(name);
    const tool = routed && this.added.get(routed.name);
    if (!tool) return this.call(name, input, options); // the unknown-tool error
    return tool.invoke(input, options);
  }

  onChange(listener: RegistryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private rewrap(): void {
    for (const t of this.added.values()) this.tools.set(t.name, this.wrapped(t));
  }

  /** The tool with every matching wrapper applied, the last installed innermost. */
  private wrapped(tool: RegisteredTool): RegisteredTool {
    let invoke = tool.invoke;
    for (const w of [...this.wrappers].reverse()) if (w.match(tool)) invoke = w.wrap(tool, invoke);
    return invoke === tool.invoke ? tool : { ...tool, invoke };
  }

  private emit(event: { added: string[]; removed: string[] }): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // a surface failing to re-render must not break registration
      }
    }
  }
}

function describeOrigin(origin: ToolOrigin): string {
  if (origin.kind === 'plugin') return `plugin "${origin.pluginId}"`;
  if (origin.kind === 'mcp') return `MCP server "${origin.server}"`;
  return 'a built-in tool';
}

/**
 * Every surface's name of a registered tool, from the one rule in the SDK ({@link toolNames}):
 * plugin and external MCP tools are grouped under their owner (`/poll create`); built-ins keep
 * their own name everywhere.
 */
export function surfaceNames(tool: Pick<RegisteredTool, 'name' | 'shortName' | 'origin'>): ToolNames {
  if (tool.origin.kind === 'plugin') return toolNames(tool.origin.pluginId, tool.shortName);
  if (tool.origin.kind === 'mcp') return toolNames(tool.origin.server, tool.shortName);
  return {
    group: tool.name,
    mcp: tool.name,
    discord: { command: tool.name },
    cli: [tool.name],
    slash: `/${tool.name}`,
  };
}

function restAfter(line: string, words: number): string {
  return line
    .trim()
    .replace(/^\//, '')
    .split(/(\s+)/)
    .slice(words * 2)
    .join('')
    .trim();
}
