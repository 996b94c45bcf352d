// The quota follows the account, not the report folder (issue 13.7): five `relaycheck run`
// processes started at once, each with its own --out folder, against a plan that allows one
// message a day, deliver exactly one message; the runs that sent nothing never claim one.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExoSubmission, type ExoSubmissionServer } from '../../src/lab/exo-submission.js';
import { runCli } from '../helpers/cli.js';
import { labPki, serverCert, tempDir } from '../helpers/exo.js';
import type { RunReport } from '../../src/types.js';

const PASSWORD = 'pw-concurrent-9f2c';
let sub: ExoSubmissionServer;
let root: string;

beforeAll(async () => {
  const pki = await labPki();
  root = pki.root.certPem;
  sub = await startExoSubmission({ ...(await serverCert(pki, 'smtp.contoso.test')), users: [{ username: 'scanner@contoso.test', password: PASSWORD }] });
});
afterAll(async () => {
  await sub?.close();
});

describe('five runs at once with five --out folders', () => {
  it('deliver exactly one message under messagesPerDay: 1, and the others say nothing was sent', async () => {
    const dir = tempDir();
    const state = tempDir('relaycheck-state-');
    writeFileSync(join(dir, 'root.pem'), root);
    writeFileSync(
      join(dir, 'relaycheck.yaml'),
      `version: 1
domain: contoso.test
trust: { system: false, ca: [./root.pem] }
resolve: { "smtp.contoso.test:${sub.port}": 127.0.0.1 }
submission:
  - { name: Scanner, endpoint: "smtp.contoso.test:${sub.port}", username: scanner@contoso.test, password: { env: SUB_PW }, from: scanner@contoso.test, validation: { to: [it@contoso.test] } }
limits: { messagesPerDay: 1 }
`,
    );
    const before = sub.messages.length;
    const runs = await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        runCli(['run', '-c', 'relaycheck.yaml', '--only', 'send.validation,limits.quota', '--format', 'json', '--out', `out-${i}`], {
          cwd: dir,
          env: { SUB_PW: PASSWORD, XDG_STATE_HOME: state, STATE_DIRECTORY: undefined },
          timeoutMs: 90_000,
        }),
      ),
    );
    expect(sub.messages.length - before).toBe(1);
    const reports = runs.map((r, i) => {
      const out = join(dir, `out-${i + 1}`);
      const file = readdirSync(out).find((f) => f.endsWith('.json'));
      expect(file, `run ${i + 1}: ${r.stderr}`).toBeDefined();
      return JSON.parse(readFileSync(join(out, file!), 'utf8')) as RunReport;
    });
    const sent = reports.filter((r) => r.results.some((x) => x.check === 'send.validation' && x.status === 'pass'));
    expect(sent).toHaveLength(1);
    for (const r of reports.filter((x) => !sent.includes(x))) {
      const validation = r.results.find((x) => x.check === 'send.validation')!;
      expect(validation.status).toBe('skipped');
      expect(validation.message).toMatch(/the daily message limit would be passed: scanner@contoso\.test sent 1 message in the last 24 hours; messagesPerDay is 1/);
      const quota = r.results.find((x) => x.check === 'limits.quota')!;
      expect(quota.message).not.toContain('this run included');
      expect(quota.evidence).toMatchObject({ sentThisRun: 0, store: join(state, 'relaycheck', 'send-log.sqlite') });
    }
  }, 120_000);
});
