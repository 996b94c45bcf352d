// DMARC policy records (RFC 7489 §6.3): "v=DMARC1" first, then p= (required), sp=, pct=, rua=,
// ruf=, adkim=, aspf=. Unknown tags are ignored, as receivers do.
import { parseTagList, tagValue } from './tags.js';

export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

export interface DmarcRecord {
  policy?: DmarcPolicy;
  subdomainPolicy?: DmarcPolicy;
  pct: number;
  rua: string[];
  ruf: string[];
  adkim: 'r' | 's';
  aspf: 'r' | 's';
  /** reasons receivers would discard or misread the record */
  errors: string[];
}

/** A TXT string that claims to be DMARC (RFC 7489 §6.6.3: starts with "v=DMARC1"). */
export function isDmarcRecord(txt: string): boolean {
  return /^v\s*=\s*DMARC1\s*(;|$)/i.test(txt.trim());
}

const POLICIES = new Set(['none', 'quarantine', 'reject']);

function uris(value: string | undefined, tag: string, errors: string[]): string[] {
  if (!value) return [];
  const out: string[] = [];
  for (const raw of value.split(',')) {
    const uri = raw.trim().replace(/!\d+[kmgt]?$/i, ''); // size limit suffix
    if (!/^(mailto:[^@\s]+@[^@\s]+|https?:\/\/\S+)$/i.test(uri)) errors.push(`${tag}: "${raw.trim()}" is not a mailto: or https: URI`);
    else out.push(uri);
  }
  return out;
}

export function parseDmarc(txt: string): DmarcRecord {
  const list = parseTagList(txt);
  const errors = [...list.errors];
  if (list.tags[0]?.name !== 'v' || list.tags[0].value.toUpperCase() !== 'DMARC1') errors.push('the record does not start with "v=DMARC1"');
  else if (list.tags[0].value !== 'DMARC1') errors.push(`v=${list.tags[0].value} must be written "DMARC1" exactly (RFC 7489 §6.3): receivers may ignore the record`);
  const rua = uris(tagValue(list, 'rua'), 'rua', errors);
  const ruf = uris(tagValue(list, 'ruf'), 'ruf', errors);
  const p = tagValue(list, 'p')?.toLowerCase();
  let policy: DmarcPolicy | undefined;
  if (p === undefined) {
    // §6.6.3: a record without a valid p= but with a valid rua= is treated as p=none
    if (rua.length) policy = 'none';
    errors.push('p= (the policy) is missing');
  } else if (!POLICIES.has(p)) errors.push(`p=${p} is not none, quarantine or reject`);
  else policy = p as DmarcPolicy;
  const sp = tagValue(list, 'sp')?.toLowerCase();
  if (sp !== undefined && !POLICIES.has(sp)) errors.push(`sp=${sp} is not none, quarantine or reject`);
  const pctText = tagValue(list, 'pct');
  let pct = 100;
  if (pctText !== undefined) {
    if (!/^\d{1,3}$/.test(pctText) || Number(pctText) > 100) errors.push(`pct=${pctText} is not 0..100`);
    else pct = Number(pctText);
  }
  const align = (tag: 'adkim' | 'aspf'): 'r' | 's' => {
    const v = tagValue(list, tag)?.toLowerCase();
    if (v !== undefined && v !== 'r' && v !== 's') errors.push(`${tag}=${v} is not r or s`);
    return v === 's' ? 's' : 'r';
  };
  return {
    ...(policy ? { policy } : {}),
    ...(sp && POLICIES.has(sp) ? { subdomainPolicy: sp as DmarcPolicy } : {}),
    pct,
    rua,
    ruf,
    adkim: align('adkim'),
    aspf: align('aspf'),
    errors,
  };
}
