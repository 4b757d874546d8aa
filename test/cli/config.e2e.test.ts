import { describe, expect, it } from 'vitest';
import { runHearth, workDir } from './hearth.js';

/**
 * Issue 12: `HEARTH_CHAT_MODEL=gpt-4 hearth chat --once ...` answered extractively and exited 0
 * with one JSON warn line. A bad model reference is bad configuration: every command stops with
 * the key, the value and the valid forms, and exits non-zero.
 */
describe('a bad model reference stops every command', () => {
  const FORMS = ['local', 'hf:<repo id>', 'openai:<model>@<base url>', 'gguf:<path'];
  const commands = [['chat', '--once', 'what is hearth?'], ['search', 'hearth'], ['mcp'], ['start', '--no-docs']];

  it.each(commands.map((c) => [c.join(' '), c]))('hearth %s', async (_name, args) => {
    const run = await runHearth(args as string[], { cwd: workDir(), env: { HEARTH_CHAT_MODEL: 'gpt-4' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^hearth: Config key "models\.chat" \(or env HEARTH_CHAT_MODEL\): .*"gpt-4"/);
    for (const form of FORMS) expect(run.stderr).toContain(form);
    expect(run.stderr).not.toContain('{"level"');
    expect(run.stdout).toBe('');
  });

  it('names the embedding and image keys too', async () => {
    const embed = await runHearth(['search', 'x'], { cwd: workDir(), env: { HEARTH_EMBED_MODEL: 'ada-002' } });
    expect(embed.code).toBe(1);
    expect(embed.stderr).toMatch(/"models\.embed" \(or env HEARTH_EMBED_MODEL\): "ada-002" .*local:<variant>/);
    const image = await runHearth(['chat', '--once', 'x'], {
      cwd: workDir(),
      env: { HEARTH_IMAGE_MODEL: 'openai:sdxl' },
    });
    expect(image.code).toBe(1);
    expect(image.stderr).toMatch(/"models\.image" \(or env HEARTH_IMAGE_MODEL\): .*"openai:sdxl"/);
  });

  it('a configured chat model that cannot load stops chat instead of answering extractively', async () => {
    const run = await runHearth(['chat', '--once', 'what is hearth?'], {
      cwd: workDir(),
      env: { HEARTH_CHAT_MODEL: 'gguf:/nonexistent/model.gguf' },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^hearth: models\.chat \(HEARTH_CHAT_MODEL\) "gguf:\/nonexistent\/model\.gguf" cannot be used: .*no such file/m,
    );
    expect(run.stdout).toBe('');
  });

  it('doctor reports it as a failed check and exits 1', async () => {
    const run = await runHearth(['doctor'], { cwd: workDir(), env: { HEARTH_CHAT_MODEL: 'gpt-4' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL config: Config key "models\.chat".*"gpt-4"/);
  });
});
