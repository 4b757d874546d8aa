import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, type ParsedBody, parseBody, readBody, sendJson } from './http.js';
import type { Emulator } from './server.js';
import { checkCallback, checkCommands, checkMessageBody } from './shapes.js';
import { type ApiAttachment, type StoredMessage, snowflake, wire } from './state.js';

/** One REST request as the emulator saw it. */
export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  at: number;
  authorized: boolean;
  body?: ParsedBody;
}

/** A fault to answer instead of the real route: a 429 with retry_after, a 403, a 404, a 500. */
export interface Fault {
  method: string;
  path: RegExp;
  status: number;
  retryAfter?: number;
  count: number;
}

type Handler = (ctx: {
  emu: Emulator;
  params: string[];
  body: ParsedBody;
  query: URLSearchParams;
  req: IncomingMessage;
}) => { status: number; body?: unknown } | Promise<{ status: number; body?: unknown }>;

const LOADING = 1 << 7;
const routes: { method: string; pattern: RegExp; auth: boolean; handler: Handler }[] = [];
const route = (method: string, path: string, auth: boolean, handler: Handler) =>
  routes.push({ method, pattern: new RegExp(`^/api/v10${path.replace(/:\w+/g, '([^/]+)')}$`), auth, handler });

/** Answers one HTTP request: the CDN, faults, authorization, then the matching route (404 if none). */
export async function handleRest(emu: Emulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const method = req.method ?? 'GET';
  const path = url.pathname;
  const raw = await readBody(req);
  const log: LoggedRequest = {
    method,
    path,
    status: 0,
    at: Date.now(),
    authorized: req.headers.authorization === `Bot ${emu.token}`,
  };
  emu.requests.push(log);
  try {
    const cdn = /^\/cdn\/attachments\/([^/]+)\/[^/]+$/.exec(path);
    if (cdn && method === 'GET') {
      const file = emu.files.get(cdn[1]!);
      if (!file) throw new HttpError(404, 0, '404: Not Found');
      log.status = 200;
      res.writeHead(200, { 'content-type': file.type, 'content-length': file.data.byteLength }).end(file.data);
      return;
    }
    const fault = emu.faults.find((f) => f.method === method && f.path.test(path) && f.count > 0);
    if (fault) {
      fault.count--;
      log.status = fault.status;
      if (fault.status === 429) {
        const retry = fault.retryAfter ?? 1;
        return sendJson(
          res,
          429,
          { message: 'You are being rate limited.', retry_after: retry, global: false },
          {
            'retry-after': String(retry),
            'x-ratelimit-limit': '5',
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset-after': String(retry),
            'x-ratelimit-bucket': 'emulated-bucket',
            'x-ratelimit-scope': 'user',
          },
        );
      }
      const known: Record<number, [number, string]> = {
        403: [50013, 'Missing Permissions'],
        404: [10008, 'Unknown Message'],
        500: [0, '500: Internal Server Error'],
      };
      const [code, message] = known[fault.status] ?? [0, `${fault.status}`];
      return sendJson(res, fault.status, { code, message });
    }
    for (const r of routes) {
      if (r.method !== method) continue;
      const m = r.pattern.exec(path);
      if (!m) continue;
      if (r.auth && !log.authorized) throw new HttpError(401, 0, '401: Unauthorized');
      const body = await parseBody(req, raw);
      log.body = body;
      const params = m.slice(1).map((p) => decodeURIComponent(p));
      const out = await r.handler({ emu, params, body, query: url.searchParams, req });
      log.status = out.status;
      return sendJson(res, out.status, out.body ?? {});
    }
    throw new HttpError(404, 0, '404: Not Found');
  } catch (err) {
    const e = err instanceof HttpError ? err : new HttpError(500, 0, String((err as Error)?.message ?? err));
    log.status = e.status;
    sendJson(res, e.status, { code: e.code, message: e.message, ...(e.errors ? { errors: e.errors } : {}) });
  }
}

function channelOr404(emu: Emulator, id: string) {
  const channel = emu.world.channels.get(id);
  if (!channel) throw new HttpError(404, 10003, 'Unknown Channel');
  return channel;
}

function messageOr404(emu: Emulator, channelId: string, id: string): StoredMessage {
  const message = emu.world.messages.get(id);
  if (!message || message.channel_id !== channelId) throw new HttpError(404, 10008, 'Unknown Message');
  return message;
}

/** Stores uploaded files (payload `attachments[].id` names the `files[n]` part) as CDN attachments. */
function uploads(emu: Emulator, body: ParsedBody): ApiAttachment[] {
  const described = (body.json.attachments ?? []) as { id: string | number; filename?: string; description?: string }[];
  return body.files.map((f, i) => {
    const index = Number(/\[(\d+)\]/.exec(f.field)?.[1] ?? i);
    const meta = described.find((a) => String(a.id) === String(index));
    return emu.storeFile(meta?.filename ?? f.name, f.data, f.type || 'application/octet-stream', meta?.description);
  });
}

