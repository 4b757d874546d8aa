import type { Logger } from '@hearth/sdk';
import pino from 'pino';
import { type ConsoleLogMode, readableDestination } from './console.js';
import { fileDestination } from './file.js';
import type { Redactor } from './redact.js';
import { currentRequestId } from './request.js';

export type { ConsoleLogMode } from './console.js';

/** Hearth's structured logger: pino, with every line passed through the redactor. */
export type HearthLogger = pino.Logger;

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Lowest level logged (to the file, and to the terminal in `json` and `verbose` modes). */
  level: string;
  redactor: Redactor;
  /** One destination for every line (tests); when set, `file` and `console` are ignored. */
  destination?: pino.DestinationStream;
  /** Log file (size-capped, rotated once); every line at `level` goes there. */
  file?: string;
  /** What the terminal (stderr) gets; default `json`. stdout never gets log lines (CLI output, MCP stdio). */
  console?: ConsoleLogMode;
  /** Size of the log file before it is rotated; default 5 MiB. */
  fileMaxBytes?: number;
}

/**
 * Creates the process logger. With `file`, every line goes to the log file; the terminal (stderr)
 * gets JSON (`json`, servers), one readable line per warning or error (`quiet`), every line
 * readable (`verbose`) or nothing (`none`). Without `file` and `destination`: JSON on stderr.
 * Lines written inside `withRequestId(...)` (log/request.ts) carry `requestId`.
 */
export function createLogger(options: LoggerOptions): HearthLogger {
  const hooks = { streamWrite: (line: string) => options.redactor.redact(line) };
  // every line written inside withRequestId(...) carries its id, in every stream and child logger
  const common = { base: undefined, hooks, mixin: requestIdField };
  if (options.destination) return pino({ level: options.level, ...common }, options.destination);
  const mode = options.console ?? 'json';
  const levelValue = (name: string) => pino.levels.values[name] ?? Number.POSITIVE_INFINITY;
  const streams: pino.StreamEntry[] = [];
  if (options.file && options.level !== 'silent') {
    const file = fileDestination(options.file, {
      maxBytes: options.fileMaxBytes,
      onError: (err) =>
        process.stderr.write(
          `hearth: cannot write the log file ${options.file} (${err.message}); logs go to the terminal only\n`,
        ),
    });
    streams.push({ level: options.level as pino.Level, stream: file });
  }
  if (mode === 'json' && options.level !== 'silent')
    streams.push({ level: options.level as pino.Level, stream: pino.destination({ fd: 2, sync: true }) });
  if (mode === 'quiet' || mode === 'verbose') {
    // quiet shows warnings and errors whatever the level; verbose what the level allows
    const consoleLevel =
      mode === 'verbose' ? options.level : levelValue(options.level) > levelValue('warn') ? options.level : 'warn';
    if (consoleLevel !== 'silent')
      streams.push({
        level: consoleLevel as pino.Level,
        stream: readableDestination({ mode, logFile: options.file }),
      });
  }
  if (!streams.length) return pino({ level: 'silent', base: undefined });
  const lowest = streams.reduce(
    (a, s) => (levelValue(s.level as string) < levelValue(a) ? (s.level as string) : a),
    'fatal',
  );
  return pino({ level: lowest, ...common }, pino.multistream(streams));
}

/** The `requestId` field of a line logged inside {@link withRequestId}; nothing outside one. */
function requestIdField(): { requestId?: string } {
  const requestId = currentRequestId();
  return requestId ? { requestId } : {};
}

/** Adapts a pino child to the SDK's small Logger interface. */
export function sdkLogger(log: HearthLogger): Logger {
  return {
    debug: (m, f) => log.debug(f ?? {}, m),
    info: (m, f) => log.info(f ?? {}, m),
    warn: (m, f) => log.warn(f ?? {}, m),
    error: (m, f) => log.error(f ?? {}, m),
  };
}
