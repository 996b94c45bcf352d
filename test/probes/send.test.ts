import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { startExoMx, type ExoMxServer } from '../../src/lab/exo-mx.js';
import { startExoSubmission, type ExoSubmissionServer } from '../../src/lab/exo-submission.js';
import { createRootCa, issueLeaf, type LabPki } from '../../src/pki/generate.js';
import { nameMatchesTlsDomain, queueIdOf, sendProbe } from '../../src/probes/send.js';
import { markAccountRefused } from '../../src/probes/accounts.js';
import { runPlan } from '../../src/runner/run.js';
import { entriesOf } from '../../src/runner/subjects.js';
import { builtinChecks, builtinProbes } from '../../src/registry.js';
import { labPki, probeContext, runOptions, serverCert, tempDir, writeAndLoadPlan } from '../helpers/exo.js';
import type { Plan } from '../../src/types.js';
import type { SubmissionProbeData } from '../../src/evidence/sending.js';

let pki: LabPki;
let exoMx: ExoMxServer; // Exchange Online MX: inbound connector *.contoso.test
let hostA: ExoMxServer; // smart host with a certificate for mail.contoso.test
let hostB: ExoMxServer; // smart host with a certificate for other.fabrikam.test
let hostSelf: ExoMxServer; // smart host with a certificate from an unknown root
let sub: ExoSubmissionServer;
const SUB_PASSWORD = 'Sub-Passw0rd';

beforeAll(async () => {
  pki = await labPki();
  exoMx = await startExoMx({ ...(await serverCert(pki, 'contoso-test.mail.protection.outlook.com')), acceptedDomains: ['contoso.test'], tlsSenderCertificateName: '*.contoso.test', requireTls: true });
  const smartHost = async (pair: { key: string; cert: string }) => startExoMx({ ...pair, acceptedDomains: ['contoso.test'], senderIPs: ['127.0.0.0/8'] });
  hostA = await smartHost(await serverCert(pki, 'mail.contoso.test'));
  hostB = await smartHost(await serverCert(pki, 'other.fabrikam.test'));
  const foreignRoot = await createRootCa({ cn: 'Unknown Root' });
  const foreign = await issueLeaf(foreignRoot, { cn: 'mail.contoso.test', dnsNames: ['mail.contoso.test'] });
  hostSelf = await smartHost({ key: foreign.keyPem, cert: foreign.chainPem });
  sub = await startExoSubmission({ ...(await serverCert(pki, 'smtp.contoso.test')), users: [{ username: 'scanner@contoso.test', password: SUB_PASSWORD }], sendAsRefusal: 'data-storedrv' });
});
afterAll(async () => {
  for (const s of [exoMx, hostA, hostB, hostSelf, sub]) await s?.close();
});

const head = (extra = '') => `version: 1
domain: contoso.test
trust: { system: false, ca: [./root.pem] }
store: ./store.sqlite
stateDir: ./state
${extra}`;

function plan(yaml: string, files: Record<string, string> = {}, env: Record<string, string> = {}, dir = tempDir()): Plan {
  return writeAndLoadPlan(dir, yaml, { 'root.pem': pki.root.certPem, ...files }, env);
}

function inboundPlan(client: { cert: string; key: string }): Plan {
  return plan(
    head(`resolve: { "contoso-test.mail.protection.outlook.com:${exoMx.port}": 127.0.0.1 }
connectors:
  - name: Relay to Office 365
    direction: to-office365
    endpoint: contoso-test.mail.protection.outlook.com:${exoMx.port}
    tlsSenderCertificateName: "*.contoso.test"
    clientCertificate: { cert: ./relay.pem, key: { file: ./relay.key } }
    validation: { from: relay@contoso.test, to: [postmaster@fabrikam.test, it@contoso.test] }
`),
    { 'relay.pem': client.cert, 'relay.key': client.key },
  );
}

