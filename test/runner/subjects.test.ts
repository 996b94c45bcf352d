// A connector the plan marks disabled (enabled: false, as `relaycheck import` writes for a disabled
// Exchange Online connector) is not tested: every check of it is skipped with that reason, and no
// probe opens a connection to its hosts.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUTS, runPlan } from '../../src/runner/run.js';
import { builtinChecks, builtinProbes } from '../../src/registry.js';
import { planFromYaml } from '../helpers/plans.js';

let server: Server;
let port = 0;
const connections: Socket[] = [];

beforeAll(async () => {
  // A host that greets and closes: enough for the enabled connector's session to run.
  server = createServer((socket) => {
    connections.push(socket);
    socket.end('554 5.3.2 not today\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const s of connections) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const plan = () =>
  planFromYaml(`version: 1
domain: contoso.test
resolve:
  disabled.contoso.test:${port}: 127.0.0.1
  enabled.contoso.test:${port}: 127.0.0.1
connectors:
  - name: Legacy relay 2019
    direction: from-office365
    smartHosts: ["disabled.contoso.test:${port}"]
    tls: { mode: trusted-ca }
    enabled: false
  - name: Relay
    direction: from-office365
    smartHosts: ["enabled.contoso.test:${port}"]
    tls: { mode: trusted-ca }
`);

describe('disabled connectors', () => {
  it('reports every check of a disabled connector as skipped with the reason, and never connects to its hosts', async () => {
    const report = await runPlan(plan(), { checks: builtinChecks, probes: builtinProbes }, { send: false, timeouts: { ...DEFAULT_TIMEOUTS, connectMs: 2000, greetingMs: 2000, commandMs: 2000, tlsMs: 2000, deadlineMs: 20_000 }, concurrency: 4, shared: new Map() });
    const disabled = report.results.filter((r) => r.connector === 'Legacy relay 2019');
    expect(disabled.length).toBeGreaterThan(3);
    for (const r of disabled) {
      expect(r.status).toBe('skipped');
      expect(r.message).toMatch(/^not tested: "Legacy relay 2019" is disabled in Exchange Online \(enabled: false in the plan\)/);
      expect(r.message).toContain('Set-OutboundConnector -Enabled $true');
    }
    expect(disabled.map((r) => r.check)).toContain('smtp.connect');
    // The enabled connector on the same server was tested: exactly its one session connected.
    const enabled = report.results.find((r) => r.connector === 'Relay' && r.check === 'smtp.connect');
    expect(enabled?.status).not.toBe('skipped');
    expect(connections).toHaveLength(1);
  });
});
