/** Runs real `hearth` commands as child processes for multi-process tests. */
import type { ChildProcess } from 'node:child_process';
import { outcome, type RunResult, startHearth, waitForOutput } from '../../cli/hearth.js';

export { cleanEnv, REPO, workDir } from '../../cli/hearth.js';

/** A running `hearth …` child. */
export interface HearthProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output (stdout + stderr). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<RunResult>;
  /**
   * SIGTERM, then SIGKILL after `graceMs` if it is still running. Resolves with how it ended and
   * how long it took (`killed` is true when SIGKILL was needed).
   */
  stop(graceMs?: number): Promise<RunResult & { ms: number; killed: boolean }>;
}

/** Options of {@link spawnHearth}. */
export interface SpawnHearthOptions {
  /** Working folder (its `.env` and `hearth.config.json` apply). */
  cwd: string;
  /** Environment on top of the parent's minus anything that configures Hearth. */
  env?: Record<string, string>;
  /** A label for error messages (default the command). */
  name?: string;
}

/** Starts `hearth <args>` (from source, as `pnpm hearth` does) and captures its output. */
export function spawnHearth(args: string[], options: SpawnHearthOptions): HearthProcess {
  const child = startHearth(args, { cwd: options.cwd, env: options.env });
  child.stdin?.end();
  const result = outcome(child);
  const name = options.name ?? `hearth ${args.join(' ')}`;
  const output = () => `${result.stdout()}${result.stderr()}`;
  return {
    name,
    child,
    pid: child.pid ?? -1,
    stdout: result.stdout,
    stderr: result.stderr,
    output,
    exited: result,
    async waitFor(pattern, timeoutMs = 90_000) {
      const exited = result.then((r) => {
        throw new Error(`${name} exited (code ${r.code}, signal ${r.signal}) before printing ${pattern}:\n${output()}`);
      });
      exited.catch(() => {});
      return Promise.race([waitForOutput(output, pattern, timeoutMs), exited]);
    },
    async stop(graceMs = 30_000) {
      const started = Date.now();
      let killed = false;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, graceMs);
      const r = await result;
      clearTimeout(timer);
      return { ...r, ms: Date.now() - started, killed };
    },
  };
}

/** Stops every process at once (SIGTERM, SIGKILL after `graceMs`), for `afterAll` cleanup. */
export async function stopAll(processes: HearthProcess[], graceMs = 15_000): Promise<void> {
  await Promise.all(processes.map((p) => p.stop(graceMs)));
}
