// SMTP AUTH, sender match, validation mail, delivery and the quota against a REAL Postfix (SASL
// through Dovecot, smtpd_sender_login_maps with reject_sender_login_mismatch) and a REAL Dovecot
// IMAP mailbox. Everything goes through runPlan with a YAML plan written to a temp folder and
// loaded by the real loader, passwords from environment variables — what users run.
// Addresses in a loopback block 127.X.Y.0/24 claimed free at start (peers/loopback.ts):
//   .1:587  submission: STARTTLS, AUTH only after TLS, relay only when authenticated
//   .1:25   smart host for the from-office365 connector (local delivery)
//   .2:587  careless submission: AUTH offered before STARTTLS
//   .3:587  submission that decides Send As only at the end of DATA, as Exchange Online
//           does (smtpd_end_of_data_restrictions = reject_sender_login_mismatch)
//   .1:1143 Dovecot IMAP
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimLoopbackBlock, type LoopbackBlock } from '../peers/loopback.js';
import { requirePeer } from '../peers/available.js';
import { startDovecot, type DovecotInstance } from '../peers/dovecot.js';
import { startPostfix, type PostfixInstance } from '../peers/postfix.js';
import { createLabPki, writePkiFiles } from '../../src/pki/generate.js';
import { runPlan } from '../../src/runner/run.js';
import { builtinChecks, builtinProbes } from '../../src/registry.js';
import { runOptions, tempDir, writeAndLoadPlan } from '../helpers/exo.js';
import type { CheckResult, RunReport } from '../../src/types.js';

const SCANNER_PW = 'Sc4nner-Pass';
const IT_PW = 'It-Mailbox-Pass';
const HOST = 'mail.example.test';

