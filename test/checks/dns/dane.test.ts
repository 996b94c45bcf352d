import { beforeAll, describe, expect, it } from 'vitest';
import check from '../../../checks/dns/dane.js';
import { createRootCa, issueLeaf, type Issued } from '../../../src/pki/generate.js';
import { tlsaAssociation } from '../../../src/dns/tlsa.js';
import type { SmtpSession } from '../../../src/evidence/smtp.js';
import type { Zone } from '../../helpers/dns-server.js';
import { evaluate, PLAN_YAML, smartHostSubject, tlsaData } from './fixtures.js';
import { planFromYaml } from '../../helpers/plans.js';
import type { Plan } from '../../../src/types.js';

const VALIDATING = planFromYaml(`${PLAN_YAML}dns: { servers: [127.0.0.1], validating: true }\n`);
const MANDATORY_YAML = PLAN_YAML.replace('tls: { mode: trusted-ca }', 'tls: { mode: trusted-ca }\n    smtpDaneMode: Mandatory\n    mtaStsMode: Opportunistic');
const MANDATORY = planFromYaml(MANDATORY_YAML);
const MANDATORY_VALIDATING = planFromYaml(`${MANDATORY_YAML}dns: { servers: [127.0.0.1], validating: true }\n`);

let leaf: Issued;
let other: Issued;
beforeAll(async () => {
  const root = await createRootCa({ cn: 'DANE Root', key: { kind: 'ec', curve: 'P-256' } });
  leaf = await issueLeaf(root, { cn: 'mail.contoso.com' });
  other = await issueLeaf(root, { cn: 'mail.contoso.com' });
});

const session = (chain: Uint8Array[]): SmtpSession => ({ endpoint: 'mail.contoso.com:25', tls: { protocol: 'TLSv1.3', cipher: null, authorized: true, peerChain: chain.map((c) => Buffer.from(c).toString('base64')), handshakeMs: 3 }, transcript: [], durationMs: 10 });
const zoneFor = (der: Uint8Array, usage = 3): Zone => ({ '_25._tcp.mail.contoso.com': { TLSA: [{ usage, selector: 1, matchingType: 1, data: tlsaAssociation(der, 1, 1)!.toString('hex') }] } });
const run = (zone: Zone, s: SmtpSession, extra: { ad?: boolean; signed?: boolean } = {}, p?: Plan) =>
  evaluate(check, { 'dns-tlsa': tlsaData(zone, 'mail.contoso.com', 25, extra), 'smtp-session': s }, smartHostSubject('mail.contoso.com', p), p);

