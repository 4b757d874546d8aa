import { createRequire } from 'node:module';

/** An ioredis client, as far as Hearth touches it (BullMQ takes it as its connection). */
export interface IoRedisClient {
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: string, fn: (...args: never[]) => void): unknown;
}

type IoRedisCtor = new (options: Record<string, unknown>) => IoRedisClient;

let ctor: IoRedisCtor | undefined;

/**
 * Loads ioredis, BullMQ's optional Redis client. BullMQ cannot load it itself from ESM, so Hearth
 * builds each connection and hands it over. Throws naming the package when it is not installed.
 */
export function ioredis(): IoRedisCtor {
  if (ctor) return ctor;
  try {
    const mod = createRequire(import.meta.url)('ioredis') as IoRedisCtor & { default?: IoRedisCtor };
    ctor = mod.default ?? mod;
    return ctor;
  } catch {
    throw new Error(
      'The Redis job queue needs the "ioredis" package, which is not installed: add it to @hearth/core ' +
        '(corepack pnpm --filter @hearth/core add ioredis), or unset HEARTH_REDIS_URL to use the in-process queue.',
    );
  }
}
