import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hearth, HearthConfig, ModelTask } from '@hearth/core';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** One line of the doctor's report. */
export interface Check {
  status: 'ok' | 'warn' | 'fail';
  area: string;
  detail: string;
  /** What to do about it (warn and fail). */
  fix?: string;
}

const PROBE_MS = 20_000;

/** Runs every check; never throws (a check that throws is a failed line). */
export async function runDoctor(ctx: CliContext): Promise<Check[]> {
  const checks: Check[] = [];
  let config: HearthConfig;
  try {
    config = await ctx.config();
    checks.push({ status: 'ok', area: 'config', detail: `valid; data folder ${config.dataDir}` });
  } catch (err) {
    checks.push({
      status: 'fail',
      area: 'config',
      detail: message(err),
      fix: 'correct the key named above in hearth.config.json, .env or the environment',
    });
    return checks;
  }
  checks.push(dataFolder(config.dataDir));
  if (checks.at(-1)?.status === 'fail') return checks;
  checks.push(logs(config));

  let hearth: Hearth;
  try {
    hearth = await ctx.hearth();
  } catch (err) {
    checks.push({
      status: 'fail',
      area: 'runtime',
      detail: `cannot start: ${message(err)}`,
      fix: 'fix the cause above; run with --verbose for the stack',
    });
    return checks;
  }
  checks.push(...plugins(hearth), ...(await providers(hearth)));
  const runtime = await localRuntime(hearth);
  if (runtime) checks.push(runtime);
  checks.push(await knowledge(hearth), secrets(hearth.config));
  const { checkDiscord } = await import('../../discord/doctor.js');
  checks.push(...(await checkDiscord(hearth.config)));
  return checks;
}

function logs(config: HearthConfig): Check {
  return {
    status: 'ok',
    area: 'logs',
    detail: `${config.logFile ?? join(config.dataDir, 'logs', 'hearth.log')} (level ${config.logLevel}; --verbose shows them on the terminal)`,
  };
}

/**
 * The ggml CPU variant the `local` model runs on and its load-time self-check, from
 * `localModelRuntimeInfo()` (imported only here: it loads llama.cpp). Asked only when `local` is
 * the chat model.
 */
async function localRuntime(hearth: Hearth): Promise<Check | undefined> {
  if (hearth.models.describe().chat !== 'local') return undefined;
  try {
    const { localModelRuntimeInfo } = await import('@hearth/core/providers/gguf');
    const info = await withTimeout(
      localModelRuntimeInfo({ dataDir: hearth.config.dataDir, log: (line) => hearth.log.info(line) }),
      PROBE_MS * 3,
    );
    const cpu = `ggml-cpu ${info.cpuVariant ?? 'unknown'}${info.amx ? ' (AMX)' : ''}`;
    if (info.model.error)
      return {
        status: 'fail',
        area: 'local model runtime',
        detail: `${cpu}: ${info.model.error}`,
        fix: 'use another chat model (HEARTH_CHAT_MODEL=hf:..., openai:...@..., gguf:...) or see packages/core/assets/models/README.md',
      };
    return {
      status: info.model.fallback ? 'warn' : 'ok',
      area: 'local model runtime',
      detail: info.summary.includes('ggml-cpu') ? info.summary : `${cpu}: ${info.summary}`,
      fix: info.model.fallback
        ? 'the quantized model failed its self-check on this CPU, so a fallback file serves (slower); nothing to do unless it is too slow'
        : undefined,
    };
  } catch (err) {
    return {
      status: 'warn',
      area: 'local model runtime',
      detail: `unknown: ${message(err)}`,
      fix: 'run with --verbose and see the log file for the llama.cpp load lines',
    };
  }
}