describe('dns.dane', () => {
  it('applies to smart hosts named by FQDN only', () => {
    expect(check.appliesTo!(smartHostSubject('mail.contoso.com'), undefined as never)).toBe(true);
    expect(check.appliesTo!(smartHostSubject('192.0.2.99'), undefined as never)).toBe(false);
  });

  it('passes a 3 1 1 record that matches the presented certificate, validated by a resolver the plan marks validating (AD)', () => {
    const f = run(zoneFor(leaf.certDer), session([leaf.certDer]), { ad: true }, VALIDATING);
    expect(f.status).toBe('pass');
    expect(f.message).toMatch(/^TLSA 3 1 1 \(DANE-EE, public key, SHA-256\) matches the certificate mail\.contoso\.com presented; the answer was DNSSEC-validated \(AD from .*, marked validating\)$/);
  });

  it('reports DNSSEC as unknown when the resolver is not marked validating, whatever its AD bit says', () => {
    const f = run(zoneFor(leaf.certDer), session([leaf.certDer]), { ad: true });
    expect(f.status).toBe('pass');
    expect(f.message).toMatch(/DNSSEC unknown \(the answer carried AD, but dns\.validating is not set/);
    expect(f.evidence?.dnssec).toBe('unknown');
  });

  it('warns when a validating resolver does not vouch for the matching record (AD clear)', () => {
    const f = run(zoneFor(leaf.certDer), session([leaf.certDer]), { signed: true }, VALIDATING);
    expect(f.status).toBe('warn');
    expect(f.message).toMatch(/did not vouch for it \(AD clear\): the zone is not DNSSEC-signed or its chain of trust is broken/);
  });

  it('warns, DNSSEC unknown, when no signature is seen and no resolver is marked validating', () => {
    const f = run(zoneFor(leaf.certDer), session([leaf.certDer]));
    expect(f.status).toBe('warn');
    expect(f.message).toMatch(/DNSSEC unknown: dns\.validating is not set, so relaycheck does not take .*word for it \(no AD and no signatures/);
    expect(f.remediation).toMatch(/dns\.validating: true/);
  });

  describe('with smtpDaneMode Mandatory', () => {
    it('fails a smart host without TLSA records, with the NDR Exchange Online would give', () => {
      const f = run({}, session([leaf.certDer]), {}, MANDATORY_VALIDATING);
      expect(f.status).toBe('fail');
      expect(f.message).toMatch(/smtpDaneMode is Mandatory, but there is no TLSA record at _25\._tcp\.mail\.contoso\.com \(NXDOMAIN\)/);
      expect(f.exchangeOnline).toMatch(/holds the mail .*5\.7\.323 tlsa-invalid: The domain failed DANE validation\./);
    });

    it('fails an IP-literal smart host: DANE needs a name', () => {
      expect(check.appliesTo!(smartHostSubject('192.0.2.99', MANDATORY), MANDATORY)).toBe(true);
      const f = evaluate(check, {}, smartHostSubject('192.0.2.99', MANDATORY), MANDATORY);
      expect(f.status).toBe('fail');
      expect(f.message).toMatch(/192\.0\.2\.99 is an IP address: DANE looks up TLSA records at _25\._tcp\.<name>/);
    });

    it('fails a matching record the validating resolver does not vouch for', () => {
      const f = run(zoneFor(leaf.certDer), session([leaf.certDer]), {}, MANDATORY_VALIDATING);
      expect(f.status).toBe('fail');
      expect(f.exchangeOnline).toMatch(/5\.7\.323/);
    });

    it('passes a matching, validated record', () => {
      expect(run(zoneFor(leaf.certDer), session([leaf.certDer]), { ad: true }, MANDATORY_VALIDATING).status).toBe('pass');
    });

    it('does not guess when no resolver is marked validating', () => {
      const f = run(zoneFor(leaf.certDer), session([leaf.certDer]), { ad: true }, MANDATORY);
      expect(f.status).toBe('warn');
      expect(f.message).toMatch(/DNSSEC unknown.*Mandatory, Exchange Online delivers only if the TLSA records are DNSSEC-signed/);
    });

    it('names 5.7.321 for a smart host that offers no STARTTLS', () => {
      const f = run(zoneFor(leaf.certDer), { endpoint: 'mail.contoso.com:25', greeting: { code: 220, lines: ['x'] }, ehlo: { reply: { code: 250, lines: ['x'] }, capabilities: {} }, starttls: { offered: false }, transcript: [], durationMs: 5 }, { ad: true }, MANDATORY_VALIDATING);
      expect(f.exchangeOnline).toMatch(/5\.7\.321 starttls-not-supported/);
    });
  });

  it('fails when no record matches and gives the record for the current certificate', () => {
    const f = run(zoneFor(other.certDer), session([leaf.certDer]), { ad: true });
    expect(f.status).toBe('fail');
    expect(f.message).toBe('none of the 1 usable TLSA record(s) at _25._tcp.mail.contoso.com matches the certificate mail.contoso.com presented: 3 1 1 (DANE-EE, public key, SHA-256)');
    expect(f.remediation).toContain(`_25._tcp.mail.contoso.com. 3600 IN TLSA 3 1 1 ${tlsaAssociation(leaf.certDer, 1, 1)!.toString('hex')}`);
    expect(f.exchangeOnline).toMatch(/4\.7\.323 tlsa-invalid/);
  });

  it('is skipped without TLSA records: DANE is optional', () => {
    const f = run({}, session([leaf.certDer]));
    expect(f.status).toBe('skipped');
    expect(f.message).toMatch(/DANE is optional/);
  });

  it('cannot decide when the session saw no certificate', () => {
    const f = run(zoneFor(leaf.certDer), { endpoint: 'mail.contoso.com:25', failure: { kind: 'refused', phase: 'connect', message: 'ECONNREFUSED' }, transcript: [], durationMs: 1 });
    expect(f.status).toBe('error');
    expect(f.message).toMatch(/the SMTP session stopped \(connect: ECONNREFUSED\)/);
  });

  it('fails when TLSA records exist but the smart host offers no STARTTLS (RFC 7672 §2.2)', () => {
    const noStarttls: SmtpSession = {
      endpoint: 'mail.contoso.com:25',
      greeting: { code: 220, lines: ['mail.contoso.com ESMTP'] },
      ehlo: { reply: { code: 250, lines: ['mail.contoso.com'] }, capabilities: {} },
      starttls: { offered: false },
      transcript: [],
      durationMs: 5,
    };
    const f = run(zoneFor(leaf.certDer), noStarttls, { ad: true });
    expect(f.status).toBe('fail');
    expect(f.message).toBe('1 TLSA record(s) at _25._tcp.mail.contoso.com, but the smart host does not offer STARTTLS: DANE senders (Exchange Online with SmtpDaneMode Mandatory among them) defer mail to it (RFC 7672 §2.2)');
  });
});
