#!/usr/bin/env node
/**
 * `node /path/to/hearth/bin/hearth.mjs <command> ...`: runs the Hearth CLI from source from any
 * working folder, without pnpm. Corepack picks pnpm's version from the working folder, so
 * `corepack pnpm --dir /path/to/hearth hearth mcp` started elsewhere (as MCP clients do) fetches
 * "the latest pnpm" and fails offline; this launcher needs neither.
 *
 * It starts Node on packages/bot/src/cli/main.ts with the `hearth-source` export condition and
 * tsx's loader, both resolved from this checkout (not from the caller's folder), in the Hearth
 * folder (so hearth.config.json, .env and .hearth are found there, as with `pnpm --dir`; set
 * HEARTH_CWD to run elsewhere). stdin/stdout/stderr are the caller's own, so stdout carries only what
 * the CLI writes (the MCP protocol, for `mcp`). Signals are passed on; the exit code is the CLI's.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(repo, 'packages', 'bot', 'src', 'cli', 'main.ts');
let tsx;
try {
  // resolved relative to this file, so the checkout's own tsx is used whatever the working folder
  tsx = import.meta.resolve('tsx');
} catch {
  process.stderr.write(`hearth: tsx is not installed in ${repo}; run "corepack pnpm install" there first.\n`);
  process.exit(1);
}
if (!existsSync(main)) {
  process.stderr.write(`hearth: ${main} is missing; is ${repo} a Hearth checkout?\n`);
  process.exit(1);
}

const child = spawn(process.execPath, ['--conditions=hearth-source', '--import', tsx, main, ...process.argv.slice(2)], {
  cwd: process.env.HEARTH_CWD || repo,
  stdio: 'inherit',
  env: process.env,
});
// Keep listening until the child is gone: a `once` handler would let a second signal kill this
// process before the CLI finished shutting down.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (child.exitCode === null) child.kill(signal);
  });
}
child.on('error', (err) => {
  process.stderr.write(`hearth: could not start Node: ${err.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1) : 1));
});
