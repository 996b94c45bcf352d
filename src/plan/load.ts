// Reads a plan file (YAML or JSON), validates it against the shipped schema, and resolves it:
// secrets read from the environment or files, relative paths against the plan's folder,
// endpoints expanded with their default ports. Every problem names file, line and plan path.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { LineCounter, parseDocument, isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import { UsageError, type Problem } from '../errors.js';
import { formatHostPort, parseHostPort, parseIpPort } from './address.js';
import { validatePlanData, toPlanPath } from './schema.js';
import type { ClientCertificate, Connector, DirectSendEntry, HostPort, Plan, Secret, SubmissionAccount, Validation } from '../types.js';

/** The seed's figure ("1.500 Nachrichten" a day per account): valid as an explicit messagesPerDay, no longer a default. */
export const SEED_MESSAGES_PER_DAY = 1500;
// Microsoft's per-mailbox figures (src/exo/limits.ts): the defaults when the plan says nothing.
export { MAILBOX_MESSAGES_PER_MINUTE as DEFAULT_MESSAGES_PER_MINUTE, MAILBOX_RECIPIENTS_PER_DAY as DEFAULT_RECIPIENTS_PER_DAY, MAILBOX_RECIPIENTS_PER_MESSAGE as DEFAULT_RECIPIENTS_PER_MESSAGE } from '../exo/limits.js';
import { MAILBOX_MESSAGES_PER_MINUTE, MAILBOX_RECIPIENTS_PER_DAY, MAILBOX_RECIPIENTS_PER_MESSAGE } from '../exo/limits.js';
export const DEFAULT_EXPIRY_WARN_DAYS = 30;

export interface LoadOptions {
  /** --resolve HOST:PORT:ADDR entries from the command line; they win over the plan's */
  resolve?: string[];
  env?: NodeJS.ProcessEnv;
  /**
   * 'ignore' checks the secret references' form but reads no environment variable or secret file
   * (every Secret.value is ''): for commands that probe nothing, such as `relaycheck powershell`.
   */
  secrets?: 'resolve' | 'ignore';
}

type Raw = Record<string, any>;

export function loadPlan(file: string, options: LoadOptions = {}): Plan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file (write one with "relaycheck init")' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String((err as Error).message);
    throw new UsageError([{ file, message: `cannot read the plan: ${why}` }]);
  }
  return parsePlan(text, file, options);
}

export function parsePlan(text: string, file: string, options: LoadOptions = {}): Plan {
  // Windows editors and PowerShell's Out-File write a UTF-8 byte order mark: not part of the plan.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (/\.json$/i.test(file)) {
    // YAML accepts what JSON does not (trailing commas, comments): hold .json files to JSON.
    try {
      JSON.parse(text);
    } catch (err) {
      const at = /position (\d+)/.exec((err as Error).message);
      const before = text.slice(0, at ? Number(at[1]) : 0).split('\n');
      const where = at ? { line: before.length, column: before[before.length - 1].length + 1 } : {};
      throw new UsageError([{ file, ...where, message: `syntax error: ${(err as Error).message.replace(/ in JSON at position \d+.*$/, '')}` }]);
    }
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) {
    // The first error is the cause; YAML's later errors are mostly its consequences.
    throw new UsageError(
      doc.errors.slice(0, 1).map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { file, line: pos.line, column: pos.col, message: `syntax error: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}` };
      }),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (err) {
    // e.g. "Excessive alias count" for a YAML alias bomb: the file is not a usable plan.
    throw new UsageError([{ file, message: `cannot read the plan: ${(err as Error).message}` }]);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new UsageError([{ file, message: 'the plan must be a mapping with at least `version: 1` and `domain:`' }]);
  }
  const locate = (segments: (string | number)[]): Pick<Problem, 'line' | 'column'> => {
    const pos = nodeOffset(doc, segments);
    if (pos === undefined) return {};
    const lp = lineCounter.linePos(pos);
    return { line: lp.line, column: lp.col };
  };

  const schemaProblems = validatePlanData(data);
  if (schemaProblems.length) {
    throw new UsageError(schemaProblems.map((p) => ({ file, ...locate(p.segments), path: p.path, message: p.message })));
  }

  const problems: Problem[] = [];
  const problem = (segments: (string | number)[], message: string) => problems.push({ file, ...locate(segments), path: toPlanPath(segments), message });
  const plan = resolvePlan(data as Raw, file, options, problem);
  if (problems.length) throw new UsageError(problems);
  return plan;
}

/** Offset of the node at `segments`, or of the closest existing ancestor (for a missing key). */
function nodeOffset(doc: Document, segments: (string | number)[]): number | undefined {
  let node: unknown = doc.contents;
  let best: number | undefined = (node as Node | null)?.range?.[0];
  for (const seg of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return best;
      best = (pair.key as Node).range?.[0] ?? best;
      node = pair.value;
    } else if (isSeq(node)) {
      node = node.items[Number(seg)];
      best = (node as Node | null)?.range?.[0] ?? best;
    } else return best;
  }
  return best;
}

type Report = (segments: (string | number)[], message: string) => void;

