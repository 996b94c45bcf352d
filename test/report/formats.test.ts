import { describe, expect, it } from 'vitest';
import { FORMATS } from '../../src/report/formats.js';
import { FORMAT_NAMES } from '../../src/report/output.js';

describe('report formats', () => {
  it('has a renderer for every format the command line offers, in the same order', () => {
    expect(FORMATS.map((f) => f.name)).toEqual(FORMAT_NAMES);
    for (const f of FORMATS) expect(typeof f.render, f.name).toBe('function');
  });
});
