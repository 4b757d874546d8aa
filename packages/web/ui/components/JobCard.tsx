import { api } from '../api.js';

/** A job as the server reports it. */
export interface Job {
  id: string;
  kind: string;
  owner: string;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  progress: number;
  message?: string;
  startedAt: string;
  endedAt?: string;
  text?: string;
  data?: unknown;
  artifacts: { id: string; name: string; mimeType: string; bytes: number; alt?: string }[];
  error?: string;
}

/** A job's progress (with cancel while it runs) and its result rendered natively. */
export function JobCard({ job }: { job: Job }) {
  return (
    <article class={`job ${job.status}`} aria-label={`${job.kind} job`}>
      <header>
        <strong>{job.kind}</strong> <span class="status">{job.status}</span>
        {job.status === 'running' ? (
          <button type="button" class="ghost" onClick={() => api(`/api/jobs/${job.id}/cancel`, { body: {} })}>
            Cancel
          </button>
        ) : null}
      </header>
      {job.status === 'running' ? (
        <div>
          <progress max={1} value={job.progress} aria-label={`${job.kind} progress`} />
          <span class="progress-text">
            {Math.round(job.progress * 100)} %{job.message ? ` · ${job.message}` : ''}
          </span>
        </div>
      ) : null}
      {job.error ? <p class="error">{job.error}</p> : null}
      {job.text ? <pre class="result-text">{job.text}</pre> : null}
      <Artifacts jobId={job.id} artifacts={job.artifacts} />
      {job.data !== undefined ? (
        <details>
          <summary>structured result</summary>
          <pre>{JSON.stringify(job.data, null, 2)}</pre>
        </details>
      ) : null}
    </article>
  );
}

/** Images inline, other files as download links. */
export function Artifacts({ jobId, artifacts }: { jobId: string; artifacts: Job['artifacts'] }) {
  if (!artifacts.length) return null;
  return (
    <div class="artifacts">
      {artifacts.map((a) =>
        a.mimeType.startsWith('image/') ? (
          <figure key={a.id}>
            <img src={`/api/jobs/${jobId}/artifacts/${a.id}`} alt={a.alt ?? a.name} />
            <figcaption>{a.alt ?? a.name}</figcaption>
          </figure>
        ) : (
          <a key={a.id} href={`/api/jobs/${jobId}/artifacts/${a.id}`} download={a.name}>
            {a.name} ({a.bytes} bytes)
          </a>
        ),
      )}
    </div>
  );
}
