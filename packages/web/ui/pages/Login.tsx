import { useState } from 'preact/hooks';
import { api, setCsrf, type User } from '../api.js';

/** Sign in with a token: HEARTH_WEB_TOKEN, or an MCP principal's token. */
export function Login({ onUser }: { onUser: (u: User) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  return (
    <main class="login">
      <h1>Hearth</h1>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            const r = await api<{ user: User; csrf: string }>('/api/login', { body: { token } });
            setCsrf(r.csrf);
            onUser(r.user);
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      >
        <label for="token">Access token</label>
        <input
          id="token"
          type="password"
          autocomplete="current-password"
          value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
        />
        <button type="submit">Sign in</button>
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
        <p class="help">Use HEARTH_WEB_TOKEN, or the token of an MCP principal (its grants apply here too).</p>
      </form>
    </main>
  );
}
