import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlugins } from '../src/plugins.js';
import { builtinChecks } from '../src/registry.js';
import { runPlan, DEFAULT_TIMEOUTS } from '../src/runner/run.js';
import { planFromYaml } from './helpers/plans.js';
import { runCli } from './helpers/cli.js';
import type { ProbeDefinition } from '../src/types.js';

// A stand-in for the built-in smtp-session probe, so the plugin's endpoint check has data.
const fakeSession: ProbeDefinition = {
  id: 'smtp-session',
  scope: 'endpoint',
  key: (s) => (s.scope === 'endpoint' ? s.endpoint.key : ''),
  run: async (s) => ({ greeting: { code: 220, lines: [s.scope === 'endpoint' && s.endpoint.host.startsWith('mail') ? `${s.endpoint.host} ESMTP` : 'localhost ESMTP'] }, transcript: [] }),
};

describe('plugins', () => {
  it('loads the example plugin and runs its checks next to the built-in ones', async () => {
    const registry = await loadPlugins(['fixtures/plugins/example-plugin.mjs'], { checks: builtinChecks, probes: [fakeSession] });
    expect(registry.checks.map((c) => c.id)).toContain('contoso.greeting-names-host');
    const plan = planFromYaml(
      'version: 1\ndomain: contoso.com\nconnectors:\n  - {name: out, direction: from-office365, smartHosts: [mail.contoso.com, relay.contoso.com], tls: {mode: any}, validation: {to: [it@contoso.com, someone@gmail.com]}}\n',
    );
    const report = await runPlan(plan, registry, { send: false, timeouts: DEFAULT_TIMEOUTS, concurrency: 2, only: ['contoso'] });
    expect(report.results.map((r) => [r.check, r.endpoint, r.status, r.message])).toEqual([
      ['contoso.validation-recipients-internal', null, 'warn', 'outside the accepted domains: someone@gmail.com'],
      ['contoso.greeting-names-host', 'mail.contoso.com:25', 'pass', 'greets as mail.contoso.com'],
      ['contoso.greeting-names-host', 'relay.contoso.com:25', 'warn', 'greets as localhost, not relay.contoso.com'],
    ]);
  });

  it('rejects a malformed plugin with exit 2 and one message per mistake', async () => {
    const r = await runCli(['checks', '--plugin', 'fixtures/plugins/broken-plugin.mjs']);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toContain('relaycheck: fixtures/plugins/broken-plugin.mjs: checks[0] (nodot): id must be "area.name" (letters, digits, - and _)');
    expect(lines).toContain('relaycheck: fixtures/plugins/broken-plugin.mjs: checks[1] (contoso.bad): severity must be one of info, low, medium, high, critical');
    expect(lines).toContain('relaycheck: fixtures/plugins/broken-plugin.mjs: checks[1] (contoso.bad): evaluate(input) must be a function');
    expect(lines.some((l) => l.includes('requires unknown probe "no-such-probe"'))).toBe(true);
  });

  it('says so when the plugin file does not exist', async () => {
    const r = await runCli(['checks', '--plugin', 'fixtures/plugins/nope.mjs']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('relaycheck: fixtures/plugins/nope.mjs: cannot load plugin: no such file (or it imports a module that is missing)\n');
  });
});

describe('plugin time limits', () => {
  const write = (body: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'relaycheck-plugin-'));
    const file = join(dir, 'plugin.mjs');
    writeFileSync(file, body);
    return file;
  };
  const slowCheck = `{ id: 'slow.check', title: 'Slow', severity: 'low', scope: 'plan', remediation: 'none', requires: ['slow'], evaluate: () => ({ status: 'pass', message: 'ok' }) }`;

  it('refuses a plugin that does not finish loading in time, naming the file (exit 2)', async () => {
    const file = write(`await new Promise((r) => setTimeout(r, 10_000));\nexport default { checks: [${slowCheck}] };`);
    await expect(loadPlugins([file], { checks: builtinChecks, probes: [] }, { importTimeoutMs: 200 })).rejects.toThrow(/plugin\.mjs: cannot load plugin: it did not finish loading within 0\.2 s/);
  });

  it('turns a plugin probe that gives no answer in time into an error result, not a hung run', async () => {
    const file = write(`export default { probes: [{ id: 'slow', scope: 'plan', key: () => 'plan', run: () => new Promise(() => {}) }], checks: [${slowCheck}] };`);
    const registry = await loadPlugins([file], { checks: builtinChecks, probes: [] }, { probeTimeoutMs: 150 });
    const plan = planFromYaml('version: 1\ndomain: contoso.com\nconnectors:\n  - {name: out, direction: from-office365, smartHosts: [mail.contoso.com], tls: {mode: any}}\n');
    const report = await runPlan(plan, registry, { send: false, timeouts: DEFAULT_TIMEOUTS, concurrency: 2, only: ['slow'] });
    expect(report.results.map((r) => [r.status, r.message])).toEqual([['error', 'could not decide: plugin probe slow gave no answer within 0.15 s']]);
  });
});
