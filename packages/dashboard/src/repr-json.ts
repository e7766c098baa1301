/**
 * Task events carry arguments as Python reprs for display, not as JSON. To re-send a task seen
 * only in events, the reprs of plain literals (numbers, strings without quotes or escapes inside,
 * True/False/None, lists, tuples, dicts) are read back; anything else returns null and the
 * caller must give the arguments itself, so nothing is ever guessed.
 */
const TOKEN = /\s*(?:(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)|'([^'\\"]*)'|"([^"\\']*)"|(True|False|None)|([[\](){},:]))/y;
const WORDS: Readonly<Record<string, string>> = { True: 'true', False: 'false', None: 'null' };

export function reprToJson(repr: string): unknown {
  const parts: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < repr.length) {
    const match = TOKEN.exec(repr);
    if (match === null) return repr.slice(TOKEN.lastIndex).trim() === '' ? finish(parts) : null;
    parts.push(jsonPart(match));
  }
  return finish(parts);
}

function jsonPart(match: RegExpExecArray): string {
  const [, number, single, double, word, punctuation] = match;
  if (number !== undefined) return number;
  if (single !== undefined) return JSON.stringify(single);
  if (double !== undefined) return JSON.stringify(double);
  if (word !== undefined) return WORDS[word] ?? 'null';
  return punctuation === '(' ? '[' : punctuation === ')' ? ']' : (punctuation ?? '');
}

/** A one-element tuple `(1,)` and trailing commas are valid Python, not JSON. */
function finish(parts: string[]): unknown {
  const text = parts.join('').replace(/,([\]}])/g, '$1');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
