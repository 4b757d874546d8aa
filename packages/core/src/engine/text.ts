/** Small text helpers shared by relevance, extractive answers and quoting. */

const STOP_WORDS = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have how i if in into is it its me my no not of on or ' +
    'our please so than that the their them then there these they this to us was we were what when where which who whom why will with ' +
    'would you your about tell explain hearth'
  ).split(' '),
);

/** Content terms of a text: lower-case words (camelCase split) without stop words, crudely stemmed. */
export function contentTerms(text: string): string[] {
  const words =
    text
      // config keys and identifiers in camelCase read as words: `defaultPrincipal` -> default principal
      .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
      .toLowerCase()
      .normalize('NFKC')
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.filter((w) => !STOP_WORDS.has(w) && (w.length > 1 || /\d/.test(w))).map(stem);
}

/**
 * Strips the commonest English suffixes so inflections meet: "meetups"/"meetup", "retrieves"/
 * "retrieved"/"retrieve", "running"/"run", "uses"/"using"/"use".
 */
export function stem(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 4 && w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.length > 3 && /(?:s|x|z|ch|sh)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);
  const suffix = /(?:ing|ed)$/.exec(w);
  const rest = suffix ? w.slice(0, -suffix[0].length) : '';
  // "embed" and "need" are not past tenses: a three-letter rest must end in a doubled letter ("added")
  const long = rest.length >= 4 || (rest.length === 3 && (suffix?.[0] === 'ing' || rest[1] === rest[2]));
  if (suffix && long && /[aeiouy]/.test(rest)) {
    w = w.slice(0, -suffix[0].length);
    // "running" -> "run", but "called" -> "call"
    if (w.length >= 4 && /([b-df-hj-km-np-tv-z])\1$/.test(w) && !/(?:ll|ss|zz|ff)$/.test(w)) w = w.slice(0, -1);
  }
  if (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}
