// Redaction by construction, end to end. A hostile submission server echoes a password, an OAuth
// token and a client secret back in every way a server can — in a 535 reply, in a 334 challenge
// (the XOAUTH2 payload), in a malformed line cut at 80 characters, in an over-long line, after
// MAIL FROM, in the validation send — as plain text, base64 at every alignment, hex and
// URL-encoded. Every output of the real CLI is then scanned for every form of every secret:
// all report formats, stdout, stderr, the store, `history` and `powershell` output.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { learnSecret, redactText, secretForms } from '../../src/report/redact.js';
import { saslChallengeView } from '../../src/report/sasl-redact.js';
import { runCli } from '../helpers/cli.js';
import { labPki, serverCert, tempDir } from '../helpers/exo.js';
import { startTlsSmtpServer, type TlsSmtpServer } from '../helpers/tls-smtp-server.js';

const PASSWORD = 'Pa55/w0rd+of the@scanner!';
const TOKEN = 'eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJvdXRsb29rIn0.QmVhcmVyLXNpZ25hdHVyZQ';
const CLIENT_SECRET = 'Qx8~cl13nt.s3cr3t_value~Zz';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const hex = (s: string) => Buffer.from(s).toString('hex');

/** Every form a secret must not appear in, built independently of src/report/redact.ts. */
function forbiddenForms(secret: string, username: string): string[] {
  const forms = [secret, encodeURIComponent(secret), hex(secret), hex(secret).toUpperCase()];
  // base64 at the three alignments: encode behind 0, 1 and 2 bytes, drop the groups that mix in the neighbours
  for (const pad of ['', 'x', 'xy']) {
    const text = b64(Buffer.concat([Buffer.from(pad), Buffer.from(secret), Buffer.from('\u0001')]));
    forms.push(text.slice(pad ? 4 : 0, -4));
  }
  forms.push(b64(`\u0000${username}\u0000${secret}`), b64(`user=${username}\u0001auth=Bearer ${secret}\u0001\u0001`));
  // any 8 characters of the secret in a row: nothing is kept in part either
  for (let i = 0; i + 8 <= secret.length; i++) forms.push(secret.slice(i, i + 8));
  return forms;
}

/** Every way the hostile server repeats a secret it was given. */
function echoes(secret: string): string {
  return [secret, hex(secret), encodeURIComponent(secret), b64(`a${secret}`), b64(`ab${secret}`), b64(`abc${secret}`)].join(' ');
}

function decodeAuth(command: string): { user: string; secret: string } | undefined {
  const m = /^AUTH (PLAIN|XOAUTH2) (\S+)$/.exec(command);
  if (!m) return undefined;
  const text = Buffer.from(m[2], 'base64').toString('utf8');
  if (m[1] === 'PLAIN') {
    const [, user, secret] = text.split('\u0000');
    return { user, secret };
  }
  const x = /^user=([^\u0001]*)\u0001auth=Bearer ([^\u0001]*)/.exec(text);
  return x ? { user: x[1], secret: x[2] } : undefined;
}

let server: TlsSmtpServer;
let rootPem: string;

beforeAll(async () => {
  const pki = await labPki();
  rootPem = pki.root.certPem;
  const secretOf = new Map<unknown, { user: string; secret: string; payload: string }>();
  server = await startTlsSmtpServer({
    ...(await serverCert(pki, 'smtp.contoso.test')),
    hostname: 'smtp.contoso.test',
    extensions: ['AUTH PLAIN LOGIN XOAUTH2'],
    reply(command, session) {
      const auth = decodeAuth(command);
      if (auth) {
        secretOf.set(session, { ...auth, payload: command.split(' ')[2] });
        const who = auth.user.split('@')[0];
        if (who === 'echo') return `535 5.7.8 Bad credentials: you sent ${command.split(' ')[2]} = ${echoes(auth.secret)}`;
        if (who === 'malformed') return `${'x'.repeat(76)}${auth.secret} and more`;
        if (who === 'huge') return `535 ${auth.secret}${'A'.repeat(5000)}`;
        if (who === 'xoauth') return `334 ${command.split(' ')[2]}`;
        return '235 2.7.0 Authentication successful';
      }
      const known = secretOf.get(session);
      if (known && command === '') return `535 5.7.3 Authentication unsuccessful [token ${echoes(known.secret)}]`;
      if (known && /^MAIL FROM/i.test(command)) return `550 5.7.60 SMTP; Client does not have permissions to send as this sender (${echoes(known.secret)})`;
      return undefined;
    },
  });
});
afterAll(async () => {
  await server?.close();
});

