// A plan with passwords, an OAuth token, a client certificate key and an IMAP password, run
// through every report format: no secret, nor any base64 form of it, may appear anywhere — not in
// results, transcripts or error messages — even when a server echoes the credentials back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { startExoMx, type ExoMxServer } from '../../src/lab/exo-mx.js';
import { startExoSubmission, type ExoSubmissionServer } from '../../src/lab/exo-submission.js';
import { FORMATS } from '../../src/report/formats.js';
import { runPlan } from '../../src/runner/run.js';
import { builtinChecks, builtinProbes } from '../../src/registry.js';
import { labPki, runOptions, secretForms, serverCert, tempDir, writeAndLoadPlan } from '../helpers/exo.js';
import type { LabPki } from '../../src/pki/generate.js';

const GOOD_PW = 'Gr8-Passw0rd-of-the-scanner';
const BAD_PW = 'Wr0ng-Passw0rd-typed-by-someone';
const ECHO_PW = 'Echoed-Passw0rd-x9';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL291dGxvb2sub2ZmaWNlLmNvbSJ9.c2lnbmF0dXJl';
const BAD_TOKEN = 'eyJhbGciOiJub25lIn0.expired-token-value.sig';
const IMAP_PW = 'Imap-Mailbox-Passw0rd';

let pki: LabPki;
let sub: ExoSubmissionServer;
let challengeSub: ExoSubmissionServer;
let mx: ExoMxServer;
let echo: SMTPServer;
let echoPort: number;

