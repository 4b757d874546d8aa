import { mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import type { RegisteredTool } from '@hearth/core';
import { type Caller, HearthError, type ToolResult } from '@hearth/sdk';
import type { CliContext } from '../context.js';
import { BadInputError } from './flags.js';

/** Exit codes of a tool command: scripts can tell bad input from a refusal, a timeout or a failure. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, permission: 3, timeout: 4, cancelled: 130 } as const;

/** The exit code for an error a tool call ended with. */
export function exitCodeOf(err: unknown): number {
  const code = err instanceof HearthError || err instanceof BadInputError ? err.code : undefined;
  switch (code) {
    case 'invalid_input':
      return EXIT.badInput;
    case 'permission_denied':
      return EXIT.permission;
    case 'timeout':
      return EXIT.timeout;
    case 'cancelled':
      return EXIT.cancelled;
    default:
      return EXIT.failed;
  }
}

/** The local operator: admin, every permission the operator config gives the CLI. */
export function cliCaller(): Caller {
  return { surface: 'cli', userId: userInfo().username, roles: [], isAdmin: true };
}

/** Options of {@link runToolCommand}. */
export interface RunOptions {
  /** Print `{ data, text, files }` as JSON instead of text. */
  json?: boolean;
  /** Folder for images and files (default: the current folder). */
  outDir?: string;
  /** Exact path of an output part, for aliases with `--out` flags; undefined: `<outDir>/<name>`; null: not saved. */
  paths?: (
    part: { name: string; index: number; type: 'image' | 'file' },
    result: ToolResult,
  ) => string | null | undefined;
  /** Title of the progress bar. */
  title?: string;
}

/** What a run wrote: paths of saved images and files, and the result. */
export interface RunOutcome {
  result?: ToolResult;
  files: string[];
  exitCode: number;
}

/**
 * Calls one tool the way every generated command does: a progress bar from `ctx.progress`,
 * Ctrl-C cancels, images and files saved with their paths printed, `--json` prints the structured
 * result, and the exit code says what went wrong (2 bad input, 3 permission, 4 timeout, 1 failure).
 * Never throws: errors are printed (redacted) to stderr.
 */
export async function runToolCommand(
  ctx: CliContext,
  tool: RegisteredTool,
  input: Record<string, unknown>,
  options: RunOptions = {},
): Promise<RunOutcome> {
  const hearth = await ctx.hearth();
  const abort = new AbortController();
  const onInt = () => abort.abort('interrupted (Ctrl-C)');
  process.once('SIGINT', onInt);
  const bar = ctx.progress(options.title ?? tool.name);
  try {
    const result = await hearth.registry.call(tool.name, input, {
      caller: cliCaller(),
      signal: abort.signal,
      onProgress: (fraction, message) => bar.update(Math.round(fraction * 100), 100, message),
    });
    bar.done('done');
    const files = saveParts(result, options);
    const text = result.content.flatMap((p) => (p.type === 'text' ? [p.text] : []));
    if (options.json) ctx.printJson({ data: result.data ?? null, text: text.join('\n\n'), files });
    else {
      for (const t of text) ctx.print(t.replace(/\*\*/g, ''));
      if (tool.render?.cli?.data === 'table') for (const line of dataTable(result.data)) ctx.print(line);
      for (const f of files) ctx.print(`Wrote ${f}`);
    }
    return { result, files, exitCode: EXIT.ok };
  } catch (err) {
    bar.done('failed');
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`hearth: ${ctx.redactor.redact(message)}\n`);
    const exitCode = exitCodeOf(err);
    process.exitCode = exitCode;
    return { files: [], exitCode };
  } finally {
    process.off('SIGINT', onInt);
  }
}

function saveParts(result: ToolResult, options: RunOptions): string[] {
  const dir = resolve(options.outDir ?? '.');
  const written: string[] = [];
  let images = 0;
  result.content.forEach((part, index) => {
    if (part.type === 'text') return;
    const name = part.type === 'image' ? `image-${++images}.png` : safeName(part.name);
    const chosen = options.paths?.({ name, index, type: part.type }, result);
    if (chosen === null) return;
    const path = resolve(chosen ?? join(dir, name));
    mkdirSync(resolve(path, '..'), { recursive: true });
    writeFileSync(path, part.data);
    written.push(path);
  });
  return written;
}

/** A plugin-chosen file name, kept inside the output folder. */
function safeName(name: string): string {
  const base = name.replace(/[\\/]/g, '_').replace(/^\.+/, '');
  return base || 'file';
}

/** `key  value` lines of a result's top-level data fields (objects as compact JSON). */
export function dataTable(data: unknown): string[] {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return data === undefined ? [] : [JSON.stringify(data)];
  const entries = Object.entries(data as Record<string, unknown>).filter(([, v]) => v !== undefined);
  const width = Math.max(0, ...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${k.padEnd(width)}  ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
}
