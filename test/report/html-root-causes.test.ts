// The HTML report of a plan with an unreachable host, in headless Chromium: root causes first —
// "Needs attention" lists the failed connection, and counts the checks it kept from being
// tested instead of listing them. The screenshot is test-artifacts/report-root-causes.png.
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { renderHtml } from '../../src/report/html.js';
import { runPlan, DEFAULT_TIMEOUTS } from '../../src/runner/run.js';
import { builtinChecks, builtinProbes } from '../../src/registry.js';
import { chromiumPath, requirePeer } from '../peers/available.js';
import { planFromYaml } from '../helpers/plans.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const available = requirePeer('chromium');

describe.skipIf(!available)('the HTML report of a plan with an unreachable host', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath() ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the failed connection first and counts what it kept from being tested', async () => {
    const port = await closedPort();
    const plan = planFromYaml(`version: 1
organization: Contoso
domain: contoso.test
connectors:
  - name: Office 365 to the on-premises smart host
    direction: from-office365
    smartHosts: ["127.0.0.1:${port}"]
    tls: { mode: trusted-ca }
`);
    const report = await runPlan(plan, { checks: builtinChecks, probes: builtinProbes }, { send: false, concurrency: 4, skip: ['dns', 'firewall'], timeouts: { ...DEFAULT_TIMEOUTS, connectMs: 1000, deadlineMs: 10_000 } });
    const page = await (await browser.newContext({ viewport: { width: 1100, height: 900 }, offline: true })).newPage();
    await page.setContent(renderHtml(report), { waitUntil: 'load' });
    const items = await page.locator('#attention .items li').allInnerTexts();
    expect(items[0]).toMatch(/smtp\.connect/);
    expect(items.join('\n')).not.toMatch(/tls\.|smtp\.starttls/);
    expect(await page.locator('#not-tested').innerText()).toMatch(/^7 more checks were not tested because a check they need failed: smtp\.connect \(7\)\.$/);
    await page.screenshot({ path: `${ARTIFACTS}report-root-causes.png` });
    await page.context().close();
  });
});
