import { Writable } from 'node:stream';
import { configSchema, type HearthConfig } from '../../src/config/schema.js';
import { createLogger, type HearthLogger } from '../../src/log/logger.js';
import { Redactor } from '../../src/log/redact.js';

/** A config as loadConfig builds it, from overrides and secrets only. */
export function testConfig(input: Record<string, unknown>, secrets: HearthConfig['secrets'] = {}): HearthConfig {
  return { ...configSchema.parse(input), secrets };
}

/** A logger whose lines are kept in memory, passed through the redactor like the real one. */
export function memoryLogger(redactor = new Redactor()): { log: HearthLogger; lines: string[]; redactor: Redactor } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger({ level: 'debug', redactor, destination }), lines, redactor };
}
