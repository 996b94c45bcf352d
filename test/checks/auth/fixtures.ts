// Fixture probe data for the auth.* and send.* check tests.
import { planFromYaml } from '../../helpers/plans.js';
import type { SmtpReply } from '../../../src/evidence/smtp.js';
import type { SendAttempt, SendProbeData, SubmissionProbeData } from '../../../src/evidence/sending.js';
import type { Plan } from '../../../src/types.js';

export function reply(text: string): SmtpReply {
  const m = /^(\d{3}) ?(.*)$/.exec(text)!;
  const enhanced = /^(\d\.\d{1,3}\.\d{1,3})\b/.exec(m[2])?.[1];
  return { code: Number(m[1]), ...(enhanced ? { enhanced } : {}), lines: [m[2]] };
}

export function submissionPlan(account: Record<string, unknown> = {}, head = ''): Plan {
  const a = { name: 'Scanner', endpoint: 'smtp.office365.com', username: 'scanner@contoso.com', password: { env: 'PW' }, from: 'scanner@contoso.com', validation: { to: ['it@contoso.com'] }, ...account };
  return planFromYaml(`version: 1\ndomain: contoso.com\n${head}submission:\n  - ${JSON.stringify(a)}\n`, { PW: 'pw-secret', TOKEN: 'token-secret' });
}

export function okAuth(extra: Partial<SubmissionProbeData> = {}): SubmissionProbeData {
  return {
    applicable: true,
    account: 'scanner@contoso.com',
    endpoint: 'smtp.office365.com:587',
    plaintext: { authOffered: false, authMechanisms: [], starttlsOffered: true },
    withoutTls: { attempted: true, accepted: 'none', envelope: { from: 'scanner@contoso.com', recipient: 'it@contoso.com', accepted: false, refusedAt: 'mail', mail: reply('530 5.7.57 Client not authenticated to send mail') } },
    tls: { protocol: 'TLSv1.3', authorized: true, servername: 'smtp.office365.com' },
    authMechanismsAfterTls: ['LOGIN', 'XOAUTH2'],
    auth: { attempted: true, mechanism: 'LOGIN', basic: true, ok: true, reply: reply('235 2.7.0 Authentication successful') },
    senderMatch: { from: 'scanner@contoso.com', recipient: 'it@contoso.com', accepted: true, mail: reply('250 2.1.0 Sender OK'), rcpt: reply('250 2.1.5 Recipient OK') },
    transcript: [],
    durationMs: 10,
    ...extra,
  };
}

export function attempt(extra: Partial<SendAttempt> = {}): SendAttempt {
  return {
    endpoint: 'smtp.office365.com:587',
    token: 'rc-run-1',
    account: 'scanner@contoso.com',
    from: 'scanner@contoso.com',
    to: ['it@contoso.com'],
    status: 'accepted',
    response: '250 2.0.0 OK <abc@AM0PR.prod.outlook.com> [Hostname=AM0PR]',
    queueId: 'abc@AM0PR.prod.outlook.com',
    accepted: ['it@contoso.com'],
    rejected: [],
    ...extra,
  };
}

export function sent(...attempts: SendAttempt[]): SendProbeData {
  return { entry: 'Scanner', attempts, transcript: [] };
}
