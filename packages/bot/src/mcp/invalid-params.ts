import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** JSON-RPC's code for params that do not fit the method. */
const INVALID_PARAMS = -32602;
const INTERNAL_ERROR = -32603;

interface ZodIssueLike {
  path?: (string | number)[];
  message?: string;
}

/** The issues of a ZodError's message (a JSON array), or undefined when it is not one. */
function zodIssues(message: string): ZodIssueLike[] | undefined {
  if (!/^\s*\[\s*\{/.test(message)) return undefined;
  try {
    const issues: unknown = JSON.parse(message);
    if (!Array.isArray(issues) || !issues.every((i) => i && typeof i === 'object' && 'message' in i)) return undefined;
    return issues as ZodIssueLike[];
  } catch {
    return undefined;
  }
}

/** One sentence naming each bad field: `Invalid params: uri: expected string, received undefined`. */
export function describeIssues(issues: ZodIssueLike[]): string {
  const parts = issues.slice(0, 5).map((i) => {
    // the SDK parses the whole request, so paths start at `params`: name the field inside it
    const path = i.path?.[0] === 'params' ? i.path.slice(1) : (i.path ?? []);
    return `${path.length ? path.join('.') : '(params)'}: ${String(i.message ?? 'invalid')}`;
  });
  return `Invalid params: ${parts.join('; ')}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`;
}

/**
 * The MCP SDK answers a request whose params fail its own schemas (`initialize` without
 * `protocolVersion`, `resources/read` without `uri`, …) with -32603 Internal error and the raw zod
 * issue list as the message. This rewrites exactly those answers, on their way out, to -32602
 * Invalid params with one readable sentence; every other message passes untouched.
 */
export function reportInvalidParams(transport: Transport): void {
  const send = transport.send.bind(transport);
  transport.send = (message: JSONRPCMessage, options?: Parameters<Transport['send']>[1]) => {
    const error = (message as { error?: { code?: number; message?: string } }).error;
    if (error?.code === INTERNAL_ERROR && typeof error.message === 'string') {
      const issues = zodIssues(error.message);
      if (issues) {
        const fixed = { ...message, error: { ...error, code: INVALID_PARAMS, message: describeIssues(issues) } };
        return send(fixed as JSONRPCMessage, options);
      }
    }
    return send(message, options);
  };
}
