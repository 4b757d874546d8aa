import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '../..');
const fixture = join(import.meta.dirname, 'fixtures/kit.ts');
// the folder the CLI runs in is outside the repo, so tsx is named by its URL
const TSX = import.meta.resolve('tsx');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `hearth` binary from sources in `cwd`; `interruptAfter` sends SIGINT once stderr shows it. */
function hearth(cwd: string, args: string[], interruptOn?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--conditions=hearth-source', '--import', TSX, join(repo, 'packages/bot/src/cli/main.ts'), ...args],
      { cwd, env: { ...process.env, NO_COLOR: '1', HEARTH_LOG_LEVEL: 'error' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (interruptOn && stderr.includes(interruptOn)) {
        interruptOn = undefined;
        child.kill('SIGINT');
      }
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hearth-cli-tools-'));
  writeFileSync(
    join(dir, 'hearth.config.json'),
    JSON.stringify({ plugins: { load: [fixture], firstParty: false }, knowledge: { ingestDocsOnStart: false } }),
  );
});

describe('a CLI command for every tool, generated from its schema', () => {
  it('hearth --help says plugin tools are commands and where to list them, without loading plugins', async () => {
    const r = await hearth(dir, ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Every plugin tool is a command too: hearth <plugin> <tool>/);
    expect(r.stdout).toContain('`hearth tools list`');
    expect(r.stdout).not.toMatch(/^\s+kit\b/m); // not generated: --help stays fast
  });

  it('hearth kit draw: typed flags, repeated flags for arrays, files saved, --json prints the structured result', async () => {
    const r = await hearth(dir, [
      'kit',
      'draw',
      'hello',
      '--size',
      '3',
      '--color',
      'blue',
      '--tags',
      'a',
      '--tags',
      'b',
      '--loud',
      '--json',
    ]);
    expect(r.stderr).not.toMatch(/hearth: /);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.data).toEqual({ title: 'HELLO', size: 3, color: 'blue', tags: ['a', 'b'] });
    expect(out.files).toEqual([join(dir, 'image-1.png'), join(dir, 'notes.txt')]);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('a,b');
    // the progress bar is on stderr and ends with the call's outcome (off a terminal it draws at most every 5 s)
    expect(r.stderr).toContain('done');
  }, 120_000);

  it('text output with a data table; exit codes: 2 for bad input, 3 for a permission refusal, 4 for a timeout, 130 for Ctrl-C', async () => {
    const [table, range, choice, missing, denied, slow, cancelled] = await Promise.all([
      hearth(dir, ['kit', 'draw', '--title', 'hi', '--size', '3', '--out-dir', 'out']),
      hearth(dir, ['kit', 'draw', 'x', '--size', '99']),
      hearth(dir, ['kit', 'draw', 'x', '--color', 'green']),
      hearth(dir, ['kit', 'draw']),
      hearth(dir, ['kit', 'chat']),
      hearth(dir, ['kit', 'slow']),
      hearth(dir, ['kit', 'wait'], 'waiting'),
    ]);
    // without --json: the text, the data as a table (the tool's render hint), the files written
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('drew hi');
    expect(table.stdout).toMatch(/size\s+3\n/);
    expect(table.stdout).toContain(`Wrote ${join(dir, 'out', 'image-1.png')}`);
    expect(range.code).toBe(2);
    expect(range.stderr).toContain('size');
    expect(choice.code).toBe(2);
    expect(choice.stderr).toContain('--color: "green" is not one of red, blue');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing --title (what to write)');
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain('does not declare the "models:chat" permission');
    expect(slow.code).toBe(4);
    expect(cancelled.code).toBe(130);
    expect(cancelled.stderr).toContain('was cancelled');
  }, 180_000);

  it('hearth tools list names each tool on every surface', async () => {
    const r = await hearth(dir, ['tools', 'list', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { mcp: string; cli?: string; discord?: string }[];
    expect(rows.find((t) => t.mcp === 'kit_draw')).toMatchObject({ cli: 'hearth kit draw', discord: '/kit draw' });
    expect(rows.find((t) => t.mcp === 'ask')?.cli).toBeUndefined();
    expect(existsSync(join(dir, '.hearth'))).toBe(true);
  }, 120_000);
});
