import { CompleteRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { ARTIFACT_PREFIX } from './artifacts.js';
import type { SessionContext } from './context.js';
import { KNOWLEDGE_PREFIX } from './resources.js';

const MAX = 100;

/**
 * completion/complete for prompt arguments (personas, source ids) and resource template variables
 * (source ids, artifact files). Unknown references complete to nothing rather than failing.
 */
export function registerCompletion(s: SessionContext): void {
  const { server, hearth, principal } = s;
  const canRead = principal.permissions.includes('knowledge:read');
  const sourceIds = async () =>
    canRead ? (await hearth.knowledge.listSources({})).filter((x) => x.scope === 'global').map((x) => x.id) : [];

  server.setRequestHandler(CompleteRequestSchema, async (request) => {
    const { ref, argument } = request.params;
    let candidates: string[] = [];
    if (ref.type === 'ref/prompt') {
      if (ref.name === 'grounded_answer' && argument.name === 'persona') candidates = await hearth.engine.personas();
      if (ref.name === 'summarize_source' && argument.name === 'source_id') candidates = await sourceIds();
    } else if (ref.type === 'ref/resource') {
      if (ref.uri === `${KNOWLEDGE_PREFIX}{id}` && argument.name === 'id') candidates = await sourceIds();
      if (ref.uri === `${ARTIFACT_PREFIX}{file}` && argument.name === 'file')
        candidates = (await s.shared.artifacts.list(s.caller)).map((a) => a.file);
    }
    const prefix = argument.value.toLowerCase();
    const matches = candidates.filter((c) => c.toLowerCase().startsWith(prefix));
    return { completion: { values: matches.slice(0, MAX), total: matches.length, hasMore: matches.length > MAX } };
  });
}