describe.skipIf(!requirePeer('postfix', 'dovecot'))('submission, sending and delivery against real Postfix + Dovecot', () => {
  let root: string;
  let pkiDir: string;
  let dovecot: DovecotInstance;
  let postfix: PostfixInstance;

  let loopback: LoopbackBlock;
  const MAIN = () => loopback.at(1);
  const CARELESS = () => loopback.at(2);
  const END_OF_DATA = () => loopback.at(3);

  beforeAll(async () => {
    loopback = await claimLoopbackBlock([
      { host: 1, tcp: [25, 587, 1143] },
      { host: 2, tcp: [587] },
      { host: 3, tcp: [587] },
    ]);
    root = tempDir('relaycheck-pfdc-');
    const pki = await createLabPki({ domain: 'example.test', host: HOST });
    pkiDir = join(root, 'pki');
    const files = await writePkiFiles(pki, pkiDir);
    const mailDir = join(root, 'mail');
    dovecot = await startDovecot({
      dir: join(root, 'dovecot'),
      mailDir,
      imapAddress: MAIN(),
      imapPort: 1143,
      users: [
        { user: 'scanner@example.test', password: SCANNER_PW },
        { user: 'it@example.test', password: IT_PW },
      ],
    });
    const tls = { tls: 'may' as const, keyFile: files.valid.key, chainFile: files.valid.chain };
    const owners = { 'scanner@example.test': 'scanner@example.test', 'ceo@example.test': 'boss@example.test' };
    postfix = await startPostfix({
      dir: join(root, 'postfix'),
      hostname: HOST,
      dovecotAuthSocket: dovecot.authSocket,
      virtualMailbox: { domain: 'example.test', users: ['scanner', 'it'], baseDir: mailDir },
      listeners: [
        { address: MAIN(), port: 587, ...tls, authOnlyAfterTls: true, sasl: true, requireAuth: true, senderLoginMaps: owners },
        { address: MAIN(), port: 25, ...tls },
        { address: CARELESS(), port: 587, ...tls, authOnlyAfterTls: false, sasl: true, requireAuth: true, senderLoginMaps: owners },
        {
          address: END_OF_DATA(),
          port: 587,
          ...tls,
          authOnlyAfterTls: true,
          sasl: true,
          requireAuth: true,
          senderLoginMaps: owners,
          overrides: { smtpd_sender_restrictions: '', smtpd_end_of_data_restrictions: 'reject_sender_login_mismatch' },
        },
      ],
    });
  });

  afterAll(async () => {
    await postfix?.stop();
    await dovecot?.stop();
  });

  /** Writes a plan with one submission account (and optional extras) and runs it like `relaycheck run`. */
  async function run(opts: { address?: string; from?: string; sendAs?: string[]; foreign?: boolean; send?: boolean; password?: string; extra?: string; head?: string; store?: string; imap?: boolean; only?: string[] }): Promise<RunReport> {
    const dir = tempDir('relaycheck-pfdc-plan-');
    const imap = opts.imap ? `, imap: { host: "${MAIN()}:1143", secure: false, username: it@example.test, password: { env: IT_PW }, timeoutSeconds: 30 }` : '';
    const plan = writeAndLoadPlan(
      dir,
      `version: 1
organization: Example
domain: example.test
trust: { system: false, ca: [${join(pkiDir, 'root.pem')}] }
store: ${opts.store ?? './relaycheck.sqlite'}
${opts.head ?? ''}resolve:
  "${HOST}:587": ${opts.address ?? MAIN()}
  "${HOST}:25": ${MAIN()}
submission:
  - name: Scanner
    endpoint: ${HOST}:587
    username: scanner@example.test
    password: { env: SCANNER_PW }
    from: ${opts.from ?? 'scanner@example.test'}
    sendAs: [${(opts.sendAs ?? []).join(', ')}]
    expectForeignSenderRejected: ${opts.foreign ?? true}
    validation: { to: [it@example.test]${imap} }
${opts.extra ?? ''}`,
      {},
      { SCANNER_PW: opts.password ?? SCANNER_PW, IT_PW },
    );
    return runPlan(plan, { checks: builtinChecks, probes: builtinProbes }, runOptions({ ...(opts.only ? { only: opts.only } : {}), ...(opts.send === false ? { send: false } : {}) }));
  }

  const result = (report: RunReport, check: string, connector = 'Scanner'): CheckResult => {
    const r = report.results.find((x) => x.check === check && x.connector === connector);
    if (!r) throw new Error(`no ${check} result for ${connector}: ${report.results.map((x) => `${x.check}/${x.connector}`).join(', ')}`);
    return r;
  };

  it('lets a matching account authenticate and send, and sees the message arrive in the Dovecot mailbox with its latency', async () => {
    const report = await run({
      imap: true,
      extra: `connectors:
  - name: Office 365 to the smart host
    direction: from-office365
    smartHosts: [${HOST}]
    tls: { mode: domain, domain: ${HOST} }
    validation: { from: connector-check@example.test, to: [it@example.test], imap: { host: "${MAIN()}:1143", secure: false, username: it@example.test, password: { env: IT_PW }, timeoutSeconds: 30 } }
`,
    });
    expect(result(report, 'auth.login')).toMatchObject({ status: 'pass', message: expect.stringMatching(/^authenticated as scanner@example\.test with PLAIN after STARTTLS \(TLSv1\.[23]\): “235 2\.7\.0 Authentication successful”/) });
    expect(result(report, 'auth.tls-required')).toMatchObject({ status: 'pass', message: expect.stringContaining('without TLS MAIL FROM was refused (“553 5.7.1 <scanner@example.test>: Sender address rejected: not logged in”)') });
    const match = result(report, 'auth.sender-match');
    expect(match.status).toBe('pass');
    expect(match.message).toContain('the validation message was accepted at the end of DATA');
    expect(match.message).toMatch(/MAIL FROM:<relaycheck-foreign@example\.invalid> was refused as expected \(“553 5\.7\.1 <relaycheck-foreign@example\.invalid>: Sender address rejected: not owned by user scanner@example\.test”\)/);
    const sent = result(report, 'send.validation');
    expect(sent).toMatchObject({ status: 'pass', message: expect.stringMatching(/^accepted for it@example\.test: “250 2\.0\.0 Ok: queued as [0-9A-Za-z]+” \(queue id [0-9A-Za-z]+\)$/) });
    const delivered = result(report, 'send.delivery');
    expect(delivered).toMatchObject({ status: 'pass', message: expect.stringMatching(/^arrived in it@example\.test INBOX \d+(\.\d)? s after the server accepted it \(queue id [0-9A-Za-z]+\)$/) });
    expect(typeof delivered.evidence?.latencyMs).toBe('number');
    // The outbound connector's validation went through Postfix on 25 as Exchange Online would send it.
    expect(result(report, 'send.validation', 'Office 365 to the smart host')).toMatchObject({ status: 'pass', message: expect.stringContaining('queued as') });
    expect(result(report, 'send.delivery', 'Office 365 to the smart host').status).toBe('pass');
    process.stdout.write(`[measured] delivery latency via Postfix → Dovecot: submission ${delivered.evidence?.latencyMs} ms, smart host ${result(report, 'send.delivery', 'Office 365 to the smart host').evidence?.latencyMs} ms; run ${report.durationMs} ms\n`);
  });

  it("fails auth.sender-match quoting Postfix's 553 for a mismatched from, and sends nothing", async () => {
    const report = await run({ from: 'ceo@example.test' });
    const match = result(report, 'auth.sender-match');
    expect(match.status).toBe('fail');
    expect(match.message).toContain('the server refused scanner@example.test sending as ceo@example.test at MAIL FROM: “553 5.7.1 <ceo@example.test>: Sender address rejected: not owned by user scanner@example.test”');
    expect(match.powershell).toBe("Add-RecipientPermission -Identity 'ceo@example.test' -Trustee 'scanner@example.test' -AccessRights SendAs -Confirm:$false");
    expect(result(report, 'send.validation')).toMatchObject({ status: 'skipped', message: 'not tested: auth.sender-match failed' });
  });

  it('fails auth.sender-match where Send As is refused only at the end of DATA, and leaves it undecided under --no-send', async () => {
    const noSend = await run({ address: END_OF_DATA(), from: 'ceo@example.test', sendAs: ['ceo@example.test'], foreign: false, send: false, only: ['auth.sender-match'] });
    const undecided = result(noSend, 'auth.sender-match');
    expect(undecided.status).toBe('skipped');
    expect(undecided.message).toMatch(/^not decided: only a sent message proves Send As on Exchange Online, and no message was sent \(--no-send\); from ceo@example\.test is listed in sendAs/);
    const report = await run({ address: END_OF_DATA(), from: 'ceo@example.test', sendAs: ['ceo@example.test'], foreign: false, only: ['auth.sender-match', 'send.validation'] });
    const match = result(report, 'auth.sender-match');
    expect(match.status).toBe('fail');
    expect(match.message).toBe('the server refused scanner@example.test sending as ceo@example.test at the end of DATA (after the final dot) (validation message): “553 5.7.1 <ceo@example.test>: Sender address rejected: not owned by user scanner@example.test”');
    // the refused message is auth.sender-match's finding; send.validation is its knock-on
    expect(result(report, 'send.validation')).toMatchObject({ status: 'skipped', message: 'not tested: auth.sender-match failed', evidence: expect.objectContaining({ rootCause: 'auth.sender-match' }) });
  });

  it('fails auth.tls-required where AUTH is offered before STARTTLS', async () => {
    const report = await run({ address: CARELESS(), only: ['auth.tls-required'] });
    const r = result(report, 'auth.tls-required');
    expect(r.status).toBe('fail');
    expect(r.message).toMatch(/^AUTH PLAIN LOGIN is advertised before STARTTLS: a client can send its password in clear text/);
    expect(r.endpoint).toBe(`${HOST}:587`);
  });

  it('refuses the send past the daily limit across separate runs sharing one send log', async () => {
    const store = join(tempDir('relaycheck-pfdc-store-'), 'relaycheck.sqlite');
    const head = `stateDir: ${tempDir('relaycheck-pfdc-state-')}\nlimits: { messagesPerDay: 2, messagesPerMinute: 2 }\n`;
    const only = ['send.validation', 'limits.quota'];
    const statuses: string[] = [];
    for (let i = 0; i < 3; i++) {
      const report = await run({ store, head, only });
      statuses.push(`${result(report, 'send.validation').status}/${result(report, 'limits.quota').status}`);
      if (i === 2) {
        expect(result(report, 'send.validation').message).toMatch(/^not sent: the daily message limit would be passed: scanner@example\.test sent 2 messages in the last 24 hours; messagesPerDay is 2/);
        expect(result(report, 'limits.quota').message).toMatch(/^mail\.example\.test:587: the validation message was not sent: scanner@example\.test sent 2 messages in the last 24 hours; messagesPerDay is 2/);
      }
    }
    // run 2 reaches the limit exactly (warned), run 3 would pass it
    expect(statuses).toEqual(['pass/pass', 'pass/warn', 'skipped/fail']);
  });

  // Last: Dovecot delays authentication after a failure (auth_failure_delay), which would slow the tests after it.
  it('fails auth.login for a wrong password, and tries nothing more on the account', async () => {
    const report = await run({ password: 'not-the-password' });
    const login = result(report, 'auth.login');
    expect(login.status).toBe('fail');
    expect(login.message).toMatch(/^scanner@example\.test was refused with PLAIN: “535 5\.7\.8 Error: authentication failed: .*” — the server refused the user name or password/);
    expect(result(report, 'send.validation')).toMatchObject({ status: 'skipped' });
    expect(JSON.stringify(report)).not.toContain('not-the-password');
  });
});
