/**
 * Ops endpoints on every surface, as real processes: `hearth web --ops`, `hearth start --ops` (the
 * local chat) and `hearth mcp --http` with HEARTH_OPS_LISTEN instead of the flag serve /healthz,
 * /readyz (with the database check) and /metrics, and close them on exit.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { outcome, startHearth } from '../cli/hearth.js';
import { freePort, spawnHearth, workDir } from './lib/index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function probe(ops: string) {
  const ready = await fetch(`${ops}/readyz`);
  const report = (await ready.json()) as { ok: boolean; checks: Record<string, { ok: boolean }> };
  return {
    health: (await fetch(`${ops}/healthz`)).status,
    ready: ready.status,
    report,
    metrics: await (await fetch(`${ops}/metrics`)).text(),
  };
}

describe('ops endpoints of hearth web, start and mcp', () => {
  it('hearth web --ops serves /healthz, /readyz and /metrics', async () => {
    const cwd = workDir();
    dirs.push(cwd);
    const port = await freePort();
    const web = spawnHearth(['web', '--http', '127.0.0.1:0', '--anonymous', '--ops', `127.0.0.1:${port}`], { cwd });
    try {
      await web.waitFor(/ops at http:\/\/127\.0\.0\.1:\d+/, 120_000);
      const p = await probe(`http://127.0.0.1:${port}`);
      expect(p.health).toBe(200);
      expect(p.ready, JSON.stringify(p.report)).toBe(200);
      expect(p.report.checks.database?.ok).toBe(true);
      expect(p.metrics).toContain('hearth_process_cpu_seconds_total');
    } finally {
      const end = await web.stop(15_000);
      expect(end.killed, web.output()).toBe(false);
    }
    // closed with the process
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('hearth start --ops serves them beside the local chat, until the chat ends', async () => {
    const cwd = workDir();
    dirs.push(cwd);
    const port = await freePort();
    const child = startHearth(['start', '--no-docs', '--ops', `127.0.0.1:${port}`], { cwd });
    const result = outcome(child);
    const deadline = Date.now() + 120_000;
    while (!/Hearth ops endpoints at/.test(result.stderr()) && Date.now() < deadline && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 100));
    expect(result.stderr()).toContain(`Hearth ops endpoints at http://127.0.0.1:${port}`);
    const p = await probe(`http://127.0.0.1:${port}`);
    expect(p.health).toBe(200);
    expect(p.ready, JSON.stringify(p.report)).toBe(200);
    expect(p.report.checks.database?.ok).toBe(true);
    child.stdin?.end('/quit\n');
    const end = await result;
    expect(end.code, end.stderr).toBe(0);
  });

  it('hearth mcp --http reads HEARTH_OPS_LISTEN when --ops is not given', async () => {
    const cwd = workDir();
    dirs.push(cwd);
    const port = await freePort();
    const mcp = spawnHearth(['mcp', '--http', '127.0.0.1:0'], {
      cwd,
      env: { HEARTH_OPS_LISTEN: `127.0.0.1:${port}` },
    });
    try {
      await mcp.waitFor(/ops at http:\/\/127\.0\.0\.1:\d+/, 120_000);
      const p = await probe(`http://127.0.0.1:${port}`);
      expect(p.ready, JSON.stringify(p.report)).toBe(200);
      expect(Object.keys(p.report.checks).sort()).toEqual(['database', 'mcp']);
    } finally {
      await mcp.stop(15_000);
    }
  });
});