function applyEdit(emu: Emulator, message: StoredMessage, body: ParsedBody): void {
  const j = body.json;
  if (typeof j.content === 'string' || j.content === null) message.content = j.content ?? '';
  if (Array.isArray(j.embeds)) message.embeds = j.embeds;
  if (Array.isArray(j.components)) message.components = j.components;
  if (Array.isArray(j.attachments) || body.files.length) {
    const keep = ((j.attachments ?? []) as { id: string }[]).map((a) => String(a.id));
    message.attachments = [...message.attachments.filter((a) => keep.includes(a.id)), ...uploads(emu, body)];
  }
  message.flags &= ~LOADING;
  message.edited_timestamp = new Date().toISOString();
  message.history.push(message.content);
  emu.emit('edit', message);
}

function checkSendable(emu: Emulator, channelId: string): void {
  channelOr404(emu, channelId);
  if (emu.deniedChannels.has(channelId)) throw new HttpError(403, 50013, 'Missing Permissions');
}

function validateContent(body: ParsedBody): void {
  checkMessageBody(body.json);
}

// --- gateway and application ---
route('GET', '/gateway/bot', true, ({ emu }) => ({
  status: 200,
  body: {
    url: emu.gatewayUrl,
    shards: emu.recommendedShards,
    session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
  },
}));
route('GET', '/gateway', false, ({ emu }) => ({ status: 200, body: { url: emu.gatewayUrl } }));
route('GET', '/users/@me', true, ({ emu }) => ({ status: 200, body: emu.world.bot }));
route('GET', '/applications/@me', true, ({ emu }) => ({
  status: 200,
  body: { id: emu.world.applicationId, name: 'hearth', flags: emu.applicationFlags, bot: emu.world.bot },
}));

const putCommands: Handler = ({ emu, params, body }) => {
  const [app, guild] = params;
  if (app !== emu.world.applicationId) throw new HttpError(403, 50001, 'Missing Access');
  const list = body.json as unknown as Record<string, unknown>[];
  checkCommands(list);
  const stored = list.map((c) => ({
    id: snowflake(),
    application_id: app,
    version: snowflake(),
    ...(guild ? { guild_id: guild } : {}),
    ...c,
  }));
  emu.commands.set(guild ?? 'global', stored);
  emu.emit('commands', guild ?? 'global');
  return { status: 200, body: stored };
};
route('PUT', '/applications/:app/commands', true, putCommands);
route('PUT', '/applications/:app/guilds/:guild/commands', true, putCommands);
route('GET', '/applications/:app/commands', true, ({ emu }) => ({
  status: 200,
  body: emu.commands.get('global') ?? [],
}));
route('GET', '/applications/:app/guilds/:guild/commands', true, ({ emu, params }) => ({
  status: 200,
  body: emu.commands.get(params[1]!) ?? [],
}));

// --- channels and messages ---
route('GET', '/channels/:channel', true, ({ emu, params }) => ({ status: 200, body: channelOr404(emu, params[0]!) }));
route('POST', '/channels/:channel/typing', true, ({ emu, params }) => {
  checkSendable(emu, params[0]!);
  emu.typing.push({ channelId: params[0]!, at: Date.now() });
  return { status: 204 };
});
route('POST', '/channels/:channel/messages', true, ({ emu, params, body }) => {
  const channelId = params[0]!;
  checkSendable(emu, channelId);
  validateContent(body);
  const ref = body.json.message_reference?.message_id as string | undefined;
  if (ref && !emu.world.messages.has(ref) && body.json.message_reference?.fail_if_not_exists !== false) {
    throw new HttpError(400, 50035, 'Invalid Form Body: message_reference: Unknown message');
  }
  const message = emu.world.newMessage({
    channelId,
    author: emu.world.bot,
    content: body.json.content ?? '',
    replyTo: ref,
    embeds: body.json.embeds ?? [],
    components: body.json.components ?? [],
    attachments: uploads(emu, body),
  });
  emu.emit('message', message);
  return { status: 200, body: wire(message) };
});
route('GET', '/channels/:channel/messages/:message', true, ({ emu, params }) => ({
  status: 200,
  body: wire(messageOr404(emu, params[0]!, params[1]!)),
}));
route('PATCH', '/channels/:channel/messages/:message', true, ({ emu, params, body }) => {
  const message = messageOr404(emu, params[0]!, params[1]!);
  if (message.author.id !== emu.world.bot.id)
    throw new HttpError(403, 50005, 'Cannot edit a message authored by another user');
  validateContent(body);
  applyEdit(emu, message, body);
  return { status: 200, body: wire(message) };
});
route('DELETE', '/channels/:channel/messages/:message', true, ({ emu, params }) => {
  messageOr404(emu, params[0]!, params[1]!);
  emu.world.messages.delete(params[1]!);
  return { status: 204 };
});
route('POST', '/channels/:channel/messages/:message/threads', true, ({ emu, params, body }) => {
  const parent = channelOr404(emu, params[0]!);
  const from = messageOr404(emu, params[0]!, params[1]!);
  const thread = {
    id: from.id, // Discord gives a thread started from a message the message's id
    type: 11,
    guild_id: parent.guild_id,
    parent_id: parent.id,
    owner_id: emu.world.bot.id,
    name: String(body.json.name ?? 'thread').slice(0, 100),
    message_count: 0,
    member_count: 1,
    thread_metadata: {
      archived: false,
      auto_archive_duration: body.json.auto_archive_duration ?? 1440,
      archive_timestamp: new Date().toISOString(),
      locked: false,
    },
  };
  emu.world.channels.set(thread.id, thread);
  emu.gateway.dispatch('THREAD_CREATE', { ...thread, newly_created: true }, parent.guild_id);
  return { status: 201, body: thread };
});

