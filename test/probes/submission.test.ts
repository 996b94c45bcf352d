import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { startExoSubmission, type ExoSubmissionServer } from '../../src/lab/exo-submission.js';
import { runSubmissionProbe, submissionProbe } from '../../src/probes/submission.js';
import { endpointsOf } from '../../src/runner/subjects.js';
import { labPki, probeContext, secretForms, serverCert, tempDir, writeAndLoadPlan } from '../helpers/exo.js';
import type { FromOffice365Connector, Plan, SubmissionAccount } from '../../src/types.js';
import type { LabPki } from '../../src/pki/generate.js';

const PASSWORD = 'Corr3ct-Horse!';
const TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.relaycheck-test-token';

let pki: LabPki;
let pair: { key: string; cert: string };
let exo: ExoSubmissionServer; // LOGIN + XOAUTH2, 550 5.7.60 at MAIL FROM (a server that decides at MAIL FROM, like Postfix)
let exoAtData: ExoSubmissionServer; // as Exchange Online: Send As decided only at the end of DATA
let exoPlain: ExoSubmissionServer; // PLAIN too, XOAUTH2 errors as a 334 challenge
const extra: { close(): Promise<void> }[] = [];

const users = [
  { username: 'scanner@contoso.test', password: PASSWORD, accessTokens: [TOKEN], sendAs: ['shared@contoso.test'] },
  { username: 'off@contoso.test', password: PASSWORD, smtpAuthDisabled: 'mailbox' as const },
];

beforeAll(async () => {
  pki = await labPki();
  pair = await serverCert(pki, 'smtp.contoso.test');
  exo = await startExoSubmission({ ...pair, users, sendAsRefusal: 'mail' });
  exoAtData = await startExoSubmission({ ...pair, users });
  exoPlain = await startExoSubmission({ ...pair, users, authMethods: ['PLAIN', 'LOGIN', 'XOAUTH2'], xoauth2Challenge: true });
});
afterAll(async () => {
  await exo?.close();
  await exoAtData?.close();
  await exoPlain?.close();
  for (const s of extra) await s.close();
});

interface AccountSpec {
  port: number;
  username?: string;
  from?: string;
  password?: string | null;
  token?: string;
  foreign?: boolean;
  trustRoot?: string;
}

function planFor(spec: AccountSpec): Plan {
  const dir = tempDir();
  const env: Record<string, string> = {};
  let secrets = '';
  if (spec.password !== null) {
    env.SUB_PW = spec.password ?? PASSWORD;
    secrets += '    password: { env: SUB_PW }\n';
  }
  if (spec.token) {
    env.SUB_TOKEN = spec.token;
    secrets += '    oauth2: { accessToken: { env: SUB_TOKEN } }\n';
  }
  return writeAndLoadPlan(
    dir,
    `version: 1
domain: contoso.test
trust: { system: false, ca: [./root.pem] }
resolve: { "smtp.contoso.test:${spec.port}": 127.0.0.1 }
submission:
  - name: Scanner
    endpoint: smtp.contoso.test:${spec.port}
    username: ${spec.username ?? 'scanner@contoso.test'}
${secrets}    from: ${spec.from ?? 'scanner@contoso.test'}
    expectForeignSenderRejected: ${spec.foreign ? 'true' : 'false'}
    validation: { to: [it@contoso.test] }
`,
    { 'root.pem': spec.trustRoot ?? pki.root.certPem },
    env,
  );
}

async function probe(spec: AccountSpec, shared = new Map<string, unknown>()) {
  const plan = planFor(spec);
  const account = plan.submission[0] as SubmissionAccount;
  const ctx = probeContext(plan, { shared });
  return { data: await runSubmissionProbe(account, endpointsOf(account, plan)[0], ctx), plan, ctx };
}

const transcriptText = (data: { transcript: { line: string }[] }) => data.transcript.map((l) => l.line).join('\n');

