import { describe, expect, it } from 'vitest';
import { deliveryProbe } from '../../src/probes/delivery.js';
import { planFromYaml } from '../helpers/plans.js';
import { probeContext } from '../helpers/exo.js';
import type { SendProbeData } from '../../src/evidence/sending.js';

const plan = (imap: string) =>
  planFromYaml(
    `version: 1
domain: contoso.test
connectors:
  - name: Out
    direction: from-office365
    smartHosts: [mail.contoso.test]
    tls: { mode: any }
    validation: { from: check@contoso.test, to: [admin@contoso.test]${imap} }
`,
    { IMAP_PW: 'imap-secret-pw' },
  );

const sent: SendProbeData = {
  entry: 'Out',
  attempts: [
    { endpoint: 'mail.contoso.test:25', token: 'rc-x-1', account: 'check@contoso.test', from: 'check@contoso.test', to: ['admin@contoso.test'], status: 'accepted', acceptedAt: new Date().toISOString() },
  ],
  transcript: [],
};

describe('the delivery probe', () => {
  it('does nothing without validation.imap', async () => {
    const p = plan('');
    const data = await deliveryProbe.run({ scope: 'entry', entry: p.connectors[0] }, probeContext(p, { deps: { send: sent } }));
    expect(data).toEqual({ entry: 'Out', configured: false, results: [] });
  });

  it('does not search for a message that was not sent', async () => {
    const p = plan(', imap: { host: "127.0.0.1:1", secure: false, username: admin@contoso.test, password: { env: IMAP_PW } }');
    const notSent: SendProbeData = { ...sent, attempts: [{ ...sent.attempts[0], status: 'not-sent', notSent: { reason: 'no-send', message: 'not sent: --no-send' } }] };
    const data = await deliveryProbe.run({ scope: 'entry', entry: p.connectors[0] }, probeContext(p, { deps: { send: notSent } }));
    expect(data.results).toEqual([{ endpoint: 'mail.contoso.test:25', token: 'rc-x-1', status: 'not-sent', polls: 0, message: 'not sent: --no-send' }]);
  });

  it('reports an unreachable IMAP server as an error result, without the password', async () => {
    const p = plan(', imap: { host: "127.0.0.1:1", secure: false, username: admin@contoso.test, password: { env: IMAP_PW }, timeoutSeconds: 5 }');
    const data = await deliveryProbe.run({ scope: 'entry', entry: p.connectors[0] }, probeContext(p, { deps: { send: sent } }));
    expect(data.results[0]).toMatchObject({ status: 'error', message: expect.stringMatching(/^IMAP 127\.0\.0\.1:1: .*ECONNREFUSED/) });
    expect(JSON.stringify(data)).not.toContain('imap-secret-pw');
  });
});

describe('the IMAP login of send.delivery', () => {
  it('says no OAuth token was obtained for a mailbox read with oauth2, without connecting', async () => {
    const p = plan(', imap: { host: "127.0.0.1:1", secure: false, username: admin@contoso.test, oauth2: { tenantId: contoso.onmicrosoft.com, clientId: app-1, clientSecret: { env: IMAP_PW } } }');
    const data = await deliveryProbe.run({ scope: 'entry', entry: p.connectors[0] }, probeContext(p, { deps: { send: sent } }));
    expect(data.results[0]).toMatchObject({ status: 'error', message: 'no OAuth access token for the IMAP mailbox admin@contoso.test (see auth.oauth-token)' });
  });

  it('requires STARTTLS before sending the password unless the mailbox is on loopback', async () => {
    const { requireStartTls } = await import('../../src/probes/delivery.js');
    expect(requireStartTls(false, 'imap.contoso.com')).toBe(true);
    expect(requireStartTls(false, '192.0.2.143')).toBe(true);
    expect(requireStartTls(true, 'imap.contoso.com')).toBe(false);
    expect(requireStartTls(false, '127.0.40.1')).toBe(false);
    expect(requireStartTls(false, '::1')).toBe(false);
  });
});
