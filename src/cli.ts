#!/usr/bin/env node
// The relaycheck command line (DESIGN §3). Exit codes: 0 nothing at or above --fail-on,
// 1 findings or errors, 2 usage / plan / plugin problems (nothing was probed).
import type { Argv } from 'yargs';
import { UsageError } from './errors.js';
import { importModule, markCompleted } from './starter-link.js';
import { FORMAT_NAMES } from './report/output.js';
import { terminalWidth } from './report/wrap.js';
import { applyRunOptions, asList, fastRunArgs, lastValue, toRunArgs } from './cli-run-options.js';
import type { Io } from './commands/run.js';
import { describeFaults, LAB_FAULTS as LAB_FAULT_NAMES } from './lab/faults.js';

const LAB_FAULT_HELP = describeFaults().split('\n').map((l) => `  ${l}`).join('\n');

const io: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stderrIsTty: Boolean(process.stderr.isTTY),
  stdoutIsTty: Boolean(process.stdout.isTTY),
  color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb',
  width: terminalWidth(process.stdout.columns),
};


const list = (y: Argv, name: string, describe: string) => y.option(name, { type: 'string', array: true, describe });

/** yargs reads a lone "-" as a positional argument; `--out -` means stdout, so glue it on. */
function glueDash(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if ((argv[i] === '--out' || argv[i] === '-o') && argv[i + 1] === '-') {
      out.push('--out=-');
      i++;
    } else out.push(argv[i]);
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  // The nightly `relaycheck run …` line starts probing without loading yargs (see cli-run-options.ts).
  const fast = argv[0] === 'run' ? fastRunArgs(argv.slice(1)) : undefined;
  if (fast) {
    const { runCommand } = await import('./commands/run.js');
    return runCommand(fast, io);
  }
  const { default: yargs } = await importModule<typeof import('yargs')>('yargs');
  let exitCode = 0;
  const parser = yargs(argv)
    .scriptName('relaycheck')
    .parserConfiguration({ 'camel-case-expansion': false })
    .usage('$0 <command> [options]\n\nProves an Office 365 / Exchange Online SMTP relay set-up works: real SMTP sessions on 25 and 587, STARTTLS certificates, accounts, validation mail, reports.')
    .command(
      'run',
      'Test every connector and account of the plan and write the reports',
      (y) =>
        applyRunOptions(y)
          .example('$0 run --no-send', 'Sessions and certificates only; no mail is sent')
          .example('$0 run -c /etc/relaycheck.yaml --format html,json --out /var/lib/relaycheck', 'Nightly cron run: quiet on success')
          .example('$0 run --only tls --connector "Office 365 SMTP relay TLS 2"', 'Only the TLS checks of one connector')
          .example('$0 run --resolve mail.contoso.com:25:192.0.2.10', 'Test a host before DNS points at it')
          .example('$0 run --no-send --format nagios,json --out /var/lib/relaycheck', 'Monitoring plugin: one status line; exits 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN')
          .example('$0 run --no-send --format prometheus --out /var/lib/node_exporter/textfile', 'Writes relaycheck-<domain>.prom atomically for the textfile collector'),
      async (a) => {
        const { runCommand } = await import('./commands/run.js');
        exitCode = await runCommand(
          toRunArgs(a),
          io,
        );
      },
    )
    .command(
      'lab',
      'Start a built-in lab (Exchange Online and on-prem stand-ins on loopback), write its plan and run every check against it',
      (y) => {
        y.option('out', { coerce: lastValue, type: 'string', default: 'reports/lab', describe: 'The lab folder: the plan, pki/, secrets/ and the reports' });
        list(y, 'break', `Inject faults, comma-separated: ${LAB_FAULT_NAMES.join(', ')}`);
        y.option('format', { type: 'string', array: true, default: ['console', 'html', 'json'], describe: `Report formats, comma-separated: ${FORMAT_NAMES.join(', ')}` });
        y.option('fail-on', { coerce: lastValue, choices: ['warn', 'fail'] as const, default: 'fail' as const, describe: 'Exit 1 when a result is at or above this status' });
        y.option('send', { type: 'boolean', default: true, describe: 'Send validation mail to the lab (--no-send: sessions and certificates only)' });
        list(y, 'only', 'Run only these checks (ids or areas)');
        list(y, 'skip', 'Skip these checks (ids or areas)');
        return y
          .example('$0 lab', 'A correct set-up: every check passes; the reports land in reports/lab/')
          .example('$0 lab --break expired-cert', 'The smart host presents an expired certificate: see tls.certificate-expiry fail, and its remediation')
          .example('$0 lab --break sender-mismatch,client-cert-mismatch', 'Send As not granted (5.7.60), and a relay certificate Exchange Online cannot attribute (5.7.64)')
          .example('$0 lab --break missing-intermediate --only tls', 'Only the TLS checks, against a smart host that sends its certificate without the intermediate')
          .example('$0 lab --out /tmp/lab --format html', 'The HTML report only, in another folder (the plan it ran is /tmp/lab/relaycheck-lab.yaml)')
          .epilog(`Faults for --break:\n${LAB_FAULT_HELP}`);
      },
      async (a) => {
        const { labCommand } = await import('./commands/lab.js');
        exitCode = await labCommand(
          {
            out: a.out as string,
            break: asList(a.break),
            format: asList(a.format) ?? ['console', 'html', 'json'],
            failOn: a['fail-on'] as 'warn' | 'fail',
            send: a.send as boolean,
            only: asList(a.only),
            skip: asList(a.skip),
          },
          io,
        );
      },
    )
    .command(
      'checks',
      'List the checks: id, severity, subject, what each verifies and needs',
      (y) =>
        y
          .option('format', { coerce: lastValue, choices: ['table', 'markdown', 'json'] as const, default: 'table' as const })
          .option('plugin', { type: 'string', array: true, describe: 'Include the checks of this plugin' })
          .example('$0 checks --format markdown', 'The table in the README'),
      async (a) => {
        const [{ renderCatalogue }, { builtinChecks, builtinProbes }, { loadPlugins }] = await Promise.all([import('./commands/checks.js'), import('./registry.js'), import('./plugins.js')]);
        const registry = await loadPlugins(asList(a.plugin) ?? [], { checks: builtinChecks, probes: builtinProbes });
        io.stdout(renderCatalogue(registry.checks, a.format as 'table' | 'markdown' | 'json'));
      },
    )
    .command(
      'init',
      'Write a commented relaycheck.yaml to start from',
      (y) =>
        y
          .option('config', { coerce: lastValue, alias: 'c', type: 'string', default: 'relaycheck.yaml', describe: 'Where to write the plan' })
          .option('force', { type: 'boolean', default: false, describe: 'Overwrite an existing file' })
          .example('$0 init && $0 run --no-send', 'Start a plan and try it'),
      async (a) => {
        const { initCommand } = await import('./commands/init.js');
        io.stdout(initCommand(a.config as string, a.force as boolean));
      },
    )
    .command(
      'report <run>',
      'Re-render a saved JSON run in another format',
      (y) =>
        y
          .positional('run', { type: 'string', describe: 'A relaycheck-*.json report' })
          .option('format', { type: 'string', array: true, default: ['console'], describe: `One or more of ${FORMAT_NAMES.join(', ')}` })
          .option('out', { coerce: lastValue, type: 'string', describe: 'Folder for the files, or - for stdout (one format); default: reports/ on a terminal, stdout when piped' })
          .example('$0 report reports/relaycheck-20261127T020000Z.json --format html > ticket.html', 'An HTML copy for the change ticket'),
      async (a) => {
        const { reportCommand } = await import('./commands/report.js');
        exitCode = reportCommand(a.run as string, asList(a.format) ?? ['console'], a.out as string | undefined, io);
      },
    )
    .command(
      'history',
      'List past runs recorded in the local store, newest first',
      (y) =>
        y
          .option('config', { coerce: lastValue, alias: 'c', type: 'string', describe: 'Only the runs of this plan (its store: is used too); default: every plan' })
          .option('out', { coerce: lastValue, type: 'string', default: 'reports', describe: 'The folder the runs wrote to (the store is <out>/relaycheck.sqlite)' })
          .option('store', { coerce: lastValue, type: 'string', describe: 'The store file itself (wins over the plan and --out)' })
          .option('limit', { coerce: lastValue, type: 'number', default: 20, describe: 'How many runs to list' })
          .option('format', { coerce: lastValue, choices: ['table', 'json'] as const, default: 'table' as const })
          .example('$0 history -c /etc/relaycheck.yaml --out /var/lib/relaycheck', 'The nightly runs of one plan'),
      async (a) => {
        const { historyCommand } = await import('./commands/history.js');
        exitCode = historyCommand(
          { config: a.config as string | undefined, out: a.out as string, store: a.store as string | undefined, limit: a.limit as number, format: a.format as 'table' | 'json' },
          io,
        );
      },
    )
    .command(
      'import',
      'Write a plan from exported Exchange Online connectors (Get-InboundConnector / Get-OutboundConnector / Get-AcceptedDomain JSON)',
      (y) =>
        y
          .option('inbound', { coerce: lastValue, type: 'string', describe: 'Get-InboundConnector | ConvertTo-Json -Depth 5 | Out-File in.json -Encoding utf8' })
          .option('outbound', { coerce: lastValue, type: 'string', describe: 'Get-OutboundConnector | ConvertTo-Json -Depth 5 | Out-File out.json -Encoding utf8' })
          .option('accepted', { coerce: lastValue, type: 'string', describe: 'Get-AcceptedDomain | ConvertTo-Json -Depth 5 | Out-File domains.json -Encoding utf8 (gives the plan its domain)' })
          .option('out', { coerce: lastValue, alias: 'o', type: 'string', default: 'relaycheck.yaml', describe: 'The plan to write, or - for stdout' })
          .option('force', { type: 'boolean', default: false, describe: 'Overwrite an existing plan' })
          .example('$0 import --inbound in.json --outbound out.json --accepted domains.json', 'Write relaycheck.yaml from the three exports; then fill in what it marks FILL IN')
          .example('$0 import --inbound in.json --accepted domains.json -o relay.yaml', 'Only the inbound (relay) connectors')
          .example('$0 import --inbound in.json --outbound out.json --out - | less', 'Look at the plan without writing it'),
      async (a) => {
        const { importCommand } = await import('./commands/import.js');
        const written = importCommand({ inbound: a.inbound as string | undefined, outbound: a.outbound as string | undefined, accepted: a.accepted as string | undefined, out: String(a.out), force: a.force as boolean });
        io.stdout(written.stdout);
        if (written.stderr) io.stderr(written.stderr);
      },
    )
    .command(
      'powershell',
      'Print the Exchange Online PowerShell that creates the plan\'s connectors, or fixes a saved run\'s failures',
      (y) =>
        y
          .option('config', { coerce: lastValue, alias: 'c', type: 'string', describe: 'The test plan (default relaycheck.yaml); its secrets are not read' })
          .option('run', { coerce: lastValue, type: 'string', describe: 'A saved JSON run: print the Set-InboundConnector / Set-OutboundConnector lines that fix its failures' })
          .option('create', { type: 'boolean', describe: 'Print the New-InboundConnector / New-OutboundConnector commands (default: only without --run)' })
          .example('$0 powershell -c relaycheck.yaml > connectors.ps1', 'Splatted New-InboundConnector / New-OutboundConnector for every connector of the plan')
          .example('$0 powershell --run reports/relaycheck-20261127T020000Z.json', 'Set-*Connector commands for the run\'s connector-side failures')
          .example('$0 powershell --run run.json --create', 'Both: create the connectors, then the fixes'),
      async (a) => {
        const { powershellCommand } = await import('./commands/powershell.js');
        io.stdout(powershellCommand({ config: a.config as string | undefined, run: a.run as string | undefined, create: a.create as boolean | undefined }));
      },
    )
    .demandCommand(1, 'Name a command: run, lab, checks, init, report, history, import or powershell (see --help).')
    .strictCommands()
    .strictOptions()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(`${msg}\nSee relaycheck --help.`);
    });
  await parser.parseAsync();
  return exitCode;
}

