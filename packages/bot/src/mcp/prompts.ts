import { randomUUID } from 'node:crypto';
import {
  ErrorCode,
  GetPromptRequestSchema,
  type GetPromptResult,
  ListPromptsRequestSchema,
  McpError,
  type Prompt,
  type PromptMessage,
} from '@modelcontextprotocol/sdk/types.js';
import type { SessionContext } from './context.js';
import { knowledgeUri } from './resources.js';
import { hasStructuredContent } from './version.js';

/** The prompts Hearth offers; their arguments complete through completion/complete. */
export const PROMPTS: Prompt[] = [
  {
    name: 'grounded_answer',
    title: 'Grounded answer',
    description:
      "Hearth's full prompt for a question: a persona, the knowledge sources retrieved for it as numbered quotes, and the question",
    arguments: [
      { name: 'question', description: 'the question to answer', required: true },
      { name: 'persona', description: 'persona to answer in (completes to the available personas)', required: false },
    ],
  },
  {
    name: 'summarize_source',
    title: 'Summarize a knowledge source',
    description: 'Asks for a summary of one knowledge source, embedded as a resource',
    arguments: [{ name: 'source_id', description: 'the source id (completes to known sources)', required: true }],
  },
];

/**
 * prompts/list and prompts/get. `grounded_answer` is exactly what the engine would send for the
 * question (system text becomes the first user message, since MCP prompts carry user/assistant roles).
 */
export function registerPrompts(s: SessionContext): void {
  const { server, hearth, principal } = s;
  const canRead = principal.permissions.includes('knowledge:read');

  const own = new Set(PROMPTS.map((p) => p.name));
  const extra = (s.shared.extensions.prompts ?? []).flatMap((provider) =>
    provider.prompts.filter((p) => !own.has(p.name)).map((prompt) => ({ prompt, provider })),
  );
  const all = [...PROMPTS, ...extra.map((e) => e.prompt)];

  // `title` exists from 2025-06-18 on
  server.setRequestHandler(ListPromptsRequestSchema, async () => ({
    prompts: hasStructuredContent(s.version()) ? all : all.map(({ title: _title, ...p }) => p),
  }));

  server.setRequestHandler(GetPromptRequestSchema, async (request): Promise<GetPromptResult> => {
    const { name, arguments: args = {} } = request.params;
    if (name === 'grounded_answer') {
      const question = required(args, 'question');
      const persona = args.persona || undefined;
      if (persona && !(await hearth.engine.personas()).includes(persona)) {
        throw new McpError(
          ErrorCode.InvalidParams,
          `Unknown persona "${persona}"; available: ${(await hearth.engine.personas()).join(', ')}.`,
        );
      }
      const messages = await hearth.engine.previewPrompt({
        // a fresh conversation, so no other session's history leaks into the prompt
        conversation: { surface: 'mcp', sessionId: `prompt:${randomUUID()}` },
        text: question,
        caller: s.caller,
        persona,
        noRetrieval: !canRead,
      });
      return { description: `Grounded answer${persona ? ` as ${persona}` : ''}`, messages: toPromptMessages(messages) };
    }
    if (name === 'summarize_source') {
      const id = required(args, 'source_id');
      const src = canRead ? await hearth.knowledge.getSource(id) : undefined;
      if (src?.scope !== 'global') throw new McpError(ErrorCode.InvalidParams, `No knowledge source "${id}".`);
      return {
        description: `Summarize "${src.title}"`,
        messages: [
          {
            role: 'user',
            content: {
              type: 'resource',
              resource: { uri: knowledgeUri(src.id), mimeType: 'text/plain', text: src.text },
            },
          },
          {
            role: 'user',
            content: {
              type: 'text',
              text: `Summarize "${src.title}" (above) in a few sentences, keeping names and numbers exact.`,
            },
          },
        ],
      };
    }
    const added = extra.find((e) => e.prompt.name === name);
    if (added) return added.provider.get(name, args, principal);
    throw new McpError(
      ErrorCode.InvalidParams,
      `Unknown prompt "${name}"; available: ${all.map((p) => p.name).join(', ')}.`,
    );
  });
}

function required(args: Record<string, string>, key: string): string {
  const v = args[key]?.trim();
  if (!v) throw new McpError(ErrorCode.InvalidParams, `Missing required argument "${key}".`);
  return v;
}

function toPromptMessages(messages: { role: string; content: string }[]): PromptMessage[] {
  return messages
    .filter((m) => m.content)
    .map((m) => ({ role: m.role === 'assistant' ? 'assistant' : 'user', content: { type: 'text', text: m.content } }));
}
