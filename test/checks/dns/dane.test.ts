import { beforeAll, describe, expect, it } from 'vitest';
import check from '../../../checks/dns/dane.js';
import { createRootCa, issueLeaf, type Issued } from '../../../src/pki/generate.js';
import { tlsaAssociation } from '../../../src/dns/tlsa.js';
import type { SmtpSession } from '../../../src/evidence/smtp.js';
import { testCheck } from '../../helpers/check-tester.js';
import type { Zone } from '../../helpers/dns-server.js';
import { planFromYaml } from '../../helpers/plans.js';
import { NOW, plan, PLAN_YAML, smartHostSubject, tlsaData } from './fixtures.js';

const VALIDATING = planFromYaml(`${PLAN_YAML}dns: { servers: [127.0.0.1], validating: true }\n`);
const MANDATORY_YAML = PLAN_YAML.replace('tls: { mode: trusted-ca }', 'tls: { mode: trusted-ca }\n    smtpDaneMode: Mandatory\n    mtaStsMode: Opportunistic');
const MANDATORY = planFromYaml(MANDATORY_YAML);
const MANDATORY_VALIDATING = planFromYaml(`${MANDATORY_YAML}dns: { servers: [127.0.0.1], validating: true }\n`);
/** The case's plan, with the subject for mail.contoso.com in it. */
const under = (p: typeof plan) => ({ plan: p, subject: smartHostSubject('mail.contoso.com', p) });

let leaf: Issued;
let other: Issued;
beforeAll(async () => {
  const root = await createRootCa({ cn: 'DANE Root', key: { kind: 'ec', curve: 'P-256' } });
  leaf = await issueLeaf(root, { cn: 'mail.contoso.com' });
  other = await issueLeaf(root, { cn: 'mail.contoso.com' });
});

const session = (chain: Uint8Array[]): SmtpSession => ({ endpoint: 'mail.contoso.com:25', tls: { protocol: 'TLSv1.3', cipher: null, authorized: true, peerChain: chain.map((c) => Buffer.from(c).toString('base64')), handshakeMs: 3 }, transcript: [], durationMs: 10 });
const zoneFor = (der: Uint8Array, usage = 3): Zone => ({ '_25._tcp.mail.contoso.com': { TLSA: [{ usage, selector: 1, matchingType: 1, data: tlsaAssociation(der, 1, 1)!.toString('hex') }] } });
/** Probe data, built inside the test (the certificates come from beforeAll). */
const probes = (zone: () => Zone, s: () => SmtpSession, extra: { ad?: boolean; signed?: boolean } = {}) => () => ({ 'dns-tlsa': tlsaData(zone(), 'mail.contoso.com', 25, extra), 'smtp-session': s() });
const noStarttls: SmtpSession = {
  endpoint: 'mail.contoso.com:25',
  greeting: { code: 220, lines: ['mail.contoso.com ESMTP'] },
  ehlo: { reply: { code: 250, lines: ['mail.contoso.com'] }, capabilities: {} },
  starttls: { offered: false },
  transcript: [],
  durationMs: 5,
};

