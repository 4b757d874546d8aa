import { type KnowledgeStoreOptions, LanceKnowledgeStore } from './store.js';
import type { KnowledgeStore } from './types.js';

export { type Chunk, type ChunkOptions, chunkText } from './chunker.js';
export { DEFAULT_FUSION, type FusionConfig, type FusionMethod, fuse } from './fusion.js';
export type { LoadResult } from './inputs.js';
export {
  connectLance,
  DEFAULT_REFRESH_SECONDS,
  type DetailedHit,
  type KnowledgeStoreOptions,
  LanceKnowledgeStore,
  type SearchOptions,
  tableNameFor,
} from './store.js';
export type { IngestReport, KnowledgeScope, KnowledgeStore, ProgressFn, SearchHit, SourceInfo } from './types.js';

/**
 * Opens (or creates) the knowledge store in `options.dir` (`<dataDir>/knowledge`): a SQLite catalog of sources
 * and one LanceDB table of chunks per embedder and dimension. Opening finishes any ingest a killed process left.
 */
export async function openKnowledgeStore(
  options: KnowledgeStoreOptions,
): Promise<KnowledgeStore & LanceKnowledgeStore> {
  return LanceKnowledgeStore.open(options);
}
export { createEmbedder } from '../providers/embedders/index.js';
export {
  atCutoff,
  type BeirQuery,
  evaluateBeir,
  evaluateStore,
  loadQrels,
  loadQueries,
  type Qrels,
  type RetrievalMetrics,
  scoreRanking,
} from './eval.js';
export { isVisible, parseScope, scopeFilter } from './scope.js';
