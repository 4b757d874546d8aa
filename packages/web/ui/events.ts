import { useEffect, useState } from 'preact/hooks';
import { subscribe } from './api.js';

type Listener = (event: string, data: unknown) => void;
const listeners = new Set<Listener>();
let close: (() => void) | undefined;

/** One shared event stream per page; components listen to the kinds they care about. */
export function useServerEvents(listener: Listener): void {
  useEffect(() => {
    listeners.add(listener);
    close ??= subscribe((event, data) => {
      for (const l of listeners) l(event, data);
    });
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) {
        close?.();
        close = undefined;
      }
    };
  }, [listener]);
}

/** A counter that bumps whenever one of `kinds` arrives: put it in a fetch effect's dependencies. */
export function useRefreshOn(...kinds: string[]): number {
  const [n, setN] = useState(0);
  const key = kinds.join(',');
  const [listener] = useState<Listener>(() => (event: string) => {
    if (key.split(',').includes(event)) setN((x) => x + 1);
  });
  useServerEvents(listener);
  return n;
}

/** A job as far as the tracking below needs it. */
interface JobLike {
  id: string;
  status: string;
  progress: number;
}

/**
 * The jobs a page started, kept current by the server's `job` events. Every event is recorded,
 * even one for a job the page has not heard of yet: a fast job can finish before the response
 * that started it arrives, and that response must not turn it back to "running".
 */
export function useTrackedJobs<J extends JobLike>(limit = 10): { jobs: J[]; track: (job: J) => void } {
  const [ids, setIds] = useState<string[]>([]);
  const [byId, setById] = useState<Record<string, J>>({});
  const [listener] = useState<Listener>(() => (event: string, data: unknown) => {
    if (event !== 'job') return;
    const job = (data as { job: J }).job;
    setById((m) => ({ ...m, [job.id]: newer(m[job.id], job) }));
  });
  useServerEvents(listener);
  const track = (job: J) => {
    setIds((all) => [job.id, ...all.filter((id) => id !== job.id)].slice(0, limit));
    setById((m) => ({ ...m, [job.id]: newer(m[job.id], job) }));
  };
  return { jobs: ids.map((id) => byId[id]).filter((j): j is J => !!j), track };
}

/** The later of two states of one job: an ended job never goes back to running. */
function newer<J extends JobLike>(known: J | undefined, next: J): J {
  if (!known) return next;
  if (known.status !== 'running' && next.status === 'running') return known;
  if (known.status === 'running' && next.status === 'running' && known.progress > next.progress) return known;
  return next;
}
