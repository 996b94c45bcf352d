// The validation mail (send.validation): one message per endpoint of every connector and
// submission account that has `validation:`, built and sent with nodemailer, only ever to the
// plan's validation recipients.
//   to-office365   → the connector endpoint on 25, STARTTLS required, presenting the client
//                    certificate; MAIL FROM validation.from (an accepted domain)
//   from-office365 → every smart host on 25, as Exchange Online would: STARTTLS as the
//                    connector's TLS mode demands (any / trusted-ca / domain)
//   submission     → the 587 endpoint after STARTTLS and AUTH (the mechanism auth.submission used)
// Every send is logged in the store before it starts and refused when the quota would pass;
// --no-send and an earlier Send As / authentication refusal of the account skip it.
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import tls, { type ConnectionOptions, type PeerCertificate } from 'node:tls';
import { accountRefusal, entryKey, markAccountRefused, messageToken, secretsFor, sendEndpoints, sendingAccount, validationSender } from './accounts.js';
import { isAuthRefusal, isSenderRefusal, isThrottledReply } from '../exo/replies.js';
import { redactText } from '../report/redact.js';
import { saslChallengeView, saslPayloadView } from '../report/sasl-redact.js';
import { sharedSendLog } from '../state/send-log.js';
import { countsTowardTerrl, limitsFor } from '../exo/limits.js';
import { pathRecipientRule } from '../exo/paths.js';
import { ehloNameFor } from './smtp-session.js';
import { exoNameMatches } from '../tls/names.js';
import { inAcceptedDomains } from '../exo/paths.js';
import { TOOL_VERSION } from '../version.js';
import { tokenFor } from '../oauth/tokens.js';
import type { SendAttempt, SendProbeData, SendStage, SubmissionProbeData } from '../evidence/sending.js';
import type { Endpoint, Plan, PlanEntry, ProbeContext, ProbeDefinition, TranscriptLine } from '../types.js';

export const SEND_PROBE_ID = 'send';
const QUOTA_LIMIT_TEXT = {
  day: 'the daily message limit',
  minute: 'the per-minute limit',
  'recipients-day': 'the daily recipient limit',
  'recipients-per-message': 'the recipients-per-message limit',
  'tenant-external': "the tenant's external recipient limit",
} as const;
const REFUSAL_KIND = { auth: 'authentication refusal', sender: 'Send As refusal', throttled: 'throttling' } as const;
const MAX_LINE = 512;
const MAX_LINES = 600;

