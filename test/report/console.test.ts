// The console table as a person sees it in a terminal: hostile text from servers (or from a saved
// report re-rendered with `relaycheck report`) never reaches the terminal as escape sequences, and
// colour appears only when asked for.
import { describe, expect, it } from 'vitest';
import { renderConsole } from '../../src/report/console.js';
import { fixtureReport } from './fixtures.js';
import type { RunReport } from '../../src/types.js';

const ESC = '\u001b';
const EVIL = `${ESC}[2J${ESC}[H${ESC}]0;owned\u0007\u0008\r\u202eevil\u0000`;

/** Every escape sequence in the text, e.g. ["[31m", "[39m"]. */
function escapes(text: string): string[] {
  return [...text.matchAll(/\u001b(\[[0-?]*[ -/]*[@-~]|.)/g)].map((m) => m[1]!);
}

function tampered(): RunReport {
  const report = fixtureReport('five-connectors');
  report.plan.organization = `Org${EVIL}`;
  report.results[0]!.check = `dns.mx${EVIL}`;
  report.results[0]!.message = `server said ${EVIL}`;
  report.results[1]!.status = 'bogus' as RunReport['results'][number]['status'];
  report.startedAt = `2026-11-27T02:00:00.000Z${EVIL}`;
  return report;
}

describe('the console report', () => {
  it('prints no escape sequence or control character from a report, whatever its text says', () => {
    const text = renderConsole(tampered(), { color: false, width: 120, verbose: true });
    expect(escapes(text)).toEqual([]);
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    expect(text).toContain('server said');
    expect(text).toContain('BOGUS');
  });

  it('keeps only its own colour codes when colour is on, and survives an unknown status', () => {
    const text = renderConsole(tampered(), { color: true, width: 120, verbose: true });
    const allowed = /^\[(\d+)m$/;
    expect(escapes(text).filter((e) => !allowed.test(e))).toEqual([]);
    expect(text).not.toContain('owned');
  });

  it('uses no colour at all unless asked (NO_COLOR, pipes, cron)', () => {
    expect(escapes(renderConsole(fixtureReport('five-connectors'), { color: false }))).toEqual([]);
    expect(escapes(renderConsole(fixtureReport('five-connectors'), { color: true })).length).toBeGreaterThan(0);
  });
});

describe('the console report of a failure', () => {
  it('says what Exchange Online will show and gives the PowerShell fix, as the HTML does', () => {
    const report = fixtureReport('five-connectors');
    const failing = report.results.find((r) => r.status === 'fail' && r.exchangeOnline && r.powershell);
    expect(failing).toBeDefined();
    const text = renderConsole(report, { color: false, width: 200 }).replace(/[│\s]+/g, ' ');
    expect(text).toContain(failing!.exchangeOnline!.split(/\s+/).slice(0, 6).join(' '));
    expect(text).toContain(`PS> ${failing!.powershell!.split(/\s+/).slice(0, 3).join(' ')}`);
  });
});

describe('long names in the console table', () => {
  it('keeps a whole host name with its port, broken after dots, instead of cutting it', async () => {
    const { breakLong } = await import('../../src/report/console.js');
    expect(breakLong('contoso-com.mail.protection.outlook.com:25', 24)).toBe('contoso-com.mail.\nprotection.outlook.com\n:25');
    expect(breakLong('contoso.validation-recipients-internal', 30)).toBe('contoso.validation-recipients-\ninternal');
    const report = fixtureReport('five-connectors');
    report.results[0]!.endpoint = 'contoso-com.mail.protection.outlook.com:25';
    const text = renderConsole(report, { color: false, width: 160, verbose: true });
    expect(text).toMatch(/│ contoso-com\.mail\.protection\. *│[^\n]*\n│ *│ outlook\.com:25 *│/);
    expect(text).not.toMatch(/contoso-com\.mail\.protectio?n?…/);
  });
});
