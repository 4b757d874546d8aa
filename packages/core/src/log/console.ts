/** How log lines reach the terminal. */
export type ConsoleLogMode =
  /** Structured JSON lines on stderr (servers: `discord`, `mcp`). */
  | 'json'
  /** Human-facing commands: each kind of warning and error once, as one readable line on stderr. */
  | 'quiet'
  /** `--verbose`: every line at the configured level, readable, on stderr. */
  | 'verbose'
  /** Nothing on the terminal (the log file still gets everything). */
  | 'none';

const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warning',
  50: 'error',
  60: 'fatal',
};

/** Fields already shown by the line itself, or noise on a terminal. */
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'err']);

/** Writes readable lines, e.g. `hearth: warning: local draft rejected (support=0.31)`. */
export interface ReadableDestination {
  write(line: string): void;
}

/**
 * A pino destination that turns JSON lines into one readable line each. In `quiet` mode a message
 * already shown is not repeated (the log file keeps every occurrence), so a warning raised on every
 * turn of a chat appears once instead of between each answer.
 */
export function readableDestination(options: {
  mode: 'quiet' | 'verbose';
  /** Where the full log is, named once when quiet mode hides a repeat. */
  logFile?: string;
  write?: (text: string) => void;
}): ReadableDestination {
  const write = options.write ?? ((text: string) => void process.stderr.write(text));
  const seen = new Set<string>();
  let toldAboutRepeats = false;
  return {
    write(line) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return void write(line.endsWith('\n') ? line : `${line}\n`);
      }
      const msg = String(entry.msg ?? '');
      if (options.mode === 'quiet') {
        if (seen.has(msg)) {
          if (!toldAboutRepeats && options.logFile) {
            toldAboutRepeats = true;
            write(`hearth: (repeated warnings are not shown again; all of them are in ${options.logFile})\n`);
          }
          return;
        }
        seen.add(msg);
      }
      write(`${formatEntry(entry, options.mode === 'verbose')}\n`);
    },
  };
}

/** One readable line for a pino entry. */
export function formatEntry(entry: Record<string, unknown>, allFields: boolean): string {
  const level = LEVEL_NAMES[Number(entry.level)] ?? 'log';
  const err = entry.err;
  const errText =
    err && typeof err === 'object' ? String((err as { message?: unknown }).message ?? '') : err ? String(err) : '';
  const fields = Object.entries(entry)
    .filter(([k, v]) => !HIDDEN.has(k) && v !== undefined && (allFields || k !== 'area'))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const shownFields = allFields ? fields : fields.slice(0, 4);
  return `hearth: ${level}: ${String(entry.msg ?? '')}${errText ? `: ${errText}` : ''}${
    shownFields.length ? ` (${shownFields.join(', ')})` : ''
  }`;
}
