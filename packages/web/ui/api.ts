/** The console's API client: JSON calls with the session's CSRF token, and event streams. */

let csrf = '';

/** Who is signed in. */
export interface User {
  name: string;
  admin: boolean;
  permissions: string[];
}

/** An API failure with the server's message, shown to the user as it is. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Remembers the CSRF token of the current session. */
export function setCsrf(token: string): void {
  csrf = token;
}

/** The current session's CSRF token, for requests made without {@link api}. */
export function csrfToken(): string {
  return csrf;
}

/** Calls the API; throws {@link ApiError} with the server's message on failure. */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', 'x-hearth-csrf': csrf },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    credentials: 'same-origin',
  });
  const data = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok) throw new ApiError(res.status, data.error ?? `${res.status} ${res.statusText}`);
  return data as T;
}

/**
 * POSTs and reads a server-sent event stream from the response (EventSource cannot POST),
 * calling `onEvent` for each event as it arrives.
 */
export async function postStream(
  path: string,
  body: unknown,
  onEvent: (event: string, data: unknown) => void,
  signal?: AbortSignal,
): Promise<void> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hearth-csrf': csrf, accept: 'text/event-stream' },
    body: JSON.stringify(body),
    signal,
  });
  if (!res.ok || !res.body) {
    const data = (await res.json().catch(() => ({}))) as { error?: string };
    throw new ApiError(res.status, data.error ?? `${res.status} ${res.statusText}`);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length) onEvent(event, JSON.parse(data.join('\n')));
      end = buffer.indexOf('\n\n');
    }
  }
}

/** Subscribes to the server's change events (tools, plugins, knowledge, jobs); returns a closer. */
export function subscribe(onEvent: (event: string, data: unknown) => void): () => void {
  const source = new EventSource('/api/events');
  for (const name of ['tools', 'plugins', 'knowledge', 'job']) {
    source.addEventListener(name, (e) => onEvent(name, JSON.parse((e as MessageEvent<string>).data)));
  }
  return () => source.close();
}

/** Reads a File as base64 (without the data: prefix). */
export function fileToBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}
