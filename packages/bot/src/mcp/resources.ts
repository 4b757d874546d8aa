import {
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type ReadResourceResult,
  type Resource,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { ARTIFACT_PREFIX, isTextMime } from './artifacts.js';
import type { SessionContext } from './context.js';
import { hasStructuredContent } from './version.js';

/** URI prefix of knowledge sources. */
export const KNOWLEDGE_PREFIX = 'hearth://knowledge/';

/** The knowledge source URI of a source id. */
export function knowledgeUri(sourceId: string): string {
  return KNOWLEDGE_PREFIX + encodeURIComponent(sourceId);
}

/**
 * Resources: the global knowledge sources (for principals granted `knowledge:read`) and recent
 * generated artifacts, listed, read directly or through templates by id, with subscriptions
 * (`notifications/resources/updated`) and list-changed notifications when the store changes.
 */
export function registerResources(s: SessionContext): void {
  const { server, hearth, principal } = s;
  const canRead = principal.permissions.includes('knowledge:read');
  const subscribed = s.subscriptions;
  const providers = s.shared.extensions.resources ?? [];

  const sources = async () =>
    canRead ? (await hearth.knowledge.listSources({})).filter((src) => src.scope === 'global') : [];

  server.setRequestHandler(ListResourcesRequestSchema, async () => {
    const titled = hasStructuredContent(s.version());
    const resources: Resource[] = (await sources()).map((src) => ({
      uri: knowledgeUri(src.id),
      name: src.title || src.id,
      ...(titled ? { title: src.title } : {}),
      description: `Knowledge source ${src.id} from ${src.uri} (${src.chunks} chunks, added ${src.addedAt})`,
      mimeType: 'text/plain',
    }));
    for (const a of await s.shared.artifacts.list(s.caller)) {
      resources.push({
        uri: a.uri,
        name: a.name,
        description: `Generated ${a.mimeType} (${a.size} bytes)`,
        mimeType: a.mimeType,
        size: a.size,
      });
    }
    for (const p of providers) resources.push(...(await p.list(principal)));
    return { resources };
  });

  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: [
      ...(canRead
        ? [
            {
              uriTemplate: `${KNOWLEDGE_PREFIX}{id}`,
              name: 'knowledge-source',
              description: 'A knowledge source by its id (full text)',
              mimeType: 'text/plain',
            },
          ]
        : []),
      {
        uriTemplate: `${ARTIFACT_PREFIX}{file}`,
        name: 'artifact',
        description: 'A generated image or file kept by Hearth',
      },
      ...providers.flatMap((p) => p.templates()),
    ],
  }));

  server.setRequestHandler(ReadResourceRequestSchema, async (request): Promise<ReadResourceResult> => {
    const { uri } = request.params;
    const wait = s.shared.limiter.take(principal);
    if (wait)
      throw new McpError(
        ErrorCode.InvalidRequest,
        `Rate limit of principal "${principal.name}" reached; try again in ${wait} s.`,
      );
    if (uri.startsWith(KNOWLEDGE_PREFIX)) {
      if (!canRead)
        throw new McpError(ErrorCode.InvalidParams, `Principal "${principal.name}" is not granted "knowledge:read".`);
      const id = decodeURIComponent(uri.slice(KNOWLEDGE_PREFIX.length));
      const src = await hearth.knowledge.getSource(id);
      if (src?.scope !== 'global') throw new McpError(ErrorCode.InvalidParams, `No knowledge source "${id}".`);
      return { contents: [{ uri, mimeType: 'text/plain', text: src.text }] };
    }
    if (uri.startsWith(ARTIFACT_PREFIX)) {
      const file = decodeURIComponent(uri.slice(ARTIFACT_PREFIX.length));
      const a = await s.shared.artifacts.read(file, s.caller);
      if (!a)
        throw new McpError(
          ErrorCode.InvalidParams,
          `No artifact "${file}" of principal "${principal.name}" (only the most recent ${hearth.config.mcp.keepArtifacts} are kept).`,
        );
      return {
        contents: [
          isTextMime(a.mimeType)
            ? { uri, mimeType: a.mimeType, text: a.data.toString('utf8') }
            : { uri, mimeType: a.mimeType, blob: a.data.toString('base64') },
        ],
      };
    }
    for (const p of providers) {
      const contents = await p.read(uri, principal);
      if (contents) return { contents };
    }
    throw new McpError(
      ErrorCode.InvalidParams,
      `Unknown resource "${uri}"; Hearth serves ${KNOWLEDGE_PREFIX}<id> and ${ARTIFACT_PREFIX}<file>.`,
    );
  });

  // A subscription may name a resource that does not exist yet; it is notified once it does.
  server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    subscribed.add(request.params.uri);
    await s.persist();
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    subscribed.delete(request.params.uri);
    await s.persist();
    return {};
  });

  s.onClose(
    hearth.knowledge.onChange((event) => {
      if (!canRead) return;
      const uri = knowledgeUri(event.sourceId);
      if (subscribed.has(uri)) server.sendResourceUpdated({ uri }).catch(() => {});
      if (event.kind !== 'changed') server.sendResourceListChanged().catch(() => {});
    }),
  );
  s.onClose(s.shared.artifacts.onChange(() => server.sendResourceListChanged().catch(() => {})));
}