describe('the AUTH probe', () => {
  it('logs in with PLAIN after STARTTLS, checks the sender live and never shows the password', async () => {
    const { data } = await probe({ port: exoPlain.port });
    expect(data.plaintext).toMatchObject({ authOffered: false, starttlsOffered: true });
    expect(data.tls).toMatchObject({ authorized: true, servername: 'smtp.contoso.test' });
    expect(data.auth).toMatchObject({ attempted: true, mechanism: 'PLAIN', basic: true, ok: true, reply: { code: 235 } });
    expect(data.senderMatch).toMatchObject({ from: 'scanner@contoso.test', recipient: 'it@contoso.test', accepted: true });
    expect(data.withoutTls).toMatchObject({ attempted: true, accepted: 'none', envelope: { mail: { code: 530 } } });
    const text = transcriptText(data);
    expect(text).toContain('AUTH PLAIN ****');
    for (const form of secretForms(PASSWORD, 'scanner@contoso.test')) expect(text).not.toContain(form);
    expect(text).not.toMatch(/^DATA$/m);
  });

  it('uses LOGIN where PLAIN is not offered, as on Exchange Online, masking both continuation lines', async () => {
    const { data } = await probe({ port: exo.port });
    expect(data.authMechanismsAfterTls).toEqual(['LOGIN', 'XOAUTH2']);
    expect(data.auth).toMatchObject({ mechanism: 'LOGIN', ok: true });
    const lines = data.transcript.filter((l) => l.dir === 'send').map((l) => l.line);
    const i = lines.indexOf('AUTH LOGIN');
    expect(lines.slice(i, i + 3)).toEqual(['AUTH LOGIN', '****', '****']);
  });

  it('logs in with XOAUTH2 when the plan gives an access token', async () => {
    const { data } = await probe({ port: exo.port, password: null, token: TOKEN });
    expect(data.auth).toMatchObject({ mechanism: 'XOAUTH2', basic: false, ok: true });
    for (const form of secretForms(TOKEN, 'scanner@contoso.test')) expect(transcriptText(data)).not.toContain(form);
  });

  it('reads the XOAUTH2 error challenge and answers it with an empty line', async () => {
    const { data } = await probe({ port: exoPlain.port, password: null, token: 'expired-token' });
    expect(data.auth).toMatchObject({ mechanism: 'XOAUTH2', ok: false, reply: { code: 535 } });
    expect(data.auth.challenge).toContain('"status":"401"');
    expect(data.auth.challenge).toContain('SMTP.Send');
  });

  it('does not send credentials to a server whose certificate the plan does not trust', async () => {
    const before = exo.authLog.length;
    const otherRoot = (await import('../../src/pki/generate.js')).createRootCa({ cn: 'Somebody Else Root' });
    const { data } = await probe({ port: exo.port, trustRoot: (await otherRoot).certPem });
    expect(data.tls?.authorized).toBe(false);
    expect(data.auth.attempted).toBe(false);
    expect(data.auth.notAttempted).toMatch(/not trusted for smtp\.contoso\.test .*does not send credentials/);
    expect(exo.authLog.length).toBe(before);
    expect(transcriptText(data)).not.toMatch(/^AUTH/m);
  });

  it('stops trying an account after its first authentication refusal in the run', async () => {
    const shared = new Map<string, unknown>();
    const before = exo.authLog.length;
    const first = await probe({ port: exo.port, password: 'wrong-password' }, shared);
    expect(first.data.auth).toMatchObject({ attempted: true, ok: false });
    const second = await probe({ port: exo.port }, shared);
    expect(second.data.auth.attempted).toBe(false);
    expect(second.data.skippedAfterRefusal).toMatchObject({ kind: 'auth', reply: expect.stringMatching(/^535 5\.7\.3/) });
    expect(exo.authLog.length).toBe(before + 1);
  });

  it('records a Send As refusal at MAIL FROM and stops the account there', async () => {
    const shared = new Map<string, unknown>();
    const { data } = await probe({ port: exo.port, from: 'ceo@contoso.test', foreign: true }, shared);
    expect(data.auth.ok).toBe(true);
    expect(data.senderMatch).toMatchObject({ accepted: false, refusedAt: 'mail', mail: { code: 550, enhanced: '5.7.60' } });
    expect(data.foreignSender?.notAttempted).toMatch(/own sender was refused/);
    expect((shared.get('refusedAccounts') as Map<string, { kind: string }>).get('scanner@contoso.test')?.kind).toBe('sender');
  });

  it('records MAIL FROM and RCPT TO accepted for a sender without Send As where the server decides only at the end of DATA, and marks nothing', async () => {
    const shared = new Map<string, unknown>();
    const { data } = await probe({ port: exoAtData.port, from: 'ceo@contoso.test', foreign: true }, shared);
    expect(data.senderMatch).toMatchObject({ accepted: true, mail: { code: 250 }, rcpt: { code: 250 } });
    expect(data.senderMatch?.refusedAt).toBeUndefined();
    expect(data.foreignSender).toMatchObject({ refused: false, accepted: true });
    expect(shared.get('refusedAccounts') instanceof Map ? (shared.get('refusedAccounts') as Map<string, unknown>).size : 0).toBe(0);
  });

  it('sees a foreign sender refused before DATA without counting it against the account', async () => {
    const shared = new Map<string, unknown>();
    const { data } = await probe({ port: exo.port, foreign: true }, shared);
    expect(data.foreignSender).toMatchObject({ from: 'relaycheck-foreign@example.invalid', refused: true, refusedAt: 'mail' });
    expect(shared.get('refusedAccounts') instanceof Map ? (shared.get('refusedAccounts') as Map<string, unknown>).size : 0).toBe(0);
  });

  it('notices AUTH offered before STARTTLS and mail accepted without TLS on a careless server', async () => {
    const careless = new SMTPServer({ ...pair, authOptional: true, allowInsecureAuth: true, disableReverseLookup: true, logger: false, authMethods: ['PLAIN', 'LOGIN'], onAuth: (_a, _s, cb) => cb(null, { user: 'x' }) });
    await new Promise<void>((r) => careless.listen(0, '127.0.0.1', () => r()));
    extra.push({ close: () => new Promise<void>((r) => careless.close(() => r())) });
    const port = (careless.server.address() as { port: number }).port;
    const { data } = await probe({ port });
    expect(data.plaintext).toMatchObject({ authOffered: true, authMechanisms: ['PLAIN', 'LOGIN'] });
    expect(data.withoutTls).toMatchObject({ accepted: 'mail-and-rcpt', envelope: { mail: { code: 250 }, rcpt: { code: 250 } } });
  });

  it('does not authenticate where STARTTLS is not offered', async () => {
    const noTls = new SMTPServer({ hideSTARTTLS: true, authOptional: true, allowInsecureAuth: true, disableReverseLookup: true, logger: false, onAuth: (_a, _s, cb) => cb(null, { user: 'x' }) });
    await new Promise<void>((r) => noTls.listen(0, '127.0.0.1', () => r()));
    extra.push({ close: () => new Promise<void>((r) => noTls.close(() => r())) });
    const { data } = await probe({ port: (noTls.server.address() as { port: number }).port });
    expect(data.plaintext?.starttlsOffered).toBe(false);
    expect(data.auth).toMatchObject({ attempted: false, notAttempted: expect.stringMatching(/STARTTLS is not offered/) });
  });

  it('reports an unreachable endpoint as data, not as an exception', async () => {
    const { data } = await probe({ port: 1 });
    expect(data.failure).toMatchObject({ kind: 'refused', phase: 'connect' });
    expect(data.withoutTls).toMatchObject({ attempted: false });
  });

  it('does nothing for a connector', async () => {
    const plan = planFor({ port: exo.port });
    const connector: FromOffice365Connector = { kind: 'connector', direction: 'from-office365', name: 'C', smartHosts: [], path: 'connectors[0]' };
    const data = await submissionProbe.run({ scope: 'entry', entry: connector }, probeContext(plan));
    expect(data).toMatchObject({ applicable: false, transcript: [] });
  });
});
