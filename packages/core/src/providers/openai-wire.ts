import { ProviderError } from './errors.js';
import type { ChatRequest, ChatResponse, ProviderMessage, ToolCall } from './types.js';

/** A part of a user message's content: text, or an image as a data URL. */
export type WireContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

/** OpenAI chat message as sent on the wire. */
export interface WireMessage {
  role: string;
  content: string | null | WireContentPart[];
  tool_call_id?: string;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
}

/** Builds the OpenAI `chat/completions` body (minus `model` and `stream`) from a request. */
export function chatBody(request: ChatRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { messages: request.messages.map(toWire) };
  if (request.tools?.length) {
    body.tools = request.tools.map((t) => ({
      type: 'function',
      function: { name: t.name, description: t.description, parameters: t.parameters },
    }));
    body.tool_choice = 'auto';
  }
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
  if (request.stop?.length) body.stop = request.stop;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.jsonSchema) {
    body.response_format = {
      type: 'json_schema',
      json_schema: { name: 'answer', schema: request.jsonSchema, strict: true },
    };
  }
  return body;
}

function toWire(m: ProviderMessage): WireMessage {
  const wire: WireMessage = { role: m.role, content: m.content };
  if (m.role === 'user' && m.images?.length) {
    // OpenAI's vision format: the text, then each image as a base64 data URL
    wire.content = [
      ...(m.content ? [{ type: 'text' as const, text: m.content }] : []),
      ...m.images.map((img) => ({
        type: 'image_url' as const,
        image_url: { url: `data:${img.mimeType};base64,${img.data}` },
      })),
    ];
  }
  if (m.role === 'tool' && m.toolCallId) wire.tool_call_id = m.toolCallId;
  if (m.role === 'assistant' && m.toolCalls?.length) {
    wire.tool_calls = m.toolCalls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: c.arguments },
    }));
    if (!m.content) wire.content = null;
  }
  return wire;
}

/** Maps an OpenAI finish reason to ours. */
export function finishReason(reason: unknown, hasToolCalls: boolean): ChatResponse['finishReason'] {
  if (hasToolCalls || reason === 'tool_calls' || reason === 'function_call') return 'tool_calls';
  if (reason === 'length') return 'length';
  return 'stop';
}

/** Reads a non-streamed `chat/completions` answer, rejecting shapes that are not one. */
export function readChatResponse(raw: unknown, ref: string): ChatResponse {
  const choice = (raw as { choices?: unknown[] })?.choices?.[0] as
    | { message?: { content?: unknown; tool_calls?: unknown[] }; finish_reason?: unknown }
    | undefined;
  if (!choice?.message)
    throw new ProviderError('malformed_response', `${ref}: the server's answer has no choices[0].message.`);
  const text = typeof choice.message.content === 'string' ? choice.message.content : '';
  const toolCalls: ToolCall[] = (choice.message.tool_calls ?? []).map((c, i) => readToolCall(c, i, ref));
  const usage = readUsage((raw as { usage?: unknown }).usage);
  return {
    text,
    toolCalls,
    finishReason: finishReason(choice.finish_reason, toolCalls.length > 0),
    ...(usage ? { usage } : {}),
  };
}

function readToolCall(c: unknown, i: number, ref: string): ToolCall {
  const call = c as { id?: unknown; function?: { name?: unknown; arguments?: unknown } };
  const name = call?.function?.name;
  if (typeof name !== 'string' || !name)
    throw new ProviderError('malformed_response', `${ref}: a tool call has no function name.`);
  const args = call.function?.arguments;
  return {
    id: typeof call.id === 'string' && call.id ? call.id : `call_${i}`,
    name,
    arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
  };
}

export function readUsage(u: unknown): ChatResponse['usage'] | undefined {
  const usage = u as { prompt_tokens?: unknown; completion_tokens?: unknown } | undefined;
  if (typeof usage?.prompt_tokens !== 'number' || typeof usage.completion_tokens !== 'number') return undefined;
  return { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens };
}

/** Accumulates streamed `delta.tool_calls` fragments by index. */
export class ToolCallAccumulator {
  private readonly parts = new Map<number, { id?: string; name: string; arguments: string }>();

  add(deltas: unknown): void {
    if (!Array.isArray(deltas)) return;
    for (const [i, d] of deltas.entries()) {
      const delta = d as { index?: number; id?: string; function?: { name?: string; arguments?: string } };
      const index = typeof delta.index === 'number' ? delta.index : i;
      const part = this.parts.get(index) ?? { name: '', arguments: '' };
      if (delta.id) part.id = delta.id;
      if (delta.function?.name) part.name += delta.function.name;
      if (delta.function?.arguments) part.arguments += delta.function.arguments;
      this.parts.set(index, part);
    }
  }

  calls(ref: string): ToolCall[] {
    return [...this.parts.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, p]) => {
        if (!p.name)
          throw new ProviderError('malformed_response', `${ref}: a streamed tool call has no function name.`);
        return { id: p.id ?? `call_${index}`, name: p.name, arguments: p.arguments || '{}' };
      });
  }
}
