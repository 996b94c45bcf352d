import { describe, expect, it } from 'vitest';
import { exitCodeFor, runPlan, selectChecks, narrowPlan, verdictOf, DEFAULT_TIMEOUTS, UNDECIDED_REMEDIATION, type Registry } from '../../src/runner/run.js';
import { builtinChecks, builtinProbes } from '../../src/registry.js';
import { planWithSmartHosts } from '../helpers/plans.js';
import type { CheckDefinition, ProbeDefinition, Subject } from '../../src/types.js';

const endpointKey = (s: Subject) => (s.scope === 'endpoint' ? s.endpoint.key : 'none');

function sleep(ms: number, signal?: AbortSignal) {
  return new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

function probe(id: string, run: ProbeDefinition['run'], after?: string[]): ProbeDefinition {
  return { id, scope: 'endpoint', key: endpointKey, run, after };
}

function check(id: string, requires: string[], evaluate: CheckDefinition['evaluate']): CheckDefinition {
  return { id, title: id, severity: 'medium', scope: 'endpoint', description: id, remediation: `fix ${id}`, requires, evaluate };
}

const options = { send: false, timeouts: DEFAULT_TIMEOUTS, concurrency: 4 };

describe('runPlan', () => {
  it('never runs more probes at once than the concurrency bound', async () => {
    let active = 0;
    let peak = 0;
    const registry: Registry = {
      probes: [probe('slow', async () => {
        active++;
        peak = Math.max(peak, active);
        await sleep(20);
        active--;
        return { ok: true };
      })],
      checks: [check('test.slow', ['slow'], () => ({ status: 'pass', message: 'ok' }))],
    };
    const report = await runPlan(planWithSmartHosts(12), registry, { ...options, concurrency: 3 });
    expect(peak).toBe(3);
    expect(report.summary.pass).toBe(12);
  });

  it('reports progress as done/total with the probe and endpoint a person can read', async () => {
    const seen: string[] = [];
    const counts: string[] = [];
    const registry: Registry = {
      probes: [probe('session', async () => ({ ok: true }))],
      checks: [check('test.a', ['session'], () => ({ status: 'pass', message: 'a' }))],
    };
    await runPlan(planWithSmartHosts(2), registry, {
      ...options,
      onProgress: (done, total, label) => {
        counts.push(`${done}/${total}`);
        seen.push(label);
      },
    });
    expect(counts).toEqual(['1/2', '2/2']);
    expect(seen.sort()).toEqual(['session host1.contoso.test:25', 'session host2.contoso.test:25']);
  });

  it('runs a probe once per endpoint however many checks need it', async () => {
    let runs = 0;
    const registry: Registry = {
      probes: [probe('session', async () => ({ n: ++runs }))],
      checks: [check('test.a', ['session'], () => ({ status: 'pass', message: 'a' })), check('test.b', ['session'], () => ({ status: 'pass', message: 'b' }))],
    };
    await runPlan(planWithSmartHosts(5), registry, options);
    expect(runs).toBe(5);
  });

  it('honours the deadline and still returns a partial report', async () => {
    const registry: Registry = {
      probes: [probe('maybe-slow', async (s, ctx) => {
        if (endpointKey(s).startsWith('host1.')) return { fast: true };
        await sleep(10_000, ctx.signal);
        return { fast: false };
      })],
      checks: [check('test.speed', ['maybe-slow'], () => ({ status: 'pass', message: 'answered' }))],
    };
    const started = Date.now();
    const report = await runPlan(planWithSmartHosts(3), registry, { ...options, timeouts: { ...DEFAULT_TIMEOUTS, deadlineMs: 200 } });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(report.options?.deadlineHit).toBe(true);
    expect(report.results.map((r) => r.status)).toEqual(['pass', 'error', 'error']);
    expect(report.results[1].message).toMatch(/deadline \(200 ms\) passed before this probe finished/);
  });

  it('does not end the run after 1 ms when the deadline is longer than a Node timer can wait', async () => {
    const registry: Registry = {
      probes: [probe('slowish', async (_s, ctx) => {
        await sleep(100, ctx.signal);
        return { ctxAborted: ctx.signal.aborted };
      })],
      checks: [check('test.slowish', ['slowish'], () => ({ status: 'pass', message: 'answered' }))],
    };
    const report = await runPlan(planWithSmartHosts(1), registry, { ...options, timeouts: { ...DEFAULT_TIMEOUTS, deadlineMs: 2 ** 31 + 5 } });
    expect(report.options?.deadlineHit).toBeUndefined();
    expect(report.results.map((r) => r.status)).toEqual(['pass']);
  });

  it('ends an interrupted run (Ctrl-C) with a partial report that says so, keeping what finished', async () => {
    const interrupt = new AbortController();
    let started = 0;
    const registry: Registry = {
      probes: [probe('hangs-after-first', async (s, ctx) => {
        if (endpointKey(s).startsWith('host1.')) return { fast: true };
        if (++started === 2) setTimeout(() => interrupt.abort(), 0); // Ctrl-C while both slow probes hang
        await sleep(60_000, ctx.signal);
        return { fast: false };
      })],
      checks: [check('test.hang', ['hangs-after-first'], () => ({ status: 'pass', message: 'answered' }))],
    };
    const report = await runPlan(planWithSmartHosts(3), registry, { ...options, signal: interrupt.signal });
    expect(report.options).toMatchObject({ interrupted: true });
    expect(report.options?.deadlineHit).toBeUndefined();
    expect(report.results.map((r) => [r.status, r.message])).toEqual([
      ['pass', 'answered'],
      ['error', 'could not decide: run interrupted before this probe finished'],
      ['error', 'could not decide: run interrupted before this probe finished'],
    ]);
    expect(exitCodeFor(report, 'fail')).toBe(1);
  });

  it('keeps the transcript a probe gathered before the deadline, while its checks cannot decide', async () => {
    const registry: Registry = {
      probes: [probe('hangs', async (_s, ctx) => {
        await sleep(10_000, ctx.signal);
        return { transcript: [{ t: 0, dir: 'recv', tls: false, line: '220 slow.contoso.test ESMTP' }, { t: 150, dir: 'info', tls: false, line: 'aborted while waiting for the EHLO reply' }] };
      })],
      checks: [check('test.hangs', ['hangs'], () => ({ status: 'pass', message: 'never judged' }))],
    };
    const report = await runPlan(planWithSmartHosts(1), registry, { ...options, timeouts: { ...DEFAULT_TIMEOUTS, deadlineMs: 150 } });
    expect(report.results[0]).toMatchObject({ status: 'error', message: "could not decide: the run's deadline (150 ms) passed before this probe finished" });
    expect(report.transcripts[report.results[0].evidence!.transcript as string].map((l) => l.line)).toEqual(['220 slow.contoso.test ESMTP', 'aborted while waiting for the EHLO reply']);
  });

  it('turns a probe that cannot produce data into error results for its dependants, not fails', async () => {
    const registry: Registry = {
      probes: [probe('broken', async () => ({ probeError: 'resolver unreachable' })), probe('crashing', async () => { throw new Error('boom'); })],
      checks: [check('test.needs-broken', ['broken'], () => ({ status: 'fail', message: 'never' })), check('test.needs-crashing', ['crashing'], () => ({ status: 'fail', message: 'never' }))],
    };
    const report = await runPlan(planWithSmartHosts(1), registry, options);
    expect(report.results.map((r) => [r.check, r.status, r.message])).toEqual([
      ['test.needs-broken', 'error', 'could not decide: resolver unreachable'],
      ['test.needs-crashing', 'error', 'could not decide: probe crashing crashed: boom'],
    ]);
    // The check's own remediation (here "fix test.needs-broken") is not what helps with an undecided result.
    expect(report.results.map((r) => r.remediation)).toEqual([UNDECIDED_REMEDIATION, UNDECIDED_REMEDIATION]);
    expect(report.verdict).toBe('error');
    expect(exitCodeFor(report, 'fail')).toBe(1);
  });

  it('reports a check that throws as an error naming the check', async () => {
    const registry: Registry = { probes: [], checks: [check('test.buggy', [], () => { throw new TypeError('cannot read x of undefined'); })] };
    const report = await runPlan(planWithSmartHosts(1), registry, options);
    expect(report.results[0]).toMatchObject({ check: 'test.buggy', status: 'error' });
    expect(report.results[0].message).toBe('check test.buggy threw: cannot read x of undefined (a bug in the check, not in the target)');
  });

  it('passes the data of a probe to the probes that run after it', async () => {
    const registry: Registry = {
      probes: [probe('first', async () => ({ value: 21 })), probe('second', async (_s, ctx) => ({ value: (ctx.deps.first as { value: number }).value * 2 }), ['first'])],
      checks: [check('test.chain', ['second'], ({ probes }) => ({ status: 'pass', message: String((probes.second as { value: number }).value) }))],
    };
    const report = await runPlan(planWithSmartHosts(1), registry, options);
    expect(report.results[0].message).toBe('42');
  });

  it('links results to the transcript of the probe they used', async () => {
    const registry: Registry = {
      probes: [probe('talk', async () => ({ transcript: [{ t: 0, dir: 'recv', tls: false, line: '220 hello' }] }))],
      checks: [check('test.talk', ['talk'], () => ({ status: 'pass', message: 'ok' }))],
    };
    const report = await runPlan(planWithSmartHosts(2), registry, options);
    expect(Object.keys(report.transcripts)).toEqual(['t1', 't2']);
    expect(report.results.map((r) => r.evidence?.transcript).sort()).toEqual(['t1', 't2']);
  });

  it('scrubs the plan\'s secrets from every string of the report', async () => {
    const plan = { ...planWithSmartHosts(1), secrets: ['S3cret-Passw0rd'] };
    const registry: Registry = {
      probes: [probe('leaky', async () => ({ transcript: [{ t: 0, dir: 'recv', tls: true, line: `535 bad password S3cret-Passw0rd ${Buffer.from('S3cret-Passw0rd').toString('base64')}` }] }))],
      checks: [check('test.leaky', ['leaky'], () => ({ status: 'fail', message: 'server said S3cret-Passw0rd' }))],
    };
    const text = JSON.stringify(await runPlan(plan, registry, options));
    expect(text).not.toContain('S3cret-Passw0rd');
    expect(text).not.toContain(Buffer.from('S3cret-Passw0rd').toString('base64').replace(/=+$/, ''));
    expect(text).toContain('server said ****');
  });
});

describe('selecting checks and connectors', () => {
  it('selects a whole area by its prefix and rejects selectors that match nothing', () => {
    const ids = selectChecks(builtinChecks, ['config']).map((c) => c.id);
    expect(ids.every((id) => id.startsWith('config.'))).toBe(true);
    expect(ids.length).toBeGreaterThan(0);
    expect(() => selectChecks(builtinChecks, ['nonsense.check'])).toThrow('--only: no check matches "nonsense.check"');
  });

  it('narrows the plan to the named connectors and names the choices when a name is unknown', () => {
    const plan = planWithSmartHosts(3);
    expect(narrowPlan(plan, ['smart host 2']).connectors.map((c) => c.name)).toEqual(['Smart host 2']);
    expect(() => narrowPlan(plan, ['Nope'])).toThrow('no connector or submission account is named "Nope" (the plan has: Smart host 1, Smart host 2, Smart host 3)');
  });

  it('reads FAIL when a run has failures and undecided checks, and ERROR only without failures', () => {
    expect(verdictOf([{ status: 'error' }, { status: 'fail' }, { status: 'pass' }])).toBe('fail');
    expect(verdictOf([{ status: 'error' }, { status: 'warn' }])).toBe('error');
  });

  it('exits 1 on a warning only when --fail-on warn', () => {
    const report = { results: [{ status: 'warn' as const }, { status: 'pass' as const }] } as Parameters<typeof exitCodeFor>[0];
    expect(exitCodeFor(report, 'fail')).toBe(0);
    expect(exitCodeFor(report, 'warn')).toBe(1);
  });

  it('registers every built-in check against a known probe', () => {
    const probeIds = new Set(builtinProbes.map((p) => p.id));
    for (const c of builtinChecks) for (const r of c.requires) expect(probeIds.has(r), `${c.id} needs ${r}`).toBe(true);
  });
});
