/** A private Redis on a free port (no persistence), for tests that stop and start Redis. */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { freePort, waitUntil } from './ports.js';

/** A running private Redis. */
export interface PrivateRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  /** Starts it again on the same port (empty: nothing is persisted); resolves once it answers PING. */
  start(): Promise<void>;
  restart(): Promise<void>;
  log(): string;
}

/** Resolves true when the server on `port` answers PING with PONG. */
export function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      reply += d.toString();
      if (reply.includes('\r\n')) {
        socket.end();
        resolve(reply.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(reply.startsWith('+PONG')));
  });
}

/** Starts `redis-server` on a free loopback port with `--save "" --appendonly no`. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  let output = '';
  const redis: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      const c = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = c;
      c.stdout?.on('data', (d) => {
        output += d;
      });
      c.stderr?.on('data', (d) => {
        output += d;
      });
      const failed = new Promise<never>((_, reject) => {
        c.on('error', (err) => reject(new Error(`redis-server could not start: ${err.message}`)));
        c.on('exit', (code) => reject(new Error(`redis-server exited ${code} at start:\n${output.slice(-1500)}`)));
      });
      failed.catch(() => {});
      await Promise.race([waitUntil(`redis-server on port ${port}`, () => redisPing(port), 15_000), failed]);
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
    async restart() {
      await redis.stop();
      await redis.start();
    },
    log: () => output,
  };
  await redis.start();
  return redis;
}
