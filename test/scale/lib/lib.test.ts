import { afterAll, describe, expect, it } from 'vitest';
import { pg } from '../../../packages/core/src/storage/pg-module.js';
import {
  type PrivatePostgres,
  type PrivateRedis,
  redisPing,
  startPrivatePostgres,
  startPrivateRedis,
} from './index.js';

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function select1(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one;
  } finally {
    await client.end();
  }
}

describe('private services', () => {
  it('a private PostgreSQL stops, refuses connections, and starts again with its data', async () => {
    const db: PrivatePostgres = await startPrivatePostgres();
    cleanup.push(() => db.destroy());
    expect(db.port).not.toBe(5432);
    expect(await select1(db.url)).toBe(1);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query('CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)');
    await c.end();
    await db.stop();
    await expect(select1(db.url)).rejects.toThrow(/ECONNREFUSED/);
    await db.start();
    const again = new pg.Client({ connectionString: db.url });
    await again.connect();
    expect((await again.query('SELECT n FROM kept')).rows).toEqual([{ n: 42 }]);
    await again.end();
  });

  it('a private Redis stops and starts on the same port', async () => {
    const redis: PrivateRedis = await startPrivateRedis();
    cleanup.push(() => redis.stop());
    expect(redis.port).not.toBe(6379);
    expect(await redisPing(redis.port)).toBe(true);
    await redis.stop();
    expect(await redisPing(redis.port)).toBe(false);
    await redis.restart();
    expect(await redisPing(redis.port)).toBe(true);
  });
});
