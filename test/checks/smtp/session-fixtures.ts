// Fixture SmtpSession data and subjects for table-driven tests of the session checks
// (smtp.connect, smtp.starttls, tls.version): one healthy session, and `broken(...)` variants.
import { planFromYaml } from '../../helpers/plans.js';
import { subjectsFor } from '../../../src/runner/subjects.js';
import type { SmtpSession } from '../../../src/evidence/smtp.js';
import type { Plan, Subject } from '../../../src/types.js';

/** A plan with one endpoint of each role: to-office365 (MX), a smart host (trusted-ca), one without TLS settings, submission. */
export const plan: Plan = planFromYaml(`version: 1
domain: contoso.test
acceptedDomains: [contoso.test]
connectors:
  - name: To Office 365
    direction: to-office365
    endpoint: contoso-test.mail.protection.outlook.com
    requireTls: true
    tlsSenderCertificateName: "*.contoso.test"
    senderDomains: ["*"]
  - name: From Office 365
    direction: from-office365
    smartHosts: [mail.contoso.test]
    tls: { mode: trusted-ca }
  - name: Opportunistic
    direction: from-office365
    smartHosts: [relay2.contoso.test]
submission:
  - name: Scanner
    endpoint: smtp.office365.com:587
    username: scanner@contoso.test
    password: { env: PW }
    from: scanner@contoso.test
`, { PW: 'not-a-real-password' });

const endpoints = subjectsFor('endpoint', plan);
export function subject(role: 'to-office365' | 'smart-host' | 'opportunistic' | 'submission'): Subject {
  const found = endpoints.find((s) => {
    if (s.scope !== 'endpoint') return false;
    if (role === 'opportunistic') return s.entry.name === 'Opportunistic';
    if (role === 'smart-host') return s.entry.name === 'From Office 365';
    return s.endpoint.role === role;
  });
  if (!found) throw new Error(`no ${role} subject`);
  return found;
}

export function healthy(): SmtpSession {
  return {
    endpoint: 'mail.contoso.test:25',
    ehloName: 'relaycheck.contoso.test',
    address: '192.0.2.10',
    family: 4,
    connectMs: 3,
    greeting: { code: 220, lines: ['mail.contoso.test ESMTP Postfix'] },
    ehlo: { reply: { code: 250, lines: ['mail.contoso.test', 'PIPELINING', 'STARTTLS'] }, capabilities: { PIPELINING: [], STARTTLS: [] } },
    starttls: { offered: true, reply: { code: 220, enhanced: '2.0.0', lines: ['2.0.0 Ready to start TLS'] } },
    tls: {
      protocol: 'TLSv1.3',
      cipher: { name: 'TLS_AES_256_GCM_SHA384', standardName: 'TLS_AES_256_GCM_SHA384', version: 'TLSv1.3' },
      authorized: true,
      peerChain: [],
      servername: 'mail.contoso.test',
      clientCertificateRequested: false,
      clientCertificatePresented: false,
      ephemeralKey: { type: 'ECDH', name: 'X25519', size: 253 },
      handshakeMs: 5,
    },
    ehloAfterTls: { reply: { code: 250, lines: ['mail.contoso.test', 'PIPELINING'] }, capabilities: { PIPELINING: [] } },
    transcript: [],
    durationMs: 12,
  };
}

/** The healthy session cut off by a failure at `phase`, keeping the steps before it. */
export function failedAt(failure: SmtpSession['failure'] & object, extra: Partial<SmtpSession> = {}): SmtpSession {
  const s = healthy();
  const order = ['connect', 'greeting', 'ehlo', 'starttls', 'tls-handshake', 'ehlo-tls'];
  const at = order.indexOf(failure.phase);
  if (at <= 0) {
    delete s.address;
    delete s.family;
    delete s.connectMs;
  }
  if (at <= 1) delete s.greeting;
  if (at <= 2) delete s.ehlo;
  if (at <= 2) delete s.starttls;
  if (at <= 3 && s.starttls) delete s.starttls.reply;
  if (at <= 4) delete s.tls;
  if (at <= 5) delete s.ehloAfterTls;
  return { ...s, failure, ...extra };
}

/** The fixtures' clock: session checks read none, but cases state one. */
export const NOW = '2026-11-27T00:00:00Z';
