// The last line of defence for secrets: every string in a report is scrubbed of every secret
// value the plan resolved, whatever path it took to get there (a server echoing a password, an
// error message quoting a token). Probes redact at the source too (AUTH lines in transcripts).

export const REDACTED = '****';

export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < 3) continue; // too short to scrub without mangling ordinary text
    for (const form of secretForms(s)) if (out.includes(form)) out = out.split(form).join(REDACTED);
  }
  return out;
}

/** A secret can leak verbatim or base64-encoded (AUTH PLAIN / LOGIN / XOAUTH2 payloads). */
function secretForms(secret: string): string[] {
  const forms = [secret, Buffer.from(secret).toString('base64').replace(/=+$/, '')];
  return forms.filter((f) => f.length >= 3);
}

export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redactText(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