/** --format nagios anywhere on the command line (checked before parsing, so usage errors count). */
function wantsNagios(argv: string[]): boolean {
  return argv.some((arg, i) => {
    const value = arg.startsWith('--format=') ? arg.slice(9) : argv[i - 1] === '--format' ? arg : undefined;
    return value !== undefined && value.split(',').some((f) => f.trim().toLowerCase() === 'nagios');
  });
}

/** A monitoring plugin reports its own failures as UNKNOWN (exit 3) with one status line on stdout. */
function nagiosUnknown(what: string, message: string): void {
  const line = message.split('\n')[0].replace(/[\u0000-\u001f\u007f|]/g, ' ').slice(0, 300);
  process.stdout.write(`RELAYCHECK UNKNOWN - ${what}: ${line}\n`);
  process.exitCode = 3;
}

const args = glueDash(process.argv.slice(2));
// Under --format nagios relaycheck exits as monitoring plugins do (0 OK, 1 WARNING, 2 CRITICAL,
// 3 UNKNOWN) instead of 0/1/2: commands return the plugin code, and errors here become UNKNOWN.
const nagios = wantsNagios(args);
main(args).then(
  (code) => {
    process.exitCode = code;
    markCompleted();
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`relaycheck: ${err.message.split('\n').join('\nrelaycheck: ')}\n`);
      process.exitCode = 2;
      if (nagios) nagiosUnknown('usage or plan error', err.message);
      return;
    }
    const e = err as Error;
    process.stderr.write(`relaycheck: internal error: ${e?.message ?? String(err)}${process.env.RELAYCHECK_DEBUG ? `\n${e?.stack}` : ' (set RELAYCHECK_DEBUG=1 for details)'}\n`);
    process.exitCode = 1;
    if (nagios) nagiosUnknown('internal error', e?.message ?? String(err));
  },
);
