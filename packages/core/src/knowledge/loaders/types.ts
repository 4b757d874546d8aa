/** One document of a source: a file holds one, a JSONL/CSV/BEIR file holds many. */
export interface LoadedDoc {
  /** A stable id given by the data (BEIR `_id`, a CSV `id` column); otherwise the store numbers documents. */
  docId?: string;
  title: string;
  text: string;
  /** Whether `#` headings structure the text. */
  markdown: boolean;
}

export interface LoadedSource {
  title: string;
  mimeType: string;
  docs: LoadedDoc[];
}

export type SkipReason = 'unsupported type' | 'empty' | 'too large' | 'parse error' | 'fetch error';

/** A reason to skip an input, reported instead of thrown out of ingest. */
export class SkipError extends Error {
  constructor(
    readonly reason: SkipReason,
    detail: string,
  ) {
    super(detail);
    this.name = 'SkipError';
  }
}
