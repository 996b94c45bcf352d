// The SASL exchange is never stored raw. A payload (the client's AUTH PLAIN / XOAUTH2 initial
// response) or a 334 challenge (which a hostile or careless server may use to echo the payload) is
// decoded, its password or bearer token replaced — whether or not relaycheck knows that value —
// and only then kept, as readable text.
import { REDACTED, redactText } from './redact.js';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The decoded text of a base64 SASL token, or undefined when it is not base64 of UTF-8 text. */
function decodeSasl(token: string): string | undefined {
  const t = token.trim();
  if (!t || t.length % 4 !== 0 || !BASE64.test(t)) return undefined;
  const bytes = Buffer.from(t, 'base64');
  const text = bytes.toString('utf8');
  if (text.includes('\ufffd')) return undefined;
  return text;
}

/** Decoded SASL text with credentials replaced: PLAIN's password, XOAUTH2's bearer token, and every known secret. */
export function redactSaslText(decoded: string, secrets: readonly string[] = []): string {
  let text = redactText(decoded, secrets);
  // RFC 4616 PLAIN: authzid NUL authcid NUL passwd
  const plain = /^([^\u0000]*)\u0000([^\u0000]*)\u0000[\s\S]*$/.exec(text);
  if (plain) text = `${plain[1]}\u0000${plain[2]}\u0000${REDACTED}`;
  // XOAUTH2: user=…^Aauth=Bearer <token>^A^A (and OAUTHBEARER's auth=Bearer …)
  text = text.replace(/(auth=\s*Bearer\s+)[^\u0001\s]+/gi, `$1${REDACTED}`);
  text = text.replace(/("?(?:access_token|token|client_secret|password)"?\s*[:=]\s*"?)[^",\s\u0001}]+/gi, `$1${REDACTED}`);
  return text;
}

/** Control characters made visible, so a decoded SASL text reads on one line (NUL → \0, ^A → \1). */
function visible(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\${c.charCodeAt(0).toString(8)}`);
}

/** How a client SASL payload is kept in a transcript: "**** (decoded: \0user\0****)". */
export function saslPayloadView(token: string, secrets: readonly string[] = []): string {
  const decoded = decodeSasl(token);
  if (decoded === undefined || decoded === '') return REDACTED;
  const redacted = redactSaslText(decoded, secrets);
  // A payload that is neither PLAIN nor XOAUTH2 (LOGIN's password line) has nothing to show.
  return redacted.includes(REDACTED) && redacted !== REDACTED ? `${REDACTED} (decoded: ${visible(redacted)})` : REDACTED;
}

/**
 * A "334 …" reply line as it may be kept: its base64 text decoded and redacted. Other lines are
 * returned redacted of known secrets only.
 */
export function saslChallengeView(line: string, secrets: readonly string[] = []): string {
  const m = /^334([ -])(.*)$/s.exec(line);
  if (!m) return redactText(line, secrets);
  const decoded = decodeSasl(m[2]);
  if (decoded === undefined) return `334${m[1]}${redactSaslText(redactText(m[2], secrets), secrets)}`;
  return `334${m[1]}[decoded] ${visible(redactSaslText(decoded, secrets))}`;
}

/** A 334 challenge's base64 text, re-encoded after decoding and redacting (what the SASL code may read). */
export function redactChallengeToken(token: string, secrets: readonly string[] = []): string {
  const decoded = decodeSasl(token);
  if (decoded === undefined) return redactText(token, secrets);
  return Buffer.from(redactSaslText(decoded, secrets), 'utf8').toString('base64');
}