function outboundPlan(mode: string, hosts: [string, ExoMxServer][], extra = ''): Plan {
  const resolve = hosts.map(([h, s]) => `"${h}:${s.port}": 127.0.0.1`).join(', ');
  return plan(
    head(`${extra}resolve: { ${resolve} }
connectors:
  - name: Office 365 to smart hosts
    direction: from-office365
    smartHosts: [${hosts.map(([h, s]) => `${h}:${s.port}`).join(', ')}]
    tls: { mode: ${mode}${mode === 'domain' ? ', domain: mail.contoso.test' : ''} }
    validation: { from: connector-check@contoso.test, to: [admin@contoso.test] }
`),
  );
}

async function send(p: Plan, extra: Parameters<typeof probeContext>[1] = {}) {
  const ctx = probeContext(p, extra);
  return { data: await sendProbe.run({ scope: 'entry', entry: entriesOf(p)[0] }, ctx), ctx };
}

describe('the send probe', () => {
  it('sends one validation message through the inbound connector, presenting the client certificate, to the validation recipients only', async () => {
    const p = inboundPlan({ cert: pki.leaves.client.chainPem, key: pki.leaves.client.keyPem });
    const { data } = await send(p);
    const [a] = data.attempts;
    expect(a).toMatchObject({ status: 'accepted', from: 'relay@contoso.test', to: ['postmaster@fabrikam.test', 'it@contoso.test'], tls: { required: true, clientCertificate: true } });
    expect(a.response).toMatch(/^250 2\.6\.0 </);
    expect(a.queueId).toMatch(/^\d+$/); // Exchange Online's [InternalId=…]
    expect(a.messageId).toMatch(/^<.+@contoso\.test>$/);
    const m = exoMx.mailbox.withToken(a.token)[0];
    expect(m).toMatchObject({ attributedBy: 'certificate-cn', mailFrom: 'relay@contoso.test', rcptTo: ['postmaster@fabrikam.test', 'it@contoso.test'] });
    expect(m.subject).toContain(a.token);
    const body = m.raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16)));
    expect(body).toMatch(/What sent it: relaycheck on .+, running the test plan .+relaycheck\.yaml/);
    expect(body).toMatch(/When: \d{4}-\d\d-\d\dT/);
    expect(body).toMatch(/Why: to prove that mail flows through the inbound connector "Relay to Office 365"/);
  });

  it('reports the 550 5.7.64 refusal when the client certificate does not match the connector', async () => {
    const { data } = await send(inboundPlan({ cert: pki.leaves.clientWrongName.chainPem, key: pki.leaves.clientWrongName.keyPem }));
    expect(data.attempts[0]).toMatchObject({ status: 'refused', error: { stage: 'rcpt', responseCode: 550, response: expect.stringMatching(/^550 5\.7\.64 TenantAttribution/) } });
  });

  it('sends to every smart host as Exchange Online would with DomainValidation, refusing the one whose name does not match', async () => {
    const { data } = await send(outboundPlan('domain', [['mail.contoso.test', hostA], ['mail2.contoso.test', hostB]]));
    expect(data.attempts.map((a) => a.status)).toEqual(['accepted', 'failed']);
    expect(data.attempts[0].tls).toMatchObject({ required: true, verify: true, nameCheck: 'mail.contoso.test' });
    expect(data.attempts[1].error).toMatchObject({ stage: 'tls', message: expect.stringMatching(/do not match the connector's TLS domain mail\.contoso\.test/) });
    expect(hostB.messages).toHaveLength(0);
  });

  it('refuses an untrusted smart host with CertificateValidation and sends to it with EncryptionOnly', async () => {
    const strict = await send(outboundPlan('trusted-ca', [['mail.contoso.test', hostSelf]]));
    expect(strict.data.attempts[0]).toMatchObject({ status: 'failed', error: { stage: 'tls' } });
    const any = await send(outboundPlan('any', [['mail.contoso.test', hostSelf]]));
    expect(any.data.attempts[0].status).toBe('accepted');
    const ca = await send(outboundPlan('trusted-ca', [['other.fabrikam.test', hostB]]));
    expect(ca.data.attempts[0].status).toBe('accepted'); // a trusted chain is enough: no name check
  });

  it('sends nothing under --no-send and says so', async () => {
    const before = hostA.messages.length;
    const { data } = await send(outboundPlan('domain', [['mail.contoso.test', hostA]]), { send: false });
    expect(data.attempts[0]).toMatchObject({ status: 'not-sent', notSent: { reason: 'no-send', message: 'not sent: --no-send' } });
    expect(hostA.messages.length).toBe(before);
  });

  it('does not attempt the message that would pass the daily limit', async () => {
    const p = outboundPlan('domain', [['mail.contoso.test', hostA], ['mail.contoso.test', hostA]].map(([h, s], i) => [i ? `mx${i}.contoso.test` : h, s]) as [string, ExoMxServer][], 'limits: { messagesPerDay: 1 }\n');
    // both endpoints resolve to host A; the second must not be sent
    const before = hostA.messages.length;
    const { data } = await send(p);
    expect(data.attempts[0].status).toBe('accepted');
    expect(data.attempts[1]).toMatchObject({ status: 'not-sent', notSent: { reason: 'quota', message: expect.stringMatching(/daily message limit would be passed: connector-check@contoso\.test sent 1 message in the last 24 hours; messagesPerDay is 1/) } });
    expect(hostA.messages.length).toBe(before + 1);
  });

  it('does not send for an account already refused in this run', async () => {
    const p = outboundPlan('domain', [['mail.contoso.test', hostA]]);
    const shared = new Map<string, unknown>();
    markAccountRefused({ shared }, 'connector-check@contoso.test', { kind: 'sender', reply: '550 5.7.60 SMTP; Client does not have permissions to send as this sender', entry: 'other' });
    const { data } = await send(p, { shared });
    expect(data.attempts[0]).toMatchObject({ status: 'not-sent', notSent: { reason: 'account-refused' } });
  });

  it('tries nothing more on an account Exchange Online has throttled (550 5.2.25x)', async () => {
    const pair = await serverCert(pki, 'mail.contoso.test');
    let mails = 0;
    const throttling = new SMTPServer({
      ...pair,
      logger: false,
      disableReverseLookup: true,
      authOptional: true,
      onMailFrom(_a, _s, cb) {
        mails++;
        cb(Object.assign(new Error('5.2.251 Sender throttled due to continuous mailbox full errors'), { responseCode: 550 }));
      },
    });
    await new Promise<void>((r) => throttling.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (throttling.server.address() as { port: number }).port;
      const p = plan(
        head(`resolve: { "mail.contoso.test:${port}": 127.0.0.1, "mx2.contoso.test:${port}": 127.0.0.1 }
connectors:
  - { name: Out, direction: from-office365, smartHosts: ["mail.contoso.test:${port}", "mx2.contoso.test:${port}"], tls: { mode: any }, validation: { from: connector-check@contoso.test, to: [admin@contoso.test] } }
`),
      );
      const { data, ctx } = await send(p);
      expect(data.attempts[0]).toMatchObject({ status: 'refused', error: { stage: 'mail', response: '550 5.2.251 Sender throttled due to continuous mailbox full errors' } });
      expect(data.attempts[1]).toMatchObject({ status: 'not-sent', notSent: { reason: 'account-refused', message: expect.stringMatching(/^an earlier throttling of connector-check@contoso\.test in this run \(550 5\.2\.251/) } });
      expect((ctx.shared.get('refusedAccounts') as Map<string, { kind: string }>).get('connector-check@contoso.test')?.kind).toBe('throttled');
      expect(mails).toBe(1);
    } finally {
      await new Promise<void>((r) => throttling.close(() => r()));
    }
  });

  it('refuses to send when the send log is damaged, because the quota could not be enforced', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'store.sqlite'), 'not a database'.repeat(500));
    const p = writeAndLoadPlan(dir, outboundPlanYaml(hostA), { 'root.pem': pki.root.certPem });
    const { data } = await send(p);
    expect(data.attempts[0]).toMatchObject({ status: 'not-sent', notSent: { reason: 'store', message: expect.stringMatching(/local store .*store\.sqlite: is not a relaycheck store or is damaged/) } });
  });

  it('submits on 587 after AUTH, and records 554 5.2.252 SendAsDenied at the end of DATA as a refusal of the account', async () => {
    const p = plan(
      head(`resolve: { "smtp.contoso.test:${sub.port}": 127.0.0.1 }
submission:
  - name: Scanner
    endpoint: smtp.contoso.test:${sub.port}
    username: scanner@contoso.test
    password: { env: SUB_PW }
    from: ceo@contoso.test
    sendAs: [ceo@contoso.test]
    validation: { to: [it@contoso.test] }
`),
      {},
      { SUB_PW: SUB_PASSWORD },
    );
    const authData: SubmissionProbeData = { applicable: true, auth: { attempted: true, mechanism: 'LOGIN', basic: true, ok: true }, senderMatch: { from: 'ceo@contoso.test', recipient: 'it@contoso.test', accepted: true }, transcript: [], durationMs: 0 };
    const { data, ctx } = await send(p, { deps: { 'auth.submission': authData } });
    expect(data.attempts[0]).toMatchObject({ status: 'refused', authMechanism: 'LOGIN', error: { stage: 'end-of-data', responseCode: 554, response: expect.stringMatching(/^554 5\.2\.252 SendAsDenied; scanner@contoso\.test not allowed to send as ceo@contoso\.test/) } });
    expect((ctx.shared.get('refusedAccounts') as Map<string, { kind: string }>).get('scanner@contoso.test')?.kind).toBe('sender');
    const text = data.transcript.map((l) => l.line).join('\n');
    expect(text).toContain('AUTH LOGIN');
    expect(text).not.toContain(SUB_PASSWORD);
    expect(text).not.toContain(Buffer.from(SUB_PASSWORD).toString('base64'));
  });

  it('does not send for a submission account whose authentication failed', async () => {
    const p = plan(
      head(`submission:
  - { name: S, endpoint: "smtp.contoso.test:${sub.port}", username: scanner@contoso.test, password: { env: SUB_PW }, from: scanner@contoso.test, validation: { to: [it@contoso.test] } }
`),
      {},
      { SUB_PW: 'x' },
    );
    const authData: SubmissionProbeData = { applicable: true, auth: { attempted: true, mechanism: 'LOGIN', basic: true, ok: false, reply: { code: 535, enhanced: '5.7.3', lines: ['5.7.3 Authentication unsuccessful'] } }, transcript: [], durationMs: 0 };
    const { data } = await send(p, { deps: { 'auth.submission': authData } });
    expect(data.attempts[0]).toMatchObject({ status: 'not-sent', notSent: { reason: 'prerequisite', message: expect.stringMatching(/authentication did not succeed \(535 5\.7\.3 Authentication unsuccessful\)/) } });
  });

  it('fails auth.sender-match quoting 554 5.2.252 when Send As is refused only at the end of DATA (through runPlan)', async () => {
    const p = plan(
      head(`resolve: { "smtp.contoso.test:${sub.port}": 127.0.0.1 }
submission:
  - { name: Scanner, endpoint: "smtp.contoso.test:${sub.port}", username: scanner@contoso.test, password: { env: SUB_PW }, from: ceo@contoso.test, sendAs: [ceo@contoso.test], validation: { to: [it@contoso.test] } }
`),
      {},
      { SUB_PW: SUB_PASSWORD },
    );
    const report = await runPlan(p, { checks: builtinChecks, probes: builtinProbes }, runOptions({ only: ['auth', 'send'] }));
    const byId = Object.fromEntries(report.results.map((r) => [r.check, r]));
    expect(byId['auth.login'].status).toBe('pass');
    expect(byId['auth.sender-match']).toMatchObject({ status: 'fail', message: expect.stringMatching(/at the end of DATA \(after the final dot\) \(validation message\): “554 5\.2\.252 SendAsDenied; scanner@contoso\.test not allowed to send as ceo@contoso\.test/), powershell: "Add-RecipientPermission -Identity 'ceo@contoso.test' -Trustee 'scanner@contoso.test' -AccessRights SendAs -Confirm:$false" });
    // the refusal is auth.sender-match's finding; the message it stopped is its knock-on
    expect(byId['send.validation']).toMatchObject({ status: 'skipped', message: expect.stringMatching(/^not tested: auth\.sender-match failed$/), evidence: expect.objectContaining({ rootCause: 'auth.sender-match' }) });
  });
});

