import { readFileSync } from 'node:fs';
import type { Hono } from 'hono';
import type { ConsoleEnv } from './context.js';

/** The built page ships in the package's assets/ folder and is served by the process itself. */
const ASSETS = new URL('../../assets/', import.meta.url);

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

/** A strict policy: only this origin's script and style, no inline script, no framing. */
const CSP =
  "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

/** Serves index.html, app.js and app.css from memory (read once). */
export function serveAssets(app: Hono<ConsoleEnv>): void {
  for (const [path, { file, type }] of Object.entries(FILES)) {
    let body: Buffer | undefined;
    app.get(path, (c) => {
      body ??= readFileSync(new URL(file, ASSETS));
      return c.body(new Uint8Array(body), 200, {
        'content-type': type,
        'content-security-policy': CSP,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      });
    });
  }
}
