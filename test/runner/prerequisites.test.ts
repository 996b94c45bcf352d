import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { runPlan, DEFAULT_TIMEOUTS } from '../../src/runner/run.js';
import { builtinChecks, builtinProbes } from '../../src/registry.js';
import { planFromYaml } from '../helpers/plans.js';
import { hostile, startRawServer, type RawServer } from '../helpers/raw-smtp-server.js';
import type { CheckResult, RunReport } from '../../src/types.js';

const registry = { checks: builtinChecks, probes: builtinProbes };
const timeouts = { ...DEFAULT_TIMEOUTS, connectMs: 1500, greetingMs: 1500, commandMs: 1500, tlsMs: 1500, deadlineMs: 20_000 };

function planFor(port: number) {
  return planFromYaml(`version: 1
domain: contoso.test
resolve:
  "mail.contoso.test:${port}": 127.0.0.1
connectors:
  - name: Smart host
    direction: from-office365
    smartHosts: ["mail.contoso.test:${port}"]
    tls: { mode: domain, domain: mail.contoso.test }
`);
}

async function run(port: number, only?: string[]): Promise<RunReport> {
  return runPlan(planFor(port), registry, { send: false, timeouts, concurrency: 4, skip: only ? undefined : ['dns', 'firewall', 'config', 'limits'], only });
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const byCheck = (report: RunReport) => Object.fromEntries(report.results.map((r) => [r.check, r])) as Record<string, CheckResult>;

let server: RawServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('root causes first', () => {
  it('reports an unreachable smart host as one failing smtp.connect and skips every check that needed the connection', async () => {
    const report = await run(await freePort());
    const r = byCheck(report);
    expect(r['smtp.connect'].status).toBe('fail');
    const others = report.results.filter((x) => x.check !== 'smtp.connect');
    expect(others.length).toBeGreaterThanOrEqual(6);
    for (const x of others) {
      expect(x, x.check).toMatchObject({ status: 'skipped', message: expect.stringMatching(/^not tested: smtp\.connect failed at mail\.contoso\.test:\d+$/), evidence: expect.objectContaining({ rootCause: 'smtp.connect' }) });
      expect(x.remediation).toBe('');
    }
    expect(report.summary).toMatchObject({ fail: 1, error: 0 });
  });

  it('names the first failure for a knock-on of a knock-on: the TLS checks behind a refused STARTTLS name smtp.starttls', async () => {
    server = await startRawServer(hostile.starttlsRefused);
    const r = byCheck(await run(server.port));
    expect(r['smtp.connect'].status).toBe('pass');
    expect(r['smtp.starttls'].status).toBe('fail');
    for (const id of ['tls.version', 'tls.certificate-name', 'tls.certificate-trust', 'tls.certificate-expiry']) {
      expect(r[id], id).toMatchObject({ status: 'skipped', message: expect.stringMatching(/^not tested: smtp\.starttls failed/) });
    }
  });

  it.each([
    ['a reset during the handshake', hostile.resetDuringHandshake],
    ['plaintext after the 220 to STARTTLS', hostile.plaintextAfterStarttls],
  ])('does not blame the TLS version for %s: tls.version is not tested, smtp.starttls names the fault', async (_name, handler) => {
    server = await startRawServer(handler);
    const r = byCheck(await run(server.port));
    expect(r['smtp.starttls'].status).toBe('fail');
    expect(r['tls.version'].status).toBe('skipped');
    expect(JSON.stringify(r['tls.version'])).not.toMatch(/Enable TLS 1\.2/);
  });

  it('keeps a run with only the TLS checks selected from passing a server that is down: they cannot decide, naming smtp.connect', async () => {
    const report = await run(await freePort(), ['tls']);
    expect(report.results.some((x) => x.check === 'smtp.connect')).toBe(false);
    for (const x of report.results) {
      expect(x, x.check).toMatchObject({ status: 'error', message: expect.stringMatching(/^could not decide: smtp\.(connect|starttls) failed .*not among the selected checks/) });
    }
  });
});
