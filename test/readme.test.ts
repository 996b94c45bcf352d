import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderCatalogue } from '../src/commands/checks.js';
import { builtinChecks } from '../src/registry.js';

describe('README', () => {
  it('lists every check of the registry as generated (run "npm run docs" when this fails)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const table = /<!-- checks:start -->\n([\s\S]*)<!-- checks:end -->/.exec(readme)?.[1];
    expect(table).toBe(renderCatalogue(builtinChecks, 'markdown'));
  });

  it('gives every check a title, a description and a remediation', () => {
    for (const c of builtinChecks) {
      expect(c.title, c.id).toBeTruthy();
      expect(c.description, c.id).toBeTruthy();
      expect(c.remediation, c.id).toBeTruthy();
    }
  });
});
