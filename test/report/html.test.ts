// The HTML report as a change-ticket reader and an attacker see it: every fact of the run, every
// server string escaped, no script, no external resource, small enough to attach.
import { describe, expect, it } from 'vitest';
import { CSP, renderHtml } from '../../src/report/html.js';
import { escapeHtml, html, httpUrl, linkify, raw, SafeUrl } from '../../src/report/html/template.js';
import { fixtureReport, HOSTILE_MARKUP, runReport } from './fixtures.js';
import { reportSchemaErrors } from '../helpers/report-schema.js';
import type { RunReport } from '../../src/types.js';

const ALLOWED_TAGS = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'main', 'header', 'footer', 'nav', 'section', 'h1', 'h2', 'h3', 'h4', 'p', 'div', 'span', 'b', 'strong', 'code', 'pre', 'br', 'a', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'details', 'summary']);

function tagsOf(doc: string): string[] {
  return [...doc.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => m[1].toLowerCase());
}

function minimal(over: Partial<RunReport> = {}): RunReport {
  return runReport({
    durationMs: 1200,
    summary: { pass: 1, warn: 0, fail: 0, error: 0, skipped: 0 },
    results: [{ check: 'dns.mx', status: 'pass', severity: 'high', title: 'MX points at Exchange Online', connector: null, endpoint: null, message: 'MX 0 contoso-com.mail.protection.outlook.com', remediation: '', durationMs: 1 }],
    ...over,
  });
}

describe('the html template', () => {
  it('escapes every interpolated value, in text and in quoted attributes', () => {
    const v = `<script>"'\`&`;
    expect(html`<p title="${v}">${v}</p>`.value).toBe('<p title="&lt;script&gt;&quot;&#39;&#96;&amp;">&lt;script&gt;&quot;&#39;&#96;&amp;</p>');
    expect(html`<p>${[v, html`<b>${v}</b>`]}</p>`.value).toBe('<p>&lt;script&gt;&quot;&#39;&#96;&amp;<b>&lt;script&gt;&quot;&#39;&#96;&amp;</b></p>');
    expect(html`<p>${null}${undefined}${false}${0}</p>`.value).toBe('<p>0</p>');
  });

  it('refuses templates that interpolate into handlers, style, unquoted or URL attributes', () => {
    const x = 'alert(1)';
    expect(() => html`<p onclick="${x}">`).toThrow(/event-handler/);
    expect(() => html`<p style="${x}">`).toThrow(/style/);
    expect(() => html`<p title=${x}>`).toThrow(/quoted/);
    expect(() => html`<a href="${x}">`).toThrow(/SafeUrl/);
    expect(() => html`<img src="${x}">`).toThrow(/SafeUrl/);
    expect(html`<a href="${httpUrl('https://learn.microsoft.com/x?a=1&b="2"')}">`.value).toBe('<a href="https://learn.microsoft.com/x?a=1&amp;b=%222%22">');
  });

  it('accepts only http and https URLs as links', () => {
    for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>', 'file:///etc/passwd', '//evil.example/x', '/relative', 'vbscript:x', ' java\u0000script:alert(1)']) {
      expect(httpUrl(bad), bad).toBeNull();
    }
    expect(httpUrl('http://example.com/a')).toBeInstanceOf(SafeUrl);
    const linked = linkify('See https://learn.microsoft.com/en-us/exchange/x. Or javascript:alert(1) and <b>');
    expect(linked.value).toBe('See <a href="https://learn.microsoft.com/en-us/exchange/x" rel="noopener noreferrer">https://learn.microsoft.com/en-us/exchange/x</a>. Or javascript:alert(1) and &lt;b&gt;');
  });

  it('strips control characters and ANSI escapes and cuts lines over 4 KB with a note', () => {
    expect(escapeHtml('a\u0000b\u001b[31mred\u001b[0m\u0007c')).toBe('abredc');
    const cut = escapeHtml(`${'x'.repeat(5000)}\nshort`);
    expect(cut).toMatch(/^x{4096} … \[904 more characters not shown\]\nshort$/);
    expect(raw('<b>').value).toBe('<b>');
  });
});

