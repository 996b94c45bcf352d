// The relaycheck command line, described once (DESIGN §3): every command with its options,
// examples and what it runs. yargs' parser and help are built from this table (cli/yargs.ts), and
// so is the plain-`run` fast path (cli/fast-path.ts) that starts the nightly run without loading
// yargs. Loading this file costs no more than its strings: commands are imported when they run.
import type { Io } from '../commands/run.js';
import { describeFaults, LAB_FAULTS } from '../lab/faults.js';
import { FORMAT_NAMES } from '../report/output.js';
import { DEFAULT_CONCURRENCY } from '../runner/run.js';

export interface OptionSpec {
  name: string;
  alias?: string;
  type: 'string' | 'number' | 'boolean';
  /** repeatable, and comma-separated values are split; otherwise a repeated option means its last value */
  list?: boolean;
  default?: string | number | boolean | string[];
  choices?: readonly string[];
  describe?: string;
}

/** Parsed option values by long name (and the positional, by its name). */
export type OptionValues = Record<string, unknown>;

export interface CommandSpec {
  name: string;
  /** one positional argument, required: `report <run>` */
  positional?: { name: string; describe: string; /** takes every remaining word: `explain <text..>` */ variadic?: boolean };
  describe: string;
  options: OptionSpec[];
  /** [command line with $0 for relaycheck, what it does] */
  examples: [string, string][];
  epilog?: () => string;
  /** a plain line of this command is read with node:util parseArgs, without loading yargs */
  fastPath?: boolean;
  /** runs the command; the exit code (undefined: 0) */
  run(values: OptionValues, io: Io): Promise<number | void>;
}

export const PROGRAM = {
  usage: '$0 <command> [options]\n\nProves an Office 365 / Exchange Online SMTP relay set-up works: real SMTP sessions on 25 and 587, STARTTLS certificates, accounts, validation mail, reports.',
  noCommand: 'Name a command: run, lab, checks, init, report, history, import, powershell, explain or ranges (see --help).',
};

/** "a,b" and repeated options → one list (the same for yargs and the fast path). */
export function asList(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).map((s) => s.trim()).filter(Boolean);
}

const formats = (what: string) => `${what}, comma-separated: ${FORMAT_NAMES.join(', ')}`;
const only: OptionSpec = { name: 'only', type: 'string', list: true, describe: 'Run only these checks (ids, or an area such as tls or tls.*)' };
const skip: OptionSpec = { name: 'skip', type: 'string', list: true, describe: 'Skip these checks (ids or areas)' };
const failOn: OptionSpec = { name: 'fail-on', type: 'string', choices: ['warn', 'fail'], default: 'fail', describe: 'Exit 1 when a result is at or above this status' };

