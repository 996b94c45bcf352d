// The HTML report opened in a real headless Chromium (Debian's package, driven by playwright-core):
// a hostile server's report runs no script and sends no request, with and without its CSP; the
// five-connector report renders offline, prints on A4 with the transcripts behind problems open, and is saved as a
// screenshot in test-artifacts/ for a person to look at. In CI a missing Chromium fails this file.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderHtml } from '../../src/report/html.js';
import { chromiumPath, requirePeer } from '../peers/available.js';
import { fixtureReport } from './fixtures.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Watch {
  requests: string[];
  console: string[];
  dialogs: string[];
  errors: string[];
}

/** A page on which every request is counted and refused, and any script activity recorded. */
async function watchedPage(browser: Browser, viewport = { width: 1280, height: 1800 }): Promise<{ page: Page; watch: Watch }> {
  const context = await browser.newContext({ viewport, javaScriptEnabled: true, offline: true });
  const page = await context.newPage();
  const watch: Watch = { requests: [], console: [], dialogs: [], errors: [] };
  await page.route('**/*', (route) => {
    watch.requests.push(route.request().url());
    return route.abort();
  });
  page.on('request', (r) => {
    if (!watch.requests.includes(r.url())) watch.requests.push(r.url());
  });
  page.on('console', (m) => watch.console.push(m.text()));
  page.on('dialog', (d) => {
    watch.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => watch.errors.push(e.message));
  return { page, watch };
}

/** Pokes at the page as a reader would: hover every element that came from server text, tab through it. */
async function interact(page: Page): Promise<void> {
  for (const sel of ['h1', '.items li', '.results td', 'details.transcript > summary', '.cert dd']) {
    const all = page.locator(sel);
    const n = Math.min(await all.count(), 15);
    for (let i = 0; i < n; i++) await all.nth(i).hover({ force: true, timeout: 2000 }).catch(() => undefined);
  }
  for (let i = 0; i < 10; i++) await page.keyboard.press('Tab');
  await page.evaluate(() => document.querySelectorAll('details').forEach((d) => ((d as HTMLDetailsElement).open = true)));
}

const available = requirePeer('chromium');

describe.skipIf(!available)('the HTML report in headless Chromium', () => {
  let browser: Browser;
  const hostile = renderHtml(fixtureReport('hostile'));
  const five = renderHtml(fixtureReport('five-connectors'));

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: chromiumPath() ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('notices a script and a request when a page has them (the harness is not blind)', async () => {
    const { page, watch } = await watchedPage(browser);
    await page.setContent('<p>x</p><script>window.__pwned = 1; console.log("ran")</script><img src="http://127.0.0.1:9/beacon.png">', { waitUntil: 'load' });
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBe(1);
    expect(watch.console).toContain('ran');
    expect(watch.requests).toContain('http://127.0.0.1:9/beacon.png');
    await page.context().close();
  });

  it('runs no script and sends no request when a hostile server\'s report is opened', async () => {
    const { page, watch } = await watchedPage(browser);
    await page.setContent(hostile, { waitUntil: 'load' });
    await interact(page);
    const state = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: unknown }).__pwned,
      active: document.querySelectorAll('script, img, iframe, link, object, embed, svg, base, form, meta[http-equiv="refresh"]').length,
      handlers: [...document.querySelectorAll('*')].flatMap((el) => [...el.attributes].map((a) => a.name)).filter((n) => n.startsWith('on')),
      heading: document.querySelector('h1')?.textContent ?? '',
    }));
    expect(state.pwned).toBeUndefined();
    expect(state.active).toBe(0);
    expect(state.handlers).toEqual([]);
    expect(state.heading).toContain('<script>window.__pwned=1;alert(1)</script>'); // shown as text
    expect(watch.requests).toEqual([]);
    expect(watch.dialogs).toEqual([]);
    expect(watch.console).toEqual([]);
    expect(watch.errors).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}report-hostile.png` });
    await page.context().close();
  });

  it('stays inert even without its content security policy: escaping alone holds', async () => {
    const bare = hostile.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
    expect(bare).not.toContain('Content-Security-Policy');
    const { page, watch } = await watchedPage(browser);
    await page.setContent(bare, { waitUntil: 'load' });
    await interact(page);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(watch.requests).toEqual([]);
    expect(watch.dialogs).toEqual([]);
    expect(watch.console).toEqual([]);
    await page.context().close();
  });

  it('renders the five-connector report offline and saves a screenshot of it', async () => {
    expect(Buffer.byteLength(five)).toBeLessThan(500 * 1024);
    const { page, watch } = await watchedPage(browser);
    await page.setContent(five, { waitUntil: 'load' });
    const shown = await page.evaluate(() => ({
      sections: [...document.querySelectorAll('section.group h2')].map((h) => h.textContent),
      verdict: document.querySelector('.verdict-text')?.textContent,
      width: document.documentElement.scrollWidth,
    }));
    expect(shown.sections).toHaveLength(7);
    expect(shown.verdict).toBe('4 checks fail, 2 warnings — action needed');
    expect(shown.width).toBeLessThanOrEqual(1280); // long lines wrap instead of widening the page
    expect(watch.requests).toEqual([]);
    const file = `${ARTIFACTS}report.png`;
    await page.screenshot({ path: file });
    const png = readFileSync(file);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(png.length).toBeGreaterThan(20_000);
    await page.context().close();
  });

  it('prints each section on a new page with the transcripts behind a problem open, passing sessions as one line', async () => {
    const { page } = await watchedPage(browser);
    await page.setContent(five, { waitUntil: 'load' });
    const transcripts = () =>
      page.evaluate(() =>
        [...document.querySelectorAll('details.transcript')].map((d) => ({
          quiet: d.classList.contains('quiet'),
          open: (d as HTMLDetailsElement).open,
          visible: (d.querySelector('pre.tx') as HTMLElement).checkVisibility(),
          height: d.getBoundingClientRect().height,
        })),
      );
    const onScreen = await transcripts();
    expect(onScreen.filter((t) => t.quiet).length).toBeGreaterThan(0);
    expect(onScreen.filter((t) => !t.quiet).length).toBeGreaterThan(0);
    for (const t of onScreen) expect(t).toMatchObject({ open: false, visible: false }); // collapsed on screen
    await page.emulateMedia({ media: 'print' });
    const printed = await transcripts();
    for (const t of printed) expect(t.open).toBe(false);
    for (const [i, t] of printed.entries()) {
      if (t.quiet) {
        expect(t.visible).toBe(false);
        expect(t.height).toBeLessThan(onScreen[i].height + 40);
      } else {
        expect(t.visible).toBe(true);
        expect(t.height).toBeGreaterThan(onScreen[i].height + 100);
      }
    }
    const breaks = await page.evaluate(() => [...document.querySelectorAll('section.group')].map((s) => getComputedStyle(s).breakBefore));
    expect(new Set(breaks)).toEqual(new Set(['page']));
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    writeFileSync(`${ARTIFACTS}report.pdf`, pdf);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await page.context().close();
  });

  it('prints on A4 with the wide layout, and shows a phone the connector names: nothing squeezed to a letter a line', async () => {
    // An A4 page is about 700 CSS pixels wide: narrower than the phone breakpoint, which must not apply to print.
    const { page } = await watchedPage(browser, { width: 700, height: 1000 });
    await page.setContent(five, { waitUntil: 'load' });
    await page.emulateMedia({ media: 'print' });
    const layout = await page.evaluate(() => ({
      chk: Math.min(...[...document.querySelectorAll('.results td.chk')].map((td) => td.getBoundingClientRect().width)),
      idHeights: [...document.querySelectorAll('.results td.chk code')].map((c) => ({ id: c.textContent, lines: Math.round(c.getBoundingClientRect().height / parseFloat(getComputedStyle(c).lineHeight || '18')) })),
      certColumns: getComputedStyle(document.querySelector('.cert dl')!).gridTemplateColumns.split(' ').length,
      attentionColumns: getComputedStyle(document.querySelector('.items li')!).gridTemplateColumns.split(' ').length,
    }));
    expect(layout.chk).toBeGreaterThan(150);
    expect(layout.certColumns).toBe(2);
    expect(layout.attentionColumns).toBe(2);
    // a check id wraps at most once (after its "-"), never letter by letter
    for (const { id, lines } of layout.idHeights) expect(lines, id ?? '').toBeLessThanOrEqual(2);
    // on a phone the contents table keeps the connector names readable (each section repeats its counts)
    await page.emulateMedia({ media: 'screen' });
    await page.setViewportSize({ width: 400, height: 900 });
    const phone = await page.evaluate(() => ({
      name: document.querySelector('.toc td')!.getBoundingClientRect().width,
      width: document.documentElement.scrollWidth,
    }));
    expect(phone.name).toBeGreaterThan(150);
    expect(phone.width).toBeLessThanOrEqual(400);
    await page.context().close();
  });
});
