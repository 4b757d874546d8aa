import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { outcome, REPO, runHearth, startHearth, waitForOutput, workDir } from './hearth.js';

/** Issue 12: what a new user saw in `hearth chat`. */
describe('hearth chat on the embedded defaults', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = workDir();
    const ingest = await runHearth(['ingest', join(REPO, 'docs/mcp.md')], { cwd });
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(ingest.stderr).not.toContain('{"level"');
  }, 120_000);

  it('--once is stateless: an earlier question never reaches a later prompt', async () => {
    const first = await runHearth(['chat', '--once', 'Tell me about zebras and principals'], { cwd });
    expect(first.code, first.stderr).toBe(0);
    const prompt = await runHearth(['chat', '--once', 'What are principals?', '--show-prompt'], { cwd });
    expect(prompt.code, prompt.stderr).toBe(0);
    expect(prompt.stdout).toContain('What are principals?');
    expect(prompt.stdout).not.toContain('zebras');
  }, 120_000);

  it('--once --session <id> continues that conversation', async () => {
    const first = await runHearth(['chat', '--once', 'Tell me about giraffes', '--session', 'zoo'], { cwd });
    expect(first.code, first.stderr).toBe(0);
    const prompt = await runHearth(['chat', '--once', 'And then?', '--session', 'zoo', '--show-prompt'], { cwd });
    expect(prompt.stdout).toContain('giraffes');
  }, 120_000);

  it('the interactive chat shows no JSON log lines; they go to the log file, named by doctor', async () => {
    const run = await runHearth(['chat'], {
      cwd,
      input: 'How do I connect Claude Desktop?\nWhat does hearth mcp --http serve?\n/exit\n',
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('hearth> ');
    expect(`${run.stdout}\n${run.stderr}`).not.toMatch(/\{"level":/);
    // a warning raised on every turn is shown once at most
    expect(run.stderr.split('local draft rejected').length).toBeLessThanOrEqual(2);
    const log = join(cwd, '.hearth', 'logs', 'hearth.log');
    expect(existsSync(log)).toBe(true);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();

    const doctor = await runHearth(['doctor'], { cwd });
    expect(doctor.stdout).toContain(`ok   logs: ${log}`);
    expect(doctor.stdout).toMatch(/local model runtime: .*ggml-cpu \S+/);
  }, 180_000);

  it('Ctrl-C during an answer stops that answer, not the chat, once the local model has loaded', async () => {
    const child = startHearth(['chat'], { cwd });
    const out = outcome(child);
    const questions = Array.from({ length: 40 }, (_, i) => `What does hearth mcp --http serve? (${i})`);
    child.stdin?.write(`${questions.join('\n')}\n`);
    // the first answer is complete (model loaded, signal-exit installed); the next ones follow at once
    await waitForOutput(out.stdout, /Sources:/, 120_000);
    child.kill('SIGINT');
    await waitForOutput(out.stderr, /interrupted \(Ctrl-C\)/, 30_000);
    child.stdin?.end('/exit\n');
    const { code, signal } = await out;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  }, 180_000);
});
