import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  isJSONRPCNotification,
  isJSONRPCRequest,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';

/**
 * Closes a cancelled request's SSE stream. A cancelled request gets no response (the spec says so),
 * and the SDK keeps a POST's stream open until every request on it is answered, so the client would
 * hold it until it gave up. A stream carrying only the cancelled request closes at once; one carrying
 * a batch (2025-03-26) closes right after the batch's last other response is written.
 */
export function closeStreamsOnCancel(transport: StreamableHTTPServerTransport): {
  /** Call with each POST body before the transport handles it. */
  noteBody(body: unknown): void;
} {
  // requests that arrived in one POST body share one set: the ids still waiting for a response
  const groups = new Map<RequestId, { waiting: Set<RequestId>; cancelled: Set<RequestId> }>();
  const close = (id: RequestId) => setImmediate(() => transport.closeSSEStream(id));
  const forget = (group: { waiting: Set<RequestId>; cancelled: Set<RequestId> }) => {
    for (const id of [...group.waiting, ...group.cancelled]) groups.delete(id);
  };

  const onmessage = transport.onmessage;
  transport.onmessage = (message: JSONRPCMessage, extra) => {
    onmessage?.(message, extra);
    if (!isJSONRPCNotification(message) || message.method !== 'notifications/cancelled') return;
    const id = (message.params as { requestId?: RequestId } | undefined)?.requestId;
    if (id === undefined) return;
    const group = groups.get(id);
    if (!group) return close(id);
    group.waiting.delete(id);
    group.cancelled.add(id);
    if (group.waiting.size === 0) {
      forget(group);
      close(id);
    }
  };

  const send = transport.send.bind(transport);
  transport.send = async (message: JSONRPCMessage, options) => {
    await send(message, options);
    const id = 'id' in message && !('method' in message) ? message.id : undefined;
    if (id === undefined) return;
    const group = groups.get(id);
    if (!group) return;
    group.waiting.delete(id);
    groups.delete(id);
    if (group.waiting.size === 0) {
      forget(group);
      const cancelled = [...group.cancelled][0];
      if (cancelled !== undefined) close(cancelled);
    }
  };

  return {
    noteBody(body) {
      if (!Array.isArray(body)) return;
      const ids = body.filter((m) => isJSONRPCRequest(m)).map((m) => (m as { id: RequestId }).id);
      if (ids.length < 2) return;
      const group = { waiting: new Set(ids), cancelled: new Set<RequestId>() };
      for (const id of ids) groups.set(id, group);
    },
  };
}
