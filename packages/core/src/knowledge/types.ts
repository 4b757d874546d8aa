import type { KnowledgeHit } from '@hearth/sdk';
import type { LoadResult } from './inputs.js';

/**
 * Where a source is visible. A search in guild G, channel C sees global sources, G's guild sources
 * and C's channel sources, never another guild's.
 */
export interface KnowledgeScope {
  guildId?: string;
  channelId?: string;
}

/** A stored source (a file, URL, attachment or text) and its chunks. */
export interface SourceInfo {
  id: string;
  title: string;
  /** Path, URL, `discord:<attachment>` or `text:`. */
  uri: string;
  scope: 'global' | 'guild' | 'channel';
  guildId?: string;
  channelId?: string;
  chunks: number;
  contentHash: string;
  addedAt: string;
}

/** A search hit with the citation data the engine and surfaces need. */
export interface SearchHit extends KnowledgeHit {
  headingPath?: string[];
  /** Character offsets of the chunk in the source text. */
  start?: number;
  end?: number;
}

/** What one ingest did, per input. */
export interface IngestReport {
  added: { uri: string; sourceId: string; chunks: number }[];
  changed: { uri: string; sourceId: string; chunks: number }[];
  unchanged: { uri: string; sourceId: string }[];
  skipped: {
    uri: string;
    reason: 'unsupported type' | 'empty' | 'too large' | 'parse error' | 'fetch error';
    detail?: string;
  }[];
}

/** Progress callback: done of total items, with a label. */
export type ProgressFn = (done: number, total: number, label?: string) => void;

/** The knowledge store (LanceDB on local disk in the data folder). */
export interface KnowledgeStore {
  /** Ingests files, folders or URLs. Idempotent per source; never throws for one bad input. */
  ingest(
    inputs: string[],
    options?: { scope?: KnowledgeScope; onProgress?: ProgressFn; signal?: AbortSignal },
  ): Promise<IngestReport>;
  /**
   * Reads and parses files, folders or URLs with this store's limits, writing nothing: the first half
   * of `ingest`, for a process that hands the writing to the one knowledge writer (the `ingest` worker).
   */
  load(inputs: string[], options?: { onProgress?: ProgressFn; signal?: AbortSignal }): Promise<LoadResult[]>;
  /** The second half: ingests what `load` returned (skips included in the report). */
  ingestLoaded(
    loaded: LoadResult[],
    options?: { scope?: KnowledgeScope; onProgress?: ProgressFn; signal?: AbortSignal },
  ): Promise<IngestReport>;
  /** Adds or replaces a text source (e.g. a Discord attachment or an MCP add_knowledge call). */
  addText(
    source: { title: string; text: string; uri?: string; mimeType?: string },
    options?: { scope?: KnowledgeScope },
  ): Promise<{ sourceId: string; chunks: number; status: 'added' | 'changed' | 'unchanged' }>;
  /** Hybrid search within a scope. */
  search(
    query: string,
    options?: { k?: number; scope?: KnowledgeScope; rerank?: boolean; signal?: AbortSignal },
  ): Promise<SearchHit[]>;
  listSources(scope?: KnowledgeScope): Promise<SourceInfo[]>;
  /** A source and its full text (chunks joined), or undefined. */
  getSource(id: string): Promise<(SourceInfo & { text: string }) | undefined>;
  removeSource(id: string): Promise<boolean>;
  /** Rebuilds every source with another embedder into that embedder's own table. */
  reindex(embedderRef: string, options?: { onProgress?: ProgressFn }): Promise<{ sources: number; chunks: number }>;
  /** Called after any change (add, change, remove); returns an unsubscribe function. */
  onChange(listener: (event: { kind: 'added' | 'changed' | 'removed'; sourceId: string }) => void): () => void;
  close(): Promise<void>;
}
