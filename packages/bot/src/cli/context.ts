import { createHearth, type Hearth, type HearthConfig, loadConfig } from '@hearth/core';
import type { Command } from 'commander';
import { type ProgressBar, progressBar } from './progress.js';

/** Options every command accepts. */
export interface GlobalOptions {
  config?: string;
  dataDir?: string;
  verbose?: boolean;
}

/** What a command file gets besides commander: config, the runtime, output helpers. */
export interface CliContext {
  /** Global options of this invocation. */
  globals(): GlobalOptions;
  /** Loads and validates config (cached). */
  config(): Promise<HearthConfig>;
  /** Creates the runtime once per invocation; it is closed when the command ends. */
  hearth(options?: { skipPlugins?: boolean }): Promise<Hearth>;
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

/** Builds the context for one CLI invocation. */
export function createCliContext(program: Command): CliContext {
  let config: Promise<HearthConfig> | undefined;
  let hearth: Promise<Hearth> | undefined;
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
  return {
    globals,
    config: () => (config ??= loadConfig(loadOptions())),
    hearth: (options) =>
      (hearth ??= (async () =>
        createHearth({
          config: await (config ??= loadConfig(loadOptions())),
          // resolved from the bot package, which depends on the first-party plugins
          importPlugin: (specifier) => import(specifier),
          ...options,
        }))()),
    print: (text) => void process.stdout.write(`${text}\n`),
    printJson: (value) => void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    progress: (title) => progressBar(title),
    async close() {
      if (hearth) await (await hearth.catch(() => undefined))?.close();
    },
  };
}
