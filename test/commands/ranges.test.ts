// `relaycheck ranges --from FILE`, then a run whose firewall check uses the refreshed list.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/exo.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/exo/endpoints-worldwide.json', import.meta.url));

describe('relaycheck ranges', () => {
  it('refreshes the ranges into the per-user state folder, and the next run judges the firewall by them', async () => {
    const dir = tempDir('relaycheck-ranges-');
    const env = { XDG_STATE_HOME: join(dir, 'state'), STATE_DIRECTORY: undefined };
    const r = await runCli(['ranges', '--from', FIXTURE], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Wrote 6 IPv4 and 2 IPv6 ranges \(Exchange, TCP 25, as of \d{4}-\d{2}-\d{2}\) to .*\/state\/relaycheck\/exchange-online-ranges\.json; relaycheck uses it from now on\.$/m);
    expect(existsSync(join(dir, 'state', 'relaycheck', 'exchange-online-ranges.json'))).toBe(true);
    writeFileSync(
      join(dir, 'relaycheck.yaml'),
      'version: 1\ndomain: contoso.com\nconnectors:\n  - name: Smart hosts\n    direction: from-office365\n    smartHosts: [mail.contoso.com]\n    tls: { mode: trusted-ca }\nfirewall:\n  allowed: [40.92.0.0/15, 40.107.0.0/16, 52.100.0.0/15, 52.102.0.0/16, 52.103.0.0/17, 104.47.0.0/17]\n',
    );
    const run = await runCli(['run', '-c', join(dir, 'relaycheck.yaml'), '--only', 'firewall', '--no-send', '--format', 'json', '--out', '-'], { env });
    const result = JSON.parse(run.stdout).results[0];
    expect(result.check).toBe('firewall.office365-ranges');
    expect(result.message).toMatch(/misses 2 IPv6 ranges/);
    expect(result.evidence.source).toMatch(/^the list refreshed from the endpoints web service, as of \d{4}-\d{2}-\d{2}$/);
    const shown = await runCli(['ranges'], { env });
    expect(shown.stdout).toMatch(/^In use: the refreshed copy in .*exchange-online-ranges\.json, as of /);
  });

  it('exits 2 naming the file that is not the endpoints list', async () => {
    const dir = tempDir('relaycheck-ranges-');
    writeFileSync(join(dir, 'wrong.json'), '{"latest":"2026110100"}');
    const r = await runCli(['ranges', '--from', join(dir, 'wrong.json')], { env: { XDG_STATE_HOME: join(dir, 'state'), STATE_DIRECTORY: undefined } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/wrong\.json: not the endpoints web service format/);
    expect(existsSync(join(dir, 'state', 'relaycheck'))).toBe(false);
  });
});