export const COMMANDS: CommandSpec[] = [
  {
    name: 'run',
    describe: 'Test every connector and account of the plan and write the reports',
    fastPath: true,
    options: [
      { name: 'config', alias: 'c', type: 'string', default: 'relaycheck.yaml', describe: 'The test plan (YAML or JSON)' },
      only,
      skip,
      { name: 'connector', type: 'string', list: true, describe: 'Test only these connectors / submission accounts (by name)' },
      { name: 'format', type: 'string', list: true, default: ['console', 'json'], describe: formats('Report formats') },
      { name: 'out', type: 'string', default: 'reports', describe: 'Folder for report files, or - to write one format to stdout' },
      failOn,
      { name: 'send', type: 'boolean', default: true, describe: 'Send validation mail (--no-send skips every sending step)' },
      { name: 'resolve', type: 'string', list: true, describe: 'HOST:PORT:ADDRESS — connect to ADDRESS for HOST:PORT (like curl --resolve)' },
      { name: 'timeout', type: 'number', describe: 'Timeout of every network step in ms (connect, greeting, command, TLS handshake); default 10000–20000' },
      { name: 'deadline', type: 'number', describe: 'Deadline for the whole run in ms (default 300000); unfinished probes become errors' },
      { name: 'concurrency', type: 'number', default: DEFAULT_CONCURRENCY, describe: 'Endpoints probed at once' },
      { name: 'plugin', type: 'string', list: true, describe: 'Load extra checks from this ES module (see the README)' },
      { name: 'verbose', type: 'boolean', default: false, describe: 'Console: list every check as a row (passing checks otherwise fold into one line per section)' },
      { name: 'candidate-cert', type: 'string', describe: 'FILE[,KEY] — judge this next certificate (PEM, with intermediates) of the smart hosts and the relay before it is installed (tls.candidate-certificate)' },
    ],
    examples: [
      ['$0 run --no-send', 'Sessions and certificates only; no mail is sent'],
      ['$0 run -c /etc/relaycheck.yaml --format html,json --out /var/lib/relaycheck', 'Nightly cron run: quiet on success'],
      ['$0 run --only tls --connector "Office 365 SMTP relay TLS 2"', 'Only the TLS checks of one connector'],
      ['$0 run --resolve mail.contoso.com:25:192.0.2.10', 'Test a host before DNS points at it'],
      ['$0 run --no-send --format nagios,json --out /var/lib/relaycheck', 'Monitoring plugin: one status line; exits 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN'],
      ['$0 run --no-send --format prometheus --out /var/lib/node_exporter/textfile', 'Writes relaycheck-<domain>.prom atomically for the textfile collector'],
    ],
    async run(a, io) {
      const { runCommand } = await import('../commands/run.js');
      return runCommand(
        {
          config: a.config as string,
          only: asList(a.only),
          skip: asList(a.skip),
          connector: (a.connector as string[] | undefined)?.map(String),
          format: asList(a.format) ?? ['console', 'json'],
          out: a.out as string,
          failOn: a['fail-on'] as 'warn' | 'fail',
          send: a.send as boolean,
          resolve: asList(a.resolve),
          timeout: a.timeout as number | undefined,
          deadline: a.deadline as number | undefined,
          concurrency: a.concurrency as number,
          plugin: asList(a.plugin),
          verbose: a.verbose === true,
          ...(a['candidate-cert'] !== undefined ? { candidateCert: String(a['candidate-cert']) } : {}),
        },
        io,
      );
    },
  },
  {
    name: 'lab',
    describe: 'Start a built-in lab (Exchange Online and on-prem stand-ins on loopback), write its plan and run every check against it',
    options: [
      { name: 'out', type: 'string', default: 'reports/lab', describe: 'The lab folder: the plan, pki/, secrets/ and the reports' },
      { name: 'break', type: 'string', list: true, describe: `Inject faults, comma-separated: ${LAB_FAULTS.join(', ')}` },
      { name: 'format', type: 'string', list: true, default: ['console', 'html', 'json'], describe: formats('Report formats') },
      failOn,
      { name: 'send', type: 'boolean', default: true, describe: 'Send validation mail to the lab (--no-send: sessions and certificates only)' },
      { ...only, describe: 'Run only these checks (ids or areas)' },
      skip,
    ],
    examples: [
      ['$0 lab', 'A correct set-up: every check passes; the reports land in reports/lab/'],
      ['$0 lab --break expired-cert', 'The smart host presents an expired certificate: see tls.certificate-expiry fail, and its remediation'],
      ['$0 lab --break sender-mismatch,client-cert-mismatch', 'Send As not granted (5.7.60), and a relay certificate Exchange Online cannot attribute (5.7.64)'],
      ['$0 lab --break missing-intermediate --only tls', 'Only the TLS checks, against a smart host that sends its certificate without the intermediate'],
      ['$0 lab --out /tmp/lab --format html', 'The HTML report only, in another folder (the plan it ran is /tmp/lab/relaycheck-lab.yaml)'],
    ],
    epilog: () => `Faults for --break:\n${describeFaults().split('\n').map((l) => `  ${l}`).join('\n')}`,
    async run(a, io) {
      const { labCommand } = await import('../commands/lab.js');
      return labCommand(
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
  },
  {
    name: 'checks',
    describe: 'List the checks: id, severity, subject, what each verifies and needs',
    options: [
      { name: 'format', type: 'string', choices: ['table', 'markdown', 'json'], default: 'table' },
      { name: 'plugin', type: 'string', list: true, describe: 'Include the checks of this plugin' },
    ],
    examples: [['$0 checks --format markdown', 'The table in the README']],
    async run(a, io) {
      const [{ renderCatalogue }, { builtinChecks, builtinProbes }, { loadPlugins }] = await Promise.all([import('../commands/checks.js'), import('../registry.js'), import('../plugins.js')]);
      const registry = await loadPlugins(asList(a.plugin) ?? [], { checks: builtinChecks, probes: builtinProbes });
      io.stdout(renderCatalogue(registry.checks, a.format as 'table' | 'markdown' | 'json'));
    },
  },
  {
    name: 'init',
    describe: 'Write a commented relaycheck.yaml to start from',
    options: [
      { name: 'config', alias: 'c', type: 'string', default: 'relaycheck.yaml', describe: 'Where to write the plan' },
      { name: 'force', type: 'boolean', default: false, describe: 'Overwrite an existing file' },
    ],
    examples: [['$0 init && $0 run --no-send', 'Start a plan and try it']],
    async run(a, io) {
      const { initCommand } = await import('../commands/init.js');
      io.stdout(await initCommand(a.config as string, a.force as boolean));
    },
  },
  {
    name: 'report',
    positional: { name: 'run', describe: 'A relaycheck-*.json report' },
    describe: 'Re-render a saved JSON run in another format',
    options: [
      { name: 'format', type: 'string', list: true, default: ['console'], describe: `One or more of ${FORMAT_NAMES.join(', ')}` },
      { name: 'out', type: 'string', describe: 'Folder for the files, or - for stdout (one format); default: reports/ on a terminal, stdout when piped' },
    ],
    examples: [['$0 report reports/relaycheck-20261127T020000Z.json --format html > ticket.html', 'An HTML copy for the change ticket']],
    async run(a, io) {
      const { reportCommand } = await import('../commands/report.js');
      return reportCommand(a.run as string, asList(a.format) ?? ['console'], a.out as string | undefined, io);
    },
  },
  {
    name: 'history',
    describe: 'List past runs recorded in the local store, newest first',
    options: [
      { name: 'config', alias: 'c', type: 'string', describe: 'Only the runs of this plan (its store: is used too); default: every plan' },
      { name: 'out', type: 'string', default: 'reports', describe: 'The folder the runs wrote to (the store is <out>/relaycheck.sqlite)' },
      { name: 'store', type: 'string', describe: 'The store file itself (wins over the plan and --out)' },
      { name: 'limit', type: 'number', default: 20, describe: 'How many runs to list' },
      { name: 'format', type: 'string', choices: ['table', 'json'], default: 'table' },
    ],
    examples: [['$0 history -c /etc/relaycheck.yaml --out /var/lib/relaycheck', 'The nightly runs of one plan']],
    async run(a, io) {
      const { historyCommand } = await import('../commands/history.js');
      return historyCommand(
        { config: a.config as string | undefined, out: a.out as string, store: a.store as string | undefined, limit: a.limit as number, format: a.format as 'table' | 'json' },
        io,
      );
    },
  },
  {
    name: 'import',
    describe: 'Write a plan from exported Exchange Online connectors (Get-InboundConnector / Get-OutboundConnector / Get-AcceptedDomain JSON)',
    options: [
      { name: 'inbound', type: 'string', describe: 'Get-InboundConnector | ConvertTo-Json -Depth 5 | Out-File in.json -Encoding utf8' },
      { name: 'outbound', type: 'string', describe: 'Get-OutboundConnector | ConvertTo-Json -Depth 5 | Out-File out.json -Encoding utf8' },
      { name: 'accepted', type: 'string', describe: 'Get-AcceptedDomain | ConvertTo-Json -Depth 5 | Out-File domains.json -Encoding utf8 (gives the plan its domain)' },
      { name: 'cas-mailboxes', type: 'string', describe: 'Get-CASMailbox -ResultSize Unlimited | ConvertTo-Json: list who can still authenticate with SMTP AUTH, with a plan entry per account' },
      { name: 'transport-config', type: 'string', describe: 'Get-TransportConfig | ConvertTo-Json: the tenant setting that mailboxes with SmtpClientAuthenticationDisabled null inherit' },
      { name: 'smtp-auth-report', type: 'string', describe: 'The SMTP AUTH clients report (CSV) from the Exchange admin center: which accounts actually send' },
      { name: 'out', alias: 'o', type: 'string', default: 'relaycheck.yaml', describe: 'The plan to write, or - for stdout' },
      { name: 'force', type: 'boolean', default: false, describe: 'Overwrite an existing plan' },
    ],
    examples: [
      ['$0 import --inbound in.json --outbound out.json --accepted domains.json', 'Write relaycheck.yaml from the three exports; then fill in what it marks FILL IN'],
      ['$0 import --inbound in.json --accepted domains.json -o relay.yaml', 'Only the inbound (relay) connectors'],
      ['$0 import --inbound in.json --outbound out.json --out - | less', 'Look at the plan without writing it'],
      ['$0 import --cas-mailboxes cas.json --transport-config transport.json --smtp-auth-report smtp-auth.csv -o smtp-auth.yaml', 'Who can still use SMTP AUTH, and a plan entry per account for its way forward'],
    ],
    async run(a, io) {
      const { importCommand } = await import('../commands/import.js');
      const str = (v: unknown) => v as string | undefined;
      const written = importCommand({
        inbound: str(a.inbound),
        outbound: str(a.outbound),
        accepted: str(a.accepted),
        casMailboxes: str(a['cas-mailboxes']),
        transportConfig: str(a['transport-config']),
        smtpAuthReport: str(a['smtp-auth-report']),
        out: String(a.out),
        force: a.force as boolean,
      });
      io.stdout(written.stdout);
      if (written.stderr) io.stderr(written.stderr);
    },
  },
  {
    name: 'powershell',
    describe: "Print the Exchange Online PowerShell that creates the plan's connectors, or fixes a saved run's failures",
    options: [
      { name: 'config', alias: 'c', type: 'string', describe: "The test plan (default relaycheck.yaml); its secrets are not read" },
      { name: 'run', type: 'string', describe: 'A saved JSON run: print the Set-InboundConnector / Set-OutboundConnector lines that fix its failures' },
      { name: 'create', type: 'boolean', describe: 'Print the New-InboundConnector / New-OutboundConnector commands (default: only without --run)' },
    ],
    examples: [
      ['$0 powershell -c relaycheck.yaml > connectors.ps1', 'Splatted New-InboundConnector / New-OutboundConnector for every connector of the plan'],
      ['$0 powershell --run reports/relaycheck-20261127T020000Z.json', "Set-*Connector commands for the run's connector-side failures"],
      ['$0 powershell --run run.json --create', 'Both: create the connectors, then the fixes'],
    ],
    async run(a, io) {
      const { powershellCommand } = await import('../commands/powershell.js');
      io.stdout(powershellCommand({ config: a.config as string | undefined, run: a.run as string | undefined, create: a.create as boolean | undefined }));
    },
  },
  {
    name: 'explain',
    positional: { name: 'text', describe: 'The text, quoted; - reads it from stdin', variadic: true },
    describe: 'Explain a pasted reply, NDR line, message trace status or client error (no network; exit 0 recognised, 1 not)',
    options: [{ name: 'format', type: 'string', choices: ['text', 'json'], default: 'text' }],
    examples: [['$0 explain "554 5.2.252 SendAsDenied; scanner@contoso.com not allowed to send as shared@contoso.com"', 'Meaning, step, whether reversible, and the fix']],
    async run(a, io) {
      const [{ explainCommand }, { readFileSync }] = await Promise.all([import('../commands/explain.js'), import('node:fs')]);
      const words = (Array.isArray(a.text) ? a.text : [a.text]).map(String);
      const text = words.length === 1 && words[0] === '-' ? readFileSync(0, 'utf8') : words.join(' ');
      const out = explainCommand(text, a.format as 'text' | 'json');
      io.stdout(out.stdout);
      if (out.stderr) io.stderr(out.stderr);
      return out.code;
    },
  },
  {
    name: 'ranges',
    describe: 'Show the Exchange Online ranges (TCP 25) the firewall check uses, or refresh them from the endpoints web service JSON',
    options: [{ name: 'from', type: 'string', describe: 'The endpoints web service JSON you downloaded (https://endpoints.office.com/endpoints/worldwide?clientrequestid=<GUID>)' }],
    examples: [['$0 ranges --from endpoints.json', 'Validate the list, date it, and keep it in the per-user state folder ($STATE_DIRECTORY, $XDG_STATE_HOME/relaycheck or ~/.local/state/relaycheck)']],
    async run(a, io) {
      const { rangesCommand } = await import('../commands/ranges.js');
      io.stdout(rangesCommand(a.from as string | undefined));
    },
  },
];
