import { createHearth, type Hearth, type HearthConfig, loadConfig, Redactor } from '@hearth/core';
import { HearthError } from '@hearth/sdk';
import type { Command } from 'commander';
import { type ProgressBar, progressBar } from './progress.js';

/** Options every command accepts. */
export interface GlobalOptions {
  config?: string;
  dataDir?: string;
  verbose?: boolean;
}

/**
 * What the terminal shows of the log (the log file under the data folder gets every line):
 * `quiet` for human-facing commands (one readable line per kind of warning; `--verbose` shows
 * every line), `server` for long-running servers (structured JSON on stderr).
 */
export type LogMode = 'quiet' | 'server';

/** What a command file gets besides commander: config, the runtime, output helpers. */
export interface CliContext {
  /** Global options of this invocation. */
  globals(): GlobalOptions;
  /** Loads and validates config (cached); its secrets join {@link CliContext.redactor}. */
  config(): Promise<HearthConfig>;
  /**
   * Creates the runtime once per invocation; it is closed when the command ends. The first call
   * decides the log mode (default `quiet`).
   */
  hearth(options?: { skipPlugins?: boolean; logs?: LogMode }): Promise<Hearth>;
  /** The one redactor of this process: secrets of the environment, `.env` and the config. */
  redactor: Redactor;
  /** Writes a line to stdout. */
  print(text: string): void;
  /** Writes a value as pretty JSON to stdout. */
  printJson(value: unknown): void;
  /** A progress bar on stderr. */
  progress(title: string): ProgressBar;
  /** Closes the runtime if one was created. */
  close(): Promise<void>;
}

/** A command file: `packages/bot/src/cli/commands/<name>.ts` exporting `register`. */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;

let processRedactor: Redactor | undefined;

/**
 * The redactor every output of this process goes through (errors, crash reports, logs): filled
 * with the environment's and `.env`'s secrets at once, and with the config's when it loads.
 */
export function cliRedactor(): Redactor {
  if (!processRedactor) {
    processRedactor = new Redactor();
    processRedactor.addEnvironment();
  }
  return processRedactor;
}

/** Builds the context for one CLI invocation. */
export function createCliContext(program: Command): CliContext {
  let config: Promise<HearthConfig> | undefined;
  let hearth: Promise<Hearth> | undefined;
  const redactor = cliRedactor();
  const globals = () => program.opts<GlobalOptions>();
  const loadOptions = () => {
    const g = globals();
    return {
      configPath: g.config,
      overrides: {
        ...(g.dataDir ? { dataDir: g.dataDir } : {}),
        ...(g.verbose ? { logLevel: 'debug' as const } : {}),
      },
    };
  };
  const loaded = () =>
    (config ??= loadConfig(loadOptions()).then((c) => {
      redactor.addSecrets(c.secrets);
      return c;
    }));
  return {
    globals,
    config: loaded,
    redactor,
    hearth: (options = {}) =>
      (hearth ??= (async () =>
        createHearth({
          config: await loaded(),
          redactor,
          console: options.logs === 'server' ? 'json' : globals().verbose ? 'verbose' : 'quiet',
          skipPlugins: options.skipPlugins,
          // resolved from the bot package, which depends on the first-party plugins
          importPlugin: (specifier) => import(specifier),
        }))()),
    print: (text) => void process.stdout.write(`${text}\n`),
    printJson: (value) => void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    progress: (title) => progressBar(title),
    async close() {
      if (hearth) await (await hearth.catch(() => undefined))?.close();
    },
  };
}

/** The text `hearth: ...` printed for a failed command or a crash: redacted, with the stack when verbose. */
export function formatFailure(err: unknown, redactor: Redactor, verbose: boolean): string {
  const message =
    err instanceof HearthError || !(err instanceof Error) ? String((err as Error)?.message ?? err) : err.message;
  let text = `hearth: ${message}\n`;
  if (verbose && err instanceof Error && err.stack) text += `${err.stack}\n`;
  return redactor.redact(text);
}

/**
 * Calls `handler` on each Ctrl-C until the returned function is called. Uses `process.on`, not
 * `once`: `signal-exit` (loaded with the local model) re-sends a signal when its own listener is
 * the last one left, which would kill the process instead of interrupting the answer.
 */
export function onInterrupt(handler: () => void): () => void {
  process.on('SIGINT', handler);
  return () => void process.off('SIGINT', handler);
}

/** What {@link watchShutdown} returns. */
export interface ShutdownWatch {
  /** Resolves with the first stop signal (SIGINT or SIGTERM). */
  stopped: Promise<NodeJS.Signals>;
  /** Removes the listeners; call after the graceful shutdown has finished. */
  release(): void;
}

/**
 * For long-running commands (servers, workers): resolves `stopped` on the first SIGINT or
 * SIGTERM and keeps listening until `release()`, so the process stays alive while it finishes
 * in-flight work. A listener registered with `process.once` is gone when the signal arrives, and
 * `signal-exit` (pulled in by `proper-lockfile` when the local model loads) then finds itself the
 * last listener and re-sends the signal, killing the process (exit 143) before the graceful part
 * runs. A second signal during the shutdown exits at once (`onForce` says so first).
 */
export function watchShutdown(
  options: { onForce?: (signal: NodeJS.Signals) => void; exit?: (code: number) => void } = {},
): ShutdownWatch {
  let first: NodeJS.Signals | undefined;
  let resolveStopped!: (signal: NodeJS.Signals) => void;
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    resolveStopped = resolve;
  });
  const handler = (signal: NodeJS.Signals) => {
    if (!first) {
      first = signal;
      resolveStopped(signal);
      return;
    }
    options.onForce?.(signal);
    (options.exit ?? process.exit)(signal === 'SIGINT' ? 130 : 143);
  };
  const onInt = () => handler('SIGINT');
  const onTerm = () => handler('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    stopped,
    release() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}
