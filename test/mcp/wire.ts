/** Raw newline-delimited JSON-RPC to Hearth's stdio server, in process (no client library in between). */
import { PassThrough } from 'node:stream';
import { createMcpShared, resolvePrincipal, serveStdio } from '../../packages/bot/src/mcp/index.js';
import { addConformanceFixtures } from './fixtures/conformance.js';
import { PRINCIPALS, testHearth } from './fixtures/hearth.js';

export interface Wire {
  send(message: unknown): void;
  /** The next line the server writes, parsed. */
  next(): Promise<any>;
  close(): Promise<void>;
}

/** Starts a stdio session on a fresh test Hearth (with the conformance fixtures when asked). */
export function open(options: { fixtures?: boolean } = {}): Wire {
  const hearth = testHearth(PRINCIPALS);
  const shared = createMcpShared(hearth, options.fixtures ? addConformanceFixtures(hearth) : {});
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const served = serveStdio(hearth, resolvePrincipal(hearth.config.mcp), { stdin, stdout, shared });
  let buffer = '';
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  return {
    send: (m) => stdin.write(`${typeof m === 'string' ? m : JSON.stringify(m)}\n`),
    next: () =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no answer within 3 s')), 3000);
        const take = (line: string) => {
          clearTimeout(timer);
          resolve(JSON.parse(line));
        };
        const line = lines.shift();
        if (line !== undefined) take(line);
        else waiting.push(take);
      }),
    close: async () => {
      stdin.end();
      await served;
    },
  };
}

/** Sends initialize for `protocolVersion` and the initialized notification; resolves with the initialize result. */
export async function initialize(wire: Wire, protocolVersion: string): Promise<any> {
  wire.send({
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  });
  const answer = await wire.next();
  wire.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return answer.result;
}

/** The response to request `id`, skipping the notifications sent before it. */
export async function answer(wire: Wire, id: number): Promise<any> {
  for (;;) {
    const m = await wire.next();
    if (!Array.isArray(m) && m.id === id) return m;
  }
}
