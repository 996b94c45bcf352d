import { describe, expect, it } from 'vitest';
import { runPlan, DEFAULT_TIMEOUTS } from '../../src/runner/run.js';
import { builtinChecks, builtinProbes } from '../../src/registry.js';
import { planFromYaml } from '../helpers/plans.js';
import { EXO_SENDING_RANGES } from '../../src/exo/ranges.js';

describe('a plan with only a domain', () => {
  it('loads and runs the DNS and firewall checks, which need nothing else', async () => {
    const plan = planFromYaml(`version: 1
domain: contoso.test
dns: { servers: ["127.0.0.1:9"] }
firewall: { allowed: [${EXO_SENDING_RANGES.map((r) => JSON.stringify(r)).join(', ')}] }
`);
    expect(plan.connectors).toEqual([]);
    const report = await runPlan(plan, { checks: builtinChecks, probes: builtinProbes }, { send: false, concurrency: 4, timeouts: { ...DEFAULT_TIMEOUTS, connectMs: 500, commandMs: 500, deadlineMs: 10_000 } });
    const ids = new Set(report.results.map((r) => r.check));
    expect(report.results.find((r) => r.check === 'firewall.office365-ranges')?.status).toBe('pass');
    for (const id of ['dns.mx', 'dns.spf', 'dns.dmarc']) expect(ids.has(id), id).toBe(true);
    expect(report.results.every((r) => r.connector === null)).toBe(true);
  });
});