function dataFolder(dir: string): Check {
  const probe = join(dir, `.doctor-${randomUUID()}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, 'ok');
    rmSync(probe);
    return { status: 'ok', area: 'data folder', detail: `${dir} is writable` };
  } catch (err) {
    return {
      status: 'fail',
      area: 'data folder',
      detail: `${dir} is not writable: ${message(err)}`,
      fix: 'make it writable by this user, or point dataDir (HEARTH_DATA_DIR, --data-dir) somewhere writable',
    };
  }
}

function plugins(hearth: Hearth): Check[] {
  const out: Check[] = hearth.plugins.list().map((p) => ({
    status: p.withheld.length ? ('warn' as const) : ('ok' as const),
    area: `plugin ${p.id}`,
    detail: `${p.version} loaded: ${p.tools.join(', ')}; granted ${p.granted.join(', ') || 'nothing'}${p.withheld.length ? `; withheld ${p.withheld.join(', ')}` : ''}`,
    fix: p.withheld.length
      ? `add ${p.withheld.join(', ')} to plugins.grants.${p.id} if its tools need them`
      : undefined,
  }));
  for (const f of hearth.plugins.failures()) {
    const firstParty = f.origin === 'first-party';
    out.push({
      status: firstParty ? 'warn' : 'fail',
      area: `plugin ${f.source}`,
      detail: `not loaded: ${f.error}`,
      fix: firstParty
        ? 'reinstall Hearth, or set plugins.firstParty to false to run without it'
        : 'fix the plugin as the message says, or remove it from plugins.load / the plugins folder',
    });
  }
  if (!out.length) out.push({ status: 'ok', area: 'plugins', detail: 'none configured' });
  return out;
}

async function providers(hearth: Hearth): Promise<Check[]> {
  const refs = hearth.models.describe();
  const probes: Record<ModelTask, () => Promise<unknown>> = {
    chat: async () => {
      const model = await hearth.models.chat();
      // remote models answer one token; local ones only load
      if (/^(hf|openai):/.test(model.ref))
        await model.chat({
          messages: [{ role: 'user', content: 'ping' }],
          maxTokens: 1,
          signal: AbortSignal.timeout(PROBE_MS),
        });
    },
    embed: async () => (await hearth.models.embedder()).embed(['ping'], AbortSignal.timeout(PROBE_MS)),
    image: async () => hearth.models.image(),
  };
  const out: Check[] = [];
  for (const task of ['chat', 'embed', 'image'] as const) {
    const ref = refs[task];
    if (!ref && !hearth.models.has(task)) {
      out.push({ status: 'ok', area: `models.${task}`, detail: 'not configured (plugins use their local fallback)' });
      continue;
    }
    try {
      await withTimeout(probes[task](), PROBE_MS);
      out.push({ status: 'ok', area: `models.${task}`, detail: `${ref ?? 'default'} is reachable` });
    } catch (err) {
      out.push({
        status: 'fail',
        area: `models.${task}`,
        detail: `${ref ?? 'default'} failed: ${hearth.redactor.redact(message(err))}`,
        fix: `check models.${task} (or HEARTH_${task.toUpperCase()}_MODEL), the endpoint and its token (HF_TOKEN / OPENAI_API_KEY)`,
      });
    }
  }
  return out;
}

async function knowledge(hearth: Hearth): Promise<Check> {
  try {
    const sources = await withTimeout(hearth.knowledge.listSources(), PROBE_MS);
    return { status: 'ok', area: 'knowledge', detail: `store opens; ${sources.length} sources` };
  } catch (err) {
    return {
      status: 'fail',
      area: 'knowledge',
      detail: `store does not open: ${message(err)}`,
      fix: `check that ${join(hearth.config.dataDir, 'knowledge')} is readable and writable; remove it to rebuild with hearth ingest`,
    };
  }
}

function secrets(config: HearthConfig): Check {
  const names = {
    discordToken: 'DISCORD_TOKEN',
    hfToken: 'HF_TOKEN',
    openaiApiKey: 'OPENAI_API_KEY',
    mcpToken: 'HEARTH_MCP_TOKEN',
  };
  const set = Object.entries(names)
    .filter(([k]) => config.secrets[k as keyof typeof names])
    .map(([, v]) => v);
  return {
    status: 'ok',
    area: 'secrets',
    detail: set.length
      ? `set: ${set.join(', ')} (values never shown)`
      : 'none set (Discord off; remote models without tokens)',
  };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** `hearth doctor`: one line per check with its fix; exit code 1 when something is broken. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description('check config, data folder, plugins, model providers and the knowledge store')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const checks = await runDoctor(ctx);
      if (options.json) ctx.printJson(checks);
      else {
        for (const c of checks) {
          const mark = c.status === 'ok' ? 'ok  ' : c.status === 'warn' ? 'WARN' : 'FAIL';
          ctx.print(`${mark} ${c.area}: ${c.detail}${c.fix ? `\n     fix: ${c.fix}` : ''}`);
        }
        const failed = checks.filter((c) => c.status === 'fail').length;
        ctx.print(failed ? `${failed} problem(s) found.` : 'Everything needed works.');
      }
      if (checks.some((c) => c.status === 'fail')) process.exitCode = 1;
    });
}