// --- interactions (no Authorization: the token in the path authorizes) ---
route('POST', '/interactions/:id/:token/callback', false, ({ emu, params, body, query }) => {
  const record = emu.interactions.get(params[1]!);
  if (!record || record.id !== params[0]) throw new HttpError(404, 10062, 'Unknown interaction');
  if (record.acknowledged) throw new HttpError(400, 40060, 'Interaction has already been acknowledged.');
  checkCallback(record.type, body.json);
  const type = body.json.type as number;
  const data = (body.json.data ?? {}) as Record<string, any>;
  record.acknowledged = true;
  record.callbacks.push({ type, data });
  if (type === 8) {
    record.choices = data.choices ?? [];
    emu.emit('autocomplete', record);
  } else if (type === 7 || type === 6) {
    // a component's message: 7 edits it now, 6 lets the bot edit it later through @original
    const message = record.messageId ? emu.world.messages.get(record.messageId) : undefined;
    if (!message) throw new HttpError(404, 10008, 'Unknown Message');
    record.originalId = message.id;
    message.interactionToken ??= record.token;
    if (type === 7) applyEdit(emu, message, { json: data, files: body.files });
  } else if (type === 4 || type === 5) {
    const message = emu.world.newMessage({
      channelId: record.channelId,
      author: emu.world.bot,
      content: type === 4 ? (data.content ?? '') : '',
      embeds: data.embeds ?? [],
      components: data.components ?? [],
      attachments: uploads(emu, { json: data, files: body.files }),
      flags: (data.flags ?? 0) | (type === 5 ? LOADING : 0),
      webhookId: emu.world.applicationId,
    });
    message.interactionToken = record.token;
    record.originalId = message.id;
    emu.emit('message', message);
  }
  if (query.get('with_response') === 'true') {
    const original = record.originalId ? emu.world.messages.get(record.originalId) : undefined;
    return {
      status: 200,
      body: {
        interaction: { id: record.id, type: record.type },
        resource: { type, ...(original ? { message: wire(original) } : {}) },
      },
    };
  }
  return { status: 204 };
});

function interactionMessage(emu: Emulator, app: string, token: string, id: string): StoredMessage {
  const record = emu.interactions.get(token);
  if (app !== emu.world.applicationId || !record) throw new HttpError(404, 10015, 'Unknown Webhook');
  const messageId = id === '@original' ? record.originalId : id;
  const message = messageId ? emu.world.messages.get(messageId) : undefined;
  // a component interaction's @original is the message the component sits on
  if (!message || (message.interactionToken !== token && record.originalId !== message.id))
    throw new HttpError(404, 10008, 'Unknown Message');
  return message;
}

route('PATCH', '/webhooks/:app/:token/messages/:message', false, ({ emu, params, body }) => {
  const message = interactionMessage(emu, params[0]!, params[1]!, params[2]!);
  validateContent(body);
  applyEdit(emu, message, body);
  return { status: 200, body: wire(message) };
});
route('GET', '/webhooks/:app/:token/messages/:message', false, ({ emu, params }) => ({
  status: 200,
  body: wire(interactionMessage(emu, params[0]!, params[1]!, params[2]!)),
}));
route('DELETE', '/webhooks/:app/:token/messages/:message', false, ({ emu, params }) => {
  const message = interactionMessage(emu, params[0]!, params[1]!, params[2]!);
  emu.world.messages.delete(message.id);
  return { status: 204 };
});
route('POST', '/webhooks/:app/:token', false, ({ emu, params, body }) => {
  const record = emu.interactions.get(params[1]!);
  if (params[0] !== emu.world.applicationId || !record) throw new HttpError(404, 10015, 'Unknown Webhook');
  if (!record.acknowledged) throw new HttpError(400, 40060, 'The interaction has not been acknowledged.');
  validateContent(body);
  const message = emu.world.newMessage({
    channelId: record.channelId,
    author: emu.world.bot,
    content: body.json.content ?? '',
    embeds: body.json.embeds ?? [],
    components: body.json.components ?? [],
    attachments: uploads(emu, body),
    flags: body.json.flags ?? 0,
    webhookId: emu.world.applicationId,
  });
  message.interactionToken = record.token;
  emu.emit('message', message);
  return { status: 200, body: wire(message) };
});
