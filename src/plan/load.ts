// Reads a plan file (YAML or JSON), validates it against the shipped schema, and resolves it:
// secrets read from the environment or files, relative paths against the plan's folder,
// endpoints expanded with their default ports. Every problem names file, line and plan path.
import { X509Certificate } from 'node:crypto';
import { ReadFileError, readTextFile, type ReadKind } from '../fs/read.js';
import { dirname, resolve as resolvePath } from 'node:path';
import { LineCounter, parseDocument, isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import { UsageError, type Problem } from '../errors.js';
import { learnSecret } from '../report/redact.js';
import { formatHostPort, parseHostPort, parseIpPort } from './address.js';
import { validatePlanData, toPlanPath } from './schema.js';
import { readSettings } from '../exo/connector-settings.js';
import { resolveOAuth, type OAuthReaders } from './oauth.js';
import type { CandidateCertificate, ClientCertificate, Connector, DirectSendEntry, HostPort, OAuthSettings, Plan, Secret, SubmissionAccount, Validation } from '../types.js';

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
    // UTF-8, or UTF-16 as Windows PowerShell 5.1's Out-File writes by default
    text = readTextFile(file, 'plan');
  } catch (err) {
    const e = err as ReadFileError;
    const why = e.code === 'ENOENT' ? 'no such file (write one with "relaycheck init")' : e instanceof ReadFileError ? e.reason : String((err as Error)?.message);
    throw new UsageError([{ file, message: `cannot read the plan: ${why}` }]);
  }
  return parsePlan(text, file, options);
}