function outboundPlanYaml(host: ExoMxServer): string {
  return head(`resolve: { "mail.contoso.test:${host.port}": 127.0.0.1 }
connectors:
  - { name: Out, direction: from-office365, smartHosts: ["mail.contoso.test:${host.port}"], tls: { mode: domain, domain: mail.contoso.test }, validation: { from: connector-check@contoso.test, to: [admin@contoso.test] } }
`);
}

describe('helpers of the send probe', () => {
  it.each([
    ['250 2.0.0 Ok: queued as 4XyZ12AbC', '4XyZ12AbC'],
    ['250 2.0.0 OK <AM0PR01MB1234.eurprd01.prod.outlook.com-abc@AM0PR01MB1234.eurprd01.prod.outlook.com> [Hostname=AM0PR01MB1234]', 'AM0PR01MB1234.eurprd01.prod.outlook.com-abc@AM0PR01MB1234.eurprd01.prod.outlook.com'],
    ['250 OK id=1qAbcD-000123-XY', '1qAbcD-000123-XY'],
    ['250 Accepted', undefined],
  ])('reads the queue id out of %j', (reply, id) => {
    expect(queueIdOf(reply)).toBe(id);
  });

  it.each([
    ['mail.contoso.com', 'mail.contoso.com', true],
    ['mail.contoso.com', '*.contoso.com', true],
    ['contoso.com', '*.contoso.com', true],
    ['a.b.contoso.com', '*.contoso.com', true],
    ['*.contoso.com', 'mail.contoso.com', true],
    ['*.contoso.com', 'a.b.contoso.com', false],
    ['mail.fabrikam.com', '*.contoso.com', false],
    ['evilcontoso.com', '*.contoso.com', false],
  ])('reads certificate name %s against TLS domain %s as Exchange Online does: %s', (name, domain, ok) => {
    expect(nameMatchesTlsDomain(name, domain)).toBe(ok);
  });
});

