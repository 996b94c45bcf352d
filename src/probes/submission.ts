// The AUTH probe (`auth.submission`) of a submission account (SMTP AUTH client submission, 587):
//   1. greeting → EHLO (is AUTH advertised before STARTTLS?) → STARTTLS → EHLO → AUTH PLAIN /
//      LOGIN (password) or XOAUTH2 (oauth2.accessToken) — credentials only over TLS 1.2+ to a
//      server whose certificate the plan trusts (RFC 4954 §4; Exchange Online: TLS 1.2+);
//   2. after AUTH: MAIL FROM the plan's `from`, RCPT TO the first validation recipient, RSET —
//      the live sender match; with expectForeignSenderRejected, MAIL FROM a foreign address must
//      be refused. Never DATA: no mail is sent here;
//   3. a separate short connection without TLS and without AUTH: MAIL FROM (and RCPT TO when
//      MAIL was accepted), then RSET and QUIT — is mail accepted without TLS?
// After the first authentication or Send As refusal nothing more is tried on the account in this
// run (Exchange Online throttles accounts that keep failing, 5.2.25x).
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { accountRefusal, base64, entryKey, markAccountRefused, saslPlain, saslXoauth2, secretsFor } from './accounts.js';
import { isAuthRefusal, isSenderRefusal, isThrottledReply } from '../exo/replies.js';
import { trustedCas } from './send.js';
import { SmtpClient, SmtpError, replyText } from './smtp-client.js';
import { ehloNameFor } from './smtp-session.js';
import { endpointsOf } from '../runner/subjects.js';
import { redactDeep } from '../report/redact.js';
import { tokenFor } from '../oauth/tokens.js';
import { OAUTH_TOKEN_PROBE_ID } from './oauth-token.js';
import type { AuthMechanism, EnvelopeProbe, SubmissionProbeData } from '../evidence/sending.js';
import type { SmtpReply } from '../evidence/smtp.js';
import type { Endpoint, ProbeContext, ProbeDefinition, SubmissionAccount, TranscriptLine, Plan } from '../types.js';
import { redactSaslText } from '../report/sasl-redact.js';

export const SUBMISSION_PROBE_ID = 'auth.submission';
/** The sender of the negative probe: a domain that is never accepted (RFC 2606 .invalid). */
export const FOREIGN_SENDER = 'relaycheck-foreign@example.invalid';

const is2xx = (r: SmtpReply | undefined) => Boolean(r && r.code >= 200 && r.code < 300);

function firstRecipient(account: SubmissionAccount): string {
  return account.validation?.to[0] ?? account.from;
}

/** Which mechanism to use, or why none fits. OAuth first when a token is configured. */
export function chooseMechanism(account: SubmissionAccount, offered: string[]): { mechanism: AuthMechanism } | { none: string } {
  const has = (m: string) => offered.includes(m);
  if (account.oauth2) {
    if (has('XOAUTH2')) return { mechanism: 'XOAUTH2' };
    if (!account.password) return { none: `the server offers AUTH ${offered.join(' ') || '(nothing)'} after STARTTLS, not XOAUTH2, which oauth2.accessToken needs` };
  }
  if (account.password) {
    if (has('PLAIN')) return { mechanism: 'PLAIN' };
    if (has('LOGIN')) return { mechanism: 'LOGIN' };
    return { none: `the server offers AUTH ${offered.join(' ') || '(nothing)'} after STARTTLS, neither PLAIN nor LOGIN, which a password needs` };
  }
  return { none: 'the plan gives neither a password nor an OAuth access token' };
}

