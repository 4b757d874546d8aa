import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatEntry, readableDestination } from '../../src/log/console.js';
import { fileDestination } from '../../src/log/file.js';
import { createLogger } from '../../src/log/logger.js';
import { Redactor } from '../../src/log/redact.js';

const dir = () => mkdtempSync(join(tmpdir(), 'hearth-log-'));

describe('log file', () => {
  it('is created on the first line only, and rotated once it reaches maxBytes', () => {
    const path = join(dir(), 'logs', 'hearth.log');
    const file = fileDestination(path, { maxBytes: 100 });
    expect(existsSync(path)).toBe(false);
    const line = (n: number) => `${JSON.stringify({ n, pad: 'x'.repeat(30) })}\n`; // 49 bytes
    file.write(line(1));
    file.write(line(2));
    expect(readFileSync(path, 'utf8')).toBe(line(1) + line(2));
    file.write(line(3)); // would pass 100 bytes: the first two move to .1
    expect(readFileSync(`${path}.1`, 'utf8')).toBe(line(1) + line(2));
    expect(readFileSync(path, 'utf8')).toBe(line(3));
    file.write(line(4));
    file.write(line(5)); // rotates again: the oldest file is dropped
    expect(readFileSync(`${path}.1`, 'utf8')).toBe(line(3) + line(4));
    expect(readFileSync(path, 'utf8')).toBe(line(5));
    file.close();
  });

  it('reports once and carries on when the file cannot be written', () => {
    const blocker = join(dir(), 'not-a-folder');
    const file = fileDestination(blocker, {});
    file.write('x\n'); // creates a file where the next one wants a folder
    file.close();
    const errors: Error[] = [];
    const bad = fileDestination(join(blocker, 'hearth.log'), { onError: (e) => errors.push(e) });
    bad.write('a\n');
    bad.write('b\n');
    expect(errors).toHaveLength(1);
  });
});

describe('readable terminal lines', () => {
  it('formats a pino entry as one line with its error and fields', () => {
    const line = formatEntry(
      { level: 40, time: 1, area: 'engine', msg: 'no usable chat model', err: 'bad ref', support: 0.2 },
      false,
    );
    expect(line).toBe('hearth: warning: no usable chat model: bad ref (support=0.2)');
    expect(formatEntry({ level: 20, area: 'models', msg: 'creating', model: 'local' }, true)).toBe(
      'hearth: debug: creating (area=models, model=local)',
    );
  });

  it('quiet mode shows a repeated message once and says where the rest is', () => {
    const out: string[] = [];
    const dest = readableDestination({ mode: 'quiet', logFile: '/x/hearth.log', write: (t) => out.push(t) });
    for (let i = 0; i < 3; i++) dest.write(`${JSON.stringify({ level: 40, msg: 'local draft rejected' })}\n`);
    dest.write(`${JSON.stringify({ level: 50, msg: 'other' })}\n`);
    expect(out).toEqual([
      'hearth: warning: local draft rejected\n',
      'hearth: (repeated warnings are not shown again; all of them are in /x/hearth.log)\n',
      'hearth: error: other\n',
    ]);
  });
});

describe('createLogger with a file and a quiet terminal', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes every line to the file, only warnings to stderr as text, never JSON, never a secret', () => {
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    const secret = 'canary-logger-5e1f2a';
    const redactor = new Redactor();
    redactor.add(secret);
    const file = join(dir(), 'logs', 'hearth.log');
    const log = createLogger({ level: 'info', redactor, file, console: 'quiet' });
    log.debug('hidden everywhere');
    log.info({ token: secret }, 'plugin loaded');
    log.warn({ err: `401 with ${secret}` }, 'model unreachable');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['plugin loaded', 'model unreachable']);
    expect(stderr.join('')).toBe('hearth: warning: model unreachable: 401 with [redacted]\n');
    expect(readFileSync(file, 'utf8')).not.toContain(secret);
  });

  it('verbose mode shows debug lines as text on stderr', () => {
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    const log = createLogger({
      level: 'debug',
      redactor: new Redactor(),
      file: join(dir(), 'h.log'),
      console: 'verbose',
    });
    log.child({ area: 'models' }).debug({ model: 'local' }, 'creating chat model');
    expect(stderr).toEqual(['hearth: debug: creating chat model (area=models, model=local)\n']);
  });
});

describe('Redactor', () => {
  it('never throws on a non-string, such as the message of a thrown string', () => {
    const r = new Redactor();
    r.add('canary-nonstring-1');
    expect(r.redact(undefined as unknown as string)).toBe('undefined');
    expect(r.redact(42 as unknown as string)).toBe('42');
  });

  it('replaces the longer of two overlapping secrets whole', () => {
    const r = new Redactor();
    r.add('abcdef', 'abcdefghijkl');
    expect(r.redact('x abcdefghijkl y abcdef')).toBe('x [redacted] y [redacted]');
  });
});