export function parsePlan(text: string, file: string, options: LoadOptions = {}): Plan {
  // Windows editors and PowerShell's Out-File write a UTF-8 byte order mark: not part of the plan.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes('\u0000')) {
    throw new UsageError([{ file, message: 'the plan holds NUL bytes: it is UTF-16 without a byte order mark, or not text; save it as UTF-8 (PowerShell: Out-File -Encoding utf8)' }]);
  }
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

  const readSecret = (value: Raw, at: (string | number)[], kind: ReadKind = 'secret'): Secret => {
    if (options.secrets === 'ignore') return { value: '', source: typeof value.env === 'string' ? `env ${value.env}` : `file ${value.file}` };
    if (typeof value.env === 'string') {
      const v = env[value.env];
      if (v === undefined) problem(at, `environment variable ${value.env} is not set`);
      else if (v === '') problem(at, `environment variable ${value.env} is empty`);
      else {
        secrets.push(v);
        learnSecret(v);
      }
      return { value: v ?? '', source: `env ${value.env}` };
    }
    const path = resolvePath(dir, value.file);
    try {
      const v = readTextFile(path, kind).replace(/\r?\n$/, '');
      if (!v) problem(at, `secret file ${value.file} is empty`);
      else {
        secrets.push(v);
        learnSecret(v);
      }
      return { value: v, source: `file ${value.file}` };
    } catch (err) {
      problem(at, `cannot read secret file ${value.file}: ${errnoText(err)}`);
      return { value: '', source: `file ${value.file}` };
    }
  };

  const readPem = (relPath: string, at: (string | number)[], what: string, kind: ReadKind): string => {
    const path = resolvePath(dir, relPath);
    try {
      const pem = readTextFile(path, kind);
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

  // oauth2 blocks: the certificate read as client certificates are, the key and secret as secrets.
  const oauthReaders: OAuthReaders = { secret: readSecret, pem: (file, at, what) => readPem(file, at, what, 'certificate'), resolvePath: (f) => resolvePath(dir, f) };
  const oauth = (o: Raw, at: (string | number)[]): OAuthSettings => resolveOAuth(o, at, toPlanPath(at), oauthReaders, problem);

  const validation = (v: Raw | undefined, at: (string | number)[], entryOAuth?: OAuthSettings): Validation | undefined => {
    if (!v) return undefined;
    const out: Validation = { from: v.from, to: v.to };
    if (v.imap) {
      const hp = hostPort(v.imap.host, 993);
      out.imap = {
        host: hp.host,
        port: hp.port,
        secure: v.imap.secure ?? hp.port === 993,
        username: v.imap.username,
        ...imapLogin(v.imap, [...at, 'imap'], entryOAuth),
        mailbox: v.imap.mailbox ?? 'INBOX',
        timeoutMs: (v.imap.timeoutSeconds ?? 120) * 1000,
        tlsRejectUnauthorized: v.imap.rejectUnauthorized ?? true,
      };
    }
    return out;
  };

  // The IMAP login: its own password or oauth2, else the submission entry's oauth2 (one app
  // registration can hold SMTP.SendAsApp and IMAP.AccessAsApp).
  const imapLogin = (imap: Raw, at: (string | number)[], entryOAuth?: OAuthSettings): { password?: Secret; oauth2?: OAuthSettings } => {
    if (imap.password && imap.oauth2) {
      problem([...at, 'oauth2'], 'give either password or oauth2, not both');
      return {};
    }
    if (imap.password) return { password: readSecret(imap.password, [...at, 'password']) };
    if (imap.oauth2) return { oauth2: oauth(imap.oauth2, [...at, 'oauth2']) };
    if (entryOAuth) return { oauth2: entryOAuth };
    problem(at, 'needs password: { env: NAME } or oauth2: { tenantId: …, clientId: …, certificate: … } to log in to the mailbox');
    return {};
  };

  const names = new Map<string, string>();
  const claimName = (name: string, at: (string | number)[]) => {
    const prior = names.get(name.toLowerCase());
    if (prior) problem([...at, 'name'], `duplicate name "${name}" (also used by ${prior}); every connector and account needs its own name`);
    else names.set(name.toLowerCase(), toPlanPath(at));
  };

  /** candidateCertificate: { cert, key? } — the next certificate, read like a live one. */
  const candidate = (c: Raw, at: (string | number)[]): { candidateCertificate?: CandidateCertificate } => {
    const cc = c.candidateCertificate;
    if (!cc) return {};
    return {
      candidateCertificate: {
        certFile: resolvePath(dir, cc.cert),
        certPem: readPem(cc.cert, [...at, 'candidateCertificate', 'cert'], 'candidate certificate', 'certificate'),
        ...(cc.key ? { key: readSecret(cc.key, [...at, 'candidateCertificate', 'key']) } : {}),
      },
    };
  };

  const connectors: Connector[] = ((raw.connectors ?? []) as Raw[]).map((c, i) => {
    const at = ['connectors', i];
    claimName(c.name, at);
    if (c.direction === 'to-office365') {
      let clientCertificate: ClientCertificate | undefined;
      if (c.clientCertificate) {
        clientCertificate = {
          certFile: resolvePath(dir, c.clientCertificate.cert),
          certPem: readPem(c.clientCertificate.cert, [...at, 'clientCertificate', 'cert'], 'client certificate', 'certificate'),
          key: readSecret(c.clientCertificate.key, [...at, 'clientCertificate', 'key'], 'key'),
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
        ...readSettings(c, 'to-office365'),
        validation: validation(c.validation, [...at, 'validation']),
        ...candidate(c, at),
        path: toPlanPath(at),
      };
    }
    return {
      kind: 'connector',
      direction: 'from-office365',
      name: c.name,
      smartHosts: (c.smartHosts as string[]).map((h) => hostPort(h, 25)),
      tls: c.tls ? { mode: c.tls.mode, domain: c.tls.domain } : undefined,
      ...readSettings(c, 'from-office365'),
      validation: validation(c.validation, [...at, 'validation']),
      ...candidate(c, at),
      path: toPlanPath(at),
    };
  });

  const submission: SubmissionAccount[] = ((raw.submission ?? []) as Raw[]).map((s, i) => {
    const at = ['submission', i];
    claimName(s.name, at);
    if (!s.password && !s.oauth2) problem(at, 'needs oauth2: { tenantId: …, clientId: …, certificate: { cert: …, key: { file: … } } } (XOAUTH2), or password: { env: NAME } for Basic authentication');
    if (s.password && s.oauth2) problem([...at, 'oauth2'], 'give either password (AUTH PLAIN/LOGIN) or oauth2 (XOAUTH2), not both');
    const oauth2 = s.oauth2 && !s.password ? oauth(s.oauth2, [...at, 'oauth2']) : undefined;
    return {
      kind: 'submission',
      name: s.name,
      endpoint: hostPort(s.endpoint, 587),
      ...(s.service ? { service: s.service } : {}),
      username: s.username,
      password: s.password ? readSecret(s.password, [...at, 'password']) : undefined,
      oauth2,
      from: s.from,
      sendAs: s.sendAs ?? [],
      expectForeignSenderRejected: s.expectForeignSenderRejected ?? false,
      validation: validation(s.validation, [...at, 'validation'], oauth2),
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

  // A plan with only a domain is fine: the DNS and firewall checks need nothing else.

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
    ca: ((raw.trust?.ca ?? []) as string[]).map((f, i) => ({ file: resolvePath(dir, f), pem: readPem(f, ['trust', 'ca', i], 'trust anchor', 'CA bundle') })),
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
    dns: { servers: ((raw.dns?.servers ?? []) as string[]).map((s) => parseIpPort(s, 53)!), ...(raw.dns?.validating !== undefined ? { validating: Boolean(raw.dns.validating) } : {}) },
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
  if (err instanceof ReadFileError) return err.reason;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return code ?? String((err as Error).message);
}
