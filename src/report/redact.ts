// Secrets never reach a report, a transcript, a log line or an error message. Redaction is by
// construction: every secret is known before the first byte that could echo it arrives — the
// plan's secrets when the plan is read, tokens the moment they are obtained (`learnSecret`) —
// and text from servers is redacted as it is received, before it is truncated, formatted or
// stored. The report is scrubbed once more as a whole on the way out (the last line of defence).
//
// A secret can come back verbatim, base64-encoded at any of the three byte alignments (inside a
// SASL PLAIN or XOAUTH2 payload it rarely starts a base64 group), URL-encoded or hex-encoded.

export const REDACTED = '****';

/** Shorter values cannot be scrubbed without mangling ordinary text. */
const MIN_SECRET_LENGTH = 3;

const learned = new Set<string>();

/**
 * Registers a secret for the rest of the process: from now on every redaction removes it in
 * every form. Call it the moment a secret is obtained (an OAuth access token, a client secret, a
 * password read from a file), before it is used on the wire.
 */
export function learnSecret(value: string | null | undefined): void {
  if (typeof value !== 'string') return;
  const v = value.trim();
  if (v.length >= MIN_SECRET_LENGTH) learned.add(v);
  if (value.length >= MIN_SECRET_LENGTH && value !== v) learned.add(value);
}

/** Every secret learned so far in this process. */
export function learnedSecrets(): string[] {
  return [...learned];
}

const formsCache = new Map<string, string[]>();

/**
 * The forms a secret can take in text, longest first: itself, the base64 of its bytes at each of
 * the three alignments (the part that does not depend on the bytes around it; standard and URL
 * alphabets), URL-encoded, and hex.
 */
export function secretForms(secret: string): string[] {
  const cached = formsCache.get(secret);
  if (cached) return cached;
  const bytes = Buffer.from(secret, 'utf8');
  const forms = new Set<string>([secret]);
  for (let offset = 0; offset < 3; offset++) {
    const whole = Math.floor((bytes.length - offset) / 3) * 3;
    if (whole < 3) continue;
    const core = bytes.subarray(offset, offset + whole);
    forms.add(core.toString('base64'));
    forms.add(core.toString('base64url'));
  }
  const url = encodeURIComponent(secret);
  forms.add(url);
  forms.add(url.replace(/%20/g, '+'));
  forms.add(bytes.toString('hex'));
  forms.add(bytes.toString('hex').toUpperCase());
  const list = [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  if (formsCache.size > 10_000) formsCache.clear();
  formsCache.set(secret, list);
  return list;
}

/** `text` with every form of every given and learned secret replaced by ****. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets.length ? new Set([...secrets, ...learned]) : learned) {
    if (s.length < MIN_SECRET_LENGTH) continue;
    for (const form of secretForms(s)) if (out.includes(form)) out = out.split(form).join(REDACTED);
  }
  return out;
}

export function redactDeep<T>(value: T, secrets: readonly string[] = []): T {
  if (secrets.length === 0 && learned.size === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redactText(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
