import { parse } from 'node-html-parser';
import type { LoadedSource } from './types.js';

const BLOCK = new Set([
  'p',
  'div',
  'section',
  'article',
  'li',
  'tr',
  'br',
  'pre',
  'blockquote',
  'table',
  'ul',
  'ol',
  'dd',
  'dt',
]);

/** Turns HTML into Markdown-ish text: headings become `#` lines, blocks become paragraphs. */
export function loadHtml(html: string, fallbackTitle: string): LoadedSource {
  const root = parse(html, { blockTextElements: { script: false, style: false, noscript: false, pre: true } });
  for (const el of root.querySelectorAll('script, style, noscript, nav, footer, template, svg')) el.remove();
  const title = root.querySelector('title')?.text.trim() || root.querySelector('h1')?.text.trim() || fallbackTitle;
  const parts: string[] = [];
  const walk = (node: ReturnType<typeof parse>): void => {
    for (const child of node.childNodes) {
      if (child.nodeType === 3) {
        const text = child.text.replace(/\s+/g, ' ');
        if (text.trim()) parts.push(text);
        continue;
      }
      if (child.nodeType !== 1) continue;
      const el = child as ReturnType<typeof parse>;
      const tag = el.rawTagName?.toLowerCase() ?? '';
      if (tag === 'head' || tag === 'title') continue;
      const heading = /^h([1-6])$/.exec(tag);
      if (heading) {
        parts.push(`\n\n${'#'.repeat(Number(heading[1]))} ${el.text.replace(/\s+/g, ' ').trim()}\n\n`);
        continue;
      }
      if (BLOCK.has(tag)) parts.push('\n\n');
      walk(el);
      if (BLOCK.has(tag)) parts.push('\n\n');
    }
  };
  walk(root.querySelector('body') ?? root);
  const text = parts
    .join('')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n[ \t]+/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { title, mimeType: 'text/html', docs: [{ title, text, markdown: true }] };
}
