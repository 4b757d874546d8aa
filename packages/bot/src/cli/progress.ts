/** A progress bar on stderr: redrawn in place on a terminal, a line every few seconds otherwise. */
export interface ProgressBar {
  /** Sets the position (done of total) and an optional label. */
  update(done: number, total?: number, label?: string): void;
  /** Draws the final state and moves to a new line. */
  done(message?: string): void;
}

/** Creates a progress bar titled `title`, writing to `stream` (default stderr). */
export function progressBar(title: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const start = performance.now();
  let total = 0;
  let lastDraw = 0;
  let lastLine = '';
  const draw = (done: number, label: string | undefined, force: boolean) => {
    const now = performance.now();
    const interval = stream.isTTY ? 100 : 5000;
    if (!force && now - lastDraw < interval) return;
    lastDraw = now;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const secs = (now - start) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const eta = rate > 0 && total > done ? ` ETA ${formatSecs((total - done) / rate)}` : '';
    const width = 24;
    const bar =
      total > 0
        ? `[${'#'.repeat(Math.round(frac * width)).padEnd(width, '.')}] ${(frac * 100).toFixed(0).padStart(3)}%`
        : '';
    const line = `${title} ${bar} ${done}${total ? `/${total}` : ''} ${formatSecs(secs)}${eta}${label ? ` ${label}` : ''}`;
    if (line === lastLine) return;
    lastLine = line;
    if (stream.isTTY) stream.write(`\r\x1b[2K${line.slice(0, (stream.columns ?? 120) - 1)}`);
    else stream.write(`${line}\n`);
  };
  let position = 0;
  return {
    update(done, newTotal, label) {
      position = done;
      if (newTotal !== undefined) total = newTotal;
      draw(done, label, false);
    },
    done(message) {
      draw(position, message, true);
      if (stream.isTTY) stream.write('\n');
    },
  };
}

function formatSecs(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${Math.round(s % 60)
    .toString()
    .padStart(2, '0')}s`;
}
