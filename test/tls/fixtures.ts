// Certificate fixtures for the tls.* check tests: one lab PKI generated at test time, plans and
// endpoint subjects for every connector kind, and SmtpSession objects carrying a chosen chain.
import { createIntermediateCa, createLabPki, createRootCa, issueLeaf, selfSigned, type CaHandle, type Issued, type LabPki } from '../../src/pki/generate.js';
import type { SmtpSession, TlsInfo } from '../../src/evidence/smtp.js';
import { formatHostPort } from '../../src/plan/address.js';
import { endpointsOf } from '../../src/runner/subjects.js';
import type { Plan, PlanEntry, Subject } from '../../src/types.js';

export const DOMAIN = 'contoso.test';
export const HOST = `mail.${DOMAIN}`;
const DAY = 86_400_000;

export interface Fixtures {
  now: Date;
  pki: LabPki;
  root: CaHandle;
  intermediate: CaHandle;
  /** leaves beyond the lab set */
  expiring10: Issued;
  clientSanOnly: Issued;
  clientExpired: Issued;
  bareDomain: Issued;
  deepSubdomain: Issued;
  ipLeaf: Issued;
  ipInCnOnly: Issued;
  /** an intermediate with the lab intermediate's name but another key */
  impostorIntermediate: CaHandle;
  /** a root whose own self-signature is SHA-1, with an intermediate and a leaf under it */
  sha1Root: CaHandle;
  sha1RootIntermediate: CaHandle;
  sha1RootLeaf: Issued;
  /** an expired intermediate and a (valid) leaf under it */
  expiredIntermediate: CaHandle;
  leafOfExpiredIntermediate: Issued;
  selfSignedClient: Issued;
}

let cached: Promise<Fixtures> | undefined;

export function fixtures(): Promise<Fixtures> {
  cached ??= build();
  return cached;
}

async function build(): Promise<Fixtures> {
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const at = (days: number) => new Date(now.getTime() + days * DAY);
  const pki = await createLabPki({ domain: DOMAIN, host: HOST, now });
  const { root, intermediate } = pki;
  const validity = { notBefore: at(-1), notAfter: at(365) };
  const [expiring10, clientSanOnly, clientExpired, bareDomain, deepSubdomain, ipLeaf, ipInCnOnly, impostorIntermediate, sha1Root, expiredIntermediate, selfSignedClient] = await Promise.all([
    issueLeaf(intermediate, { cn: HOST, notBefore: at(-355), notAfter: at(10) }),
    issueLeaf(intermediate, { cn: 'Contoso Relay Server', dnsNames: [`relay.${DOMAIN}`], clientAuth: true, ...validity }),
    issueLeaf(intermediate, { cn: `relay.${DOMAIN}`, clientAuth: true, notBefore: at(-400), notAfter: at(-3) }),
    issueLeaf(intermediate, { cn: DOMAIN, ...validity }),
    issueLeaf(intermediate, { cn: `smtp.eu.${DOMAIN}`, ...validity }),
    issueLeaf(intermediate, { cn: '192.0.2.10', ipAddresses: ['192.0.2.10', '2001:db8::25'], dnsNames: [], ...validity }),
    issueLeaf(intermediate, { cn: '192.0.2.10', dnsNames: [], ...validity }),
    createIntermediateCa(root, { cn: 'relaycheck Lab Issuing CA', key: { kind: 'ec', curve: 'P-256' }, notBefore: at(-30), notAfter: at(900) }),
    createRootCa({ cn: 'relaycheck Legacy Root CA', keys: root.keys, hash: 'SHA-1', notBefore: at(-3000), notAfter: at(3000) }),
    createIntermediateCa(root, { cn: 'relaycheck Retired Issuing CA', key: { kind: 'ec', curve: 'P-256' }, notBefore: at(-800), notAfter: at(-2) }),
    selfSigned({ cn: `relay.${DOMAIN}`, clientAuth: true, ...validity }),
  ]);
  const sha1RootIntermediate = await createIntermediateCa(sha1Root, { cn: 'relaycheck Legacy Issuing CA', key: { kind: 'ec', curve: 'P-256' }, notBefore: at(-30), notAfter: at(900) });
  const [sha1RootLeaf, leafOfExpiredIntermediate] = await Promise.all([
    issueLeaf(sha1RootIntermediate, { cn: HOST, ...validity }),
    issueLeaf(expiredIntermediate, { cn: HOST, notBefore: at(-5), notAfter: at(200) }),
  ]);
  return {
    now,
    pki,
    root,
    intermediate,
    expiring10,
    clientSanOnly,
    clientExpired,
    bareDomain,
    deepSubdomain,
    ipLeaf,
    ipInCnOnly,
    impostorIntermediate,
    sha1Root,
    sha1RootIntermediate,
    sha1RootLeaf,
    expiredIntermediate,
    leafOfExpiredIntermediate,
    selfSignedClient,
  };
}

export function b64(cert: { certDer: Uint8Array }): string {
  return Buffer.from(cert.certDer).toString('base64');
}

