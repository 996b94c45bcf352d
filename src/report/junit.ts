// JUnit XML for CI pipelines: one <testsuite> per connector / submission account (domain-level
// results in their own suite), one <testcase> per check and endpoint (classname = check id).
// fail → <failure>, error → <error>, skipped → <skipped/>. A warn is a passing testcase with a
// <system-out> note: relaycheck exits 0 on warnings by default (--fail-on fail), and a CI job that
// reads JUnit should agree with the exit code. What changed since the last run goes into the
// suites' <properties> and <system-out>.
//
// Well-formed for any server text: no CDATA (so "]]>" is just text), &<>"' escaped, characters
// illegal in XML 1.0 (C0 controls, lone surrogates, U+FFFE/U+FFFF) and ANSI escapes removed.
import { stripControl } from './sanitize.js';
import { domainSectionTitle, sectionsOf, summaryOf, STATUS_LABEL, statusOf, type Section } from './model.js';
import type { ChangeEntry, CheckResult, RunReport } from '../types.js';

// Everything outside XML 1.0's Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
const ILLEGAL_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
/** Longest text per element or attribute; server lines are bounded, but a report can be hand-made. */
const MAX_TEXT = 16_384;

export function xmlText(value: unknown, max = MAX_TEXT): string {
  let text = stripControl(String(value ?? '')).replace(ILLEGAL_XML, '');
  if (text.length > max) text = `${text.slice(0, max)} … [${text.length - max} more characters not shown]`;
  return text.replace(/[&<>"']/g, (c) => XML_ENTITIES[c]);
}

/** Attribute values: also keep tabs and line breaks (parsers normalize raw ones to spaces). */
export function xmlAttr(value: unknown, max = 1024): string {
  return xmlText(value, max).replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

function seconds(ms: unknown): string {
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? (ms / 1000).toFixed(3) : '0.000';
}

/**
 * Unique in the whole file: Jenkins lists cases by classname across suites, and GitLab keys them
 * by classname and name, so the connector is named even with the endpoint — every inbound
 * connector of a tenant shares its one MX endpoint.
 */
function caseName(r: CheckResult): string {
  if (r.endpoint) return r.connector ? `${r.check} @ ${r.endpoint} (${r.connector})` : `${r.check} @ ${r.endpoint}`;
  return r.connector ? `${r.check} (${r.connector})` : r.check;
}

function details(r: CheckResult): string {
  const parts = [r.message];
  if (r.remediation) parts.push(`What to do: ${r.remediation}`);
  if (r.exchangeOnline) parts.push(`In Exchange Online: ${r.exchangeOnline}`);
  if (r.powershell) parts.push(`PowerShell:\n${r.powershell}`);
  return parts.join('\n\n');
}

function testcase(r: CheckResult): string {
  const status = statusOf(r.status);
  const open = `    <testcase classname="${xmlAttr(r.check)}" name="${xmlAttr(caseName(r))}" time="${seconds(r.durationMs)}"`;
  const type = typeof r.severity === 'string' ? r.severity : status;
  switch (status) {
    case 'pass':
      return `${open}/>`;
    case 'warn':
      return `${open}>\n      <system-out>${xmlText(`WARN: ${details(r)}`)}</system-out>\n    </testcase>`;
    case 'skipped':
      return `${open}>\n      <skipped message="${xmlAttr(r.message)}"/>\n    </testcase>`;
    case 'fail':
      return `${open}>\n      <failure message="${xmlAttr(r.message)}" type="${xmlAttr(type)}">${xmlText(`${r.title}\n${details(r)}`)}</failure>\n    </testcase>`;
    case 'error':
      return `${open}>\n      <error message="${xmlAttr(r.message)}" type="could-not-decide">${xmlText(`${r.title}\n${details(r)}`)}</error>\n    </testcase>`;
  }
}

function suite(report: RunReport, section: Section, id: number, changes: ChangeEntry[], extraProps: [string, string][]): string {
  const s = section.summary;
  const time = section.results.reduce((t, r) => t + (typeof r.result.durationMs === 'number' && Number.isFinite(r.result.durationMs) ? r.result.durationMs : 0), 0);
  const props: [string, string][] = [
    ['relaycheck.connector', section.connector ?? ''],
    ['relaycheck.verdict', section.verdict],
    ...extraProps,
    ...changes.map((c, i): [string, string] => [`relaycheck.change.${i + 1}.${c.kind}`, c.message]),
  ];
  const out = [
    `  <testsuite name="${xmlAttr(section.title)}" id="${id}" package="relaycheck" tests="${section.results.length}" failures="${s.fail}" errors="${s.error}" skipped="${s.skipped}" time="${seconds(time)}" timestamp="${xmlAttr(String(report.startedAt).replace(/\.\d+Z$/, ''))}" hostname="relaycheck">`,
    '    <properties>',
    ...props.map(([name, value]) => `      <property name="${xmlAttr(name)}" value="${xmlAttr(value)}"/>`),
    '    </properties>',
    ...section.results.map((r) => testcase(r.result)),
  ];
  const notes: string[] = [];
  if (section.summary.warn) notes.push(`${section.summary.warn} warning(s): passing testcases with a WARN note.`);
  if (changes.length) notes.push(`Changes since the previous run:\n${changes.map((c) => `- ${c.message}`).join('\n')}`);
  if (notes.length) out.push(`    <system-out>${xmlText(notes.join('\n\n'), MAX_TEXT * 4)}</system-out>`);
  out.push('  </testsuite>');
  return out.join('\n');
}

export function renderJunit(report: RunReport): string {
  const sections = sectionsOf(report);
  const changes = report.changes ?? [];
  // A change belongs to the suite of its connector; the rest (or a connector without results this
  // time) goes to the domain-level suite, which is added when it has nothing else to hold.
  const names = new Set(sections.map((s) => s.connector));
  const byConnector = new Map<string | null, ChangeEntry[]>();
  for (const c of changes) {
    const key = c.connector && names.has(c.connector) ? c.connector : null;
    if (!byConnector.has(key)) byConnector.set(key, []);
    byConnector.get(key)!.push(c);
  }
  const runProps: [string, string][] = [
    ['relaycheck.plan', report.plan?.file ?? ''],
    ['relaycheck.organization', report.plan?.organization ?? ''],
    ['relaycheck.domain', report.plan?.domain ?? ''],
    ['relaycheck.startedAt', String(report.startedAt)],
    ['relaycheck.mailSent', report.options ? String(report.options.send) : 'unknown'],
  ];
  if (report.history?.previous) runProps.push(['relaycheck.previousRun', report.history.previous.startedAt]);
  if (report.history?.storeError) runProps.push(['relaycheck.storeError', report.history.storeError]);
  if (!names.has(null) && (byConnector.has(null) || report.history?.storeError)) {
    sections.unshift({ connector: null, title: domainSectionTitle(report), results: [], endpoints: [], summary: { pass: 0, warn: 0, fail: 0, error: 0, skipped: 0 }, verdict: 'pass' });
  }
  const suites = sections.map((s, i) => suite(report, s, i, byConnector.get(s.connector) ?? [], i === 0 ? runProps : []));
  const s = summaryOf(report);
  const tests = report.results.length;
  const name = `relaycheck ${report.plan?.organization ?? report.plan?.domain ?? ''} — ${STATUS_LABEL[statusOf(report.verdict)]}`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlAttr(name)}" tests="${tests}" failures="${s.fail}" errors="${s.error}" skipped="${s.skipped}" time="${seconds(report.durationMs)}" timestamp="${xmlAttr(String(report.startedAt).replace(/\.\d+Z$/, ''))}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
