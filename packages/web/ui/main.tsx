import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, setCsrf, type User } from './api.js';
import { Chat } from './pages/Chat.js';
import { Health } from './pages/Health.js';
import { Jobs } from './pages/Jobs.js';
import { Knowledge } from './pages/Knowledge.js';
import { Login } from './pages/Login.js';
import { Plugins } from './pages/Plugins.js';
import { Tools } from './pages/Tools.js';

const PAGES = ['chat', 'knowledge', 'tools', 'jobs', 'plugins', 'health'] as const;
type Page = (typeof PAGES)[number];

function currentPage(): Page {
  const p = location.hash.replace(/^#\/?/, '') as Page;
  return PAGES.includes(p) ? p : 'chat';
}

/** The console: sign-in, then one page per concern, chosen by the URL hash (bookmarkable). */
function App() {
  const [user, setUser] = useState<User | null | undefined>();
  const [page, setPage] = useState<Page>(currentPage());
  useEffect(() => {
    api<{ user: User; csrf: string }>('/api/session').then(
      (r) => {
        setCsrf(r.csrf);
        setUser(r.user);
      },
      (err) => setUser(err instanceof ApiError && err.status === 401 ? null : null),
    );
    const onHash = () => setPage(currentPage());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  if (user === undefined) return <p class="loading">Loading…</p>;
  if (user === null) return <Login onUser={setUser} />;
  return (
    <>
      <header class="top">
        <strong class="brand">Hearth</strong>
        <nav aria-label="Pages">
          {PAGES.map((p) => (
            <a key={p} href={`#/${p}`} aria-current={p === page ? 'page' : undefined}>
              {p[0].toUpperCase() + p.slice(1)}
            </a>
          ))}
        </nav>
        <span class="who">
          {user.name}
          {user.admin ? ' (admin)' : ''}
        </span>
        <button
          type="button"
          class="ghost"
          onClick={async () => {
            await api('/api/logout', { body: {} }).catch(() => {});
            setUser(null);
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main">
        {page === 'chat' ? <Chat /> : null}
        {page === 'knowledge' ? <Knowledge user={user} /> : null}
        {page === 'tools' ? <Tools /> : null}
        {page === 'jobs' ? <Jobs /> : null}
        {page === 'plugins' ? <Plugins user={user} /> : null}
        {page === 'health' ? <Health /> : null}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
