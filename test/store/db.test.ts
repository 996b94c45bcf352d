// Opening the local store: a link planted under the name of one of SQLite's side files (-wal,
// -shm, -journal) in a folder others can write to is refused, not written through.
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.js';

describe('openStore', () => {
  for (const suffix of ['-wal', '-shm', '-journal']) {
    it(`refuses a store whose ${suffix} file is a symbolic link, leaving its target untouched`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'relaycheck-store-'));
      const victim = join(dir, 'victim');
      writeFileSync(victim, 'precious');
      const file = join(dir, 'relaycheck.sqlite');
      symlinkSync(victim, `${file}${suffix}`);
      expect(() => openStore(file)).toThrow(new RegExp(`local store .*relaycheck\\.sqlite: .*relaycheck\\.sqlite${suffix} is a symbolic link; relaycheck does not write through it`));
      expect(readFileSync(victim, 'utf8')).toBe('precious');
    });
  }
});
