import { type Caller, HearthError, type ResultPart } from '@hearth/sdk';
import type { HearthLogger } from '../log/logger.js';
import type { ToolRegistry } from '../plugins/registry.js';
import type { ChatModel, ChatRequest, ProviderMessage, ToolCall, ToolSpec } from '../providers/types.js';
import { CitationStreamFilter } from './citations.js';
import type { Persona } from './personas.js';
import { toolResultMessage } from './prompt.js';
import type { NumberedSource } from './sources.js';
import { callSignature, dispatchToolCall, mayBeToolCall, parseToolCallText } from './tools.js';
import type { TurnResult } from './types.js';

/** What one model-driven turn needs. */
export interface ModelLoopInput {
  model: ChatModel;
  messages: ProviderMessage[];
  tools: ToolSpec[];
  toolMode: 'native' | 'parsed' | 'none';
  persona: Persona;
  sources: NumberedSource[];
  registry: ToolRegistry;
  caller: Caller;
  maxSteps: number;
  log: HearthLogger;
  signal?: AbortSignal;
  /** LoRA adapter for every model call of this turn (local models; see AdapterStore). */
  adapter?: string;
  onToken?: (text: string) => unknown;
  onProgress?: (fraction: number, message?: string) => void;
}

/** After this many repeated identical calls the model must answer without tools. */
const MAX_REPEATS = 2;

/**
 * Runs the model, dispatching its tool calls through the registry with the caller's permissions,
 * until it answers in text, the step limit is reached, or the loop guard sees the same call
 * repeated. Only the model's own output can trigger a call; retrieved and tool text is data.
 */
export async function runModelLoop(
  input: ModelLoopInput,
): Promise<{ text: string; toolCalls: TurnResult['toolCalls']; attachments: ResultPart[] }> {
  const messages = [...input.messages];
  const toolCalls: TurnResult['toolCalls'] = [];
  const attachments: ResultPart[] = [];
  const seen = new Set<string>();
  const offered = new Set(input.tools.map((t) => t.name));
  let repeats = 0;
  for (let step = 0; ; step++) {
    if (input.signal?.aborted) throw answerCancelled(input.signal);
    const toolsOpen =
      input.toolMode !== 'none' && input.tools.length > 0 && step < input.maxSteps && repeats < MAX_REPEATS;
    const request: ChatRequest = {
      messages,
      ...(input.adapter ? { adapter: input.adapter } : {}),
      temperature: input.persona.temperature,
      maxTokens: input.persona.maxTokens,
      signal: input.signal,
      ...(toolsOpen && input.toolMode === 'native' ? { tools: input.tools } : {}),
    };
    const round = await callModel(input, request, toolsOpen && input.toolMode === 'parsed', step);
    if (!round.calls.length || !toolsOpen) {
      const text =
        round.text.trim() || (round.calls.length ? 'I could not finish this within the tool step limit.' : '');
      return { text, toolCalls, attachments };
    }
    messages.push(
      input.toolMode === 'native'
        ? { role: 'assistant', content: round.text, toolCalls: round.calls }
        : { role: 'assistant', content: round.text.trim() },
    );
    for (const call of round.calls) {
      const signature = callSignature(call);
      let content: string;
      if (seen.has(signature)) {
        repeats++;
        content = toolResultMessage(
          call.name,
          false,
          'You already made this exact call; its result is above. Answer the user now.',
        );
        input.log.debug({ tool: call.name }, 'loop guard: repeated tool call not dispatched');
      } else {
        seen.add(signature);
        const result = await dispatchToolCall(input.registry, call, {
          caller: input.caller,
          offered,
          signal: input.signal,
          onProgress: input.onProgress,
        });
        toolCalls.push({ name: call.name, ok: result.ok, ...(result.error ? { error: result.error } : {}) });
        attachments.push(...result.attachments);
        content = toolResultMessage(call.name, result.ok, result.text);
      }
      messages.push(
        input.toolMode === 'native' ? { role: 'tool', toolCallId: call.id, content } : { role: 'user', content },
      );
    }
  }
}

/** One model call: streamed to onToken (citations checked, parsed tool calls held back) or plain. */
async function callModel(
  input: ModelLoopInput,
  request: ChatRequest,
  parseTools: boolean,
  step: number,
): Promise<{ text: string; calls: ToolCall[] }> {
  const parsed = (text: string) => {
    const call = parseTools ? parseToolCallText(text, `call_${step}`) : undefined;
    return call ? [call] : [];
  };
  if (!input.onToken) {
    const res = await input.model.chat(request);
    const calls = res.toolCalls.length ? res.toolCalls : parsed(res.text);
    return { text: res.text, calls };
  }
  const emit = async (text: string) => {
    if (!text) return;
    const ack = input.onToken?.(text);
    // a surface that returns a promise applies backpressure: the next chunk waits for it
    if (ack && typeof (ack as Promise<unknown>).then === 'function') await ack;
  };
  const filter = new CitationStreamFilter(input.sources);
  const calls: ToolCall[] = [];
  let text = '';
  let released = !parseTools;
  for await (const chunk of input.model.stream(request)) {
    if (chunk.type === 'tool_call') calls.push(chunk.call);
    if (chunk.type !== 'text') continue;
    text += chunk.text;
    if (released) await emit(filter.push(chunk.text));
    else if (!mayBeToolCall(text)) {
      released = true;
      await emit(filter.push(text));
    }
  }
  if (!released) {
    const call = parsed(text);
    if (call.length) return { text, calls: call };
    await emit(filter.push(text));
  }
  await emit(filter.flush());
  return { text, calls };
}

/** The error of a stopped turn, saying why when the abort gave a reason ("interrupted (Ctrl-C)", a timeout). */
export function answerCancelled(signal: AbortSignal): HearthError {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : '';
  // the DOMException of a bare abort() says nothing a user needs
  const said = why && !/operation was aborted/i.test(why);
  return new HearthError('cancelled', said ? `The answer was cancelled: ${why}.` : 'The answer was cancelled.');
}
