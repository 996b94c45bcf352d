// The SMTP session probe (`smtp-session`): greeting → EHLO → STARTTLS → TLS → EHLO → QUIT against
// one endpoint, with the plan's client certificate on to-office365 connectors. Returns SmtpSession
// (facts only; checks judge them). One session per endpoint and client certificate feeds every
// check of every plan entry that points there. When the handshake fails or lands below TLS 1.2,
// a version scan (tls-versions.ts) says which versions the server does accept.
import { createHash } from 'node:crypto';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import type { Plan, ProbeContext, ProbeDefinition, Subject, Timeouts } from '../types.js';
import { summarizeChain } from './cert-summary.js';
import { pemBlocks } from '../tls/certificate.js';
import { PERMISSIVE_CIPHERS, SmtpClient, SmtpError, replyText } from './smtp-client.js';
import { SMTP_SESSION_PROBE, type SmtpSession } from '../evidence/smtp.js';
import { scanTlsVersions } from './tls-versions.js';

export interface SessionTrust {
  /** Node's / the OS root store */
  system: boolean;
  /** extra trust anchors, PEM */
  ca: string[];
}

export interface SessionOptions {
  endpoint: { key: string; host: string; port: number; address?: string };
  /** sent with EHLO; a FQDN */
  ehloName: string;
  timeouts: Pick<Timeouts, 'connectMs' | 'greetingMs' | 'commandMs' | 'tlsMs'>;
  signal?: AbortSignal;
  /** what Node's `authorized` is computed against (informative); default: system roots */
  trust?: SessionTrust;
  /** presented when the server asks (to-office365 connectors) */
  clientCertificate?: { certPem: string; keyPem: string };
  /** run-wide cache for TLS contexts (ProbeContext.shared) */
  shared?: Map<string, unknown>;
  /** default 'auto': after a failed handshake or one below TLS 1.2 */
  versionScan?: 'auto' | 'always' | 'never';
}

const LEGACY = new Set(['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1']);

const hashes = new Map<string, string>();

/** A short digest of a PEM text for cache keys; remembered, since every session asks for the same few. */
function shortHash(text: string): string {
  let hash = hashes.get(text);
  if (hash === undefined) {
    hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
    if (hashes.size < 100) hashes.set(text, hash);
  }
  return hash;
}

/** The EHLO name relaycheck announces: relaycheck.<plan domain>. */
export function ehloNameFor(plan: Pick<Plan, 'domain'>): string {
  return `relaycheck.${plan.domain.toLowerCase().replace(/\.$/, '')}`;
}

export function trustOf(plan: Pick<Plan, 'trust'>): SessionTrust {
  return { system: plan.trust.system, ca: plan.trust.ca.map((c) => c.pem) };
}

/** The client certificate a subject's session presents: only to-office365 connectors have one. */
export function clientCertificateOf(subject: Subject): { certPem: string; keyPem: string } | undefined {
  if (subject.scope !== 'endpoint' && subject.scope !== 'entry') return undefined;
  const e = subject.entry;
  if (e.kind === 'connector' && e.direction === 'to-office365' && e.clientCertificate) {
    return { certPem: e.clientCertificate.certPem, keyPem: e.clientCertificate.key.value };
  }
  return undefined;
}

interface ContextSpec {
  minVersion: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  trust?: SessionTrust;
  clientCertificate?: { certPem: string; keyPem: string };
}

/**
 * A client TLS context, cached per run: parsing a root store for every one of 200 sessions
 * would cost more than the sessions. Throws when the client certificate and key do not match.
 */
