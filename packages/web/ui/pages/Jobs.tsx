import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { type Job, JobCard } from '../components/JobCard.js';
import { useRefreshOn } from '../events.js';

/** Jobs and artifacts: running and finished jobs with progress, images, files and report plots. */
export function Jobs() {
  const [jobs, setJobs] = useState<Job[]>([]);
  const refresh = useRefreshOn('job');
  useEffect(() => {
    api<{ jobs: Job[] }>('/api/jobs').then((r) => setJobs(r.jobs));
  }, [refresh]);
  return (
    <div class="page jobs">
      <h2>Jobs ({jobs.length})</h2>
      {jobs.length === 0 ? <p>No jobs yet: run a tool or upload knowledge.</p> : null}
      {jobs.map((j) => (
        <JobCard key={j.id} job={j} />
      ))}
    </div>
  );
}
