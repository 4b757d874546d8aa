/** Runs the real `hearth` CLI (from source, as `pnpm hearth` does) as a child process. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(REPO, 'packages/bot/src/cli/main.ts');
const TSX = pathToFileURL(createRequire(join(REPO, 'package.json')).resolve('tsx')).href;

/** An empty working folder (its own .hearth data folder, .env and config). */
export function workDir(): string {
  return mkdtempSync(join(tmpdir(), 'hearth-cli-'));
}

/** The environment a child gets: the parent's minus anything that would configure Hearth. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^(HEARTH_|DISCORD_|HF_TOKEN|OPENAI_API_KEY|VITEST|NODE_OPTIONS)/.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** Starts `hearth <args>` in `cwd`. */
export function startHearth(args: string[], options: { cwd: string; env?: Record<string, string> }): ChildProcess {
  return spawn(process.execPath, ['--conditions=hearth-source', '--import', TSX, MAIN, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** The outcome of one run. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Collects a child's output and exit. */
export function outcome(child: ChildProcess): Promise<RunResult> & { stderr(): string; stdout(): string } {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<RunResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return Object.assign(done, { stderr: () => stderr, stdout: () => stdout });
}

/** Runs `hearth <args>` to the end (stdin closed), killing it after `timeoutMs`. */
export async function runHearth(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; input?: string; timeoutMs?: number },
): Promise<RunResult> {
  const child = startHearth(args, options);
  child.stdin?.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 90_000);
  try {
    return await outcome(child);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once `read()` matches `pattern` (polling), with the match. */
export async function waitForOutput(
  read: () => string,
  pattern: RegExp,
  timeoutMs = 90_000,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = read().match(pattern);
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`no output matching ${pattern} within ${timeoutMs} ms:\n${read()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