describe('redaction', () => {
  it('matches a secret in base64 at every alignment, URL-encoded and hex, and secrets learned at run time', () => {
    const secret = 'run-time-token-Zq9';
    expect(redactText(`x ${b64(`ab${secret}`)} y`)).toContain(b64(`ab${secret}`));
    learnSecret(secret);
    for (const text of [b64(`a${secret}`), b64(`ab${secret}`), b64(`abc${secret}`), hex(secret), encodeURIComponent(`${secret} /`)]) {
      expect(redactText(`reply: ${text}`)).toContain('****');
      expect(redactText(`reply: ${text}`)).not.toContain(b64(secret).slice(4, 16));
    }
    expect(secretForms(secret)).toContain(secret);
  });

  it('keeps a 334 challenge decoded, with an echoed XOAUTH2 token replaced even when the token was never learned', () => {
    const unknown = 'never-learned-token-value-123';
    const line = saslChallengeView(`334 ${b64(`user=a@b.test\u0001auth=Bearer ${unknown}\u0001\u0001`)}`);
    expect(line).toBe('334 [decoded] user=a@b.test\\1auth=Bearer ****\\1\\1');
  });

  it('leaves no form of a password, a token or a client secret in any output, whatever the server echoes', async () => {
    const dir = tempDir();
    const endpoint = `smtp.contoso.test:${server.port}`;
    writeFileSync(join(dir, 'root.pem'), rootPem);
    writeFileSync(join(dir, 'client-secret.txt'), `${CLIENT_SECRET}\n`);
    const entry = (name: string, user: string, credential: string, extra = '') =>
      `  - { name: ${name}, endpoint: "${endpoint}", username: ${user}@contoso.test, ${credential}, from: ${user}@contoso.test${extra} }\n`;
    writeFileSync(
      join(dir, 'relaycheck.yaml'),
      `version: 1
domain: contoso.test
trust: { system: false, ca: [./root.pem] }
store: ./store.sqlite
resolve: { "${endpoint}": 127.0.0.1 }
submission:
${entry('Echo', 'echo', 'password: { env: PW }')}${entry('Malformed', 'malformed', 'password: { file: ./client-secret.txt }')}${entry('Huge', 'huge', 'password: { env: PW }')}${entry('XOAUTH2', 'xoauth', 'oauth2: { accessToken: { env: TOKEN } }')}${entry('Sender', 'sender', 'password: { file: ./client-secret.txt }', ', validation: { to: [it@contoso.test] }')}${entry('Token sender', 'tokensender', 'oauth2: { accessToken: { env: TOKEN } }')}`,
    );
    const env = { PW: PASSWORD, TOKEN };
    const out = join(dir, 'reports');
    const run = await runCli(['run', '-c', join(dir, 'relaycheck.yaml'), '--format', 'console,json,html,junit,prometheus', '--out', out, '--timeout', '3000', '--only', 'auth,send'], { env, timeoutMs: 200_000 });
    expect(run.code).toBe(1);
    const json = readdirSync(out).find((f) => f.endsWith('.json'))!;
    const report = JSON.parse(readFileSync(join(out, json), 'utf8'));
    // The run went down every path: refused logins, a malformed and a huge reply, the XOAUTH2 challenge, a refused sender.
    const message = (check: string, connector: string) => report.results.find((r: { check: string; connector: string }) => r.check === check && r.connector === connector)?.message ?? '';
    expect(message('auth.login', 'Echo')).toMatch(/535/);
    expect(JSON.stringify(report.transcripts)).toMatch(/Malformed reply line during auth: \\"x{76}\*\*\*\*/);
    expect(JSON.stringify(report.transcripts)).toMatch(/reply line longer than 2000 bytes, starting \\"535 \*\*\*\*A/);
    expect(message('auth.login', 'XOAUTH2')).toMatch(/535 5\.7\.3/);
    expect(message('auth.sender-match', 'Sender')).toMatch(/5\.7\.60/);
    expect(JSON.stringify(report.transcripts)).toMatch(/334 \[decoded\] user=xoauth@contoso\.test\\\\1auth=Bearer \*\*\*\*/);

    const outputs: [string, string][] = [['run stdout', run.stdout], ['run stderr', run.stderr]];
    for (const f of readdirSync(out)) outputs.push([f, readFileSync(join(out, f), 'latin1')]);
    outputs.push(['store', readFileSync(join(dir, 'store.sqlite'), 'latin1')]);
    for (const args of [
      ['history', '--store', join(dir, 'store.sqlite'), '--format', 'json'],
      ['history', '--store', join(dir, 'store.sqlite')],
      ['powershell', '--run', join(out, json)],
      ['report', join(out, json), '--format', 'junit'],
      ['report', join(out, json), '--format', 'nagios'],
    ]) {
      const r = await runCli(args, { env, timeoutMs: 100_000 });
      outputs.push([`${args.slice(0, 2).join(' ')} stdout`, r.stdout], [`${args[0]} stderr`, r.stderr]);
    }
    const forbidden = [
      ...forbiddenForms(PASSWORD, 'echo@contoso.test'),
      ...forbiddenForms(PASSWORD, 'huge@contoso.test'),
      ...forbiddenForms(CLIENT_SECRET, 'malformed@contoso.test'),
      ...forbiddenForms(CLIENT_SECRET, 'sender@contoso.test'),
      ...forbiddenForms(TOKEN, 'xoauth@contoso.test'),
      ...forbiddenForms(TOKEN, 'tokensender@contoso.test'),
    ];
    for (const [name, text] of outputs) {
      const views = [text, text.replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCodePoint(parseInt(h, 16))).replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>'), text.replace(/\\\//g, '/')];
      for (const view of views) {
        for (const form of forbidden) if (view.includes(form)) throw new Error(`${name} contains a form of a secret: ${JSON.stringify(form.slice(0, 5))}… in …${JSON.stringify(view.slice(Math.max(0, view.indexOf(form) - 40), view.indexOf(form)))}`);
      }
    }
  }, 240_000); // the console renderer (cli-table3) needs seconds per long hostile message on a loaded machine
});
