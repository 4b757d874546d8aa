import type { McpHearth, McpShared } from './context.js';
import type { Principal } from './identity.js';
import { reportInvalidParams } from './invalid-params.js';
import { createMcpServer } from './server.js';
import { StdioTransport } from './stdio-transport.js';

/**
 * Serves one MCP session over stdin/stdout (stdout carries only the protocol; logs go to stderr).
 * Resolves when the client closes the connection.
 */
export async function serveStdio(
  hearth: McpHearth,
  principal: Principal,
  io: { stdin?: NodeJS.ReadableStream; stdout?: NodeJS.WritableStream; shared?: McpShared } = {},
): Promise<void> {
  const session = createMcpServer(hearth, principal, io.shared);
  const transport = new StdioTransport(io.stdin ?? process.stdin, io.stdout ?? process.stdout, session.protocolVersion);
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
  });
  reportInvalidParams(transport);
  await session.server.connect(transport);
  // The SDK's stdio transport does not notice the end of stdin; the client going away ends the session.
  (io.stdin ?? process.stdin).once('end', () => void session.close());
  await closed;
  await session.close();
}