/** Replaces every sha256WithRSAEncryption OID in the DER with md5WithRSAEncryption (same length). */
export function withMd5Signature(cert: { certDer: Uint8Array }): string {
  const der = Buffer.from(cert.certDer);
  const sha256 = Buffer.from('06092a864886f70d01010b', 'hex');
  const md5 = Buffer.from('06092a864886f70d010104', 'hex');
  let n = 0;
  for (let i = der.indexOf(sha256); i >= 0; i = der.indexOf(sha256, i + 1)) {
    md5.copy(der, i);
    n++;
  }
  if (n === 0) throw new Error('no sha256WithRSAEncryption OID to replace');
  return der.toString('base64');
}

// ─── Plans and subjects ─────────────────────────────────────────────────────────────────────

export type Kind = 'sh-domain' | 'sh-wildcard' | 'sh-trusted' | 'sh-any' | 'sh-none' | 'mx' | 'submission';

export const KIND_NAMES: Record<Kind, string> = {
  'sh-domain': 'SH domain',
  'sh-wildcard': 'SH wildcard',
  'sh-trusted': 'SH trusted-ca',
  'sh-any': 'SH any',
  'sh-none': 'SH opportunistic',
  mx: 'Office 365 relay',
  submission: 'Scanner',
};

export interface PlanOptions {
  /** plan trust; default: Node's store (the tests replace it with the lab root) */
  trust?: Plan['trust'];
  expiryWarnDays?: number;
  host?: string;
  tlsDomain?: string;
  tlsSenderCertificateName?: string;
  clientCertificate?: { certPem: string; keyPem: string };
  /** endpoint port (default 25, 587 for submission) and the address `resolve` maps it to */
  port?: number;
  address?: string;
}

export function planFor(kind: Kind, o: PlanOptions = {}): { plan: Plan; subject: Subject } {
  const host = o.host ?? HOST;
  const name = KIND_NAMES[kind];
  const port = o.port ?? (kind === 'submission' ? 587 : 25);
  let entry: PlanEntry;
  if (kind === 'mx') {
    entry = {
      kind: 'connector',
      direction: 'to-office365',
      name,
      endpoint: { host, port },
      requireTls: true,
      tlsSenderCertificateName: o.tlsSenderCertificateName,
      senderIPs: [],
      clientCertificate: o.clientCertificate
        ? { certFile: '/plan/pki/relay.pem', certPem: o.clientCertificate.certPem, key: { value: o.clientCertificate.keyPem, source: 'file ./pki/relay.key' } }
        : undefined,
      senderDomains: ['*'],
      connectorType: 'OnPremises',
      path: 'connectors[0]',
    };
  } else if (kind === 'submission') {
    entry = { kind: 'submission', name, endpoint: { host, port }, username: `scanner@${DOMAIN}`, from: `scanner@${DOMAIN}`, sendAs: [], expectForeignSenderRejected: false, path: 'submission[0]' };
  } else {
    const tls =
      kind === 'sh-domain' ? { mode: 'domain' as const, domain: o.tlsDomain ?? HOST }
      : kind === 'sh-wildcard' ? { mode: 'domain' as const, domain: o.tlsDomain ?? `*.${DOMAIN}` }
      : kind === 'sh-trusted' ? { mode: 'trusted-ca' as const }
      : kind === 'sh-any' ? { mode: 'any' as const }
      : undefined;
    entry = { kind: 'connector', direction: 'from-office365', name, smartHosts: [{ host, port }], tls, path: 'connectors[0]' };
  }
  const plan: Plan = {
    file: 'relaycheck.yaml',
    dir: '/plan',
    version: 1,
    domain: DOMAIN,
    acceptedDomains: [DOMAIN],
    trust: o.trust ?? { system: true, ca: [] },
    resolve: o.address ? { [formatHostPort({ host, port })]: o.address } : {},
    dns: { servers: [] },
    connectors: entry.kind === 'connector' ? [entry] : [],
    submission: entry.kind === 'submission' ? [entry] : [],
    directSend: [],
    limits: { messagesPerMinute: 30, recipientsPerDay: 10_000, recipientsPerMessage: 500, defaulted: { messagesPerDay: true, messagesPerMinute: true, recipientsPerDay: true, recipientsPerMessage: true } },
    tlsPolicy: { expiryWarnDays: o.expiryWarnDays ?? 30 },
    secrets: o.clientCertificate ? [o.clientCertificate.keyPem] : [],
  };
  // The endpoint as the runner expands it: role, host:port key and the resolve override.
  return { plan, subject: { scope: 'endpoint', entry, endpoint: endpointsOf(entry, plan)[0] } };
}

export function session(peerChain: string[], extra: Partial<TlsInfo> = {}, endpoint = `${HOST}:25`): SmtpSession {
  return {
    endpoint,
    address: '127.0.0.1',
    family: 4,
    greeting: { code: 220, lines: [`${HOST} ESMTP`] },
    ehlo: { reply: { code: 250, lines: [HOST, 'STARTTLS'] }, capabilities: { STARTTLS: [] } },
    starttls: { offered: true, reply: { code: 220, lines: ['2.0.0 Ready to start TLS'] } },
    tls: { protocol: 'TLSv1.3', cipher: { name: 'TLS_AES_256_GCM_SHA384', version: 'TLSv1.3' }, authorized: false, peerChain, handshakeMs: 3, ...extra },
    transcript: [],
    durationMs: 5,
  };
}