function resolvePlan(raw: Raw, file: string, options: LoadOptions, problem: Report): Plan {
  const dir = dirname(resolvePath(file));
  const env = options.env ?? process.env;
  const secrets: string[] = [];

  const readSecret = (value: Raw, at: (string | number)[]): Secret => {
    if (options.secrets === 'ignore') return { value: '', source: typeof value.env === 'string' ? `env ${value.env}` : `file ${value.file}` };
    if (typeof value.env === 'string') {
      const v = env[value.env];
      if (v === undefined) problem(at, `environment variable ${value.env} is not set`);
      else if (v === '') problem(at, `environment variable ${value.env} is empty`);
      else secrets.push(v);
      return { value: v ?? '', source: `env ${value.env}` };
    }
    const path = resolvePath(dir, value.file);
    try {
      const v = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
      if (!v) problem(at, `secret file ${value.file} is empty`);
      else secrets.push(v);
      return { value: v, source: `file ${value.file}` };
    } catch (err) {
      problem(at, `cannot read secret file ${value.file}: ${errnoText(err)}`);
      return { value: '', source: `file ${value.file}` };
    }
  };

  const readPem = (relPath: string, at: (string | number)[], what: string): string => {
    const path = resolvePath(dir, relPath);
    try {
      const pem = readFileSync(path, 'utf8');
      const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
      if (blocks.length === 0) problem(at, `${relPath} holds no PEM certificate (${what})`);
      for (const [n, block] of blocks.entries()) {
        try {
          new X509Certificate(block);
        } catch {
          problem(at, `${relPath}: certificate ${n + 1} of ${blocks.length} is damaged and cannot be parsed (${what})`);
          break;
        }
      }
      return pem;
    } catch (err) {
      problem(at, `cannot read ${what} ${relPath}: ${errnoText(err)}`);
      return '';
    }
  };

  const hostPort = (text: string, port: number): HostPort => parseHostPort(text, port)!; // the schema checked the form

  const validation = (v: Raw | undefined, at: (string | number)[]): Validation | undefined => {
    if (!v) return undefined;
    const out: Validation = { from: v.from, to: v.to };
    if (v.imap) {
      const hp = hostPort(v.imap.host, 993);
      out.imap = {
        host: hp.host,
        port: hp.port,
        secure: v.imap.secure ?? hp.port === 993,
        username: v.imap.username,
        password: readSecret(v.imap.password, [...at, 'imap', 'password']),
        mailbox: v.imap.mailbox ?? 'INBOX',
        timeoutMs: (v.imap.timeoutSeconds ?? 120) * 1000,
        tlsRejectUnauthorized: v.imap.rejectUnauthorized ?? true,
      };
    }
    return out;
  };

  const names = new Map<string, string>();
  const claimName = (name: string, at: (string | number)[]) => {
    const prior = names.get(name.toLowerCase());
    if (prior) problem([...at, 'name'], `duplicate name "${name}" (also used by ${prior}); every connector and account needs its own name`);
    else names.set(name.toLowerCase(), toPlanPath(at));
  };

  const connectors: Connector[] = ((raw.connectors ?? []) as Raw[]).map((c, i) => {
    const at = ['connectors', i];
    claimName(c.name, at);
    if (c.direction === 'to-office365') {
      let clientCertificate: ClientCertificate | undefined;
      if (c.clientCertificate) {
        clientCertificate = {
          certFile: resolvePath(dir, c.clientCertificate.cert),
          certPem: readPem(c.clientCertificate.cert, [...at, 'clientCertificate', 'cert'], 'client certificate'),
          key: readSecret(c.clientCertificate.key, [...at, 'clientCertificate', 'key']),
        };
      }
      return {
        kind: 'connector',
        direction: 'to-office365',
        name: c.name,
        endpoint: hostPort(c.endpoint, 25),
        requireTls: c.requireTls ?? true,
        tlsSenderCertificateName: c.tlsSenderCertificateName,
        senderIPs: c.senderIPs ?? [],
        clientCertificate,
        senderDomains: c.senderDomains ?? ['*'],
        connectorType: c.connectorType ?? 'OnPremises',
        validation: validation(c.validation, [...at, 'validation']),
        path: toPlanPath(at),
      };
    }
    return {
      kind: 'connector',
      direction: 'from-office365',
      name: c.name,
      smartHosts: (c.smartHosts as string[]).map((h) => hostPort(h, 25)),
      tls: c.tls ? { mode: c.tls.mode, domain: c.tls.domain } : undefined,
      validation: validation(c.validation, [...at, 'validation']),
      path: toPlanPath(at),
    };
  });

  const submission: SubmissionAccount[] = ((raw.submission ?? []) as Raw[]).map((s, i) => {
    const at = ['submission', i];
    claimName(s.name, at);
    if (!s.password && !s.oauth2) problem(at, 'needs password: { env: NAME } or oauth2: { accessToken: { env: NAME } }');
    if (s.password && s.oauth2) problem([...at, 'oauth2'], 'give either password (AUTH PLAIN/LOGIN) or oauth2 (XOAUTH2), not both');
    return {
      kind: 'submission',
      name: s.name,
      endpoint: hostPort(s.endpoint, 587),
      ...(s.service ? { service: s.service } : {}),
      username: s.username,
      password: s.password ? readSecret(s.password, [...at, 'password']) : undefined,
      oauth2: s.oauth2 ? { accessToken: readSecret(s.oauth2.accessToken, [...at, 'oauth2', 'accessToken']) } : undefined,
      from: s.from,
      sendAs: s.sendAs ?? [],
      expectForeignSenderRejected: s.expectForeignSenderRejected ?? false,
      validation: validation(s.validation, [...at, 'validation']),
      path: toPlanPath(at),
    };
  });

  const directSend: DirectSendEntry[] = ((raw.directSend ?? []) as Raw[]).map((d, i) => {
    const at = ['directSend', i];
    claimName(d.name, at);
    return {
      kind: 'direct-send',
      name: d.name,
      endpoint: hostPort(d.endpoint, 25),
      ...(d.rejectDirectSend !== undefined ? { rejectDirectSend: d.rejectDirectSend } : {}),
      validation: validation(d.validation, [...at, 'validation']) as DirectSendEntry['validation'],
      path: toPlanPath(at),
    };
  });

  if (connectors.length === 0 && submission.length === 0 && directSend.length === 0) {
    problem([], 'nothing to test: add at least one entry under connectors:, submission: or directSend:');
  }

  const resolve: Record<string, string> = {};
  for (const [key, addr] of Object.entries((raw.resolve ?? {}) as Record<string, string>)) {
    resolve[formatHostPort(parseHostPort(key, null)!)] = addr.replace(/^\[(.*)\]$/, '$1');
  }
  for (const entry of options.resolve ?? []) {
    const parsed = parseResolveFlag(entry);
    if (!parsed) throw new UsageError([{ path: '--resolve', message: `expected HOST:PORT:ADDRESS (found ${JSON.stringify(entry)})` }]);
    resolve[parsed.key] = parsed.address;
  }

  const trust = {
    system: raw.trust?.system ?? true,
    ca: ((raw.trust?.ca ?? []) as string[]).map((f, i) => ({ file: resolvePath(dir, f), pem: readPem(f, ['trust', 'ca', i], 'trust anchor') })),
  };
  if (!trust.system && trust.ca.length === 0) problem(['trust'], 'trusts nothing: set system: true or list ca: files');

  return {
    file,
    dir,
    version: 1,
    organization: raw.organization,
    domain: String(raw.domain).toLowerCase(),
    acceptedDomains: ((raw.acceptedDomains as string[] | undefined) ?? [raw.domain]).map((d) => d.toLowerCase()),
    trust,
    resolve,
    dns: { servers: ((raw.dns?.servers ?? []) as string[]).map((s) => parseIpPort(s, 53)!) },
    connectors,
    submission,
    directSend,
    limits: {
      ...(raw.limits?.messagesPerDay !== undefined ? { messagesPerDay: raw.limits.messagesPerDay } : {}),
      messagesPerMinute: raw.limits?.messagesPerMinute ?? MAILBOX_MESSAGES_PER_MINUTE,
      recipientsPerDay: raw.limits?.recipientsPerDay ?? MAILBOX_RECIPIENTS_PER_DAY,
      recipientsPerMessage: raw.limits?.recipientsPerMessage ?? MAILBOX_RECIPIENTS_PER_MESSAGE,
      defaulted: {
        messagesPerDay: raw.limits?.messagesPerDay === undefined,
        messagesPerMinute: raw.limits?.messagesPerMinute === undefined,
        recipientsPerDay: raw.limits?.recipientsPerDay === undefined,
        recipientsPerMessage: raw.limits?.recipientsPerMessage === undefined,
      },
    },
    tlsPolicy: { expiryWarnDays: raw.certificates?.expiryWarnDays ?? DEFAULT_EXPIRY_WARN_DAYS },
    firewall: raw.firewall ? { allowed: raw.firewall.allowed ?? [], ranges: raw.firewall.ranges } : undefined,
    store: raw.store ? resolvePath(dir, raw.store) : undefined,
    ...(raw.stateDir ? { stateDir: resolvePath(dir, raw.stateDir) } : {}),
    ...(raw.tenant ? { tenant: { ...(raw.tenant.licenses !== undefined ? { licenses: raw.tenant.licenses } : {}), ...(raw.tenant.trial !== undefined ? { trial: raw.tenant.trial } : {}) } } : {}),
    secrets,
  };
}

/** --resolve mail.contoso.com:25:192.0.2.10 or host:25:[2001:db8::1] */
export function parseResolveFlag(entry: string): { key: string; address: string } | null {
  const m = /^([^:\s]+):(\d{1,5}):(\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:.]+)$/.exec(entry);
  if (!m) return null;
  const hp = parseHostPort(`${m[1]}:${m[2]}`, null);
  const addr = parseIpPort(m[3].startsWith('[') ? `${m[3]}:1` : m[3], 1);
  if (!hp || !addr) return null;
  return { key: formatHostPort(hp), address: addr.host };
}

function errnoText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return code ?? String((err as Error).message);
}
