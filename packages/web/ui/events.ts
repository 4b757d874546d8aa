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
