import { useEffect, useState } from 'preact/hooks';
import { api, csrfToken, fileToBase64, type User } from '../api.js';
import { type Job, JobCard } from '../components/JobCard.js';
import { useRefreshOn, useTrackedJobs } from '../events.js';

interface Source {
  id: string;
  title: string;
  uri: string;
  scope: string;
  guildId?: string;
  chunks: number;
  addedAt: string;
}

interface Hit {
  id: string;
  title: string;
  text: string;
  score: number;
  source: string;
  scores?: { bm25?: number; vector?: number; fused?: number };
}

/** Knowledge: upload files and URLs with progress, sources by scope, remove, re-index, search playground. */
export function Knowledge({ user }: { user: User }) {
  const [sources, setSources] = useState<Source[]>([]);
  const { jobs, track } = useTrackedJobs<Job>(5);
  const [url, setUrl] = useState('');
  const [uploadPct, setUploadPct] = useState<number | undefined>();
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<Hit[] | undefined>();
  const [error, setError] = useState('');
  const refresh = useRefreshOn('knowledge');

  useEffect(() => {
    api<{ sources: Source[] }>('/api/knowledge/sources').then(
      (r) => setSources(r.sources),
      (e) => setError(e.message),
    );
  }, [refresh]);

  const upload = async (file: File) => {
    setError('');
    setUploadPct(0);
    try {
      const data = await fileToBase64(file);
      const r = await uploadWithProgress({ name: file.name, data }, setUploadPct);
      track(r.job);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setUploadPct(undefined);
    }
  };

  return (
    <div class="page knowledge">
      <section aria-labelledby="add-h">
        <h2 id="add-h">Add knowledge</h2>
        <label for="upload">Upload a file (Markdown, text, HTML, PDF, JSON, CSV)</label>
        <input
          id="upload"
          type="file"
          onChange={(e) => {
            const f = (e.target as HTMLInputElement).files?.[0];
            if (f) upload(f);
          }}
        />
        {uploadPct !== undefined ? <progress max={1} value={uploadPct} aria-label="upload progress" /> : null}
        <form
          class="row"
          onSubmit={async (e) => {
            e.preventDefault();
            setError('');
            try {
              track((await api<{ job: Job }>('/api/knowledge/upload', { body: { url } })).job);
              setUrl('');
            } catch (err) {
              setError((err as Error).message);
            }
          }}
        >
          <label for="url">or a URL</label>
          <input id="url" type="url" value={url} onInput={(e) => setUrl((e.target as HTMLInputElement).value)} />
          <button type="submit">Add URL</button>
        </form>
        {jobs.map((j) => (
          <JobCard key={j.id} job={j} />
        ))}
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
      </section>

      <section aria-labelledby="search-h">
        <h2 id="search-h">Search playground</h2>
        <form
          class="row"
          onSubmit={async (e) => {
            e.preventDefault();
            try {
              setHits((await api<{ hits: Hit[] }>(`/api/knowledge/search?q=${encodeURIComponent(query)}`)).hits);
            } catch (err) {
              setError((err as Error).message);
            }
          }}
        >
          <label for="q" class="sr-only">
            Search
          </label>
          <input
            id="q"
            type="search"
            placeholder="search the knowledge base"
            value={query}
            onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
          />
          <button type="submit">Search</button>
        </form>
        {hits ? (
          <table class="hits">
            <thead>
              <tr>
                <th>#</th>
                <th>source</th>
                <th>passage</th>
                <th>BM25</th>
                <th>vector</th>
                <th>fused</th>
              </tr>
            </thead>
            <tbody>
              {hits.map((h, i) => (
                <tr key={h.id}>
                  <td>{i + 1}</td>
                  <td>{h.title}</td>
                  <td class="passage-cell">{h.text.slice(0, 240)}</td>
                  <td>{fmt(h.scores?.bm25)}</td>
                  <td>{fmt(h.scores?.vector)}</td>
                  <td>{fmt(h.scores?.fused ?? h.score)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>

      <section aria-labelledby="sources-h">
        <h2 id="sources-h">Sources ({sources.length})</h2>
        {user.admin ? (
          <button
            type="button"
            class="ghost"
            onClick={async () => track((await api<{ job: Job }>('/api/knowledge/reindex', { body: {} })).job)}
          >
            Re-index
          </button>
        ) : null}
        <table class="sources">
          <thead>
            <tr>
              <th>title</th>
              <th>scope</th>
              <th>chunks</th>
              <th>added</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {sources.map((s) => (
              <tr key={s.id}>
                <td title={s.uri}>{s.title}</td>
                <td>
                  {s.scope}
                  {s.guildId ? ` ${s.guildId}` : ''}
                </td>
                <td>{s.chunks}</td>
                <td>{new Date(s.addedAt).toLocaleString()}</td>
                <td>
                  {user.admin ? (
                    <button
                      type="button"
                      class="ghost"
                      aria-label={`Remove ${s.title}`}
                      onClick={() =>
                        api(`/api/knowledge/sources/${s.id}`, { method: 'DELETE' }).catch((e) => setError(e.message))
                      }
                    >
                      Remove
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

function fmt(n: number | undefined): string {
  return n === undefined ? '–' : n.toFixed(3);
}

/** XHR, because fetch cannot report upload progress. */
function uploadWithProgress(body: unknown, onPct: (p: number) => void): Promise<{ job: Job }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/knowledge/upload');
    xhr.setRequestHeader('content-type', 'application/json');
    xhr.setRequestHeader('x-hearth-csrf', csrfToken());
    xhr.upload.onprogress = (e) => e.lengthComputable && onPct(e.loaded / e.total);
    xhr.onload = () => {
      const data = JSON.parse(xhr.responseText || '{}');
      xhr.status < 300 ? resolve(data) : reject(new Error(data.error ?? `upload failed (${xhr.status})`));
    };
    xhr.onerror = () => reject(new Error('upload failed: the connection was lost'));
    xhr.send(JSON.stringify(body));
  });
}
