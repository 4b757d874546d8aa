import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';

interface Usage {
  hour: string;
  surface: string;
  kind: string;
  count: number;
  p50: number;
}

/** Health and usage: the runtime's checks, and questions, tool calls and errors per hour as a chart. */
export function Health() {
  const [checks, setChecks] = useState<{ name: string; ok: boolean; detail: string }[]>([]);
  const [usage, setUsage] = useState<Usage[]>([]);
  useEffect(() => {
    api<{ checks: typeof checks; usage: Usage[] }>('/api/health').then((r) => {
      setChecks(r.checks);
      setUsage(r.usage);
    });
  }, []);
  return (
    <div class="page health">
      <h2>Health</h2>
      <ul class="checks">
        {checks.map((c) => (
          <li key={c.name} class={c.ok ? 'ok' : 'warn'}>
            <span aria-hidden="true">{c.ok ? '✓' : '!'}</span> <strong>{c.name}</strong>: {c.detail}
          </li>
        ))}
      </ul>
      <h2>Usage, last 24 hours</h2>
      <UsageChart usage={usage} />
      <table>
        <thead>
          <tr>
            <th>hour</th>
            <th>surface</th>
            <th>kind</th>
            <th>count</th>
            <th>p50 ms</th>
          </tr>
        </thead>
        <tbody>
          {usage.map((u) => (
            <tr key={`${u.hour}${u.surface}${u.kind}`}>
              <td>{new Date(u.hour).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</td>
              <td>{u.surface}</td>
              <td>{u.kind}</td>
              <td>{u.count}</td>
              <td>{Math.round(u.p50)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const COLOURS: Record<string, string> = { question: '#3b82f6', tool: '#10b981', error: '#ef4444' };

/** Stacked bars per hour (questions, tool calls, errors), drawn as SVG. */
function UsageChart({ usage }: { usage: Usage[] }) {
  const hours = [...new Set(usage.map((u) => u.hour))].sort();
  if (hours.length === 0) return <p>No usage recorded yet.</p>;
  const totals = hours.map((h) => usage.filter((u) => u.hour === h).reduce((n, u) => n + u.count, 0));
  const max = Math.max(...totals, 1);
  const w = 24;
  return (
    <svg class="chart" viewBox={`0 0 ${hours.length * w + 40} 140`} role="img" aria-label="usage per hour">
      <text x="0" y="12" font-size="10">
        {max}
      </text>
      {hours.map((h, i) => {
        let y = 130;
        return (
          <g key={h}>
            {['question', 'tool', 'error'].map((kind) => {
              const n = usage.filter((u) => u.hour === h && u.kind === kind).reduce((s, u) => s + u.count, 0);
              const height = (n / max) * 110;
              y -= height;
              return n ? (
                <rect key={kind} x={30 + i * w} y={y} width={w - 4} height={height} fill={COLOURS[kind]}>
                  <title>{`${kind}: ${n}`}</title>
                </rect>
              ) : null;
            })}
          </g>
        );
      })}
      {Object.entries(COLOURS).map(([k, c], i) => (
        <g key={k}>
          <rect x={30 + i * 70} y="132" width="8" height="8" fill={c} />
          <text x={42 + i * 70} y="140" font-size="9">
            {k}
          </text>
        </g>
      ))}
    </svg>
  );
}
