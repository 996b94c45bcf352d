// The plugin API ships as declarations (package.json exports "./plugin"): the example plugin
// type-checks against them, and a plugin with mistakes a plugin author would make does not.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
// Inside the package, so that `relaycheck/plugin` resolves to its own exports.
mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
const scratch = mkdtempSync(join(ROOT, 'test-artifacts', 'plugin-api-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function typeCheck(project: string) {
  const r = spawnSync(process.execPath, [TSC, '-p', project, '--pretty', 'false'], { encoding: 'utf8' });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('the plugin API declarations', () => {
  it('type-check the example plugin', () => {
    const r = typeCheck(join(ROOT, 'fixtures', 'plugins'));
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
  });

  it('catch a wrong severity, a misspelt status and an endpoint read without narrowing the subject', () => {
    writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify({ extends: '../../fixtures/plugins/tsconfig.json', files: ['bad-plugin.mjs'] }));
    writeFileSync(
      join(scratch, 'bad-plugin.mjs'),
      `/** @type {import('relaycheck/plugin').PluginModule} */
export default {
  checks: [{
    id: 'contoso.bad', title: 'x', description: 'x', remediation: 'x', requires: [],
    severity: 'urgent',
    scope: 'endpoint',
    evaluate({ subject }) { return { status: 'passed', message: subject.endpoint.host }; },
  }],
};
`,
    );
    const r = typeCheck(scratch);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('"urgent"');
    expect(r.output).toContain('"passed"');
    expect(r.output).toMatch(/Property 'endpoint' does not exist/);
  });
});
