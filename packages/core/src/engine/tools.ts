import { type Caller, type ResultPart, resultText } from '@hearth/sdk';
import type { ToolRegistry } from '../plugins/registry.js';
import type { ToolCall, ToolSpec } from '../providers/types.js';
import { TOOL_CALL_CLOSE, TOOL_CALL_OPEN } from './prompt.js';

/** Tools the engine never offers the model: `ask` would recurse into the engine. */
const NOT_OFFERED = new Set(['ask']);

/** The registry's tools this caller may use, as model tool specs (admin-only tools only for admins). */
export function toolSpecsFor(registry: ToolRegistry, caller: Caller): ToolSpec[] {
  return registry
    .list()
    .filter(
      (t) =>
        !NOT_OFFERED.has(t.name) && (t.access === 'everyone' || caller.isAdmin) && /^[A-Za-z0-9_-]{1,64}$/.test(t.name),
    )
    .map((t) => ({ name: t.name, description: t.description, parameters: t.inputSchema }));
}

/**
 * Reads a parsed-fallback tool call from a model answer. Only an answer that *starts* with the tag
 * counts, so a call quoted or echoed inside prose is never dispatched.
 */
export function parseToolCallText(text: string, id: string): ToolCall | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith(TOOL_CALL_OPEN)) return undefined;
  const end = trimmed.indexOf(TOOL_CALL_CLOSE);
  const json = trimmed.slice(TOOL_CALL_OPEN.length, end < 0 ? undefined : end).trim();
  try {
    const parsed = JSON.parse(json) as { name?: unknown; arguments?: unknown };
    if (typeof parsed.name !== 'string' || !parsed.name) return undefined;
    return { id, name: parsed.name, arguments: JSON.stringify(parsed.arguments ?? {}) };
  } catch {
    return undefined;
  }
}

/** True while streamed text could still become a parsed tool call (hold it back from the user). */
export function mayBeToolCall(text: string): boolean {
  const t = text.trimStart();
  return t.length < TOOL_CALL_OPEN.length ? TOOL_CALL_OPEN.startsWith(t) : t.startsWith(TOOL_CALL_OPEN);
}

/** Outcome of one dispatched call. */
export interface DispatchResult {
  ok: boolean;
  text: string;
  error?: string;
  attachments: ResultPart[];
}

/**
 * Runs one model tool call through the registry with the caller's own identity and permissions
 * (the registry and the SDK's invoke wrapper enforce access; nothing here widens it).
 */
export async function dispatchToolCall(
  registry: ToolRegistry,
  call: ToolCall,
  options: { caller: Caller; offered: Set<string>; signal?: AbortSignal; onProgress?: (f: number, m?: string) => void },
): Promise<DispatchResult> {
  const fail = (error: string): DispatchResult => ({ ok: false, text: error, error, attachments: [] });
  const tool = registry.get(call.name);
  if (!tool || !options.offered.has(tool.name)) return fail(`Tool "${call.name}" is not available.`);
  let input: unknown;
  try {
    input = call.arguments.trim() ? JSON.parse(call.arguments) : {};
  } catch {
    return fail(`The arguments for ${call.name} are not valid JSON.`);
  }
  try {
    const result = await registry.call(tool.name, input, {
      caller: options.caller,
      signal: options.signal,
      onProgress: options.onProgress,
    });
    const attachments = result.content.filter((p) => p.type !== 'text');
    const described = attachments.map((p) => (p.type === 'image' ? `[image: ${p.alt}]` : `[file: ${p.name}]`));
    return { ok: true, text: [resultText(result), ...described].filter(Boolean).join('\n'), attachments };
  } catch (err) {
    if (options.signal?.aborted) throw err;
    return fail((err as Error).message);
  }
}

/** Canonical text of a call, for the loop guard. */
export function callSignature(call: ToolCall): string {
  let args: unknown = call.arguments;
  try {
    args = sortKeys(JSON.parse(call.arguments || '{}'));
  } catch {
    // keep the raw text
  }
  return `${call.name}:${JSON.stringify(args)}`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}
