import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTcp } from '../../src/probes/connect.js';
import smtpSessionProbe from '../../src/probes/smtp-session.js';
import { subjectsFor } from '../../src/runner/subjects.js';
import { planFromYaml } from '../helpers/plans.js';
import { scripted, startRawServer, type RawServer } from '../helpers/raw-smtp-server.js';

let server: RawServer;
let closedPort: number;
beforeAll(async () => {
  server = await startRawServer(scripted('220 hi\r\n', () => undefined));
  const closed = await startRawServer(() => {});
  closedPort = closed.port;
  await closed.close();
});
afterAll(async () => {
  await server.close();
});

describe('connectTcp', () => {
  it('tries every address DNS gives, in order, and uses the first that connects', async () => {
    const notes: string[] = [];
    const r = await connectTcp(
      { host: 'mail.example.test', port: server.port },
      { timeoutMs: 1000, note: (t) => notes.push(t), resolve: async () => [{ address: '127.0.0.2', family: 4 }, { address: '127.0.0.1', family: 4 }] },
    );
    // 127.0.0.2 is loopback too, but nothing listens there on this port.
    expect(r).toMatchObject({ ok: true, address: '127.0.0.1', family: 4 });
    if (r.ok) r.socket.destroy();
    expect(notes).toContain(`Connection refused by 127.0.0.2:${server.port}`);
  });

  it('names every failed address when none connects', async () => {
    const r = await connectTcp({ host: 'mail.example.test', port: closedPort }, { timeoutMs: 1000, resolve: async () => [{ address: '127.0.0.1', family: 4 }, { address: '127.0.0.2', family: 4 }] });
    expect(r).toMatchObject({ ok: false, kind: 'refused', message: `Connection refused by 127.0.0.1:${closedPort}; Connection refused by 127.0.0.2:${closedPort}` });
  });

  it('gives up on a resolver that does not answer within the connect timeout', async () => {
    const r = await connectTcp({ host: 'slow.example.test', port: 25 }, { timeoutMs: 100, resolve: () => new Promise(() => {}) });
    expect(r).toMatchObject({ ok: false, kind: 'timeout', message: 'slow.example.test did not resolve within 100 ms' });
  });

  it('reports a name that does not exist as a DNS failure', async () => {
    const r = await connectTcp({ host: 'nx.example.test', port: 25 }, { timeoutMs: 1000, resolve: () => Promise.reject(Object.assign(new Error('nx'), { code: 'ENOTFOUND' })) });
    expect(r).toMatchObject({ ok: false, kind: 'dns', code: 'ENOTFOUND', message: 'nx.example.test does not resolve (ENOTFOUND)' });
  });
});

describe('the smtp-session probe key', () => {
  it('shares one session between entries on the same endpoint, but not with an entry that presents a client certificate', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { createLabPki } = await import('../../src/pki/generate.js');
    const pki = await createLabPki({ domain: 'contoso.test', host: 'mail.contoso.test' });
    const dir = mkdtempSync(join(tmpdir(), 'relaycheck-key-'));
    writeFileSync(join(dir, 'relay.pem'), pki.leaves.client.chainPem);
    writeFileSync(join(dir, 'relay.key'), pki.leaves.client.keyPem);
    const plan = planFromYaml(
      `version: 1
domain: contoso.test
connectors:
  - { name: In, direction: to-office365, endpoint: "mail.contoso.test", requireTls: true, tlsSenderCertificateName: "*.contoso.test", senderDomains: ["*"], clientCertificate: { cert: ./relay.pem, key: { file: ./relay.key } } }
  - { name: Out A, direction: from-office365, smartHosts: [mail.contoso.test], tls: { mode: any } }
  - { name: Out B, direction: from-office365, smartHosts: [mail.contoso.test], tls: { mode: any } }
`,
      {},
      join(dir, 'relaycheck.yaml'),
    );
    const keys = subjectsFor('endpoint', plan).map((s) => smtpSessionProbe.key(s));
    expect(keys[1]).toBe(keys[2]);
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys[0]).toMatch(/^mail\.contoso\.test:25\|\|cert:[0-9a-f]{16}$/);
  });
});
