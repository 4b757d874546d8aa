/** What a gateway close code means and what to do about it. */
export interface CloseCodeInfo {
  code: number;
  /** Discord's name for it. */
  name: string;
  /** What happened, in plain words. */
  meaning: string;
  /** What the operator should do. */
  fix: string;
  /** Whether discord.js reconnects by itself after it (it gives up on the others). */
  retried: boolean;
}

const RETRIED_FIX = 'usually transient; if it repeats, check the network path to the gateway and the server status';

/** Discord's gateway close codes (https://discord.com/developers/docs/topics/opcodes-and-status-codes). */
const CODES: Record<number, Omit<CloseCodeInfo, 'code'>> = {
  1000: { name: 'Normal', meaning: 'the gateway closed the connection normally', fix: RETRIED_FIX, retried: true },
  1001: { name: 'GoingAway', meaning: 'the gateway is going away (restart)', fix: RETRIED_FIX, retried: true },
  1006: {
    name: 'Abnormal',
    meaning: 'the connection dropped without a close frame (network or proxy)',
    fix: 'check the network path to the gateway (proxies, firewalls, DISCORD_API_URL)',
    retried: true,
  },
  4000: { name: 'UnknownError', meaning: 'Discord had an unknown error', fix: RETRIED_FIX, retried: true },
  4001: {
    name: 'UnknownOpcode',
    meaning: 'the gateway got an opcode it does not know',
    fix: 'the gateway and discord.js disagree on the protocol: update discord.js, or check the Discord-compatible server',
    retried: true,
  },
  4002: {
    name: 'DecodeError',
    meaning: 'the gateway could not decode a payload the bot sent',
    fix: 'the gateway rejects what discord.js sends (encoding or compression): if DISCORD_API_URL points at a Discord-compatible server, check that it speaks gateway v10 JSON with zlib-stream; otherwise update discord.js',
    retried: true,
  },
  4003: {
    name: 'NotAuthenticated',
    meaning: 'a payload was sent before IDENTIFY',
    fix: RETRIED_FIX,
    retried: true,
  },
  4004: {
    name: 'AuthenticationFailed',
    meaning: 'the token was rejected',
    fix: 'reset the token under Developer Portal > your application > Bot, and set DISCORD_TOKEN to it (the bot token, not the client secret)',
    retried: false,
  },
  4005: { name: 'AlreadyAuthenticated', meaning: 'IDENTIFY was sent twice', fix: RETRIED_FIX, retried: true },
  4007: { name: 'InvalidSeq', meaning: 'a RESUME had an invalid sequence', fix: RETRIED_FIX, retried: true },
  4008: {
    name: 'RateLimited',
    meaning: 'the bot sent gateway payloads too fast',
    fix: 'too many gateway commands (presence updates, member requests) or too many processes with one token: run one bot process per shard',
    retried: true,
  },
  4009: { name: 'SessionTimedOut', meaning: 'the session timed out', fix: RETRIED_FIX, retried: true },
  4010: {
    name: 'InvalidShard',
    meaning: 'an invalid shard was sent when identifying',
    fix: 'check --shards: the shard ids must be below the shard count',
    retried: false,
  },
  4011: {
    name: 'ShardingRequired',
    meaning: 'the bot is in too many guilds for one connection',
    fix: 'run `hearth discord --shards auto`',
    retried: false,
  },
  4012: {
    name: 'InvalidAPIVersion',
    meaning: 'the gateway does not serve the API version discord.js asked for',
    fix: 'update discord.js, or check that the Discord-compatible server serves gateway v10',
    retried: false,
  },
  4013: {
    name: 'InvalidIntents',
    meaning: 'the intents sent are invalid',
    fix: 'update Hearth: the intents it asks for are Guilds, GuildMessages, MessageContent and DirectMessages',
    retried: false,
  },
  4014: {
    name: 'DisallowedIntents',
    meaning: 'the bot asked for a privileged intent it is not allowed (Message Content)',
    fix: 'turn on "Message Content Intent" under Developer Portal > your application > Bot > Privileged Gateway Intents (bots in 100+ servers need verification for it)',
    retried: false,
  },
};

/** What a close code means; unknown codes say so and suggest what to check. */
export function closeCodeInfo(code: number): CloseCodeInfo {
  const known = CODES[code];
  if (known) return { code, ...known };
  return {
    code,
    name: 'Unknown',
    meaning: `close code ${code} is not one Discord documents`,
    fix: 'if DISCORD_API_URL points at a Discord-compatible server, see its documentation for this code; run with --verbose to see the gateway conversation',
    retried: true,
  };
}

/** One line: `4014 DisallowedIntents: <meaning>. Fix: <fix>`. */
export function describeCloseCode(code: number): string {
  const info = closeCodeInfo(code);
  return `${code} ${info.name}: ${info.meaning}. Fix: ${info.fix}`;
}
