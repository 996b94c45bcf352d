// `relaycheck checks`: the catalogue of checks (id, severity, what it verifies, what it needs).
import Table from 'cli-table3';
import type { CheckDefinition } from '../types.js';

const SCOPE_TEXT: Record<CheckDefinition['scope'], string> = { plan: 'plan', domain: 'domain', entry: 'connector / account', endpoint: 'endpoint' };

export function renderCatalogue(checks: CheckDefinition[], format: 'table' | 'markdown' | 'json'): string {
  if (format === 'json') {
    return `${JSON.stringify(checks.map((c) => ({ id: c.id, title: c.title, severity: c.severity, scope: c.scope, requires: c.requires, description: c.description })), null, 2)}\n`;
  }
  if (format === 'markdown') {
    const esc = (s: string) => s.replace(/\|/g, '\\|');
    const rows = checks.map((c) => `| \`${c.id}\` | ${c.severity} | ${SCOPE_TEXT[c.scope]} | ${esc(c.description)} | ${c.requires.length ? c.requires.join(', ') : 'the plan'} |`);
    return ['| id | severity | subject | verifies | needs |', '|---|---|---|---|---|', ...rows].join('\n') + '\n';
  }
  const table = new Table({ head: ['Check', 'Severity', 'Subject', 'Verifies', 'Needs'], colWidths: [30, 10, 12, 56, 16], wordWrap: true, style: { head: [], border: [] } });
  for (const c of checks) table.push([c.id, c.severity, SCOPE_TEXT[c.scope], c.description, c.requires.join(', ') || 'the plan']);
  return `${table.toString()}\n${checks.length} checks.\n`;
}
