import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../discord/emulator/server.js';
import { outcome, REPO, runHearth, startHearth, waitForOutput, workDir } from './hearth.js';

/**
 * Issue 15, bug 5, on Discord: after the local model has answered (signal-exit is loaded with it),
 * SIGTERM must still run "finishing in-flight work, then disconnecting" and exit 0.
 */
describe('hearth discord stops gracefully on SIGTERM', () => {
  let emu: Emulator | undefined;
  let child: ReturnType<typeof startHearth> | undefined;
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await emu?.close();
  });

  it('answers the messages it accepted, disconnects and exits 0 after the local model was used', async () => {
    emu = await startEmulator();
    const cwd = workDir();
    writeFileSync(
      join(cwd, 'hearth.config.json'),
      JSON.stringify({ plugins: { firstParty: false }, knowledge: { ingestDocsOnStart: false } }),
    );
    const ingest = await runHearth(['ingest', join(REPO, 'docs/mcp.md')], { cwd });
    expect(ingest.code, ingest.stderr).toBe(0);
    child = startHearth(['discord'], { cwd, env: { DISCORD_TOKEN: emu.token, DISCORD_API_URL: emu.apiUrl } });
    const out = outcome(child);
    await waitForOutput(out.stderr, /Hearth is on Discord as/);
    const e = emu;
    const first = e.say('How do I connect Claude Desktop to Hearth?');
    await e.waitFor(() => e.repliesTo(first.id)[0], 60_000, 'first reply');
    expect(out.stderr()).toMatch(/self-check/); // the local model has loaded

    const asked = Array.from({ length: 6 }, (_, i) => e.say(`What does hearth mcp serve? (${i})`));
    await e.waitFor(() => asked.some((m) => e.repliesTo(m.id).length > 0), 60_000, 'a reply of the batch');
    child.kill('SIGTERM');
    const { code, signal, stderr } = await out;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(stderr).toContain('SIGTERM: finishing in-flight work, then disconnecting');
    for (const m of asked) expect(e.repliesTo(m.id).length, `reply to ${m.content}`).toBeGreaterThan(0);
  }, 240_000);
});
