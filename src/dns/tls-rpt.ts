// TLS-RPT (RFC 8460 §3): the `_smtp._tls` TXT record that tells senders where to report TLS
// failures ("v=TLSRPTv1; rua=mailto:…,https://…").
import { parseTagList, tagValue } from './tags.js';

export function isTlsRptTxt(txt: string): boolean {
  return /^v=TLSRPTv1\s*(;|$)/.test(txt.trim());
}

export interface TlsRptRecord {
  rua: string[];
  errors: string[];
}

/** RFC 8460 §3: "v=TLSRPTv1; rua=mailto:…,https://…" */
export function parseTlsRpt(txt: string): TlsRptRecord {
  const list = parseTagList(txt);
  const errors = [...list.errors];
  if (list.tags[0]?.name !== 'v' || list.tags[0].value !== 'TLSRPTv1') errors.push('the record does not start with "v=TLSRPTv1"');
  const ruaText = tagValue(list, 'rua');
  const rua: string[] = [];
  if (!ruaText) errors.push('rua= (where reports go) is missing');
  else {
    for (const raw of ruaText.split(',')) {
      const uri = raw.trim();
      if (/^mailto:[^@\s]+@[^@\s]+$/i.test(uri) || /^https:\/\/\S+$/i.test(uri)) rua.push(uri);
      else errors.push(`rua: "${uri}" is not a mailto: or https: URI`);
    }
  }
  return { rua, errors };
}
