// MTA-STS (RFC 8461): the `_mta-sts` TXT, the policy file served at
// https://mta-sts.<domain>/.well-known/mta-sts.txt, and MX pattern matching (a "*." pattern covers
// exactly one label).
import { normalizeName } from './answer.js';
import { parseTagList, tagValue } from './tags.js';

export function isMtaStsTxt(txt: string): boolean {
  return /^v=STSv1\s*(;|$)/.test(txt.trim());
}

export interface MtaStsTxt {
  id?: string;
  errors: string[];
}

/** §3.1: "v=STSv1; id=<1-32 alphanumerics>;" */
export function parseMtaStsTxt(txt: string): MtaStsTxt {
  const list = parseTagList(txt);
  const errors = [...list.errors];
  if (list.tags[0]?.name !== 'v' || list.tags[0].value !== 'STSv1') errors.push('the record does not start with "v=STSv1"');
  const id = tagValue(list, 'id');
  if (id === undefined) errors.push('id= is missing');
  else if (!/^[A-Za-z0-9]{1,32}$/.test(id)) errors.push(`id=${id} is not 1 to 32 letters and digits`);
  return { ...(id !== undefined ? { id } : {}), errors };
}

export type MtaStsMode = 'enforce' | 'testing' | 'none';

export interface MtaStsPolicy {
  version?: string;
  mode?: MtaStsMode;
  mx: string[];
  maxAge?: number;
  errors: string[];
}

export const MAX_POLICY_BYTES = 64 * 1024;

/** §3.2: "key: value" lines separated by CRLF (LF accepted); mx may repeat. */
export function parseMtaStsPolicy(text: string): MtaStsPolicy {
  const errors: string[] = [];
  const mx: string[] = [];
  let version: string | undefined;
  let mode: string | undefined;
  let maxAge: number | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      errors.push(`"${line.slice(0, 80)}" is not a "key: value" line`);
      continue;
    }
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    switch (key) {
      case 'version':
        version = value;
        break;
      case 'mode':
        mode = value;
        break;
      case 'max_age':
        if (!/^\d{1,10}$/.test(value)) errors.push(`max_age: ${value} is not a number of seconds`);
        else maxAge = Number(value);
        break;
      case 'mx':
        mx.push(value);
        break;
      default:
        break; // extensions are ignored (§3.2)
    }
  }
  if (version !== 'STSv1') errors.push(version === undefined ? 'version: STSv1 is missing' : `version: ${version} is not STSv1`);
  if (mode === undefined) errors.push('mode: is missing');
  else if (!['enforce', 'testing', 'none'].includes(mode)) errors.push(`mode: ${mode} is not enforce, testing or none`);
  if (maxAge === undefined && !errors.some((e) => e.startsWith('max_age'))) errors.push('max_age: is missing');
  else if (maxAge !== undefined && maxAge > 31_557_600) errors.push(`max_age: ${maxAge} exceeds 31557600 (one year)`);
  if (mx.length === 0 && mode !== 'none') errors.push('no mx: line');
  for (const p of mx) if (!/^(\*\.)?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/.test(p)) errors.push(`mx: ${p} is not a host name or "*." pattern`);
  return {
    ...(version !== undefined ? { version } : {}),
    ...(mode && ['enforce', 'testing', 'none'].includes(mode) ? { mode: mode as MtaStsMode } : {}),
    mx,
    ...(maxAge !== undefined ? { maxAge } : {}),
    errors,
  };
}

/**
 * §4.1: a pattern is a host name, or "*." plus a domain where the wildcard stands for exactly one
 * label: "*.mx.microsoft" covers "a.mx.microsoft" but not "mx.microsoft" or "a.b.mx.microsoft".
 */
export function mxPatternMatches(pattern: string, host: string): boolean {
  const p = normalizeName(pattern);
  const h = normalizeName(host);
  if (!p.startsWith('*.')) return p === h;
  const suffix = p.slice(1); // ".mx.microsoft"
  if (!h.endsWith(suffix)) return false;
  const label = h.slice(0, h.length - suffix.length);
  return label.length > 0 && !label.includes('.');
}

/** The first pattern that covers `host`, or undefined. */
export function coveringPattern(patterns: string[], host: string): string | undefined {
  return patterns.find((p) => mxPatternMatches(p, host));
}

/** The narrowest pattern to add for a host: "*." plus its parent domain. */
export function suggestedPattern(host: string): string {
  const h = normalizeName(host);
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1).includes('.') ? `*${h.slice(dot)}` : h;
}
