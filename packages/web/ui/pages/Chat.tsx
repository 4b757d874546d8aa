import { useEffect, useRef, useState } from 'preact/hooks';
import { api, postStream } from '../api.js';
import { Artifacts, type Job } from '../components/JobCard.js';

interface Citation {
  n: number;
  sourceId: string;
  title: string;
  uri: string;
  excerpt: string;
}

interface Meta {
  citations?: Citation[];
  grounding?: { support: number; replaced: boolean };
  notCovered?: boolean;
  model?: string;
  toolCalls?: { name: string; ok: boolean; error?: string }[];
  attachments?: { jobId: string; artifacts: Job['artifacts'] };
}

interface Message {
  role: 'user' | 'assistant';
  text: string;
  meta?: Meta;
  pending?: boolean;
}

declare global {
  interface Window {
    /** Milliseconds from the engine's first token to its first paint here, per answer (measured by tests). */
    hearthTokenToPaint?: number[];
  }
}

/** Chat: streamed answers with citations, tool calls, images, persona and resumable conversations. */
export function Chat() {
  const [conversations, setConversations] = useState<{ id: string; title: string; updatedAt: string }[]>([]);
  const [current, setCurrent] = useState<string | undefined>();
  const [messages, setMessages] = useState<Message[]>([]);
  const [personas, setPersonas] = useState<string[]>([]);
  const [persona, setPersona] = useState('');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [open, setOpen] = useState<Citation | undefined>();
  const abort = useRef<AbortController>();

  const loadList = () =>
    api<{ conversations: typeof conversations }>('/api/conversations').then((r) => setConversations(r.conversations));
  useEffect(() => {
    loadList();
    api<{ personas: string[] }>('/api/personas').then((r) => setPersonas(r.personas));
  }, []);

  const resume = async (id: string) => {
    const r = await api<{ messages: Message[] }>(`/api/conversations/${id}`);
    setCurrent(id);
    setMessages(r.messages);
  };

  const send = async (e: Event) => {
    e.preventDefault();
    const question = text.trim();
    if (!question || busy) return;
    setText('');
    setError('');
    setBusy(true);
    setMessages((m) => [...m, { role: 'user', text: question }, { role: 'assistant', text: '', pending: true }]);
    const update = (f: (m: Message) => Message) => setMessages((all) => [...all.slice(0, -1), f(all[all.length - 1])]);
    abort.current = new AbortController();
    let firstToken = true;
    try {
      await postStream(
        '/api/chat',
        { text: question, conversation: current, persona: persona || undefined },
        (event, data) => {
          const d = data as Record<string, unknown>;
          if (event === 'conversation') setCurrent(d.id as string);
          else if (event === 'token') {
            update((m) => ({ ...m, text: m.text + (d.text as string) }));
            if (firstToken) {
              firstToken = false;
              const sentAt = d.at as number;
              requestAnimationFrame(() => {
                window.hearthTokenToPaint = [...(window.hearthTokenToPaint ?? []), Date.now() - sentAt];
              });
            }
          } else if (event === 'done') update(() => ({ role: 'assistant', text: d.text as string, meta: d as Meta }));
          else if (event === 'failed') {
            setError(d.error as string);
            setMessages((all) => all.slice(0, -1));
          }
        },
        abort.current.signal,
      );
      loadList();
    } catch (err) {
      setError((err as Error).message);
      setMessages((all) => all.slice(0, -1));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="chat">
      <aside class="conversations" aria-label="Conversations">
        <button
          type="button"
          onClick={() => {
            setCurrent(undefined);
            setMessages([]);
          }}
        >
          New conversation
        </button>
        <ul>
          {conversations.map((c) => (
            <li key={c.id}>
              <button type="button" class={c.id === current ? 'link current' : 'link'} onClick={() => resume(c.id)}>
                {c.title}
              </button>
            </li>
          ))}
        </ul>
      </aside>
      <section class="thread" aria-label="Messages">
        <ol class="messages" aria-live="polite">
          {messages.map((m, i) => (
            <li key={i} class={`message ${m.role}`}>
              <div class="bubble">{m.text || (m.pending ? '…' : '')}</div>
              {m.meta ? <AnswerMeta meta={m.meta} onCite={setOpen} /> : null}
            </li>
          ))}
        </ol>
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
        <form class="composer" onSubmit={send}>
          <label for="persona">Persona</label>
          <select id="persona" value={persona} onChange={(e) => setPersona((e.target as HTMLSelectElement).value)}>
            <option value="">default</option>
            {personas.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
          <label for="question" class="sr-only">
            Question
          </label>
          <textarea
            id="question"
            rows={2}
            placeholder="Ask Hearth…"
            value={text}
            onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) send(e);
            }}
          />
          <button type="submit" disabled={busy}>
            {busy ? 'Answering…' : 'Send'}
          </button>
          {busy ? (
            <button type="button" class="ghost" onClick={() => abort.current?.abort()}>
              Stop
            </button>
          ) : null}
        </form>
      </section>
      {open ? (
        <dialog open class="passage" aria-label={`Source ${open.n}`}>
          <h2>
            [{open.n}] {open.title}
          </h2>
          <p class="uri">{open.uri}</p>
          <blockquote>{open.excerpt}</blockquote>
          <button type="button" onClick={() => setOpen(undefined)}>
            Close
          </button>
        </dialog>
      ) : null}
    </div>
  );
}

function AnswerMeta({ meta, onCite }: { meta: Meta; onCite: (c: Citation) => void }) {
  return (
    <div class="meta">
      {meta.grounding ? (
        <span
          class={meta.grounding.support >= 0.6 ? 'badge ok' : 'badge warn'}
          title="share of the answer found in its sources"
        >
          grounding {Math.round(meta.grounding.support * 100)} %
          {meta.grounding.replaced ? ' · quoted from sources' : ''}
        </span>
      ) : null}
      {meta.notCovered ? <span class="badge">not covered by the knowledge base</span> : null}
      {meta.model ? <span class="badge">{meta.model}</span> : null}
      {(meta.toolCalls ?? []).map((t) => (
        <span key={t.name} class={t.ok ? 'badge' : 'badge warn'}>
          tool {t.name}
          {t.ok ? '' : `: ${t.error ?? 'failed'}`}
        </span>
      ))}
      {meta.citations?.length ? (
        <ul class="citations" aria-label="Sources">
          {meta.citations.map((c) => (
            <li key={c.n}>
              <button type="button" class="link" onClick={() => onCite(c)}>
                [{c.n}] {c.title}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {meta.attachments ? <Artifacts jobId={meta.attachments.jobId} artifacts={meta.attachments.artifacts} /> : null}
    </div>
  );
}
