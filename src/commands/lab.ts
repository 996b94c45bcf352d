// `relaycheck lab`: bring up the built-in lab (src/lab/lab.ts), write its plan, run every check of
// the plan through the normal run path (src/commands/run.ts: console, HTML and JSON reports, the
// local store), print where everything is, and stop every server — after the run, on an error,
// and on Ctrl-C. Exits with the run's code: 0 for a clean lab, 1 when --break injected faults.
import { relative } from 'node:path';
import { rootCertificates } from 'node:tls';
import { UsageError } from '../errors.js';
import { startLab, type Lab } from '../lab/lab.js';
import { FAULTS, parseFaults } from '../lab/faults.js';
import type { LabPorts } from '../lab/plan.js';
import { SHARED_MTA_STS_PORT } from '../probes/mta-sts.js';
import { builtinChecks } from '../registry.js';
import { parseFormats } from '../report/output.js';
import { clip, terminalWidth, wrap } from '../report/wrap.js';
import { DEFAULT_CONCURRENCY, selectChecks } from '../runner/run.js';
import { setSystemRoots } from '../tls/trust.js';
import { runAndReport, type Io, type RunOutcome } from './run.js';

/** Every network step of the lab run: loopback servers answer in milliseconds. */
export const LAB_TIMEOUT_MS = 5000;
export const LAB_DEADLINE_MS = 60_000;

export interface LabArgs {
  /** the lab folder: plan, pki/, secrets/ and the reports */
  out: string;
  break?: string[];
  format: string[];
  failOn: 'warn' | 'fail';
  /** false (--no-send): sessions and certificates only */
  send: boolean;
  only?: string[];
  skip?: string[];
  /** the run's clock (tests of date-bound faults such as basic-auth) */
  now?: () => Date;
}

export interface LabResult extends Partial<RunOutcome> {
  code: number;
  planFile?: string;
  /** where the lab's servers listened (they are stopped when runLab returns) */
  ports?: LabPorts;
  /** Ctrl-C arrived before the run started: nothing was checked */
  interrupted?: boolean;
}

function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

export async function labCommand(args: LabArgs, io: Io): Promise<number> {
  return (await runLab(args, io)).code;
}

export async function runLab(args: LabArgs, io: Io): Promise<LabResult> {
  // Everything that can be refused is refused before a server starts.
  const faults = parseFaults(args.break);
  const formats = parseFormats(args.format);
  selectChecks(builtinChecks, args.only, args.skip);
  if (args.out === '-') throw new UsageError([{ path: '--out', message: 'the lab writes its plan, certificates and reports into a folder: give a folder, not -' }]);

  // Ctrl-C before the run starts: stop what started and leave (exit 130). During the run,
  // run.ts's own handler ends it with a partial report; the servers stop after it either way.
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  let lab: Lab | undefined;
  try {
    if (io.stderrIsTty) io.stderr(`relaycheck lab: generating a PKI and starting the lab servers${faults.length ? ` (faults: ${faults.join(', ')})` : ''}…\n`);
    lab = await startLab({ dir: args.out, faults });
    io.stdout(
      [
        ...(faults.length
          ? ['relaycheck lab: faults injected:', ...faults.flatMap((f) => wrap(`  - ${f}: ${FAULTS[f].does}`, terminalWidth(io.width), '    '))]
          : ['relaycheck lab: a correct set-up; try --break expired-cert to see a failure']),
        ...lab.describe().map((l) => clip(`  ${l}`, terminalWidth(io.width))),
        `  plan: ${shown(lab.planFile)}`,
        '',
      ].join('\n'),
    );
    if (interrupted) {
      io.stderr('relaycheck lab: interrupted before the run started; the lab servers are stopped.\n');
      return { code: 130, interrupted: true, planFile: lab.planFile, ports: lab.ports };
    }

    // run.ts prints "Reports: …" on a terminal; the lab says it below, with the plan, every time.
    const runIo: Io = { ...io, stderr: (t) => (t.startsWith('Reports: ') ? undefined : io.stderr(t)) };
    // The lab's root CA plays the part of a public CA (as DigiCert does for Exchange Online): the
    // lab's Exchange Online trusts it, so the checks that ask "is this root public?" count it as
    // one for this run. Reset afterwards.
    const rootPem = lab.rootPem;
    setSystemRoots(() => [...rootCertificates, rootPem]);
    let outcome: RunOutcome;
    try {
      outcome = await runAndReport(
        {
          config: lab.planFile,
          only: args.only,
          skip: args.skip,
          format: formats,
          out: args.out,
          failOn: args.failOn,
          send: args.send,
          timeout: LAB_TIMEOUT_MS,
          deadline: LAB_DEADLINE_MS,
          concurrency: DEFAULT_CONCURRENCY,
          // The MTA-STS policy is served on the lab's port, not 443.
          probeState: { [SHARED_MTA_STS_PORT]: lab.ports.mtaSts },
          ...(args.now ? { now: args.now } : {}),
        },
        runIo,
      );
    } finally {
      setSystemRoots(() => rootCertificates);
    }

    const lines = [`Lab plan: ${shown(lab.planFile)}`];
    if (outcome.files.length) lines.push(`Reports:  ${outcome.files.map(shown).join('\n          ')}`);
    if (outcome.report.options?.interrupted) lines.push('Interrupted: the reports are partial.');
    else if (!faults.length) {
      lines.push(outcome.code === 0 ? 'The lab passed. Now break it: relaycheck lab --break expired-cert,sender-mismatch' : 'The lab without faults did not pass: that is a bug in relaycheck or its lab; please report it with the JSON report.');
    } else {
      lines.push(
        outcome.code !== 0 || outcome.report.verdict === 'warn'
          ? `As expected, the injected fault${faults.length === 1 ? '' : 's'} failed the run; the fixes are listed above.`
          : 'The injected faults did not fail the run: that is a bug in relaycheck or its lab; please report it with the JSON report.',
      );
    }
    io.stdout(`\n${lines.join('\n')}\n`);
    return { ...outcome, planFile: lab.planFile, ports: lab.ports };
  } finally {
    process.off('SIGINT', onSigint);
    await lab?.close();
  }
}