/** The server's 334 challenge as text: decoded, redacted (before it is cut), one line. */
function decodeChallenge(reply: SmtpReply, secrets: readonly string[]): string {
  const b64 = (reply.lines[0] ?? '').trim();
  let text = '';
  try {
    text = Buffer.from(b64, 'base64').toString('utf8');
  } catch {
    text = b64;
  }
  text = redactSaslText(text, secrets).replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

/** The SASL exchange. Returns the final reply (235 on success). The client masks every payload in the transcript. */
async function authenticate(client: SmtpClient, account: SubmissionAccount, mechanism: AuthMechanism, token: string, plan: Plan): Promise<{ reply: SmtpReply; challenge?: string }> {
  if (mechanism === 'PLAIN') {
    const reply = await client.command(`AUTH PLAIN ${saslPlain(account.username, account.password?.value ?? '')}`, 'auth');
    return { reply };
  }
  if (mechanism === 'LOGIN') {
    let reply = await client.command('AUTH LOGIN', 'auth');
    if (reply.code !== 334) return { reply };
    reply = await client.command(base64(account.username), 'auth', { secret: true });
    if (reply.code !== 334) return { reply };
    reply = await client.command(base64(account.password?.value ?? ''), 'auth', { secret: true });
    return { reply };
  }
  const reply = await client.command(`AUTH XOAUTH2 ${saslXoauth2(account.username, token)}`, 'auth');
  if (reply.code !== 334) return { reply };
  // RFC 7628 §3.2.3: the server's error comes as a 334 challenge; the client answers empty and gets the final reply.
  const challenge = decodeChallenge(reply, secretsFor(account, plan));
  const final = await client.command('', 'auth', { secret: true });
  return { reply: final, challenge };
}

/** MAIL FROM, and RCPT TO when it was accepted, then RSET. Never DATA. */
export async function envelope(client: SmtpClient, from: string, recipient: string): Promise<EnvelopeProbe> {
  const probe: EnvelopeProbe = { from, recipient, accepted: false };
  probe.mail = await client.command(`MAIL FROM:<${from}>`, 'mail');
  if (!is2xx(probe.mail)) probe.refusedAt = 'mail';
  else {
    probe.rcpt = await client.command(`RCPT TO:<${recipient}>`, 'rcpt');
    if (!is2xx(probe.rcpt)) probe.refusedAt = 'rcpt';
    else probe.accepted = true;
  }
  await client.command('RSET', 'mail').catch(() => undefined);
  return probe;
}

export async function greetAndEhlo(client: SmtpClient, target: { host: string; port: number; address?: string }, ehloName: string) {
  await client.connect(target);
  const greeting = await client.greeting();
  if (greeting.code !== 220) throw new SmtpError('unexpected-reply', 'greeting', `${replyText(greeting)} at connect`, { reply: greeting });
  const ehlo = await client.ehlo(ehloName, 'ehlo');
  if (ehlo.reply.code !== 250) throw new SmtpError('unexpected-reply', 'ehlo', `EHLO refused: ${replyText(ehlo.reply)}`, { reply: ehlo.reply });
  return ehlo;
}

export function failureOf(err: unknown): NonNullable<SubmissionProbeData['failure']> {
  return err instanceof SmtpError ? err.toFailure() : { kind: 'protocol-error', phase: 'connect', message: `Internal error in the AUTH probe: ${(err as Error)?.message ?? String(err)}` };
}

export async function runSubmissionProbe(account: SubmissionAccount, endpoint: Endpoint, ctx: ProbeContext): Promise<SubmissionProbeData> {
  const t0 = performance.now();
  const data: SubmissionProbeData = { applicable: true, account: account.username, endpoint: endpoint.key, auth: { attempted: false, basic: false, ok: false }, transcript: [], durationMs: 0 };
  const target = { host: endpoint.host, port: endpoint.port, address: endpoint.address };
  const ehloName = ehloNameFor(ctx.plan);
  const servername = net.isIP(endpoint.host) ? undefined : endpoint.host.replace(/\.$/, '');
  const recipient = firstRecipient(account);
  const transcripts: { offset: number; lines: TranscriptLine[] }[] = [];
  const since = () => Math.round(performance.now() - t0);

  // 1 + 2: the main session.
  const client = new SmtpClient({ timeouts: ctx.timeouts, signal: ctx.signal, secrets: secretsFor(account, ctx.plan) });
  transcripts.push({ offset: since(), lines: client.transcript });
  try {
    const ehlo = await greetAndEhlo(client, target, ehloName);
    const caps = ehlo.capabilities;
    data.plaintext = { ehlo, authOffered: Object.hasOwn(caps, 'AUTH'), authMechanisms: caps.AUTH ?? [], starttlsOffered: Object.hasOwn(caps, 'STARTTLS') };
    if (!data.plaintext.starttlsOffered) {
      data.auth.notAttempted = 'STARTTLS is not offered, and relaycheck never sends credentials without TLS';
    } else {
      const started = await client.startTls({ servername, minVersion: 'TLSv1.2', ciphers: tls.DEFAULT_CIPHERS, ca: trustedCas(ctx.plan) });
      if (started.reply.code !== 220 || !started.tls) {
        data.auth.notAttempted = `STARTTLS was refused: ${replyText(started.reply)}`;
      } else {
        const t = started.tls;
        data.tls = { protocol: t.protocol, authorized: t.authorized, ...(t.authorizationError ? { authorizationError: t.authorizationError } : {}), ...(servername ? { servername } : {}) };
        if (!t.authorized) {
          data.auth.notAttempted = `the server's certificate is not trusted for ${servername ?? endpoint.host} (${t.authorizationError ?? 'unknown reason'}), and relaycheck does not send credentials to a server it cannot authenticate; see tls.certificate-trust and tls.certificate-name`;
        } else {
          const ehlo2 = await client.ehlo(ehloName, 'ehlo-tls');
          if (ehlo2.reply.code !== 250) throw new SmtpError('unexpected-reply', 'ehlo-tls', `EHLO after STARTTLS refused: ${replyText(ehlo2.reply)}`, { reply: ehlo2.reply });
          const offered = ehlo2.capabilities.AUTH ?? [];
          data.authMechanismsAfterTls = offered;
          const earlier = accountRefusal(ctx, account.username);
          if (earlier) {
            data.skippedAfterRefusal = earlier;
            data.auth.notAttempted = `${account.username} was already refused in this run`;
            client.note(`not authenticating: ${account.username} was already refused in this run (${earlier.reply})`);
          } else if (!Object.hasOwn(ehlo2.capabilities, 'AUTH')) {
            data.auth.notAttempted = 'no AUTH is offered after STARTTLS (not offered)';
          } else {
            const choice = chooseMechanism(account, offered);
            const token = tokenFor(ctx, account.oauth2);
            if ('none' in choice) data.auth.notAttempted = `${choice.none} (not offered)`;
            else if (choice.mechanism === 'XOAUTH2' && !token) data.auth.notAttempted = 'no OAuth access token was obtained for this account (see auth.oauth-token)';
            else await authAndSender(client, account, choice.mechanism, recipient, data, ctx, token ?? '');
          }
        }
      }
    }
    await client.quit();
  } catch (err) {
    data.failure = failureOf(err);
    if (!data.auth.notAttempted && !data.auth.attempted) data.auth.notAttempted = `the session stopped at ${data.failure.phase}: ${data.failure.message}`;
    client.close();
  }

  // 3: mail without TLS, on its own short connection.
  if (ctx.signal.aborted) data.withoutTls = { attempted: false, accepted: 'none', notAttempted: 'the run ended first' };
  else if (data.failure && data.failure.phase === 'connect') data.withoutTls = { attempted: false, accepted: 'none', notAttempted: 'the endpoint could not be reached' };
  else {
    const plain = new SmtpClient({ timeouts: ctx.timeouts, signal: ctx.signal, secrets: secretsFor(account, ctx.plan) });
    plain.note('is mail accepted without TLS? MAIL FROM and RCPT TO only, never DATA');
    transcripts.push({ offset: since(), lines: plain.transcript });
    data.withoutTls = { attempted: true, accepted: 'none' };
    try {
      await greetAndEhlo(plain, target, ehloName);
      const env = await envelope(plain, account.from, recipient);
      data.withoutTls.envelope = env;
      data.withoutTls.accepted = env.accepted ? 'mail-and-rcpt' : is2xx(env.mail) ? 'mail' : 'none';
      await plain.quit();
    } catch (err) {
      data.withoutTls.failure = failureOf(err);
      plain.close();
    }
  }

  data.transcript = mergeTranscripts(transcripts);
  data.durationMs = Math.round(performance.now() - t0);
  // A hostile server may echo a password or a whole SASL payload back: scrub every form of them.
  return redactDeep(data, secretsFor(account, ctx.plan));
}

async function authAndSender(client: SmtpClient, account: SubmissionAccount, mechanism: AuthMechanism, recipient: string, data: SubmissionProbeData, ctx: ProbeContext, token: string): Promise<void> {
  data.auth.attempted = true;
  data.auth.mechanism = mechanism;
  data.auth.basic = mechanism !== 'XOAUTH2';
  const { reply, challenge } = await authenticate(client, account, mechanism, token, ctx.plan);
  data.auth.reply = reply;
  if (challenge) data.auth.challenge = challenge;
  data.auth.ok = reply.code === 235;
  if (!data.auth.ok) {
    const said = replyText(reply);
    if (isThrottledReply(said)) markAccountRefused(ctx, account.username, { kind: 'throttled', reply: said, entry: account.name });
    else if (reply.code >= 500 || isAuthRefusal(said)) markAccountRefused(ctx, account.username, { kind: 'auth', reply: said, entry: account.name });
    return;
  }
  // The live sender match: MAIL FROM the plan's from, RCPT TO a validation recipient, RSET.
  data.senderMatch = await envelope(client, account.from, recipient);
  const sm = data.senderMatch;
  if (!sm.accepted) {
    const said = replyText((sm.refusedAt === 'rcpt' ? sm.rcpt : sm.mail)!);
    if (isThrottledReply(said)) markAccountRefused(ctx, account.username, { kind: 'throttled', reply: said, entry: account.name });
    else if (sm.refusedAt === 'mail' ? (sm.mail?.code ?? 0) >= 500 : isSenderRefusal(said)) markAccountRefused(ctx, account.username, { kind: 'sender', reply: said, entry: account.name, step: sm.refusedAt });
  }
  if (!account.expectForeignSenderRejected) return;
  if (!sm.accepted) {
    data.foreignSender = { from: FOREIGN_SENDER, recipient, accepted: false, refused: false, notAttempted: `the account's own sender was refused first` };
    return;
  }
  // The deliberate negative probe: its refusal is expected and does not stop the account.
  const fs = await envelope(client, FOREIGN_SENDER, recipient);
  data.foreignSender = { ...fs, refused: !fs.accepted };
}

/** One transcript from the probe's connections, in order. */
function mergeTranscripts(parts: { offset: number; lines: TranscriptLine[] }[]): TranscriptLine[] {
  const out: TranscriptLine[] = [];
  for (const [i, part] of parts.entries()) {
    if (i > 0 && part.lines.length) out.push({ t: part.offset, dir: 'info', tls: false, line: '── second connection: without TLS and without AUTH ──' });
    for (const l of part.lines) out.push({ ...l, t: l.t + part.offset });
  }
  return out;
}

export const submissionProbe: ProbeDefinition<SubmissionProbeData> = {
  id: SUBMISSION_PROBE_ID,
  scope: 'entry',
  // The token (when the account uses client credentials) is obtained first.
  after: [OAUTH_TOKEN_PROBE_ID],
  // One AUTH session per account entry feeds auth.login, auth.sender-match (entry) and
  // auth.tls-required (endpoint), and orders the send probe after it.
  key: entryKey,
  async run(subject, ctx) {
    if ((subject.scope !== 'entry' && subject.scope !== 'endpoint') || subject.entry.kind !== 'submission') {
      return { applicable: false, auth: { attempted: false, basic: false, ok: false }, transcript: [], durationMs: 0 };
    }
    const endpoint = subject.scope === 'endpoint' ? subject.endpoint : endpointsOf(subject.entry, ctx.plan)[0];
    return runSubmissionProbe(subject.entry, endpoint, ctx);
  },
};
