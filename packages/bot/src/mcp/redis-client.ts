import { ioredis, redisConnection } from '@hearth/core/queue';

/** The ioredis calls the MCP session store makes. */
export interface RedisLike {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, px: 'PX', ms: number): Promise<unknown>;
  pexpire(key: string, ms: number): Promise<number>;
  del(...keys: string[]): Promise<number>;
  incr(key: string): Promise<number>;
  rpush(key: string, value: string): Promise<number>;
  ltrim(key: string, start: number, stop: number): Promise<unknown>;
  lrange(key: string, start: number, stop: number): Promise<string[]>;
  publish(channel: string, message: string): Promise<number>;
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  ping(): Promise<string>;
  on(event: 'message', fn: (channel: string, message: string) => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

type RedisCtor = new (options: Record<string, unknown>) => RedisLike;

/** Opens an ioredis connection for `url` (redis:// or rediss://), checked with a PING within `timeoutMs`. */
export async function connectRedis(url: string, timeoutMs = 5000): Promise<RedisLike> {
  // ioredis is @hearth/core's dependency (BullMQ's client): one copy of the client for every package
  const Redis = ioredis() as unknown as RedisCtor;
  // commands fail fast while Redis is down (the request gets an error) instead of queueing for ever
  const client = new Redis({ ...redisConnection(url), maxRetriesPerRequest: 1, lazyConnect: false });
  client.on('error', () => {}); // ioredis reconnects by itself; failures surface on the commands
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.ping(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return client;
  } catch (err) {
    client.disconnect();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
