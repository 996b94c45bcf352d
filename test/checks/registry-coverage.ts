// Reads test files as text and finds every testCheck(<check>, { valid: [...], invalid: [...] })
// call, with the check module it names and the literal cases in each list. Static on purpose:
// vitest runs each file in its own process, so no test can see another file's registrations,
// and a static read cannot be fooled by which files a run happened to include.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface CheckTestCall {
  /** absolute path of the check module, without extension (…/checks/auth/login) */
  module: string;
  file: string;
  /** literal `{ … }` cases in `valid` */
  valid: number;
  /** literal `{ … }` cases in `invalid`, and how many of them state status 'warn' or 'fail' */
  invalid: number;
  invalidWarnOrFail: number;
}

/** Every *.test.ts under `dir`, recursively. */
export function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return testFiles(path);
    return e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The testCheck calls in one test file's source. */
export function scanTestFile(file: string, source = readFileSync(file, 'utf8')): CheckTestCall[] {
  const code = blankNonCode(source);
  const imports = new Map<string, string>();
  for (const m of source.matchAll(/import\s+(\w+)\s*(?:,\s*\{[^}]*\}\s*)?from\s*(['"])([^'"]*\/checks\/[^'"]+)\.js\2/g)) {
    if (code[m.index] !== 'i') continue; // inside a comment or string
    imports.set(m[1]!, resolve(dirname(file), m[3]!));
  }
  const calls: CheckTestCall[] = [];
  for (const m of code.matchAll(/\btestCheck\s*\(\s*(\w+)\s*,\s*\{/g)) {
    const module = imports.get(m[1]!);
    if (!module) continue;
    const open = m.index + m[0].length - 1;
    const close = matching(code, open);
    const props = topLevelProperties(code, open, close);
    const valid = literalElements(code, props.get('valid'));
    const invalid = literalElements(code, props.get('invalid'));
    calls.push({
      module,
      file,
      valid: valid.length,
      invalid: invalid.length,
      invalidWarnOrFail: invalid.filter(([from, to]) => /\bstatus\s*:\s*(['"])(warn|fail)\1/.test(topLevelText(source, code, from, to))).length,
    });
  }
  return calls;
}

/**
 * The source with comments, string and template contents and regular expression literals
 * replaced by spaces (same length), so brackets can be counted. Template `${…}` parts stay code.
 */
export function blankNonCode(src: string): string {
  const out = src.split('');
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  const templateDepth: number[] = []; // brace depth at which each open `${` returns to its template
  let depth = 0;
  let i = 0;
  const scanTemplate = (start: number): number => {
    // from just after ` or }, to the closing ` (returns index after it) or into a ${ (returns -1 after pushing)
    let k = start;
    while (k < src.length) {
      if (src[k] === '\\') k += 2;
      else if (src[k] === '`') {
        blank(start, k);
        return k + 1;
      } else if (src[k] === '$' && src[k + 1] === '{') {
        blank(start, k);
        templateDepth.push(depth);
        depth++;
        i = k + 2;
        return -1;
      } else k++;
    }
    blank(start, k);
    return k;
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === '/' && src[i + 1] === '/') {
      const end = src.indexOf('\n', i);
      const to = end < 0 ? src.length : end;
      blank(i, to);
      i = to;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const to = end < 0 ? src.length : end + 2;
      blank(i, to);
      i = to;
    } else if (c === "'" || c === '"') {
      let k = i + 1;
      while (k < src.length && src[k] !== c && src[k] !== '\n') k += src[k] === '\\' ? 2 : 1;
      blank(i + 1, k);
      i = k + 1;
    } else if (c === '`') {
      const next = scanTemplate(i + 1);
      if (next >= 0) i = next;
    } else if (c === '/' && startsRegex(src, i)) {
      let k = i + 1;
      let inClass = false;
      while (k < src.length && src[k] !== '\n') {
        if (src[k] === '\\') k += 2;
        else if (src[k] === '[') inClass = true, k++;
        else if (src[k] === ']') inClass = false, k++;
        else if (src[k] === '/' && !inClass) break;
        else k++;
      }
      blank(i + 1, k);
      i = k + 1;
    } else if (c === '{') {
      depth++;
      i++;
    } else if (c === '}') {
      depth--;
      if (templateDepth.length && templateDepth[templateDepth.length - 1] === depth) {
        templateDepth.pop();
        const next = scanTemplate(i + 1);
        if (next >= 0) i = next;
      } else i++;
    } else i++;
  }
  return out.join('');
}

/** A `/` starts a regular expression literal unless it follows an operand (name, number, `)` or `]`). */
function startsRegex(src: string, at: number): boolean {
  let k = at - 1;
  while (k >= 0 && /\s/.test(src[k]!)) k--;
  if (k < 0) return true;
  const prev = src[k]!;
  if (/[\w$]/.test(prev)) {
    const word = /[\w$]+$/.exec(src.slice(0, k + 1))![0];
    return /^(return|typeof|case|do|else|in|of|new|delete|void|throw|yield|await)$/.test(word);
  }
  return !/[)\]]/.test(prev);
}

const PAIRS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** Index of the bracket closing the one at `open` (in blanked code). */
function matching(code: string, open: number): number {
  const stack: string[] = [];
  for (let k = open; k < code.length; k++) {
    const c = code[k]!;
    if (PAIRS[c]) stack.push(PAIRS[c]);
    else if (c === ')' || c === ']' || c === '}') {
      if (stack.pop() !== c) throw new Error(`unbalanced ${c} at ${k}`);
      if (!stack.length) return k;
    }
  }
  throw new Error(`no bracket closes the one at ${open}`);
}

/** Top-level `name: value` properties of the object literal between `open` and `close`: name → value start. */
function topLevelProperties(code: string, open: number, close: number): Map<string, number> {
  const props = new Map<string, number>();
  let k = open + 1;
  while (k < close) {
    const m = /^\s*(\w+)\s*:\s*/.exec(code.slice(k, close));
    const elementEnd = endOfElement(code, k, close);
    if (m) props.set(m[1]!, k + m[0].length);
    k = elementEnd + 1;
  }
  return props;
}

/** End (index of the `,` or closer) of the list element starting at `from`. */
function endOfElement(code: string, from: number, close: number): number {
  let k = from;
  while (k < close && code[k] !== ',') k = PAIRS[code[k]!] ? matching(code, k) + 1 : k + 1;
  return k;
}

/** [start, end) of each element of the array literal at `at` that is an object literal `{ … }`. */
function literalElements(code: string, at: number | undefined): [number, number][] {
  if (at === undefined || code[at] !== '[') return [];
  const close = matching(code, at);
  const found: [number, number][] = [];
  let k = at + 1;
  while (k < close) {
    const end = endOfElement(code, k, close);
    const start = k + (/^\s*/.exec(code.slice(k, end))?.[0].length ?? 0);
    if (code[start] === '{') found.push([start, end]);
    k = end + 1;
  }
  return found;
}

/** The original text of an object literal with its nested brackets' contents removed (its own properties only). */
function topLevelText(source: string, code: string, from: number, to: number): string {
  let text = '';
  let k = from + 1;
  const close = matching(code, from);
  while (k < Math.min(close, to)) {
    if (PAIRS[code[k]!]) k = matching(code, k) + 1;
    else text += source[k++];
  }
  return text;
}
