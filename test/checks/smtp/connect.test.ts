import { describe, expect, it } from 'vitest';
import check from '../../../checks/smtp/connect.js';
import { evaluate, failedAt, healthy, subject } from './session-fixtures.js';
import type { SmtpSession } from '../../../src/evidence/smtp.js';
import type { Finding } from '../../../src/types.js';

type Role = Parameters<typeof subject>[0];
const cases: { name: string; role: Role; session: SmtpSession; expect: Partial<Finding> & { message: RegExp }; exo?: RegExp; fix?: RegExp }[] = [
  { name: 'a 220 greeting passes and names the address', role: 'smart-host', session: healthy(), expect: { status: 'pass', message: /^220 from 192\.0\.2\.10:25 \(TCP connect 3 ms\): "mail\.contoso\.test ESMTP Postfix"$/ } },
  {
    name: 'a refused connection to a smart host fails with the firewall ranges and 4.4.316',
    role: 'smart-host',
    session: failedAt({ kind: 'refused', phase: 'connect', message: 'Connection refused by 192.0.2.10:25', code: 'ECONNREFUSED' }),
    expect: { status: 'fail', message: /^Connection refused by 192\.0\.2\.10:25$/ },
    exo: /450 4\.4\.316 Connection refused/,
    fix: /40\.92\.0\.0\/15.*2a01:111:f403::\/48/,
  },
  {
    name: 'no greeting from a smart host fails with 4.4.318',
    role: 'smart-host',
    session: failedAt({ kind: 'timeout', phase: 'greeting', message: 'No greeting within 10 s' }, { address: '192.0.2.10', family: 4, connectMs: 2 }),
    expect: { status: 'fail', message: /^No greeting within 10 s \(192\.0\.2\.10:25\)$/ },
    exo: /4\.4\.318 Connection was closed abruptly/,
    fix: /does not greet with 220/,
  },
  {
    name: 'a 421 greeting fails and quotes the server',
    role: 'smart-host',
    session: failedAt({ kind: 'unexpected-reply', phase: 'greeting', message: '421 at connect: 4.3.2 Service not available' }, { address: '192.0.2.10', family: 4 }),
    expect: { status: 'fail', message: /^421 at connect: 4\.3\.2 Service not available/ },
  },
  {
    name: 'an Exchange Online MX that cannot be reached points at outbound port 25',
    role: 'to-office365',
    session: failedAt({ kind: 'timeout', phase: 'connect', message: 'No TCP connection to 52.101.0.1:25 within 10 s' }),
    expect: { status: 'fail', message: /^No TCP connection to 52\.101\.0\.1:25 within 10 s$/ },
    fix: /Allow outbound TCP 25 from the relay to contoso-test\.mail\.protection\.outlook\.com/,
  },
  {
    name: 'an MX host that does not resolve names the MX host forms',
    role: 'to-office365',
    session: failedAt({ kind: 'dns', phase: 'connect', message: 'contoso-test.mail.protection.outlook.com does not resolve (ENOTFOUND)', code: 'ENOTFOUND' }),
    expect: { status: 'fail', message: /does not resolve/ },
    fix: /tenant's MX host name/,
  },
  {
    name: 'an unreachable submission endpoint points at outbound 587',
    role: 'submission',
    session: failedAt({ kind: 'refused', phase: 'connect', message: 'Connection refused by 52.97.1.1:587' }),
    expect: { status: 'fail', message: /refused/ },
    fix: /outbound TCP 587/,
  },
  { name: 'a run aborted before the greeting cannot decide', role: 'smart-host', session: failedAt({ kind: 'aborted', phase: 'greeting', message: 'Aborted during greeting (run deadline or interrupt)' }), expect: { status: 'error', message: /^could not decide: Aborted/ } },
  {
    name: 'a failure after the greeting still passes the connection',
    role: 'smart-host',
    session: failedAt({ kind: 'tls-alert', phase: 'tls-handshake', message: 'TLS handshake failed: no protocols available' }),
    expect: { status: 'pass', message: /^220 from/ },
  },
];

describe('smtp.connect', () => {
  for (const c of cases) {
    it(c.name, () => {
      const f = evaluate(check, subject(c.role), c.session);
      expect(f.status).toBe(c.expect.status);
      expect(f.message).toMatch(c.expect.message);
      if (c.exo) expect(f.exchangeOnline).toMatch(c.exo);
      if (c.fix) expect(f.remediation).toMatch(c.fix);
    });
  }
});
