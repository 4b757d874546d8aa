import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { type Job, JobCard } from '../components/JobCard.js';
import { initialValues, type Schema, SchemaForm, toInput } from '../components/SchemaForm.js';
import { useRefreshOn, useTrackedJobs } from '../events.js';

interface Tool {
  name: string;
  shortName: string;
  description: string;
  origin: { kind: string; pluginId?: string; server?: string };
  access: string;
  inputSchema: Schema;
  autocomplete: string[];
}

/**
 * Tools: every tool in the registry, each with a form generated from its schema; runs show live
 * progress with cancel and render their results. A plugin (re)loaded elsewhere appears at once.
 */
export function Tools() {
  const [tools, setTools] = useState<Tool[]>([]);
  const [selected, setSelected] = useState<string | undefined>();
  const [values, setValues] = useState<Record<string, unknown>>({});
  const { jobs, track } = useTrackedJobs<Job>(10);
  const [error, setError] = useState('');
  const refresh = useRefreshOn('tools');

  useEffect(() => {
    api<{ tools: Tool[] }>('/api/tools').then(
      (r) => setTools(r.tools),
      (e) => setError(e.message),
    );
  }, [refresh]);

  const tool = tools.find((t) => t.name === selected);
  const choose = (name: string) => {
    setSelected(name);
    const t = tools.find((x) => x.name === name);
    setValues(t ? initialValues(t.inputSchema) : {});
  };

  return (
    <div class="page tools">
      <nav class="tool-list" aria-label="Tools">
        <ul>
          {tools.map((t) => (
            <li key={t.name}>
              <button
                type="button"
                class={t.name === selected ? 'link current' : 'link'}
                onClick={() => choose(t.name)}
              >
                {t.name}
              </button>
              <small>{t.origin.kind === 'plugin' ? `plugin ${t.origin.pluginId}` : t.origin.kind}</small>
            </li>
          ))}
        </ul>
      </nav>
      <section class="tool-detail" aria-live="polite">
        {tool ? (
          <form
            aria-label={`Run ${tool.name}`}
            onSubmit={async (e) => {
              e.preventDefault();
              setError('');
              try {
                const r = await api<{ job: Job }>(`/api/tools/${tool.name}/run`, {
                  body: { input: toInput(tool.inputSchema, values) },
                });
                track(r.job);
              } catch (err) {
                setError((err as Error).message);
              }
            }}
          >
            <h2>{tool.name}</h2>
            <p class="description">{tool.description}</p>
            <SchemaForm
              tool={tool.name}
              schema={tool.inputSchema}
              autocomplete={tool.autocomplete}
              values={values}
              onChange={setValues}
            />
            <button type="submit">Run</button>
          </form>
        ) : (
          <p>{tools.length} tools. Choose one to see its form.</p>
        )}
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
        {jobs.map((j) => (
          <JobCard key={j.id} job={j} />
        ))}
      </section>
    </div>
  );
}
