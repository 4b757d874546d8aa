import type { HearthConfig } from '@hearth/core';

/** One line of `hearth doctor`'s report (the same shape as the CLI's `Check`). */
export interface DiscordCheck {
  status: 'ok' | 'warn' | 'fail';
  area: string;
  detail: string;
  fix?: string;
}

const DISCORD_API = 'https://discord.com/api';
/** Application flags that say the Message Content intent is enabled (verified apps, or under 100 servers). */
const MESSAGE_CONTENT = 1 << 19;
const MESSAGE_CONTENT_LIMITED = 1 << 18;
const TIMEOUT_MS = 10_000;

/**
 * Checks what `hearth discord` needs before it connects: the token (through `GET /gateway/bot`),
 * the gateway URL and session starts left, and the privileged Message Content intent (through the
 * application's flags). Never throws; each problem is a line with its fix.
 */
export async function checkDiscord(config: Pick<HearthConfig, 'discord' | 'secrets'>): Promise<DiscordCheck[]> {
  const token = config.secrets.discordToken;
  if (!token) {
    return [
      {
        status: 'warn',
        area: 'discord',
        detail: 'DISCORD_TOKEN is not set, so `hearth discord` cannot start',
        fix: 'create a bot at https://discord.com/developers/applications and export DISCORD_TOKEN=<its token>',
      },
    ];
  }
  const api = (config.discord.apiUrl ?? DISCORD_API).replace(/\/+$/, '');
  const get = async (path: string) => {
    const res = await fetch(`${api}/v10${path}`, {
      headers: { Authorization: `Bot ${token}` },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  };
  const hide = (text: string) => text.split(token).join('[redacted]');
  const checks: DiscordCheck[] = [];
  let gateway: Awaited<ReturnType<typeof get>>;
  try {
    gateway = await get('/gateway/bot');
  } catch (err) {
    return [
      {
        status: 'fail',
        area: 'discord api',
        detail: `${api} is not reachable: ${hide(String((err as Error).message))}`,
        fix: config.discord.apiUrl
          ? 'check DISCORD_API_URL (discord.apiUrl): it should be the API base, e.g. http://host:port/api'
          : 'check this machine can reach discord.com (proxy, firewall, DNS)',
      },
    ];
  }
  if (gateway.status === 401) {
    return [
      {
        status: 'fail',
        area: 'discord token',
        detail: `${api} rejected the token (401)`,
        fix: 'reset the token under Developer Portal > your application > Bot and set DISCORD_TOKEN to it (the bot token, not the client secret or public key)',
      },
    ];
  }
  if (gateway.status !== 200) {
    return [
      {
        status: 'fail',
        area: 'discord api',
        detail: `GET /gateway/bot answered HTTP ${gateway.status}`,
        fix: 'see https://discordstatus.com, or the Discord-compatible server at DISCORD_API_URL',
      },
    ];
  }
  checks.push({ status: 'ok', area: 'discord token', detail: 'accepted by GET /gateway/bot' });
  const url = String(gateway.body.url ?? '');
  const limit = gateway.body.session_start_limit as { remaining?: number; reset_after?: number } | undefined;
  if (!/^wss?:\/\//.test(url)) {
    checks.push({
      status: 'fail',
      area: 'discord gateway',
      detail: `GET /gateway/bot gave no WebSocket URL (${url || 'none'})`,
      fix: 'the API at DISCORD_API_URL is not Discord-compatible here',
    });
  } else if (limit?.remaining === 0) {
    checks.push({
      status: 'fail',
      area: 'discord gateway',
      detail: `${url}: no session starts left today (resets in ${Math.ceil((limit.reset_after ?? 0) / 60_000)} min)`,
      fix: 'a crash loop used up the daily IDENTIFY budget: stop restarting the bot until the reset',
    });
  } else {
    checks.push({
      status: 'ok',
      area: 'discord gateway',
      detail: `${url}; ${gateway.body.shards ?? '?'} shard(s) recommended; ${limit?.remaining ?? '?'} session starts left`,
    });
  }
  checks.push(await intents(get));
  return checks;
}

async function intents(
  get: (path: string) => Promise<{ status: number; body: Record<string, unknown> }>,
): Promise<DiscordCheck> {
  const app = await get('/applications/@me').catch(() => undefined);
  if (app?.status !== 200 || typeof app.body.flags !== 'number') {
    return {
      status: 'warn',
      area: 'discord intents',
      detail: 'could not read the application flags to check the Message Content intent',
      fix: 'make sure "Message Content Intent" is on under Developer Portal > Bot > Privileged Gateway Intents',
    };
  }
  const flags = app.body.flags;
  if (flags & (MESSAGE_CONTENT | MESSAGE_CONTENT_LIMITED)) {
    return { status: 'ok', area: 'discord intents', detail: 'Message Content intent enabled' };
  }
  return {
    status: 'fail',
    area: 'discord intents',
    detail: 'the Message Content intent is not enabled: the gateway will close with 4014 (disallowed intents)',
    fix: 'turn on "Message Content Intent" under Developer Portal > your application > Bot > Privileged Gateway Intents',
  };
}
