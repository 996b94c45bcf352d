// PowerShell string literals. Single-quoted strings expand nothing ($, backticks and double quotes
// are literal); a quote inside is doubled. PowerShell also treats the typographic quotes ‘ ’ ‚ ‛ as
// single quotes, so they are doubled too. A line break or other control character would make the
// literal span lines (and can end a `#` comment around it), and a bidi override makes the line read
// differently from what runs, so such values are written as a parenthesised concatenation with
// [char] codes instead: ('a' + [char]0x0A + 'b').

const SINGLE_QUOTES = /['\u2018\u2019\u201a\u201b]/g;
/**
 * C0 and C1 controls, DEL, the Unicode line and paragraph separators, and the invisible
 * formatting characters that reorder or hide text on screen: bidi embeddings and overrides (RLO
 * U+202E makes "cod.exe" read as "exe.doc"), isolates, marks, zero-width characters and the BOM.
 * A certificate subject is the server's text: none of these may reach a script or comment raw.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;
const CONTROLS = new RegExp(CONTROL.source, 'g');

function quotePlain(value: string): string {
  return `'${value.replace(SINGLE_QUOTES, (q) => q + q)}'`;
}

export function psQuote(value: string): string {
  if (!CONTROL.test(value)) return quotePlain(value);
  const parts: string[] = [];
  let run = '';
  for (const ch of value) {
    if (CONTROL.test(ch)) {
      if (run) parts.push(quotePlain(run));
      run = '';
      parts.push(`[char]0x${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
    } else run += ch;
  }
  if (run) parts.push(quotePlain(run));
  // [char] + [char] would add numbers: start from a string.
  if (!parts[0].startsWith("'")) parts.unshift("''");
  return `(${parts.join(' + ')})`;
}

export function psArray(values: string[]): string {
  return values.length === 1 ? psQuote(values[0]) : `@(${values.map(psQuote).join(', ')})`;
}

/**
 * Text for a `# …` comment line: one line (line breaks and other controls as spaces), invisible
 * formatting characters shown as <U+202E>, bounded length.
 */
export function psComment(text: string, max = 300): string {
  const flat = text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(CONTROLS, (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`)
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
