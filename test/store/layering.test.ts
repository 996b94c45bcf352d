import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const STORE = fileURLToPath(new URL('../../src/store/', import.meta.url));

describe('the store', () => {
  it('does not depend on the report model or the renderers', () => {
    const offenders = readdirSync(STORE)
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /from '\.\.\/report\//.test(readFileSync(`${STORE}${f}`, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