export function clientContext(spec: ContextSpec, shared?: Map<string, unknown>): tls.SecureContext {
  const trustId = spec.trust ? `${spec.trust.system}:${shortHash(spec.trust.ca.join('\n'))}` : 'default';
  const certId = spec.clientCertificate ? shortHash(spec.clientCertificate.certPem) : 'none';
  const key = `smtp-session:tls-context|${spec.minVersion}|${spec.maxVersion ?? ''}|${trustId}|${certId}`;
  const cache = shared ?? new Map<string, unknown>();
  const hit = cache.get(key) as tls.SecureContext | undefined;
  if (hit) return hit;
  let ca: string[] | undefined;
  if (spec.trust && spec.trust.ca.length) ca = [...(spec.trust.system ? tls.rootCertificates : []), ...spec.trust.ca];
  else if (spec.trust && !spec.trust.system) ca = []; // trust nothing: Node's verdict says so
  const context = tls.createSecureContext({
    minVersion: spec.minVersion,
    ...(spec.maxVersion ? { maxVersion: spec.maxVersion } : {}),
    ciphers: PERMISSIVE_CIPHERS,
    ...(ca ? { ca } : {}),
    ...(spec.clientCertificate ? { cert: spec.clientCertificate.certPem, key: spec.clientCertificate.keyPem } : {}),
  });
  cache.set(key, context);
  return context;
}