beforeAll(async () => {
  pki = await labPki();
  const pair = await serverCert(pki, 'smtp.contoso.test');
  const users = [{ username: 'scanner@contoso.test', password: GOOD_PW, accessTokens: [TOKEN] }];
  sub = await startExoSubmission({ ...pair, users, authMethods: ['PLAIN', 'LOGIN', 'XOAUTH2'] });
  challengeSub = await startExoSubmission({ ...pair, users, xoauth2Challenge: true });
  mx = await startExoMx({ ...(await serverCert(pki, 'contoso-test.mail.protection.outlook.com')), acceptedDomains: ['contoso.test'], tlsSenderCertificateName: '*.contoso.test' });
  // A hostile server: it echoes whatever credentials it gets back in its replies.
  echo = new SMTPServer({
    ...pair,
    disableReverseLookup: true,
    logger: false,
    authMethods: ['PLAIN', 'LOGIN'],
    onConnect(session, cb) {
      session.disabledCommands = ['AUTH'];
      cb();
    },
    onSecure(_s, session, cb) {
      session.disabledCommands = [];
      cb();
    },
    onAuth(auth, _s, cb) {
      const blob = Buffer.from(`\0${auth.username}\0${auth.password}`).toString('base64');
      cb(Object.assign(new Error(`5.7.8 bad password ${auth.password} (you sent ${blob})`), { responseCode: 535 }));
    },
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  echoPort = (echo.server.address() as { port: number }).port;
});
afterAll(async () => {
  await sub?.close();
  await challengeSub?.close();
  await mx?.close();
  await new Promise<void>((r) => echo.close(() => r()));
});

function decodeEntities(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

describe('secrets in reports', () => {
  it('never appear in any report format, transcript or error, in any form', async () => {
    const dir = tempDir();
    const client = pki.leaves.client;
    const hostPort = (port: number) => `smtp.contoso.test:${port}`;
    const plan = writeAndLoadPlan(
      dir,
      `version: 1
domain: contoso.test
trust: { system: false, ca: [./root.pem] }
store: ./store.sqlite
resolve:
  "${hostPort(sub.port)}": 127.0.0.1
  "${hostPort(challengeSub.port)}": 127.0.0.1
  "${hostPort(echoPort)}": 127.0.0.1
  "contoso-test.mail.protection.outlook.com:${mx.port}": 127.0.0.1
connectors:
  - name: Relay
    direction: to-office365
    endpoint: contoso-test.mail.protection.outlook.com:${mx.port}
    tlsSenderCertificateName: "*.contoso.test"
    clientCertificate: { cert: ./relay.pem, key: { file: ./relay.key } }
    validation:
      from: relay@contoso.test
      to: [it@contoso.test]
      imap: { host: "127.0.0.1:1", secure: false, username: it@contoso.test, password: { env: IMAP_PW }, timeoutSeconds: 3 }
submission:
  - { name: Good password, endpoint: "${hostPort(sub.port)}", username: scanner@contoso.test, password: { env: GOOD_PW }, from: scanner@contoso.test, validation: { to: [it@contoso.test] } }
  - { name: Wrong password, endpoint: "${hostPort(sub.port)}", username: other@contoso.test, password: { env: BAD_PW }, from: other@contoso.test }
  - { name: OAuth, endpoint: "${hostPort(sub.port)}", username: scanner@contoso.test, oauth2: { accessToken: { env: TOKEN } }, from: scanner@contoso.test }
  - { name: Expired token, endpoint: "${hostPort(challengeSub.port)}", username: expired@contoso.test, oauth2: { accessToken: { env: BAD_TOKEN } }, from: expired@contoso.test }
  - { name: Echoing server, endpoint: "${hostPort(echoPort)}", username: echo@contoso.test, password: { env: ECHO_PW }, from: echo@contoso.test }
`,
      { 'root.pem': pki.root.certPem, 'relay.pem': client.chainPem, 'relay.key': client.keyPem },
      { GOOD_PW, BAD_PW, TOKEN, BAD_TOKEN, ECHO_PW, IMAP_PW },
    );
    const report = await runPlan(plan, { checks: builtinChecks, probes: builtinProbes }, runOptions());

    // The run really exercised the paths that handle secrets.
    const status = (check: string, connector: string) => report.results.find((r) => r.check === check && r.connector === connector)?.status;
    expect(status('auth.login', 'Good password')).toBe('pass');
    expect(status('auth.login', 'Wrong password')).toBe('fail');
    expect(status('auth.login', 'OAuth')).toBe('pass');
    expect(status('auth.login', 'Expired token')).toBe('fail');
    expect(status('auth.login', 'Echoing server')).toBe('fail');
    expect(status('send.validation', 'Relay')).toBe('pass');
    expect(status('send.delivery', 'Relay')).toBe('error');
    expect(Object.keys(report.transcripts).length).toBeGreaterThan(3);

    const keyBody = client.keyPem.replace(/-----[^-]+-----/g, '').split(/\s+/).filter((l) => l.length >= 16);
    const forbidden = [
      ...secretForms(GOOD_PW, 'scanner@contoso.test'),
      ...secretForms(BAD_PW, 'other@contoso.test'),
      ...secretForms(ECHO_PW, 'echo@contoso.test'),
      ...secretForms(TOKEN, 'scanner@contoso.test'),
      ...secretForms(BAD_TOKEN, 'expired@contoso.test'),
      ...secretForms(IMAP_PW),
      ...secretForms(client.keyPem),
      ...keyBody,
    ];
    const outputs: [string, string][] = FORMATS.map((f) => [f.name, f.render(report, { color: false, width: 160 })]);
    outputs.push(['report object', JSON.stringify(report)]);
    expect(outputs.map(([n]) => n)).toEqual(expect.arrayContaining(['console', 'json']));
    for (const [name, text] of outputs) {
      for (const view of [text, decodeEntities(text)]) {
        for (const secret of forbidden) {
          if (view.includes(secret)) throw new Error(`${name} output contains a secret form: ${secret.slice(0, 6)}…`);
        }
      }
    }
    // and the redaction is visible where AUTH happened
    expect(JSON.stringify(report.transcripts)).toContain('AUTH PLAIN ****');
    expect(JSON.stringify(report)).toContain('bad password ****');
  });
});
