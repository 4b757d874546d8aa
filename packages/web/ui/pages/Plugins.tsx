import { useEffect, useState } from 'preact/hooks';
import { api, type User } from '../api.js';
import { useRefreshOn } from '../events.js';

interface Loaded {
  id: string;
  version: string;
  description: string;
  tools: string[];
  granted: string[];
  withheld: string[];
  source: string;
}

/** Plugins: loaded ones with grants and tools, failed ones with the reason, reload. */
export function Plugins({ user }: { user: User }) {
  const [loaded, setLoaded] = useState<Loaded[]>([]);
  const [failed, setFailed] = useState<{ source: string; error: string }[]>([]);
  const [message, setMessage] = useState('');
  const refresh = useRefreshOn('plugins', 'tools');
  useEffect(() => {
    api<{ loaded: Loaded[]; failed: typeof failed }>('/api/plugins').then((r) => {
      setLoaded(r.loaded);
      setFailed(r.failed);
    });
  }, [refresh]);
  return (
    <div class="page plugins">
      <h2>Plugins</h2>
      <table>
        <thead>
          <tr>
            <th>plugin</th>
            <th>tools</th>
            <th>granted</th>
            <th>withheld</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {loaded.map((p) => (
            <tr key={p.id}>
              <td>
                <strong>{p.id}</strong> {p.version}
                <br />
                <small>{p.description}</small>
              </td>
              <td>{p.tools.join(', ')}</td>
              <td>{p.granted.join(', ') || 'none'}</td>
              <td>{p.withheld.join(', ') || 'none'}</td>
              <td>
                {user.admin ? (
                  <button
                    type="button"
                    aria-label={`Reload ${p.id}`}
                    onClick={async () => {
                      try {
                        await api(`/api/plugins/${p.id}/reload`, { body: {} });
                        setMessage(`Reloaded ${p.id}.`);
                      } catch (err) {
                        setMessage((err as Error).message);
                      }
                    }}
                  >
                    Reload
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {message ? <p role="status">{message}</p> : null}
      {failed.length ? (
        <>
          <h3>Failed to load</h3>
          <ul>
            {failed.map((f) => (
              <li key={f.source}>
                <code>{f.source}</code>: {f.error}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
