import { extractText, getDocumentProxy } from 'unpdf';
import { type LoadedSource, SkipError } from './types.js';

/** Text of every page of a PDF, pages separated by blank lines. */
export async function loadPdf(bytes: Uint8Array, title: string): Promise<LoadedSource> {
  try {
    // verbosity 0: pdf.js would print a warning per odd object of a damaged file to stderr
    const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
    const { text } = await extractText(pdf, { mergePages: false });
    const pages = (Array.isArray(text) ? text : [text]).map((t) => t.trim()).filter(Boolean);
    return { title, mimeType: 'application/pdf', docs: [{ title, text: pages.join('\n\n'), markdown: false }] };
  } catch (error) {
    throw new SkipError('parse error', `unreadable PDF: ${(error as Error).message}`);
  }
}
