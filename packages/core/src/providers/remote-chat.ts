import { ProviderError } from './errors.js';
import { chatBody, finishReason, readChatResponse, readUsage, ToolCallAccumulator } from './openai-wire.js';
import { type RemoteTarget, remoteCall } from './remote-client.js';
import { attemptSignal, cancelledError, timeoutError, withRetries } from './retry.js';
import { approxTokens } from './tokens.js';
import type { ChatChunk, ChatModel, ChatRequest, ChatResponse } from './types.js';

/**
 * A chat model behind Hugging Face Inference Providers or any OpenAI-compatible server, through
 * `@huggingface/inference`'s InferenceClient. Every call has a timeout (an idle timeout between
 * streamed chunks), bounded retries on 429/5xx and connection errors, and cancellation.
 */
export function createRemoteChatModel(target: RemoteTarget): ChatModel {
  const { ref, policy } = target;
  // the client's types cover HF's ChatCompletionInput; our body is the same OpenAI shape
  type Args = Parameters<ReturnType<typeof remoteCall>['client']['chatCompletion']>[0];

  async function chat(request: ChatRequest): Promise<ChatResponse> {
    const call = remoteCall(target);
    const args = { model: target.model, ...chatBody(visible(request)) } as unknown as Args;
    const raw = await withRetries((signal) => call.client.chatCompletion(args, call.options(signal)), policy, {
      signal: request.signal,
      mapError: call.mapError,
      retryAfterMs: call.retryAfterMs,
      ref,
    });
    return readChatResponse(raw, ref);
  }

  async function* stream(request: ChatRequest): AsyncGenerator<ChatChunk> {
    const call = remoteCall(target);
    const args = { model: target.model, ...chatBody(visible(request)) } as unknown as Args;
    let yielded = false;
    for (let n = 0; ; n++) {
      if (request.signal?.aborted) throw cancelledError(ref);
      const attempt = attemptSignal(policy.timeoutMs, request.signal);
      const tools = new ToolCallAccumulator();
      let finish: unknown;
      let usage: ChatResponse['usage'];
      try {
        for await (const chunk of call.client.chatCompletionStream(args, call.options(attempt.signal))) {
          attempt.reset();
          const choice = (
            chunk as { choices?: { delta?: { content?: unknown; tool_calls?: unknown }; finish_reason?: unknown }[] }
          ).choices?.[0];
          usage = readUsage((chunk as { usage?: unknown }).usage) ?? usage;
          if (!choice) continue;
          const text = choice.delta?.content;
          if (typeof text === 'string' && text) {
            yielded = true;
            yield { type: 'text', text };
          }
          tools.add(choice.delta?.tool_calls);
          if (choice.finish_reason) finish = choice.finish_reason;
        }
        if (!finish) {
          throw new ProviderError('malformed_response', `${ref}: the stream ended before the answer was complete.`, {
            retryable: true,
          });
        }
        const calls = tools.calls(ref);
        for (const c of calls) yield { type: 'tool_call', call: c };
        yield { type: 'done', finishReason: finishReason(finish, calls.length > 0), ...(usage ? { usage } : {}) };
        return;
      } catch (raw) {
        if (request.signal?.aborted) throw cancelledError(ref);
        const err = attempt.timedOut() ? timeoutError(ref, policy.timeoutMs) : call.mapError(raw);
        // once text reached the caller, a retry would repeat it: fail instead
        if (yielded || !err.retryable || n >= policy.retries) throw err;
        await delay(call.retryAfterMs() ?? (policy.baseDelayMs ?? 500) * 2 ** n, request.signal, ref);
      } finally {
        attempt.cleanup();
      }
    }
  }

  async function complete(prompt: string, options: Omit<ChatRequest, 'messages' | 'tools'> = {}): Promise<string> {
    if (!target.endpointUrl || options.jsonSchema) {
      // HF Inference Providers route chat only; a one-message chat is the portable completion
      return (await chat({ ...options, messages: [{ role: 'user', content: prompt }] })).text;
    }
    const call = remoteCall(target);
    const parameters: Record<string, unknown> = {};
    if (options.maxTokens !== undefined) parameters.max_new_tokens = options.maxTokens;
    if (options.temperature !== undefined) parameters.temperature = options.temperature;
    if (options.stop?.length) parameters.stop = options.stop;
    if (options.seed !== undefined) parameters.seed = options.seed;
    const out = await withRetries(
      (signal) => call.client.textGeneration({ model: target.model, inputs: prompt, parameters }, call.options(signal)),
      policy,
      { signal: options.signal, mapError: call.mapError, retryAfterMs: call.retryAfterMs, ref },
    );
    if (typeof out?.generated_text !== 'string')
      throw new ProviderError('malformed_response', `${ref}: the completion has no text.`);
    return out.generated_text;
  }

  /** Images reach only a model configured as vision-capable: others would answer 400 or ignore them. */
  function visible(request: ChatRequest): ChatRequest {
    if (target.vision) return request;
    if (!request.messages.some((m) => m.images?.length)) return request;
    return { ...request, messages: request.messages.map(({ images: _drop, ...m }) => m) };
  }

  return {
    ref,
    supportsTools: true,
    supportsImages: target.vision === true,
    chat,
    stream,
    complete,
    countTokens: approxTokens,
  };
}

function delay(ms: number, signal: AbortSignal | undefined, ref: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.min(ms, 10_000),
    );
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledError(ref));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
