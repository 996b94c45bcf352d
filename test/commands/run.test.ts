// `relaycheck run`'s own argument checks: timer values Node cannot wait for are refused.
import { describe, expect, it } from 'vitest';
import { timeoutsFrom } from '../../src/commands/run.js';
import { MAX_TIMER_MS } from '../../src/runner/run.js';
import { runCli } from '../helpers/cli.js';

describe('--timeout and --deadline', () => {
  it('refuses values above 2^31-1 ms, which a Node timer would fire after 1 ms', () => {
    expect(() => timeoutsFrom({ deadline: 2 ** 31 })).toThrow(/--deadline: must be at most 2147483647 ms/);
    expect(() => timeoutsFrom({ timeout: 3_000_000_000 })).toThrow(/--timeout: must be at most 2147483647 ms/);
    expect(timeoutsFrom({ deadline: MAX_TIMER_MS }).deadlineMs).toBe(MAX_TIMER_MS);
  });

  it('keeps the deadline a timer can wait for when a long --timeout raises it', () => {
    expect(timeoutsFrom({ timeout: 1_000_000_000 }).deadlineMs).toBe(MAX_TIMER_MS);
  });

  it('exits 2 with a usage line for `run --deadline 9999999999`', async () => {
    const r = await runCli(['run', '--deadline', '9999999999', '-c', '/nonexistent/relaycheck.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--deadline: must be at most 2147483647 ms/);
  });
});
