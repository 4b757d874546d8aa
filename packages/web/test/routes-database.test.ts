import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHearth, type Hearth } from '@hearth/core';
import { openStorage } from '@hearth/core/storage';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, type EngineFixture, engineFixture, TEST_PG_URL } from '../../core/test/storage/engines.js';
import { pgRelay } from '../../core/test/storage/relay.js';
import { CSRF_HEADER, createApp, SESSION_COOKIE } from '../src/server/app.js';
import { OPERATOR, SessionBook, type WebUser } from '../src/server/auth.js';
import { JobBoard } from '../src/server/jobs.js';
import { WebStore } from '../src/server/store.js';

const BOB: WebUser = { name: 'bob', admin: false, permissions: [] };
const access = { allowedHosts: new Set(['127.0.0.1']), anonymousLoopback: false, secureCookie: false };

let hearth: Hearth;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hearth-web-db-'));
  hearth = await createHearth({
    cwd: dir,
    env: {},
    skipPlugins: true,
    overrides: { dataDir: dir, logLevel: 'silent', knowledge: { ingestDocsOnStart: false } },
  });
}, 60_000);
afterAll(async () => {
  await hearth?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One console process over `store`, with a signed-in session per user. */
function consoleOver(store: WebStore) {
  const sessions = new SessionBook([]);
  const app = createApp({ hearth, sessions, jobs: new JobBoard(dir), store }, access);
  const signedIn = new Map<string, { id: string; csrf: string }>();
  const sessionOf = (user: WebUser) => {
    const s = signedIn.get(user.name) ?? sessions.open(user);
    signedIn.set(user.name, s);
    return s;
  };
  return {
    async get(path: string, user: WebUser = OPERATOR) {
      const res = await app.request(path, {
        headers: { host: '127.0.0.1', cookie: `${SESSION_COOKIE}=${sessionOf(user).id}` },
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async post(path: string, body: unknown, user: WebUser = OPERATOR) {
      const s = sessionOf(user);
      const res = await app.request(path, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: {
          host: '127.0.0.1',
          cookie: `${SESSION_COOKIE}=${s.id}`,
          [CSRF_HEADER]: s.csrf,
          'content-type': 'application/json',
        },
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
  };
}

describe.each(ENGINES)('two console processes on %s', (engine) => {
  let fx: EngineFixture;
  afterEach(async () => {
    await fx?.cleanup();
  });

  it('list and open the same conversations, each user only their own', async () => {
    fx = engineFixture(engine);
    const storeOne = new WebStore((await fx.open()).sql);
    const two = consoleOver(new WebStore((await fx.open()).sql));
    const id = await storeOne.ensure(OPERATOR.name, undefined, 'When is the meetup?');
    await storeOne.append(id, { role: 'user', text: 'When is the meetup?' });

    const listed = await two.get('/api/conversations');
    expect(listed.status).toBe(200);
    expect(listed.body.conversations).toEqual([{ id, title: 'When is the meetup?', updatedAt: expect.any(String) }]);
    const opened = await two.get(`/api/conversations/${id}`);
    expect(opened.body.messages).toEqual([{ role: 'user', text: 'When is the meetup?', at: expect.any(String) }]);

    expect((await two.get('/api/conversations', BOB)).body.conversations).toEqual([]);
    const refused = await two.get(`/api/conversations/${id}`, BOB);
    expect(refused).toEqual({ status: 404, body: { error: 'No such conversation.' } });
  });
});

describe('the console when PostgreSQL goes away', () => {
  let fx: EngineFixture;
  afterEach(async () => {
    await fx?.cleanup();
  });

  it('answers 503 "the database is unavailable" and keeps serving', async () => {
    fx = engineFixture('postgres');
    const r = await pgRelay();
    const password = 'canary-web-pw-4417';
    const target = new URL(TEST_PG_URL);
    const url = `postgres://${target.username || 'root'}:${password}@127.0.0.1:${r.port}${target.pathname}`;
    const storage = await openStorage({
      dataDir: fx.dataDir,
      databaseUrl: url,
      schema: fx.schema,
      connectTimeoutMs: 800,
    });
    try {
      const web = consoleOver(new WebStore(storage.sql));
      const created = await web.post('/api/chat', { text: '' });
      expect(created.status).toBe(400); // the route is reachable and checks input before the database
      expect((await web.get('/api/conversations')).status).toBe(200);

      await r.close();
      await new Promise((done) => setTimeout(done, 200)); // the pool drops its cut connections
      const unavailable = {
        status: 503,
        body: { error: 'The database is unavailable: connection refused (ECONNREFUSED). Try again shortly.' },
      };
      expect(await web.get('/api/conversations')).toEqual(unavailable);
      expect(await web.get('/api/conversations/some-id')).toEqual(unavailable);
      expect(await web.post('/api/chat', { text: 'still there?' })).toEqual(unavailable);

      // the health page still answers, with the failure as one of its checks and no usage
      const health = await web.get('/api/health');
      expect(health.status).toBe(200);
      expect(health.body.usage).toEqual([]);
      expect(health.body.checks).toContainEqual({ name: 'database', ok: false, detail: unavailable.body.error });
      expect(JSON.stringify(health.body)).not.toContain(password);
      // and the process is still serving
      expect((await web.get('/api/session')).status).toBe(200);
    } finally {
      await storage.close();
    }
  }, 30_000);
});
