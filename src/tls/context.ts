// The shared first step of every STARTTLS certificate check: take the endpoint's SMTP session,
// decide whether there is a certificate to judge at all (else `skipped`, saying why), parse the
// chain the server sent, and work out the endpoint's policy and trust store.
import { SMTP_SESSION_PROBE as SESSION_PROBE, type SmtpSession } from '../evidence/smtp.js';
import type { CheckInput, Finding, Plan } from '../types.js';
import { analyzeChain, type ChainAnalysis } from './chain.js';
import { parseAll, type Certificate } from './certificate.js';
import { endpointPolicy, type EndpointPolicy } from '../exo/tls-terms.js';
import { trustStoreFor, type TrustStore } from './trust.js';

export { SESSION_PROBE };

export interface CertificateContext {
  session: SmtpSession;
  policy: EndpointPolicy;
  plan: Plan;
  now: Date;
  /** the parseable certificates the server sent, leaf first */
  sent: Certificate[];
  leaf: Certificate;
  /** sent certificates that could not be parsed (index in peerChain, reason) */
  unparsed: { index: number; message: string }[];
  store: TrustStore;
  /** the certification path, built on first use */
  readonly chain: ChainAnalysis;
  evidence: Readonly<{ certSha256: string }>;
}

/** Why a session has no certificate to judge, or undefined when it has one. */
export function noCertificateReason(session: SmtpSession): string | undefined {
  if (session.tls) return undefined; // an empty chain is judged (and failed) by the caller
  if (session.starttls && !session.starttls.offered) return 'the server does not offer STARTTLS (see smtp.starttls)';
  const f = session.failure;
  if (f) return `the session stopped at ${f.phase} (${f.kind}: ${f.message})`;
  return 'the session did not reach TLS';
}

/** Contexts already made, per session and subject: the six certificate checks of an endpoint share one. */
const contexts = new WeakMap<SmtpSession, WeakMap<CheckInput['subject'], CertificateContext | Finding>>();

/** The context, or the finding to return as is (skipped / fail). */
export function certificateContext(input: CheckInput): CertificateContext | Finding {
  const session = input.probes[SESSION_PROBE] as SmtpSession | undefined;
  if (!session) return { status: 'error', message: `no data from the ${SESSION_PROBE} probe` };
  let bySubject = contexts.get(session);
  if (!bySubject) contexts.set(session, (bySubject = new WeakMap()));
  const made = bySubject.get(input.subject);
  if (made && (isFinding(made) || (made.plan === input.plan && made.now === input.now))) return isFinding(made) ? { ...made } : made;
  const context = makeContext(session, input);
  bySubject.set(input.subject, context);
  return isFinding(context) ? { ...context } : context;
}

function makeContext(session: SmtpSession, input: CheckInput): CertificateContext | Finding {
  const f = session.failure;
  if (!session.tls && f && (f.phase === 'connect' || f.phase === 'greeting')) {
    // Could not decide, not "skipped": a run with --only tls must not pass a server that is down.
    return { status: 'error', message: `could not decide: no certificate, the session stopped at ${f.phase} (${f.kind}: ${f.message})`, remediation: 'Make the endpoint reachable first (see smtp.connect).' };
  }
  const why = noCertificateReason(session);
  if (why) return { status: 'skipped', message: `no certificate: ${why}` };
  const peerChain = session.tls?.peerChain ?? [];
  if (peerChain.length === 0) {
    return { status: 'fail', message: 'the server completed the TLS handshake without sending a certificate', remediation: 'Configure a certificate and key on the server (Postfix: smtpd_tls_chain_files) and disable anonymous cipher suites.' };
  }
  const parsed = parseAll(peerChain);
  const leaf = parsed.certificates[0];
  if (!leaf || parsed.errors[0]?.index === 0) {
    return {
      status: 'fail',
      message: `the server's certificate cannot be parsed (${parsed.errors[0]?.message ?? 'empty'})`,
      remediation: 'Install a well-formed X.509 certificate (PEM) on the server.',
    };
  }
  const policy = endpointPolicy(input.subject);
  const store = trustStoreFor(input.plan);
  return {
    session,
    policy,
    plan: input.plan,
    now: input.now,
    sent: parsed.certificates,
    leaf,
    unparsed: parsed.errors,
    store,
    get chain() {
      return chainFor(peerChain, parsed.certificates, store);
    },
    evidence: Object.freeze({ certSha256: leaf.sha256 }), // shared by the checks of the endpoint
  };
}

export function isFinding(x: CertificateContext | Finding): x is Finding {
  return 'status' in x;
}

/**
 * One path per sent chain (by content) and trust store: the trust, chain and expiry checks share
 * it, and so do endpoints that present the same certificates (the servers of a cluster).
 */
const analyses = new WeakMap<TrustStore, Map<string, ChainAnalysis>>();
const MAX_CHAINS = 1000;

function chainFor(peerChain: string[], certs: Certificate[], store: TrustStore): ChainAnalysis {
  let byChain = analyses.get(store);
  if (!byChain) analyses.set(store, (byChain = new Map()));
  const key = peerChain.join(',');
  let analysis = byChain.get(key);
  if (!analysis) {
    analysis = analyzeChain(certs, store);
    if (byChain.size < MAX_CHAINS) byChain.set(key, analysis);
  }
  return analysis;
}

const DAY = 86_400_000;

/** "35 days", "1 day", "less than a day" */
export function daysText(ms: number): string {
  const days = Math.floor(Math.abs(ms) / DAY);
  return days === 0 ? 'less than a day' : `${days} day${days === 1 ? '' : 's'}`;
}
