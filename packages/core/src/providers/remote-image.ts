import { ProviderError } from './errors.js';
import { type RemoteTarget, remoteCall } from './remote-client.js';
import { withRetries } from './retry.js';
import type { ImageModel } from './types.js';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A Hugging Face text-to-image model (`hf:<repo id>`) through InferenceClient.textToImage; returns PNG bytes. */
export function createHfImageModel(target: RemoteTarget): ImageModel {
  return {
    ref: target.ref,
    async textToImage(options) {
      const call = remoteCall(target, { accept: 'image/png' });
      const parameters: Record<string, unknown> = {};
      if (options.negativePrompt) parameters.negative_prompt = options.negativePrompt;
      if (options.width) parameters.width = options.width;
      if (options.height) parameters.height = options.height;
      if (options.steps) parameters.num_inference_steps = options.steps;
      if (options.guidance !== undefined) parameters.guidance_scale = options.guidance;
      if (options.seed !== undefined) parameters.seed = options.seed;
      const args = { model: target.model, inputs: options.prompt, parameters };
      const blob = await withRetries(
        (signal) => call.client.textToImage(args, { ...call.options(signal), outputType: 'blob' }),
        target.policy,
        { signal: options.signal, mapError: call.mapError, retryAfterMs: call.retryAfterMs, ref: target.ref },
      );
      const bytes = new Uint8Array(await (blob as Blob).arrayBuffer());
      if (!PNG_MAGIC.every((b, i) => bytes[i] === b)) {
        throw new ProviderError(
          'malformed_response',
          `${target.ref}: the model returned ${(blob as Blob).type || 'bytes'} that are not a PNG image; use a model or endpoint that serves image/png.`,
        );
      }
      return bytes;
    },
  };
}
