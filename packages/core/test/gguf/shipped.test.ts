import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { groundedSystemPrompt } from '../../src/local-models/data/grounded-chats.js';
import { readLlamaGguf } from '../../src/local-models/gguf/llama-gguf.js';
import { Tokenizer } from '../../src/local-models/tokenizer.js';
import { createLocalChatModel, SHIPPED_MODEL_PATH } from '../../src/providers/gguf/index.js';

const tokenizerPath = SHIPPED_MODEL_PATH.replace(/hearth-local-q8_0\.gguf$/, 'tokenizer.json');

describe.skipIf(!existsSync(SHIPPED_MODEL_PATH))(
  'the shipped local model (skipped: packages/core/assets/models/hearth-local-q8_0.gguf not built)',
  () => {
    it('is small, Q8_0, and carries the same tokenizer as tokenizer.json', () => {
      expect(readFileSync(SHIPPED_MODEL_PATH).length).toBeLessThan(8 * 1024 * 1024);
      const model = readLlamaGguf(SHIPPED_MODEL_PATH);
      const tok = Tokenizer.load(tokenizerPath);
      expect(model.tokenizer.tokens).toEqual(tok.tokens);
      expect(model.config.vocabSize).toBe(tok.vocabSize);
    });

    it('serves as the `local` chat model and answers a grounded prompt, ending its turn', async () => {
      const chat = await createLocalChatModel();
      try {
        expect(chat.ref).toBe('local');
        const r = await chat.chat({
          messages: [
            {
              role: 'system',
              content: groundedSystemPrompt([
                'The bot answers only in allowlisted channels.',
                'Hearth runs on Node 20.',
              ]),
            },
            { role: 'user', content: 'Which Node version does Hearth need?' },
          ],
          temperature: 0,
          maxTokens: 48,
        });
        expect(r.text.trim().length).toBeGreaterThan(0);
        expect(r.text).not.toContain('<|im_end|>');
      } finally {
        await chat.close?.();
      }
    });
  },
);
