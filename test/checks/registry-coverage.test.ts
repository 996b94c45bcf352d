// Every check in src/registry.ts has a testCheck() call (test/helpers/check-tester.ts) with at
// least one passing case and one case that warns or fails (DESIGN §5), found by reading the test
// files (see registry-coverage.ts for why statically).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtinChecks } from '../../src/registry.js';
import type { CheckDefinition } from '../../src/types.js';
import { scanTestFile, testFiles, type CheckTestCall } from './registry-coverage.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const REGISTRY = join(ROOT, 'src/registry.ts');

/** The check modules src/registry.ts imports, by check id. */
async function registeredModules(): Promise<Map<string, string>> {
  const byId = new Map<string, string>();
  for (const m of readFileSync(REGISTRY, 'utf8').matchAll(/^import\s+\w+\s+from\s+'(\.\.\/checks\/[^']+)\.js';$/gm)) {
    const module = resolve(dirname(REGISTRY), m[1]!);
    const check = ((await import(pathToFileURL(`${module}.ts`).href)) as { default: CheckDefinition }).default;
    byId.set(check.id, module);
  }
  return byId;
}

/** What a check's testCheck calls add up to, summed over all test files. */
function coverage(calls: CheckTestCall[], module: string) {
  const mine = calls.filter((c) => c.module === module);
  return {
    files: mine.map((c) => c.file.slice(ROOT.length + 1)),
    valid: mine.reduce((n, c) => n + c.valid, 0),
    warnOrFail: mine.reduce((n, c) => n + c.invalidWarnOrFail, 0),
  };
}

describe('check test coverage', () => {
  it('finds the module of every registered check', async () => {
    const modules = await registeredModules();
    expect([...modules.keys()].sort()).toEqual(builtinChecks.map((c) => c.id).sort());
  });

  it('has, for every registered check, a testCheck() with a passing case and a case that warns or fails', async () => {
    const modules = await registeredModules();
    const calls = testFiles(join(ROOT, 'test')).flatMap((f) => scanTestFile(f));
    const missing: string[] = [];
    for (const [id, module] of modules) {
      const c = coverage(calls, module);
      if (!c.files.length) missing.push(`${id}: no testCheck(<${module.slice(ROOT.length + 1)}>, …) in test/`);
      else if (!c.valid) missing.push(`${id}: no literal valid case in ${c.files.join(', ')}`);
      else if (!c.warnOrFail) missing.push(`${id}: no literal invalid case with status 'warn' or 'fail' in ${c.files.join(', ')}`);
    }
    expect(missing).toEqual([]);
  });
});

describe('the test-file scan', () => {
  const file = '/repo/test/checks/dns/x.test.ts';
  const scan = (body: string) => scanTestFile(file, `import check from '../../../checks/dns/x.js';\n${body}`);

  it('counts literal cases in valid and invalid, and the invalid ones that warn or fail', () => {
    const [call] = scan(`testCheck(check, {
      defaults: { plan, probes: { 'x': [1, 2] } },
      valid: [{ name: 'a', message: /^\\[a]{1}[/]\\[/ }, { name: 'b, c', message: \`x \${[1].map((n) => ({ n })).length} }\` }],
      invalid: [
        { name: 'c', status: 'error' }, // { status: 'fail' } in a comment
        { name: 'd', probes: { status: 'fail' }, status: 'skipped' },
        { name: "e's", status: "warn" },
        ...more,
      ],
    });`);
    expect(call).toEqual({ module: '/repo/checks/dns/x', file, valid: 2, invalid: 3, invalidWarnOrFail: 1 });
  });

  it('sees a list that lost its last case', () => {
    expect(scan(`testCheck(check, { valid: [{ name: 'a' }], invalid: [] });`)[0]).toMatchObject({ valid: 1, invalid: 0, invalidWarnOrFail: 0 });
    expect(scan(`testCheck(check, { valid: [...generated], invalid: [{ name: 'b', status: 'fail' }] });`)[0]).toMatchObject({ valid: 0, invalid: 1, invalidWarnOrFail: 1 });
  });

  it('ignores calls on checks that are not imported from checks/, and commented-out calls', () => {
    expect(scan(`// testCheck(check, { valid: [{}], invalid: [{ status: 'fail' }] });\ntestCheck(other, { valid: [{}], invalid: [{ status: 'fail' }] });`)).toEqual([]);
  });
});
