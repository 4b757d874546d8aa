import type { Caller } from '@hearth/sdk';
import { configSchema, type HearthConfig } from '../../src/config/schema.js';
import { createEngine } from '../../src/engine/index.js';
import type { Engine } from '../../src/engine/types.js';
import type { KnowledgeStore } from '../../src/knowledge/types.js';
import { createLogger } from '../../src/log/logger.js';
import { Redactor } from '../../src/log/redact.js';
import { ToolRegistry } from '../../src/plugins/registry.js';
import { approxTokens } from '../../src/providers/tokens.js';
import type { ChatModel, ChatRequest, ModelRegistry } from '../../src/providers/types.js';
import type { HearthStorage } from '../../src/storage/index.js';

export const caller = (guildId = 'g1'): Caller => ({
  surface: 'test',
  userId: 'u1',
  roles: [],
  isAdmin: false,
  guildId,
  channelId: 'c1',
});

/** The answer the echo model gives to `question`: the test can pair every answer with its question. */
export const echo = (question: string) => `You said: ${question}`;

/** A remote-style chat model answering instantly with {@link echo} of the last user message. */
function echoModel(): ChatModel {
  const answer = (req: ChatRequest) => echo(String(req.messages.at(-1)?.content ?? ''));
  return {
    ref: 'test:echo',
    supportsTools: false,
    async chat(req) {
      return { text: answer(req), toolCalls: [], finishReason: 'stop' };
    },
    async *stream(req) {
      yield { type: 'text', text: answer(req) };
      yield { type: 'done', finishReason: 'stop' };
    },
    async complete() {
      return '';
    },
    countTokens: approxTokens,
  };
}

const unused = async (): Promise<never> => {
  throw new Error('not used by the echo engine');
};

/**
 * A real engine on `storage` (either engine) with an instant echo model and no retrieval: what
 * these tests check is the conversation memory, not the answers.
 */
export async function echoEngine(
  storage: HearthStorage,
  options: { dataDir: string; redactor?: Redactor } = { dataDir: '.' },
): Promise<Engine> {
  const config: HearthConfig = {
    ...configSchema.parse({ dataDir: options.dataDir, engine: { retrieveK: 0, maxToolSteps: 0 } }),
    secrets: {},
  };
  const redactor = options.redactor ?? new Redactor();
  const model = echoModel();
  const models: ModelRegistry = {
    chat: async () => model,
    embedder: unused,
    image: unused,
    has: (task) => task === 'chat',
    describe: () => ({ chat: model.ref, embed: undefined, image: undefined }),
    close: async () => {},
  };
  const knowledge = { search: async () => [] } as unknown as KnowledgeStore;
  return createEngine({
    config,
    conversations: storage.conversations,
    models,
    knowledge,
    registry: new ToolRegistry(),
    log: createLogger({ level: 'silent', redactor }),
    redactor,
  });
}
