import { connect, createServer, type Socket } from 'node:net';
import { TEST_PG_URL } from './engines.js';

/** A TCP relay to the test PostgreSQL that can stop answering (`blackhole`) or go away (`close`). */
export async function pgRelay() {
  const target = new URL(TEST_PG_URL);
  const sockets = new Set<Socket>();
  let mode: 'forward' | 'blackhole' = 'forward';
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    if (mode === 'blackhole') return; // accepted, never answered
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const cut = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    port,
    blackhole() {
      mode = 'blackhole';
      cut();
    },
    close: () =>
      new Promise<void>((r) => {
        cut();
        server.close(() => r());
      }),
  };
}
