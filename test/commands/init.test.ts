import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('relaycheck init', () => {
  it('writes a schema reference that resolves from any folder, not one into a node_modules the plan folder does not have', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaycheck-init-schema-'));
    const r = await runCli(['init'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('npx relaycheck');
    const ref = /^# yaml-language-server: \$schema=(\S+)$/m.exec(readFileSync(join(dir, 'relaycheck.yaml'), 'utf8'))?.[1];
    expect(ref).toMatch(/^file:\/\//);
    expect(existsSync(fileURLToPath(ref!))).toBe(true);
  });
});
