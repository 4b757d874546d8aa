import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import { Redactor } from '../../src/log/redact.js';
import { currentRequestId, withRequestId } from '../../src/log/request.js';

const ROOT = resolve(import.meta.dirname, '../../../..');
const lines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('request ids in log lines', () => {
  it('every line inside withRequestId carries its id, through awaits and child loggers; none outside', async () => {
    const out: string[] = [];
    const log = createLogger({
      level: 'info',
      redactor: new Redactor(),
      destination: { write: (l: string) => void out.push(l) } as never,
    });
    await Promise.all([
      withRequestId('req-a', async () => {
        await new Promise((r) => setTimeout(r, 10));
        log.child({ area: 'engine' }).info('a1');
      }),
      withRequestId('req-b', async () => {
        log.info('b1');
        await new Promise((r) => setTimeout(r, 1));
        log.warn({ requestId: 'explicit wins' }, 'b2');
      }),
    ]);
    log.info('none');
    const byMsg = Object.fromEntries(lines(out.join('')).map((l) => [l.msg, l]));
    expect(byMsg.a1).toMatchObject({ requestId: 'req-a', area: 'engine' });
    expect(byMsg.b1).toMatchObject({ requestId: 'req-b' });
    expect(byMsg.b2?.requestId).toBe('explicit wins');
    expect(byMsg.none).not.toHaveProperty('requestId');
    expect(currentRequestId()).toBeUndefined();
  });

  it('reaches both the log file and the readable terminal (verbose)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hearth-reqlog-')), 'hearth.log');
    const terminal: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
      terminal.push(String(chunk));
      return true;
    });
    const log = createLogger({ level: 'info', redactor: new Redactor(), file, console: 'verbose' });
    const id = await withRequestId(undefined, async () => {
      log.info('handled');
      return currentRequestId();
    });
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(lines(readFileSync(file, 'utf8'))).toEqual([expect.objectContaining({ msg: 'handled', requestId: id })]);
    expect(terminal.join('')).toContain(`hearth: info: handled (requestId=${id})`);
  });

  it('reaches the log file and the JSON lines on stderr of a real process', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hearth-reqlog-')), 'hearth.log');
    const child = spawnSync(
      process.execPath,
      ['--conditions=hearth-source', '--import', 'tsx', resolve(import.meta.dirname, 'fixtures/request-log.ts'), file],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(child.status, child.stderr).toBe(0);
    for (const text of [child.stderr, readFileSync(file, 'utf8')]) {
      const [inside, outside] = lines(text);
      expect(inside).toMatchObject({ msg: 'inside', area: 'engine', requestId: 'req-child-42' });
      expect(outside).toMatchObject({ msg: 'outside' });
      expect(outside).not.toHaveProperty('requestId');
    }
  });
});
