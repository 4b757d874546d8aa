import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { HearthConfig } from '../config/schema.js';
import type { HearthLogger } from '../log/logger.js';
import type { Redactor } from '../log/redact.js';
import { ProviderError } from './errors.js';
import { localModelFile } from './local-model-file.js';
import { meteredChat, meteredEmbedder, meteredImage } from './metered.js';
import { formatModelRef, type ModelRef, parseModelRef, safeRef, safeUrl } from './refs.js';
import { createRemoteChatModel } from './remote-chat.js';
import type { RemoteTarget } from './remote-client.js';
import { createHfImageModel } from './remote-image.js';
import type { ChatModel, Embedder, ImageModel, ModelRegistry, ModelTask } from './types.js';

/**
 * Creates the model registry from config. Cheap: nothing is loaded or contacted until a model is
 * first asked for; each reference is created once and shared. Every chat call, embedding batch
 * and image is timed and its tokens counted in the process metrics (providers/metered.ts).
 */
export async function createModelRegistry(
  config: HearthConfig,
  deps: { log: HearthLogger; redactor: Redactor; trustedEndpoints?: readonly string[] },
): Promise<ModelRegistry> {
  const { models, secrets } = config;
  const trusted = trustedOrigins(config, deps.trustedEndpoints);
  /** The secret, only for an endpoint the operator configured or the provider's own host. */
  const secretFor = (url: string | undefined, secret: string | undefined, name: string): string | undefined => {
    if (!secret || url === undefined || isTrusted(url, trusted)) return secret;
    deps.log.warn(
      { endpoint: safeUrl(url) },
      `not sending ${name} to an endpoint that is not configured (models.chat, models.embed, models.image)`,
    );
    return undefined;
  };
  const chats = new Map<string, Promise<ChatModel>>();
  const embedders = new Map<string, Promise<Embedder>>();
  const images = new Map<string, Promise<ImageModel>>();

  const target = (ref: Extract<ModelRef, { kind: 'hf' | 'openai' }>): RemoteTarget => {
    const policy = { timeoutMs: models.timeoutMs, retries: models.retries };
    const shown = formatModelRef(ref);
    if (ref.kind === 'openai') {
      return {
        ref: shown,
        model: ref.model,
        endpointUrl: ref.baseUrl,
        token: secretFor(ref.baseUrl, secrets.openaiApiKey, 'OPENAI_API_KEY'),
        tokenName: 'OPENAI_API_KEY',
        policy,
        redactor: deps.redactor,
      };
    }
    if (!ref.endpointUrl && !secrets.hfToken) {
      throw new ProviderError(
        'not_configured',
        `${shown} needs a Hugging Face token: set HF_TOKEN in the environment or in .env.`,
      );
    }
    return {
      ref: shown,
      model: ref.model,
      endpointUrl: ref.endpointUrl,
      token: secretFor(ref.endpointUrl, secrets.hfToken, 'HF_TOKEN'),
      tokenName: 'HF_TOKEN',
      policy,
      redactor: deps.redactor,
    };
  };

  const loadLog = (line: string) => deps.log.info(line);

  async function createChat(text: string): Promise<ChatModel> {
    const ref = parseModelRef(text);
    deps.log.debug({ model: formatModelRef(ref) }, 'creating chat model');
    if (ref.kind === 'hf' || ref.kind === 'openai')
      return createRemoteChatModel({ ...target(ref), vision: models.vision });
    // node-llama-cpp is heavy: imported only when a local model is first asked for
    const gguf = await import('./gguf/index.js');
    if (ref.kind === 'gguf') {
      const path = resolve(ref.path);
      if (!existsSync(path))
        throw new ProviderError(
          'not_configured',
          `gguf:${ref.path}: no such file (${path}). Point HEARTH_CHAT_MODEL at an existing .gguf file.`,
        );
      // the load line (which file serves, the self-check) goes to the log, not to a quiet terminal
      return gguf.createGgufChatModel({ path, findAdapter: gguf.adaptersIn(config.dataDir), log: loadLog });
    }
    return gguf.createLocalChatModel(config.dataDir, loadLog);
  }

  return {
    chat(ref) {
      const text = ref ?? models.chat ?? 'local';
      let model = chats.get(text);
      if (!model) {
        model = createChat(text).then(meteredChat);
        chats.set(text, model);
        model.catch(() => chats.delete(text)); // a failed creation may succeed after the user fixes config
      }
      return model;
    },
    embedder(ref) {
      const text = ref ?? models.embed;
      let embedder = embedders.get(text);
      if (!embedder) {
        embedder = (async () => {
          const { createEmbedder } = await import('./embedders/index.js');
          const at = text.startsWith('hf:') ? text.search(/@https?:\/\//) : -1;
          const [name, endpointUrl] = at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
          const embedder = await createEmbedder(name, {
            hfToken: secretFor(endpointUrl, secrets.hfToken, 'HF_TOKEN'),
            endpointUrl,
            timeoutMs: models.timeoutMs,
            maxRetries: models.retries,
          });
          return meteredEmbedder(embedder);
        })();
        embedders.set(text, embedder);
        embedder.catch(() => embedders.delete(text));
      }
      return embedder;
    },
    image(ref) {
      const text = ref ?? models.image;
      if (!text) {
        return Promise.reject(
          new ProviderError(
            'not_configured',
            'No image model is configured: set HEARTH_IMAGE_MODEL=hf:<repo id> (and HF_TOKEN), or models.image in hearth.config.json.',
          ),
        );
      }
      let image = images.get(text);
      if (!image) {
        image = (async () => {
          const parsed = parseModelRef(text);
          if (parsed.kind !== 'hf') {
            throw new ProviderError(
              'not_configured',
              `${safeRef(text)}: only hf:<repo id> text-to-image models are supported; image plugins use their own local model.`,
            );
          }
          return meteredImage(createHfImageModel(target(parsed)));
        })();
        images.set(text, image);
        image.catch(() => images.delete(text));
      }
      return image;
    },
    has(task: ModelTask) {
      if (task === 'embed') return true;
      if (task === 'image') return Boolean(models.image);
      return Boolean(models.chat) || localModelExists(config.dataDir);
    },
    describe() {
      return {
        chat: models.chat ? safeRef(models.chat) : localModelExists(config.dataDir) ? 'local' : undefined,
        embed: safeRef(models.embed),
        image: models.image ? safeRef(models.image) : undefined,
      };
    },
    async close() {
      const all = [...chats.values()];
      chats.clear();
      for (const model of all) {
        try {
          await (await model).close?.();
        } catch {
          // a model that failed to load has nothing to close
        }
      }
    },
  };
}

/**
 * Whether `local` can load without importing node-llama-cpp: a model file exists where
 * createLocalChatModel looks (the user's own, or the one shipped in the package).
 */
function localModelExists(dataDir: string): boolean {
  return existsSync(localModelFile(dataDir));
}

/** Hosts of the providers themselves: their own token may always go there. */
const PROVIDER_HOSTS = [/^api\.openai\.com$/, /(^|\.)huggingface\.co$/, /\.huggingface\.cloud$/, /\.hf\.space$/];

/**
 * Origins (scheme, host, port, path prefix) the operator chose: the endpoints of the configured
 * models plus any extra the caller names. A model reference naming another address gets no token.
 */
function trustedOrigins(config: HearthConfig, extra: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const ref of [config.models.chat, config.models.embed, config.models.image, ...extra]) {
    const at = ref?.search(/https?:\/\//) ?? -1;
    if (ref && at >= 0) {
      const base = endpointKey(ref.slice(at));
      if (base) out.push(base);
    }
  }
  return out;
}

/** `scheme://host:port/path` without credentials, query or trailing slash; undefined when not a URL. */
function endpointKey(url: string): string | undefined {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return undefined;
  }
}

function isTrusted(url: string, trusted: string[]): boolean {
  const key = endpointKey(url);
  if (!key) return false;
  const u = new URL(url);
  if (u.protocol === 'https:' && PROVIDER_HOSTS.some((re) => re.test(u.hostname))) return true;
  // the configured endpoint or a path below it (an HF endpoint serves several routes)
  return trusted.some((t) => key === t || key.startsWith(`${t}/`));
}