/** Runs one diagnostic session. Never throws for anything the target does. */
export async function runSmtpSession(options: SessionOptions): Promise<SmtpSession> {
  const t0 = performance.now();
  const { endpoint, ehloName, timeouts, signal, shared } = options;
  const client = new SmtpClient({ timeouts, signal });
  const session: SmtpSession = { endpoint: endpoint.key, ehloName, transcript: client.transcript, durationMs: 0 };
  const servername = net.isIP(endpoint.host) ? undefined : endpoint.host.replace(/\.$/, '');
  const target = { host: endpoint.host, port: endpoint.port, address: endpoint.address };
  try {
    const conn = await client.connect(target);
    session.address = conn.address;
    session.family = conn.family;
    session.connectMs = conn.connectMs;

    const greeting = await client.greeting();
    session.greeting = greeting;
    if (greeting.code !== 220) throw new SmtpError('unexpected-reply', 'greeting', `${greeting.code} at connect: ${replyText(greeting).replace(/^\d{3} ?/, '')}`, { reply: greeting });

    const ehlo = await client.ehlo(ehloName, 'ehlo');
    session.ehlo = ehlo;
    if (ehlo.reply.code !== 250) {
      // RFC 5321 §4.1.4: a server that refuses EHLO may still take HELO; then it has no extensions.
      if (ehlo.reply.code >= 500) {
        const helo = await client.command(`HELO ${ehloName}`, 'ehlo');
        if (helo.code !== 250) throw new SmtpError('unexpected-reply', 'ehlo', `EHLO and HELO refused: ${replyText(helo)}`, { reply: helo });
        client.note('EHLO refused, HELO accepted: the server offers no ESMTP extensions');
      } else throw new SmtpError('unexpected-reply', 'ehlo', `EHLO refused: ${replyText(ehlo.reply)}`, { reply: ehlo.reply });
    }

    const offered = Object.hasOwn(ehlo.capabilities, 'STARTTLS');
    session.starttls = { offered };
    if (!offered) {
      await client.quit();
      return finish();
    }

    let context: tls.SecureContext;
    let presenting = Boolean(options.clientCertificate);
    try {
      context = clientContext({ minVersion: 'TLSv1', trust: options.trust, clientCertificate: options.clientCertificate }, shared);
    } catch (err) {
      client.note(`the client certificate cannot be used (${(err as Error).message.split('\n')[0]}); continuing without it`);
      presenting = false;
      context = clientContext({ minVersion: 'TLSv1', trust: options.trust }, shared);
    }
    const started = await client.startTls({ servername, secureContext: context, clientCertificate: presenting });
    session.starttls.reply = started.reply;
    if (client.plaintextAfterStarttls) session.starttls.plaintextAfterReply = client.plaintextAfterStarttls;
    if (started.reply.code !== 220) throw new SmtpError('unexpected-reply', 'starttls', `STARTTLS refused: ${replyText(started.reply)}`, { reply: started.reply });
    session.tls = started.tls;

    const ehlo2 = await client.ehlo(ehloName, 'ehlo-tls');
    session.ehloAfterTls = ehlo2;
    if (ehlo2.reply.code !== 250) throw new SmtpError('unexpected-reply', 'ehlo-tls', `EHLO after STARTTLS refused: ${replyText(ehlo2.reply)}`, { reply: ehlo2.reply });
    await client.quit();
  } catch (err) {
    const failure =
      err instanceof SmtpError ? err.toFailure() : { kind: 'protocol-error' as const, phase: 'connect' as const, message: `Internal error in the SMTP client: ${(err as Error)?.message ?? String(err)}` };
    if (client.starttlsReply && session.starttls) {
      session.starttls.reply ??= client.starttlsReply;
      if (client.plaintextAfterStarttls) session.starttls.plaintextAfterReply = client.plaintextAfterStarttls;
    }
    if (failure.phase === 'tls-handshake' && session.starttls?.plaintextAfterReply && failure.kind !== 'aborted') {
      // The plaintext after 220 is the root cause the admin must see; the handshake error follows from it.
      failure.message = `The server sent ${session.starttls.plaintextAfterReply.bytes} bytes of plaintext after 220 to STARTTLS (RFC 3207); then: ${failure.message}`;
      failure.kind = 'protocol-error';
    }
    session.failure = failure;
    if (failure.kind === 'unexpected-reply') await client.quit();
    else client.close();
  }
  const scan = options.versionScan ?? 'auto';
  const handshakeBroke = session.failure?.phase === 'tls-handshake' && session.failure.kind !== 'aborted' && session.failure.kind !== 'timeout';
  const legacy = session.tls?.protocol ? LEGACY.has(session.tls.protocol) : false;
  if (scan === 'always' || (scan === 'auto' && (handshakeBroke || legacy))) {
    if (!signal?.aborted) {
      client.note('scanning TLS versions 1.0–1.3 on fresh connections');
      session.versionScan = await scanTlsVersions({
        target,
        ehloName,
        servername,
        timeouts,
        signal,
        contextFor: (v) => clientContext({ minVersion: v, maxVersion: v }, shared),
      });
      const yes = Object.entries(session.versionScan.accepted).filter(([, ok]) => ok).map(([v]) => v);
      client.note(`version scan: accepted ${yes.length ? yes.join(', ') : 'none'}`);
    }
  }
  return finish();

  function finish(): SmtpSession {
    const summaries = session.tls?.peerChain.length ? summarizeChain(session.tls.peerChain) : [];
    // The plan's client certificate too, so reports can show it and drift can see it renewed; a
    // block that does not parse is left out (tls.client-certificate reports it).
    if (options.clientCertificate) summaries.push(...summarizeChain(pemBlocks(options.clientCertificate.certPem)));
    if (summaries.length) session.certificateSummaries = summaries;
    session.durationMs = Math.round(performance.now() - t0);
    return session;
  }
}

/** The probe definition the runner uses. */
const smtpSessionProbe: ProbeDefinition<SmtpSession> = {
  id: SMTP_SESSION_PROBE,
  scope: 'endpoint',
  key(subject) {
    if (subject.scope !== 'endpoint') throw new Error('smtp-session runs on endpoints');
    const cert = clientCertificateOf(subject);
    return `${subject.endpoint.key}|${subject.endpoint.address ?? ''}|${cert ? `cert:${shortHash(cert.certPem)}` : 'no-cert'}`;
  },
  run(subject, ctx: ProbeContext) {
    if (subject.scope !== 'endpoint') throw new Error('smtp-session runs on endpoints');
    return runSmtpSession({
      endpoint: subject.endpoint,
      ehloName: ehloNameFor(ctx.plan),
      timeouts: ctx.timeouts,
      signal: ctx.signal,
      trust: trustOf(ctx.plan),
      clientCertificate: clientCertificateOf(subject),
      shared: ctx.shared,
    });
  },
};

export default smtpSessionProbe;
