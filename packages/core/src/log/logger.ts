import type { Logger } from '@hearth/sdk';
import pino from 'pino';
import type { Redactor } from './redact.js';

/** Hearth's structured logger: pino, with every line passed through the redactor. */
export type HearthLogger = pino.Logger;

/** Creates the process logger. Lines go to stderr so stdout stays clean for CLI output and MCP stdio. */
export function createLogger(options: {
  level: string;
  redactor: Redactor;
  destination?: pino.DestinationStream;
}): HearthLogger {
  const destination = options.destination ?? pino.destination({ fd: 2, sync: true });
  return pino(
    {
      level: options.level,
      base: undefined,
      hooks: { streamWrite: (line) => options.redactor.redact(line) },
    },
    destination,
  );
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