describe('the HTML report', () => {
  it('is rendered from fixture runs that follow the JSON report contract', () => {
    expect(reportSchemaErrors(fixtureReport('five-connectors'))).toEqual([]);
    expect(reportSchemaErrors(fixtureReport('hostile'))).toEqual([]);
  });

  const five = renderHtml(fixtureReport('five-connectors'));
  const hostile = renderHtml(fixtureReport('hostile'));

  it('keeps the HTML of a five-connector run under 500 KB', () => {
    const bytes = Buffer.byteLength(five);
    console.log(`five-connector HTML: ${bytes} bytes (${(bytes / 1024).toFixed(1)} KB)`);
    expect(bytes).toBeLessThan(500 * 1024);
  });

  it('is self-contained behind a strict content security policy, with no script and no external resource', () => {
    for (const doc of [five, hostile]) {
      expect(doc).toContain(`<meta http-equiv="Content-Security-Policy" content="${CSP.replace(/'/g, '&#39;')}">`);
      expect(CSP).toContain("default-src 'none'");
      const tags = new Set(tagsOf(doc));
      for (const t of ['script', 'link', 'img', 'iframe', 'object', 'embed', 'base', 'form', 'svg']) expect(tags.has(t), t).toBe(false);
      const styles = [...doc.matchAll(/<style>([\s\S]*?)<\/style>/g)];
      expect(styles).toHaveLength(1);
      expect(styles[0][1]).not.toMatch(/@import|url\(|@font-face/i);
      for (const href of doc.matchAll(/href="([^"]*)"/g)) expect(href[1]).toMatch(/^(#[a-z0-9-]+|https?:\/\/)/);
    }
  });

  it('lets none of a hostile server\'s markup through: only its own tags, no handlers, no control characters', () => {
    for (const bad of HOSTILE_MARKUP) expect(hostile, bad).not.toContain(bad);
    expect(new Set(tagsOf(hostile).filter((t) => !ALLOWED_TAGS.has(t)))).toEqual(new Set());
    for (const tag of hostile.matchAll(/<[a-zA-Z][^>]*>/g)) expect(tag[0]).not.toMatch(/\s(on[a-z]+|style|src|srcdoc|action)\s*=/i);
    expect(hostile).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/);
    expect(hostile).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    // The server's words are still there for the reader, as text.
    expect(hostile).toContain('&lt;script&gt;window.__pwned=1;alert(1)&lt;/script&gt;');
    expect(hostile).toContain(']]&gt;&lt;x&gt;');
    expect(hostile).toContain('more characters not shown');
  });

  it('links only to http(s): a javascript: URL in a remediation stays text', () => {
    expect(hostile).toContain('see javascript:window.__pwned=1');
    expect(hostile).not.toMatch(/href="(?!#|https?:)/);
  });

  it('heads the report with organization, domain, plan file, time, duration, verdict, counts and whether mail was sent', () => {
    for (const text of ['Contoso Ltd', 'contoso.com', '/etc/relaycheck/relaycheck.yaml', '2026-11-27 02:00:00 UTC', '8.7 s', '4 checks fail, 2 warnings — action needed', '<b>81</b> pass', 'Validation mail', 'Sent: 3 of 3 messages accepted']) {
      expect(five).toContain(text);
    }
    expect(renderHtml(minimal({ options: { send: false } }))).toContain('Not sent (--no-send)');
  });

  it('has one section per connector and account, domain-level results first, each with its verdict', () => {
    const headings = [...five.matchAll(/<div class="group-head"><h2>([^<]*)<\/h2><span class="badge s-(\w+)">/g)].map((m) => `${m[1]}: ${m[2]}`);
    expect(headings).toEqual([
      'Domain and plan: contoso.com: warn',
      'Office 365 SMTP relay TLS: pass',
      'Scanner relay Berlin: warn',
      'ERP relay (SAP): pass',
      'Office 365 SMTP relay TLS 2: fail',
      'Partner archive smart host: fail',
      'Scanner account: fail',
    ]);
    expect(five).toContain('<p class="eyebrow">Submission account</p>');
  });

  it('gives each failing check its message, what to do, the Exchange Online view and a copyable PowerShell line', () => {
    const start = five.indexOf('<td class="chk"><code>auth.sender-match</code>');
    const row = five.slice(start, five.indexOf('</tr>', start));
    expect(row).toContain('554 5.2.252 SendAsDenied: scanner@contoso.com may not send as scanner-fr@contoso.com');
    expect(row).toContain('<span class="lbl">What to do</span>Grant Send As');
    expect(row).toContain('<span class="lbl">In Exchange Online</span>');
    expect(row).toContain(
      '<pre class="ps">Add-RecipientPermission <span class="nw">-Identity</span> &#39;scanner-fr@contoso.com&#39; <span class="nw">-Trustee</span> &#39;scanner@contoso.com&#39; <span class="nw">-AccessRights</span> SendAs</pre>',
    );
    // the tags only keep "-Trustee" from wrapping apart: the text a reader copies is the command
    const ps = /<pre class="ps">([\s\S]*?)<\/pre>/.exec(row)![1].replace(/<[^>]+>/g, '').replace(/&#39;/g, "'");
    expect(ps).toBe("Add-RecipientPermission -Identity 'scanner-fr@contoso.com' -Trustee 'scanner@contoso.com' -AccessRights SendAs");
    expect(five).toMatch(/<a href="https:\/\/learn\.microsoft\.com\/en-us\/purview\/tls-1\.0-and-1\.1-deprecation-for-office-365" rel="noopener noreferrer">/);
  });

  it('shows the certificate each endpoint presented: subject, SANs, issuer chain, validity and SHA-256 fingerprints', () => {
    const report = fixtureReport('five-connectors');
    const expired = Object.values(report.certificates!).find((c) => c.subject.startsWith('CN=mail2.contoso.com'))!;
    const at = five.indexOf(`<dd class="fp">${expired.sha256}</dd>`);
    expect(at).toBeGreaterThan(0);
    const card = five.slice(five.lastIndexOf('<div class="cert">', at), five.indexOf('</div>\n</div>', at));
    expect(card).toContain('<dd>CN=mail2.contoso.com, O=Contoso Ltd, C=DE</dd>');
    expect(card).toContain('<dd>mail2.contoso.com</dd>');
    expect(card).toContain('<span class="badge s-fail">EXPIRED</span>');
    expect(card).toContain('Issuer chain (as sent)');
    expect(card).toContain('CN=Contoso Issuing CA 01');
    expect(card).toContain('CN=Contoso Internal Root CA');
    expect(five).toContain('Client certificate relaycheck presented');
    expect(five).toContain('<span class="badge s-warn">EXPIRES SOON</span>');
  });

  it('puts each session\'s transcript in a collapsible section once, under its endpoint', () => {
    const report = fixtureReport('five-connectors');
    expect((five.match(/<details class="transcript[ "]/g) ?? []).length).toBe(Object.keys(report.transcripts).length);
    expect(five).toContain('<summary>SMTP transcript of smtp.office365.com:587');
    expect(five).toContain('AUTH LOGIN ****');
    expect(five).not.toMatch(/<details[^>]* open/);
  });

  it('names what each transcript was for, calls DNS lookups DNS, and marks the ones whose checks all pass', () => {
    const lookups = [
      { t: 19, dir: 'send' as const, tls: false, line: 'MX contoso.com?' },
      { t: 20, dir: 'recv' as const, tls: false, line: 'contoso.com MX 0 contoso-com.mail.protection.outlook.com' },
    ];
    const doc = renderHtml(
      minimal({
        results: [
          { check: 'dns.mx', status: 'pass', severity: 'high', title: 'MX points at Exchange Online', connector: null, endpoint: null, message: 'MX 0 …', remediation: '', evidence: { transcript: 't1' }, durationMs: 1 },
          { check: 'dns.spf', status: 'fail', severity: 'high', title: 'SPF', connector: null, endpoint: null, message: 'no SPF record', remediation: 'Publish one.', evidence: { transcript: 't2' }, durationMs: 1 },
        ],
        transcripts: { t1: lookups, t2: [{ t: 5, dir: 'send', tls: false, line: 'TXT contoso.com?' }] },
      }),
    );
    expect(doc).not.toContain('SMTP transcript');
    expect(doc).toContain('<details class="transcript quiet" id="tx1"><summary>DNS lookups <span class="muted">&middot; for dns.mx &middot; 2 lines &middot; 0.02 s</span></summary>');
    expect(doc).toContain('<details class="transcript" id="tx2"><summary>DNS lookups <span class="muted">&middot; for dns.spf &middot; 1 line');
    expect(doc).toContain('C: the query relaycheck sent · S: the answer');
    // an endpoint's sessions say which checks they served, so two of them are told apart
    const berlin = five.slice(five.indexOf('<section class="group" id="s3">'), five.indexOf('<section class="group" id="s4">'));
    expect(berlin).toMatch(/<summary>SMTP transcript of contoso-com\.mail\.protection\.outlook\.com:25 <span class="muted">&middot; for [a-z.-]+, [a-z.-]+ and \d+ more checks &middot; \d+ lines &middot; /);
  });

  it('names the file of the client certificate relaycheck presented', () => {
    const doc = renderHtml(
      minimal({
        results: [
          { check: 'tls.client-certificate', status: 'fail', severity: 'high', title: 'Client certificate', connector: 'Relay', endpoint: 'contoso-com.mail.protection.outlook.com:25', message: 'the certificate has CN=relay.other.test', remediation: 'Reissue it.', evidence: { certSha256: 'AB'.repeat(32), certFile: '/etc/relaycheck/pki/relay.pem' }, durationMs: 1 },
        ],
      }),
    );
    const card = doc.slice(doc.indexOf('<div class="cert">'));
    expect(card).toContain('<span class="role">Client certificate relaycheck presented</span>');
    expect(card).toContain('<dt>File</dt><dd><code>/etc/relaycheck/pki/relay.pem</code></dd>');
  });

  it('shows what changed since the last run, or that this is the first run, or why it is unknown', () => {
    const changed = renderHtml(
      minimal({
        history: { previous: { startedAt: '2026-11-26T02:00:00.000Z', verdict: 'pass' } },
        changes: [{ kind: 'certificate-changed', endpoint: 'mail.contoso.com:25', connector: 'Relay', message: 'The certificate of mail.contoso.com:25 changed: SHA-256 AB:CD…' }],
      }),
    );
    expect(changed).toContain('What changed since the last run');
    expect(changed).toContain('<span class="badge s-info">CERTIFICATE</span><div>The certificate of mail.contoso.com:25 changed');
    expect(changed).toContain('the run of 2026-11-26 02:00:00 UTC (PASS)');
    expect(renderHtml(minimal({ history: { previous: { startedAt: '2026-11-26T02:00:00.000Z', verdict: 'pass' } }, changes: [] }))).toContain('Nothing changed since the run of 2026-11-26 02:00:00 UTC');
    expect(renderHtml(minimal({ history: {} }))).toContain('first recorded run of this plan');
    const broken = renderHtml(minimal({ history: { storeError: 'local store /x/relaycheck.sqlite: is locked by another relaycheck run' } }));
    expect(broken).toContain('<strong>History unavailable.</strong>local store /x/relaycheck.sqlite: is locked');
    expect(renderHtml(minimal())).not.toContain('What changed');
  });

  it('renders a bare report without certificates, transcripts or options', () => {
    const doc = renderHtml(minimal());
    expect(doc).toContain('Every check passes');
    expect(doc).toContain('Domain and plan: contoso.com');
    expect(doc.startsWith('<!doctype html>')).toBe(true);
  });
});