describe('a server that stalls after DATA', () => {
  it('is reported as a stall at the end of DATA, not as an unreachable server with a reachability fix', async () => {
    const { startRawServer, scripted } = await import('../helpers/raw-smtp-server.js');
    const { sendFinding } = await import('../../checks/send/validation.js');
    let inData = false;
    const server = await startRawServer(
      scripted('220 mail.contoso.test ESMTP\r\n', (line) => {
        if (inData) return undefined; // takes the message, never answers the final dot
        if (/^EHLO/i.test(line)) return '250-mail.contoso.test\r\n250 PIPELINING\r\n';
        if (/^DATA/i.test(line)) {
          inData = true;
          return '354 go ahead\r\n';
        }
        return '250 ok\r\n';
      }),
    );
    try {
      const p = plan(
        head(`resolve: { "mail.contoso.test:${server.port}": 127.0.0.1 }
connectors:
  - name: Office 365 to smart hosts
    direction: from-office365
    smartHosts: [mail.contoso.test:${server.port}]
    validation: { from: connector-check@contoso.test, to: [admin@contoso.test] }
`),
      );
      const { data } = await send(p, { timeouts: { connectMs: 1000, greetingMs: 1000, commandMs: 700, tlsMs: 700, deadlineMs: 10_000 } });
      const [a] = data.attempts;
      expect(a.error).toMatchObject({ stage: 'end-of-data' });
      const finding = sendFinding(entriesOf(p)[0], a);
      expect(finding.message).toMatch(/^not accepted at the end of DATA \(after the final dot\)/);
      expect(finding.message).not.toMatch(/before the SMTP dialogue/);
      expect(finding.remediation ?? '').not.toMatch(/reachab/i);
      expect(finding.remediation).toMatch(/stopped answering at the end of DATA/);
    } finally {
      await server.close();
    }
  });
});
