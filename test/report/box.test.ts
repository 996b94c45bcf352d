import { describe, expect, it } from 'vitest';
import { displayWidth, drawBox } from '../../src/report/box.js';
import { renderConsole } from '../../src/report/console.js';
import { fixtureReport } from './fixtures.js';

describe('the console frame', () => {
  it('draws rows of wrapped cells exactly as wide as asked, cutting what does not fit', () => {
    const lines = drawBox([[['FAIL'], ['smtp.connect', 'mail:25'], ['refused', '→ fix 1: open port 25']], [['PASS'], ['x'], ['全角の文字がはみ出さない長い行']]], [5, 12, 20]);
    expect(new Set(lines.map(displayWidth))).toEqual(new Set([5 + 12 + 20 + 3 * 3 + 1]));
    expect(lines[1]).toBe('│ FAIL  │ smtp.connect │ refused              │');
    expect(lines.some((l) => l.includes('…'))).toBe(true);
  });

  it('renders the console of a failing 100-endpoint plan in well under a second (cli-table3 took seconds)', () => {
    const base = fixtureReport('five-connectors');
    const results = [];
    for (let i = 0; i < 100; i++) for (const r of base.results) if (r.endpoint) results.push({ ...r, endpoint: `host${i}.contoso.com:25`, connector: `Connector ${i % 5}` });
    const t = performance.now();
    const text = renderConsole({ ...base, results }, { color: false, width: 100 });
    const ms = performance.now() - t;
    expect(text.split('\n').every((l) => displayWidth(l) <= 100)).toBe(true);
    expect(ms).toBeLessThan(2000);
  });
});