/** The server's id for the queued message: Postfix "queued as X", Exchange Online "OK <id>", Exim "id=X". */
export function queueIdOf(response: string | undefined): string | undefined {
  if (!response) return undefined;
  const m =
    /queued as ([A-Za-z0-9._-]+)/i.exec(response) ??
    /^250[ -]2\.0\.0 OK <([^<>\s]+)>/i.exec(response) ??
    /\[InternalId=([0-9]+)/i.exec(response) ??
    /\bid=([A-Za-z0-9-]+)/.exec(response) ??
    /<([^<>\s]{1,200})>/.exec(response);
  return m?.[1]?.slice(0, 200);
}

/** The trust a verifying send uses: the plan's CAs, plus Node's roots when trust.system is on. */
export function trustedCas(plan: Plan): string[] | undefined {
  const own = plan.trust.ca.map((c) => c.pem).filter(Boolean);
  if (own.length === 0) return plan.trust.system ? undefined : [];
  return plan.trust.system ? [...tls.rootCertificates, ...own] : own;
}

function certificateNames(cert: PeerCertificate): string[] {
  const names: string[] = [];
  const cn = cert.subject?.CN;
  if (typeof cn === 'string') names.push(cn);
  else if (Array.isArray(cn)) names.push(...(cn as string[]));
  for (const part of (cert.subjectaltname ?? '').split(/,\s*/)) if (part.startsWith('DNS:')) names.push(part.slice(4));
  return [...new Set(names.map((n) => n.toLowerCase().replace(/\.$/, '')))];
}

/**
 * Does a certificate name match an outbound connector's TlsDomain as Exchange Online reads it?
 * The rule lives in src/tls/names.ts (exoNameMatches), shared with tls.certificate-name; a name
 * Microsoft's wording leaves open (the bare domain for "*.contoso.com") does not stop a send.
 */
export function nameMatchesTlsDomain(name: string, tlsDomain: string): boolean {
  return exoNameMatches(tlsDomain, name, 'TlsDomain').result !== 'none';
}

interface TlsPlan {
  required: boolean;
  options: ConnectionOptions;
  verify: boolean;
  nameCheck?: string;
}

/** How a send to `endpoint` must use TLS. */
export function tlsFor(entry: PlanEntry, endpoint: Endpoint, plan: Plan): TlsPlan {
  const servername = isIP(endpoint.host) ? undefined : endpoint.host;
  const base: ConnectionOptions = { servername, minVersion: 'TLSv1.2' };
  if (entry.kind === 'submission') {
    // Credentials cross this connection: the server must be who it says it is.
    return { required: true, verify: true, options: { ...base, rejectUnauthorized: true, ca: trustedCas(plan) } };
  }
  if (entry.kind === 'direct-send') {
    // A device's Direct Send: STARTTLS when offered, no client certificate, no AUTH.
    return { required: false, verify: false, options: { ...base, rejectUnauthorized: false } };
  }
  if (entry.direction === 'to-office365') {
    // The org server's side of the inbound connector: STARTTLS required, the client certificate
    // presented (with its chain: Exchange Online does not fetch intermediates). Trust of the
    // Exchange Online certificate is judged by the tls.* checks, not by refusing to send.
    const cert = entry.clientCertificate;
    return {
      required: true, // Exchange Online always offers STARTTLS; a relay that falls back to clear text is what RequireTls refuses
      verify: false,
      options: { ...base, rejectUnauthorized: false, ...(cert ? { cert: cert.certPem, key: cert.key.value } : {}) },
    };
  }
  // Exchange Online → smart host, per the outbound connector's TlsSettings.
  const mode = entry.tls?.mode;
  if (!mode) return { required: false, verify: false, options: { ...base, rejectUnauthorized: false } };
  if (mode === 'any') return { required: true, verify: false, options: { ...base, rejectUnauthorized: false } };
  if (mode === 'trusted-ca') {
    return { required: true, verify: true, options: { ...base, rejectUnauthorized: true, ca: trustedCas(plan), checkServerIdentity: () => undefined } };
  }
  const domain = entry.tls?.domain ?? endpoint.host;
  return {
    required: true,
    verify: true,
    nameCheck: domain,
    options: {
      ...base,
      rejectUnauthorized: true,
      ca: trustedCas(plan),
      checkServerIdentity: (_host: string, cert: PeerCertificate) => {
        const names = certificateNames(cert);
        if (names.some((n) => nameMatchesTlsDomain(n, domain))) return undefined;
        const err = new Error(`the certificate names (${names.join(', ') || 'none'}) do not match the connector's TLS domain ${domain}`) as Error & { code: string };
        err.code = 'ERR_TLS_CERT_ALTNAME_INVALID';
        return err;
      },
    },
  };
}

function stageOf(err: { code?: string; command?: string; responseCode?: number }): SendStage {
  const cmd = (err.command ?? '').toUpperCase();
  if (err.code === 'EAUTH' || cmd.startsWith('AUTH')) return 'auth';
  if (err.code === 'ETLS' || cmd === 'STARTTLS') return 'tls';
  if (cmd === 'MAIL FROM') return 'mail';
  if (cmd === 'RCPT TO') return 'rcpt';
  // nodemailer: EENVELOPE for a refused DATA command, EMESSAGE for the reply after the final dot.
  if (cmd === 'DATA') return err.code === 'EMESSAGE' ? 'end-of-data' : 'data';
  if (['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS'].includes(err.code ?? '') || cmd === 'CONN' || cmd === 'EHLO') {
    const msg = String((err as { message?: string }).message ?? '');
    if (/certificate|self[- ]signed|altname|TLS|SSL|handshake/i.test(msg)) return 'tls';
    return 'connect';
  }
  return 'other';
}

/**
 * nodemailer reports a socket timeout or reset by the connection ("CONN"), wherever the dialogue
 * was: a server that stalls after DATA is not "unreachable". The last command relaycheck sent
 * says where the session really stopped.
 */
export function stageFromTranscript(stage: SendStage, transcript: readonly TranscriptLine[]): SendStage {
  if (stage !== 'connect' && stage !== 'other') return stage;
  const sent = transcript.filter((l) => l.dir === 'send').map((l) => l.line.toUpperCase());
  const dataAt = transcript.findIndex((l) => l.dir === 'send' && l.line.toUpperCase().startsWith('DATA'));
  if (dataAt >= 0) {
    // After 354 the message went out: the silence is the server's answer to the final dot.
    const goAhead = transcript.slice(dataAt + 1).some((l) => l.dir !== 'send' && l.line.startsWith('354'));
    return goAhead ? 'end-of-data' : 'data';
  }
  const last = sent[sent.length - 1] ?? '';
  if (last.startsWith('RCPT')) return 'rcpt';
  if (last.startsWith('MAIL')) return 'mail';
  if (last.startsWith('AUTH') || last === '****') return 'auth';
  if (last.startsWith('STARTTLS')) return 'tls';
  return stage;
}

function bound(text: string, max = MAX_LINE): string {
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** A nodemailer logger that appends the SMTP dialogue to a transcript, AUTH payloads masked. */
function transcriptLogger(transcript: TranscriptLine[], t0: number, secrets: readonly string[]) {
  let tls = false;
  let afterChallenge = false;
  const push = (dir: TranscriptLine['dir'], line: string) => {
    if (transcript.length >= MAX_LINES) return;
    transcript.push({ t: Math.round(performance.now() - t0), dir, tls, line: bound(redactText(line, secrets)) });
    if (transcript.length === MAX_LINES) transcript.push({ t: Math.round(performance.now() - t0), dir: 'info', tls, line: `transcript truncated after ${MAX_LINES} lines` });
  };
  const log = (entry: { tnx?: string }, message: unknown, ...args: unknown[]) => {
    const text = typeof message === 'string' ? format(message, args) : String(message ?? '');
    if (entry?.tnx === 'client') {
      for (const line of text.split(/\r?\n/)) {
        if (/^AUTH\s+\S+\s+\S/i.test(line)) push('send', `${line.split(/\s+/).slice(0, 2).join(' ')} ${saslPayloadView(line.split(/\s+/)[2] ?? '', secrets)}`);
        else if (afterChallenge) push('send', '****');
        else push('send', line);
        afterChallenge = false;
      }
    } else if (entry?.tnx === 'server') {
      const lines = text.split(/\r?\n/).filter(Boolean);
      for (const line of lines) push('recv', saslChallengeView(line, secrets));
      afterChallenge = /^334[ -]/.test(lines[lines.length - 1] ?? '');
    } else if (text) {
      if (/upgraded with STARTTLS/i.test(text)) tls = true;
      push('info', text);
    }
  };
  return { trace: log, debug: log, info: log, warn: log, error: log, fatal: log };
}

function format(message: string, args: unknown[]): string {
  let i = 0;
  return message.replace(/%[sdj%]/g, (m) => (m === '%%' ? '%' : i < args.length ? String(args[i++]) : m));
}

function bodyText(entry: PlanEntry, endpoint: Endpoint, ctx: ProbeContext, token: string, when: Date): string {
  const how =
    entry.kind === 'submission'
      ? `SMTP AUTH client submission as ${entry.username} through ${endpoint.key}`
      : entry.kind === 'direct-send'
        ? `Direct Send (no AUTH) to the tenant MX ${endpoint.key}`
        : entry.direction === 'to-office365'
        ? `the inbound connector "${entry.name}" (org mail server to Exchange Online) through ${endpoint.key}`
        : `the outbound connector "${entry.name}" (Exchange Online to the smart host ${endpoint.key}), sent the way Exchange Online would`;
  return [
    `This is a validation message from relaycheck ${TOOL_VERSION}.`,
    '',
    `What sent it: relaycheck on ${hostname()}, running the test plan ${ctx.plan.file}${ctx.plan.organization ? ` for ${ctx.plan.organization}` : ''}.`,
    `When: ${when.toISOString()}.`,
    `Why: to prove that mail flows through ${how}.`,
    `Token: ${token} (also in the subject and the X-Relaycheck-Token header).`,
    '',
    'It was sent only to the validation recipients listed in the plan. No action is needed; you may delete it.',
    '',
  ].join('\r\n');
}

async function sendOne(entry: PlanEntry, endpoint: Endpoint, ctx: ProbeContext, transcript: TranscriptLine[], t0: number): Promise<SendAttempt> {
  const plan = ctx.plan;
  const secrets = secretsFor(entry, plan);
  const account = sendingAccount(entry, plan);
  const from = validationSender(entry, plan);
  const to = [...(entry.validation?.to ?? [])];
  const token = messageToken(ctx.runToken, entry.name, endpoint.key);
  const attempt: SendAttempt = { endpoint: endpoint.key, token, account, from, to, status: 'not-sent' };
  const notSent = (reason: NonNullable<SendAttempt['notSent']>['reason'], message: string): SendAttempt => {
    attempt.notSent = { reason, message };
    transcript.push({ t: Math.round(performance.now() - t0), dir: 'info', tls: false, line: bound(`${endpoint.key}: not sent: ${message}`) });
    return attempt;
  };

  if (!ctx.send) return notSent('no-send', 'not sent: --no-send');
  if (ctx.signal.aborted) return notSent('aborted', 'the run ended before this message was sent');
  let authMechanism: SendAttempt['authMechanism'];
  if (entry.kind === 'submission') {
    const sub = ctx.deps['auth.submission'] as SubmissionProbeData | undefined;
    if (!sub || !sub.auth.ok) return notSent('prerequisite', `authentication did not succeed${sub?.auth.notAttempted ? ` (${sub.auth.notAttempted})` : sub?.auth.reply ? ` (${sub.auth.reply.code} ${sub.auth.reply.lines.join(' ')})` : ''}; see auth.login`);
    if (sub.senderMatch && !sub.senderMatch.accepted) return notSent('prerequisite', `the server refused ${from} as the sender at ${sub.senderMatch.refusedAt === 'rcpt' ? 'RCPT TO' : 'MAIL FROM'}; see auth.sender-match`);
    authMechanism = sub.auth.mechanism;
  }
  // A path that carries only internal mail (HVE, Direct Send): refuse here and say why, rather
  // than send what Exchange Online refuses (or, for Direct Send, what is not Direct Send at all).
  const rule = pathRecipientRule(entry, to, plan.acceptedDomains);
  if (rule) {
    attempt.notSent = { reason: 'policy', message: rule.message, fix: rule.fix };
    transcript.push({ t: Math.round(performance.now() - t0), dir: 'info', tls: false, line: bound(`${endpoint.key}: not sent: ${rule.message}`) });
    return attempt;
  }
  const earlier = accountRefusal(ctx, account);
  if (earlier) {
    return notSent('account-refused', `an earlier ${REFUSAL_KIND[earlier.kind]} of ${account} in this run (${bound(earlier.reply, 200)}); nothing more is tried on this account, Exchange Online throttles accounts that keep failing (5.2.25x)`);
  }

  const now = new Date();
  let log;
  let reservation;
  try {
    log = sharedSendLog(plan, ctx.shared);
    const { path, source: _source, ...limits } = limitsFor(entry, plan);
    const external = to.filter((r) => !inAcceptedDomains(r, plan.acceptedDomains)).length;
    reservation = log.reserve(
      { account, entry: entry.name, endpoint: endpoint.key, recipients: to.length, token, tenant: plan.domain, path, externalRecipients: external, countsTerrl: countsTowardTerrl(path) },
      now,
      limits,
    );
  } catch (err) {
    return notSent('store', `the send log cannot be used, so the quota cannot be enforced: ${(err as Error).message}`);
  }
  attempt.quota = reservation;
  if (!reservation.allowed) return notSent('quota', `${QUOTA_LIMIT_TEXT[reservation.limit]} would be passed: ${reservation.message}`);

  const tlsPlan = tlsFor(entry, endpoint, plan);
  attempt.tls = { required: tlsPlan.required, verify: tlsPlan.verify, servername: tlsPlan.options.servername, nameCheck: tlsPlan.nameCheck, clientCertificate: Boolean(tlsPlan.options.cert) };
  attempt.authMechanism = authMechanism;
  const auth =
    entry.kind === 'submission'
      ? entry.oauth2 && authMechanism !== 'PLAIN' && authMechanism !== 'LOGIN'
        ? { type: 'OAuth2' as const, user: entry.username, accessToken: tokenFor(ctx, entry.oauth2) ?? '' }
        : { user: entry.username, pass: entry.password?.value ?? '' }
      : undefined;
  // Loaded on first use: nodemailer is not needed for --no-send runs and costs start-up time.
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    host: endpoint.address ?? endpoint.host,
    port: endpoint.port,
    secure: false,
    name: ehloNameFor(plan),
    requireTLS: tlsPlan.required,
    opportunisticTLS: !tlsPlan.required,
    servername: tlsPlan.options.servername,
    tls: tlsPlan.options,
    connectionTimeout: ctx.timeouts.connectMs,
    greetingTimeout: ctx.timeouts.greetingMs,
    socketTimeout: Math.max(ctx.timeouts.commandMs, ctx.timeouts.tlsMs),
    dnsTimeout: ctx.timeouts.connectMs,
    ...(auth ? { auth, ...(authMechanism && authMechanism !== 'XOAUTH2' ? { authMethod: authMechanism } : {}) } : {}),
    logger: transcriptLogger(transcript, t0, secrets),
    transactionLog: true,
    debug: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  transcript.push({ t: Math.round(performance.now() - t0), dir: 'info', tls: false, line: bound(`sending the validation message ${token} to ${endpoint.key}${endpoint.address ? ` (${endpoint.address})` : ''}`) });
  attempt.startedAt = now.toISOString();
  const started = performance.now();
  const onAbort = () => transport.close();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const info = await transport.sendMail({
      envelope: { from, to },
      from: { name: 'relaycheck', address: from },
      to,
      subject: `relaycheck validation ${token} (${entry.name} via ${endpoint.key})`,
      text: bodyText(entry, endpoint, ctx, token, now),
      headers: {
        'X-Relaycheck-Token': token,
        'Auto-Submitted': 'auto-generated',
        'X-Auto-Response-Suppress': 'All',
      },
    });
    attempt.durationMs = Math.round(performance.now() - started);
    attempt.acceptedAt = new Date().toISOString();
    attempt.response = bound(redactText(String(info.response ?? ''), secrets));
    attempt.queueId = queueIdOf(info.response);
    attempt.messageId = info.messageId;
    attempt.accepted = (info.accepted ?? []).map(String);
    attempt.rejected = (info.rejected ?? []).map(String);
    attempt.status = /^2/.test(attempt.response) ? 'accepted' : 'refused';
    safeSettle(log, reservation.id, attempt.status === 'accepted');
  } catch (e) {
    const err = e as Error & { code?: string; command?: string; response?: string; responseCode?: number };
    attempt.durationMs = Math.round(performance.now() - started);
    const stage = stageFromTranscript(stageOf(err), transcript);
    const response = err.response ? bound(redactText(String(err.response).trim(), secrets)) : undefined;
    attempt.error = {
      stage,
      ...(err.code ? { code: err.code } : {}),
      ...(err.responseCode ? { responseCode: err.responseCode } : {}),
      ...(response ? { response } : {}),
      ...(err.command ? { command: err.command } : {}),
      message: bound(redactText(err.message, secrets)),
    };
    attempt.status = err.responseCode ? 'refused' : 'failed';
    safeSettle(log, reservation.id, false);
    if (response && isThrottledReply(response)) markAccountRefused(ctx, account, { kind: 'throttled', reply: response, entry: entry.name });
    else if (response && entry.kind === 'submission') {
      if (stage === 'auth' || isAuthRefusal(response)) markAccountRefused(ctx, account, { kind: 'auth', reply: response, entry: entry.name, step: stage });
      else if (isSenderRefusal(response)) markAccountRefused(ctx, account, { kind: 'sender', reply: response, entry: entry.name, step: stage });
    }
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    transport.close();
  }
  return attempt;
}

function safeSettle(log: { settle(id: number, accepted: boolean): void }, id: number | undefined, accepted: boolean): void {
  if (id === undefined) return;
  try {
    log.settle(id, accepted);
  } catch {
    // The reservation row stays (accepted = 0): the message still counts, history is not lost.
  }
}

export const sendProbe: ProbeDefinition<SendProbeData> = {
  id: SEND_PROBE_ID,
  scope: 'entry',
  after: ['auth.submission'],
  key: entryKey,
  async run(subject, ctx) {
    if (subject.scope !== 'entry' && subject.scope !== 'endpoint') return { entry: '', attempts: [], transcript: [] };
    const entry = subject.entry;
    const transcript: TranscriptLine[] = [];
    const t0 = performance.now();
    const attempts: SendAttempt[] = [];
    // One after the other: Exchange Online allows 3 concurrent connections per mailbox, and the
    // quota is decided message by message.
    for (const endpoint of sendEndpoints(entry, ctx.plan)) attempts.push(await sendOne(entry, endpoint, ctx, transcript, t0));
    return { entry: entry.name, attempts, transcript };
  },
};
