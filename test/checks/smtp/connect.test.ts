import check from '../../../checks/smtp/connect.js';
import type { SmtpSession } from '../../../src/evidence/smtp.js';
import { testCheck } from '../../helpers/check-tester.js';
import { failedAt, healthy, NOW, plan, subject } from './session-fixtures.js';

const session = (s: SmtpSession) => ({ 'smtp-session': s });

testCheck(check, {
  defaults: { plan, now: NOW, send: false, subject: subject('smart-host') },
  valid: [
    { name: 'a 220 greeting passes and names the address', probes: session(healthy()), message: /^220 from 192\.0\.2\.10:25 \(TCP connect 3 ms\): "mail\.contoso\.test ESMTP Postfix"$/ },
    {
      name: 'a failure after the greeting still passes the connection',
      probes: session(failedAt({ kind: 'tls-alert', phase: 'tls-handshake', message: 'TLS handshake failed: no protocols available' })),
      message: /^220 from/,
    },
  ],
  invalid: [
    {
      name: 'a refused connection to a smart host fails with the firewall ranges and 4.4.316',
      status: 'fail',
      probes: session(failedAt({ kind: 'refused', phase: 'connect', message: 'Connection refused by 192.0.2.10:25', code: 'ECONNREFUSED' })),
      message: /^Connection refused by 192\.0\.2\.10:25$/,
      exchangeOnline: /450 4\.4\.316 Connection refused/,
      remediation: /40\.92\.0\.0\/15.*2a01:111:f403::\/48/,
    },
    {
      name: 'no greeting from a smart host fails with 4.4.318',
      status: 'fail',
      probes: session(failedAt({ kind: 'timeout', phase: 'greeting', message: 'No greeting within 10 s' }, { address: '192.0.2.10', family: 4, connectMs: 2 })),
      message: /^No greeting within 10 s \(192\.0\.2\.10:25\)$/,
      exchangeOnline: /4\.4\.318 Connection was closed abruptly/,
      remediation: /does not greet with 220/,
    },
    {
      name: 'a 421 greeting fails and quotes the server',
      status: 'fail',
      probes: session(failedAt({ kind: 'unexpected-reply', phase: 'greeting', message: '421 at connect: 4.3.2 Service not available' }, { address: '192.0.2.10', family: 4 })),
      message: /^421 at connect: 4\.3\.2 Service not available/,
    },
    {
      name: 'an Exchange Online MX that cannot be reached points at outbound port 25',
      status: 'fail',
      subject: subject('to-office365'),
      probes: session(failedAt({ kind: 'timeout', phase: 'connect', message: 'No TCP connection to 52.101.0.1:25 within 10 s' })),
      message: /^No TCP connection to 52\.101\.0\.1:25 within 10 s$/,
      remediation: /Allow outbound TCP 25 from the relay to contoso-test\.mail\.protection\.outlook\.com/,
    },
    {
      name: 'an MX host that does not resolve names the MX host forms',
      status: 'fail',
      subject: subject('to-office365'),
      probes: session(failedAt({ kind: 'dns', phase: 'connect', message: 'contoso-test.mail.protection.outlook.com does not resolve (ENOTFOUND)', code: 'ENOTFOUND' })),
      message: /does not resolve/,
      remediation: /tenant's MX host name/,
    },
    {
      name: 'an unreachable submission endpoint points at outbound 587',
      status: 'fail',
      subject: subject('submission'),
      probes: session(failedAt({ kind: 'refused', phase: 'connect', message: 'Connection refused by 52.97.1.1:587' })),
      message: /refused/,
      remediation: /outbound TCP 587/,
    },
    {
      name: 'a run aborted before the greeting cannot decide',
      status: 'error',
      probes: session(failedAt({ kind: 'aborted', phase: 'greeting', message: 'Aborted during greeting (run deadline or interrupt)' })),
      message: /^could not decide: Aborted/,
    },
  ],
});
