// Every broken plan in fixtures/plans/broken exits 2 with one precise message per problem,
// naming file, line, column and plan path — never a stack trace.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = 'fixtures/plans/broken';
const expected: Record<string, string[]> = {
  '01-yaml-syntax.yaml': ['01-yaml-syntax.yaml:5:16: syntax error: Nested mappings are not allowed in compact mappings'],
  '02-unknown-key.yaml': ['02-unknown-key.yaml:7:5: connectors[0].requireTLS: unknown key'],
  '03-wrong-type.yaml': ['03-wrong-type.yaml:7:5: connectors[0].requireTls: must be a boolean (found string "yes")'],
  '04-bad-tls-mode.yaml': ['04-bad-tls-mode.yaml:10:12: connectors[1].tls.mode: must be one of any, trusted-ca, domain (found "strict")'],
  '05-bad-email.yaml': ['05-bad-email.yaml:8:5: submission[0].from: must be an e-mail address (user@contoso.com) (found "scanner.contoso.com")'],
  '06-bad-address.yaml': ['06-bad-address.yaml:4:3: resolve["mail.contoso.com:25"]: must be an IP address (found "192.0.2.300")'],
  '07-bad-dns-server.yaml': ['07-bad-dns-server.yaml:4:13: dns.servers[0]: must be ip or ip:port ([v6]:port for IPv6) (found "[2001:db8::53]:99999")'],
  '08-missing-env.yaml': ['08-missing-env.yaml:7:5: submission[0].password: environment variable RELAYCHECK_UNSET_PASSWORD is not set'],
  '09-unreadable-cert.yaml': [
    '09-unreadable-cert.yaml:9:7: connectors[0].clientCertificate.cert: cannot read client certificate ./pki/missing-relay.pem: no such file',
    '09-unreadable-cert.yaml:10:7: connectors[0].clientCertificate.key: cannot read secret file ./pki/missing-relay.key: no such file',
  ],
  '10-duplicate-names.yaml': ['10-duplicate-names.yaml:8:5: submission[0].name: duplicate name "relay" (also used by connectors[0]); every connector and account needs its own name'],
  '11-nothing-to-test.yaml': ['11-nothing-to-test.yaml:1:1: nothing to test: add at least one entry under connectors:, submission: or directSend:'],
  '12-inline-secret.yaml': ['12-inline-secret.yaml:7:5: submission[0].password: secrets are never written in the plan: use { env: NAME } or { file: path }'],
  '13-domain-mode-without-domain.yaml': ["13-domain-mode-without-domain.yaml:7:5: connectors[0].tls.domain: is required when mode is domain (the name the smart hosts' certificates must carry)"],
  '14-wrong-version.yaml': ['14-wrong-version.yaml:1:1: version: must be 1 (found 2)'],
  '15-missing-direction.yaml': ['15-missing-direction.yaml:4:5: connectors[0].direction: is required (to-office365 or from-office365)'],
  '16-bad-json.json': ['16-bad-json.json:1:77: syntax error: Expected double-quoted property name'],
  '17-bad-port.yaml': ['17-bad-port.yaml:5:5: submission[0].endpoint: must be host or host:port ([v6]:port for IPv6) (found "smtp.office365.com:5870000")'],
  '18-not-a-mapping.yaml': ['18-not-a-mapping.yaml: the plan must be a mapping with at least `version: 1` and `domain:`'],
};

describe('broken plans', () => {
  it('has an expected message for every fixture', () => {
    expect(readdirSync(dir).sort()).toEqual(Object.keys(expected).sort());
  });

  for (const [file, messages] of Object.entries(expected)) {
    it(`exits 2 for ${file} with the precise message`, async () => {
      const r = await runCli(['run', '-c', `${dir}/${file}`, '--no-send'], { env: { RELAYCHECK_TEST_PASSWORD: 'not-used', RELAYCHECK_UNSET_PASSWORD: undefined } });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(messages.map((m) => `relaycheck: ${dir}/${m}\n`).join(''));
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    });
  }

  it('exits 2 and says how to start when the plan file does not exist', async () => {
    const r = await runCli(['run', '-c', 'no-such-plan.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('relaycheck: no-such-plan.yaml: cannot read the plan: no such file (write one with "relaycheck init")\n');
  });
});
