/** Discord's limit on a thread name. */
const THREAD_NAME_MAX = 100;
/** Long titles are cut well before the limit: thread lists show about this much. */
const TITLE_TARGET = 60;

/**
 * A thread title that summarises a question: its first sentence, without mentions, links,
 * Markdown or filler openers, cut at a word boundary, capitalised. Never empty.
 */
export function threadTitle(question: string): string {
  let text = question
    .replace(/<[@#][!&]?\d+>|<a?:\w+:\d+>/g, ' ') // mentions, channels, custom emoji
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/```[\s\S]*?(```|$)/g, ' ')
    .replace(/[*_`~>|#]+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  text = text.replace(/^(hi|hello|hey|please|so|ok|okay)\b[,!.]?\s*/i, '').replace(/^(can|could) you (tell me )?/i, '');
  const sentence = /^(.+?[?!.])(\s|$)/.exec(text)?.[1] ?? text;
  let title = sentence.replace(/[.!]+$/, '').trim();
  if (title.length > TITLE_TARGET) {
    const cut = title.slice(0, TITLE_TARGET + 1);
    const space = cut.lastIndexOf(' ');
    title = `${cut.slice(0, space > 20 ? space : TITLE_TARGET).replace(/[\s,;:-]+$/, '')}…`;
  }
  title = title.charAt(0).toUpperCase() + title.slice(1);
  return (title || 'Question for Hearth').slice(0, THREAD_NAME_MAX);
}
