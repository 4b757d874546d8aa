/**
 * Approximate token count for remote models whose tokenizer is not available offline:
 * about 4 characters per token for English, never less than the word count.
 */
export function approxTokens(text: string): number {
  if (!text) return 0;
  const words = text.split(/\s+/).filter(Boolean).length;
  return Math.max(words, Math.ceil(text.length / 4));
}