testCheck(check, {
  defaults: { plan, now: NOW, subject: smartHostSubject('mail.contoso.com') },
  valid: [
    {
      name: 'passes a 3 1 1 record that matches the presented certificate, validated by a resolver the plan marks validating (AD)',
      ...under(VALIDATING),
      probes: probes(() => zoneFor(leaf.certDer), () => session([leaf.certDer]), { ad: true }),
      message: /^TLSA 3 1 1 \(DANE-EE, public key, SHA-256\) matches the certificate mail\.contoso\.com presented; the answer was DNSSEC-validated \(AD from .*, marked validating\)$/,
    },
    {
      name: 'reports DNSSEC as unknown when the resolver is not marked validating, whatever its AD bit says',
      probes: probes(() => zoneFor(leaf.certDer), () => session([leaf.certDer]), { ad: true }),
      message: /DNSSEC unknown \(the answer carried AD, but dns\.validating is not set/,
      evidence: { dnssec: 'unknown' },
    },
    {
      name: 'passes a matching, validated record under smtpDaneMode Mandatory',
      ...under(MANDATORY_VALIDATING),
      probes: probes(() => zoneFor(leaf.certDer), () => session([leaf.certDer]), { ad: true }),
    },
  ],
  invalid: [
    {
      name: 'warns when a validating resolver does not vouch for the matching record (AD clear)',
      status: 'warn',
      ...under(VALIDATING),
      probes: probes(() => zoneFor(leaf.certDer), () => session([leaf.certDer]), { signed: true }),
      message: /did not vouch for it \(AD clear\): the zone is not DNSSEC-signed or its chain of trust is broken/,
    },
    {
      name: 'warns, DNSSEC unknown, when no signature is seen and no resolver is marked validating',
      status: 'warn',
      probes: probes(() => zoneFor(leaf.certDer), () => session([leaf.certDer])),
      message: /DNSSEC unknown: dns\.validating is not set, so relaycheck does not take .*word for it \(no AD and no signatures/,
      remediation: /dns\.validating: true/,
    },
    {
      name: 'fails a smart host without TLSA records under smtpDaneMode Mandatory, with the NDR Exchange Online would give',
      status: 'fail',
      ...under(MANDATORY_VALIDATING),
      probes: probes(() => ({}), () => session([leaf.certDer])),
      message: /smtpDaneMode is Mandatory, but there is no TLSA record at _25\._tcp\.mail\.contoso\.com \(NXDOMAIN\)/,
      exchangeOnline: /holds the mail .*5\.7\.323 tlsa-invalid: The domain failed DANE validation\./,
    },
    {
      name: 'fails an IP-literal smart host under smtpDaneMode Mandatory: DANE needs a name',
      status: 'fail',
      plan: MANDATORY,
      subject: smartHostSubject('192.0.2.99', MANDATORY),
      probes: {},
      message: /192\.0\.2\.99 is an IP address: DANE looks up TLSA records at _25\._tcp\.<name>/,
    },
    {
      name: 'fails a matching record the validating resolver does not vouch for under smtpDaneMode Mandatory',
      status: 'fail',
      ...under(MANDATORY_VALIDATING),
      probes: probes(() => zoneFor(leaf.certDer), () => session([leaf.certDer])),
      exchangeOnline: /5\.7\.323/,
    },
    {
      name: 'does not guess under smtpDaneMode Mandatory when no resolver is marked validating',
      status: 'warn',
      ...under(MANDATORY),
      probes: probes(() => zoneFor(leaf.certDer), () => session([leaf.certDer]), { ad: true }),
      message: /DNSSEC unknown.*Mandatory, Exchange Online delivers only if the TLSA records are DNSSEC-signed/,
    },
    {
      name: 'names 5.7.321 for a smart host that offers no STARTTLS under smtpDaneMode Mandatory',
      status: 'fail',
      ...under(MANDATORY_VALIDATING),
      probes: probes(() => zoneFor(leaf.certDer), () => noStarttls, { ad: true }),
      exchangeOnline: /5\.7\.321 starttls-not-supported/,
    },
    {
      name: 'fails when no record matches and gives the record for the current certificate',
      status: 'fail',
      probes: probes(() => zoneFor(other.certDer), () => session([leaf.certDer]), { ad: true }),
      message: 'none of the 1 usable TLSA record(s) at _25._tcp.mail.contoso.com matches the certificate mail.contoso.com presented: 3 1 1 (DANE-EE, public key, SHA-256)',
      remediation: () => [`_25._tcp.mail.contoso.com. 3600 IN TLSA 3 1 1 ${tlsaAssociation(leaf.certDer, 1, 1)!.toString('hex')}`],
      exchangeOnline: /4\.7\.323 tlsa-invalid/,
    },
    { name: 'is skipped without TLSA records: DANE is optional', status: 'skipped', probes: probes(() => ({}), () => session([leaf.certDer])), message: /DANE is optional/ },
    {
      name: 'cannot decide when the session saw no certificate',
      status: 'error',
      probes: probes(() => zoneFor(leaf.certDer), () => ({ endpoint: 'mail.contoso.com:25', failure: { kind: 'refused', phase: 'connect', message: 'ECONNREFUSED' }, transcript: [], durationMs: 1 })),
      message: /the SMTP session stopped \(connect: ECONNREFUSED\)/,
    },
    {
      name: 'fails when TLSA records exist but the smart host offers no STARTTLS (RFC 7672 §2.2)',
      status: 'fail',
      probes: probes(() => zoneFor(leaf.certDer), () => noStarttls, { ad: true }),
      message: '1 TLSA record(s) at _25._tcp.mail.contoso.com, but the smart host does not offer STARTTLS: DANE senders (Exchange Online with SmtpDaneMode Mandatory among them) defer mail to it (RFC 7672 §2.2)',
    },
  ],
});

describe('dns.dane', () => {
  it('applies to smart hosts named by FQDN only', () => {
    expect(check.appliesTo!(smartHostSubject('mail.contoso.com'), plan)).toBe(true);
    expect(check.appliesTo!(smartHostSubject('192.0.2.99'), plan)).toBe(false);
  });

  it('applies to an IP-literal smart host under smtpDaneMode Mandatory, to fail it', () => {
    expect(check.appliesTo!(smartHostSubject('192.0.2.99', MANDATORY), MANDATORY)).toBe(true);
  });
});
