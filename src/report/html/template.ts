// A tagged template for HTML that escapes every interpolated value by construction: a call site
// cannot forget. Only fragments built by `html` itself (or the `raw` escape hatch for constant
// markup such as the stylesheet) pass through unescaped; URLs pass only as http(s) `SafeUrl`s.
import { stripControl } from '../sanitize.js';

/** Markup that is already safe: built by `html`, or a constant passed through `raw`. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** An http(s) URL, the only kind of value allowed in href/src attributes. */
export class SafeUrl {
  constructor(readonly value: string) {}
}

/** Longest line shown as it is; longer lines are cut with a note (server text is hostile). */
export const MAX_LINE = 4096;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Control characters and ANSI escapes removed, lone surrogates replaced, each line bounded. */
export function cleanText(value: unknown, maxLine = MAX_LINE): string {
  const text = stripControl(String(value ?? '')).replace(LONE_SURROGATE, '\uFFFD');
  if (text.length <= maxLine) return text;
  return text
    .split('\n')
    .map((line) => (line.length > maxLine ? `${line.slice(0, maxLine)} … [${(line.length - maxLine).toLocaleString('en-US')} more characters not shown]` : line))
    .join('\n');
}

export function escapeHtml(value: unknown): string {
  return escapeCleaned(cleanText(value));
}

/** Escapes text that has already been through cleanText (no second cut). */
function escapeCleaned(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ENTITIES[c]);
}

/**
 * The escape hatch: marks a string as markup. Use it only for constants written in this
 * codebase (the stylesheet) or for fragments that `html` built — never for report data.
 */
export function raw(fragment: string): SafeHtml {
  return new SafeHtml(fragment);
}

/** An http(s) URL as a SafeUrl, or null for anything else (javascript:, data:, file:, relative). */
export function httpUrl(url: string): SafeUrl | null {
  const text = cleanText(url).trim();
  if (!/^https?:\/\//i.test(text)) return null;
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:' ? new SafeUrl(u.href) : null;
  } catch {
    return null;
  }
}

const URL_ATTRIBUTE = /\s(?:href|src|action|formaction|poster|cite|background|xlink:href)\s*=\s*["']$/i;
const FORBIDDEN_ATTRIBUTE = /\s(?:on[a-z]+|style|srcset|srcdoc)\s*=\s*["']?$/i;
const UNQUOTED_ATTRIBUTE = /=\s*$/;

function interpolate(value: unknown): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (value instanceof SafeHtml) return value.value;
  if (value instanceof SafeUrl) return escapeHtml(value.value);
  if (Array.isArray(value)) return value.map(interpolate).join('');
  return escapeHtml(value);
}

/**
 * html`<p title="${x}">${y}</p>` — every value is escaped (text and quoted attributes alike);
 * SafeHtml fragments and arrays of them are inserted as they are. Templates that interpolate into
 * an unquoted attribute, an event handler, a style attribute, or a URL attribute without a
 * SafeUrl throw at once, so the mistake shows in the first test that renders them.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) {
    const before = strings[i];
    if (FORBIDDEN_ATTRIBUTE.test(before)) throw new Error(`html: no interpolation into event-handler or style attributes (after ${JSON.stringify(before.slice(-40))})`);
    if (UNQUOTED_ATTRIBUTE.test(before)) throw new Error(`html: attribute values must be quoted (after ${JSON.stringify(before.slice(-40))})`);
    const value = values[i];
    if (URL_ATTRIBUTE.test(before) && !(value instanceof SafeUrl)) throw new Error(`html: URL attributes take a SafeUrl from httpUrl() (after ${JSON.stringify(before.slice(-40))})`);
    out += interpolate(value) + strings[i + 1];
  }
  return new SafeHtml(out);
}

/** Joins fragments (arrays already join inside html``; this names the intent). */
export function join(parts: SafeHtml[], separator: SafeHtml = raw('')): SafeHtml {
  return new SafeHtml(parts.map((p) => p.value).join(separator.value));
}

const URL_IN_TEXT = /https?:\/\/[^\s<>"'`(){}[\]|\\^]+[^\s<>"'`(){}[\]|\\^.,;:!?]/gi;

/** Text with its http(s) URLs as links (rel=noopener noreferrer); everything else escaped. */
export function linkify(text: unknown): SafeHtml {
  const source = cleanText(text);
  const parts: SafeHtml[] = [];
  let last = 0;
  for (const m of source.matchAll(URL_IN_TEXT)) {
    const url = httpUrl(m[0]);
    if (!url) continue;
    parts.push(new SafeHtml(escapeCleaned(source.slice(last, m.index))), html`<a href="${url}" rel="noopener noreferrer">${m[0]}</a>`);
    last = m.index! + m[0].length;
  }
  parts.push(new SafeHtml(escapeCleaned(source.slice(last))));
  return join(parts);
}
