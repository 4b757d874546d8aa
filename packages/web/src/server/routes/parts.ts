import type { ResultPart } from '@hearth/sdk';
import type { ConsoleDeps } from '../context.js';
import type { Artifact } from '../jobs.js';

/**
 * Images and files a chat turn produced become artifacts of a finished job owned by `owner`, so
 * the page links them like any tool result and nobody else can read them.
 */
export function partsToArtifacts(
  deps: ConsoleDeps,
  owner: string,
  kind: string,
  parts: ResultPart[],
): { jobId: string; artifacts: Artifact[] } | undefined {
  const files = parts.filter((p) => p.type !== 'text');
  if (files.length === 0) return undefined;
  const job = deps.jobs.record(kind, owner, { content: files });
  return { jobId: job.id, artifacts: job.artifacts };
}
