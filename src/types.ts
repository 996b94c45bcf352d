// The shapes every part of relaycheck shares: the resolved plan, the subjects checks are run
// against, the check module interface (also the plugin interface), results and the run report.

export type Status = 'pass' | 'warn' | 'fail' | 'error' | 'skipped';
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

/**
 * How bad each status is, for verdicts and --fail-on: a definite failure outranks a check that
 * could not decide, so a run with both reads FAIL (either way it exits 1).
 */
export const STATUS_RANK: Record<Status, number> = { skipped: 0, pass: 1, warn: 2, error: 3, fail: 4 };

import type { InboundSettings, OutboundSettings } from './exo/connector-settings.js';

// ─── The resolved plan ──────────────────────────────────────────────────────────────────────

export interface HostPort {
  host: string;
  port: number;
}

/** A secret after resolution. `value` never reaches a report; `source` names where it came from. */
export interface Secret {
  value: string;
  source: string; // "env SCANNER_PASSWORD" or "file ./secret.txt"
}

export interface Validation {
  from?: string;
  to: string[];
  /** Optional IMAP mailbox that confirms arrival (send.delivery). */
  imap?: {
    host: string;
    port: number;
    secure: boolean;
    username: string;
    /** Basic login; absent when the mailbox is read with OAuth */
    password?: Secret;
    /** XOAUTH2: the plan's own, or the submission entry's `oauth2` when the IMAP block gives neither */
    oauth2?: OAuthSettings;
    mailbox: string;
    timeoutMs: number;
    tlsRejectUnauthorized: boolean;
  };
}

/** OAuth 2.0 client credentials of an app registration (Microsoft Entra ID). */
export interface OAuthClient {
  tenantId: string;
  clientId: string;
  /** the authority's base URL, without the tenant (default https://login.microsoftonline.com) */
  authority: string;
  scope: string;
  secret?: Secret & { expires?: string };
  certificate?: {
    certFile: string;
    certPem: string;
    key: Secret;
    /** SHA-256 thumbprint, hex (MSAL sends it as x5t#S256) */
    thumbprintSha256: string;
    subject: string;
    notAfter: string;
  };
  /** plan path of the block, e.g. "submission[0].oauth2" */
  path: string;
}

/** XOAUTH2 credentials: a ready token, or client credentials relaycheck obtains a token with. */
export interface OAuthSettings {
  accessToken?: Secret;
  client?: OAuthClient;
}

export interface ClientCertificate {
  certFile: string;
  certPem: string;
  key: Secret; // PEM private key
}

/** A certificate that is not live yet: PEM (leaf, then intermediates), key optional. */
export interface CandidateCertificate {
  certFile: string;
  certPem: string;
  key?: Secret;
}

export type TlsMode = 'any' | 'trusted-ca' | 'domain';

export interface ToOffice365Connector extends InboundSettings {
  kind: 'connector';
  direction: 'to-office365';
  name: string;
  endpoint: HostPort;
  requireTls: boolean;
  tlsSenderCertificateName?: string;
  senderIPs: string[];
  clientCertificate?: ClientCertificate;
  senderDomains: string[];
  connectorType: 'OnPremises' | 'Partner';
  validation?: Validation;
  /** the next client certificate, judged before it is installed (run --candidate-cert) */
  candidateCertificate?: CandidateCertificate;
  path: string; // "connectors[0]"
}

export interface FromOffice365Connector extends OutboundSettings {
  kind: 'connector';
  direction: 'from-office365';
  name: string;
  smartHosts: HostPort[];
  tls?: { mode: TlsMode; domain?: string };
  /** Set-OutboundConnector -SmtpDaneMode (absent: not stated in the plan) */
  smtpDaneMode?: 'Opportunistic' | 'Mandatory' | 'None';
  /** Set-OutboundConnector -MtaStsMode (there is no Mandatory) */
  mtaStsMode?: 'Opportunistic' | 'None';
  validation?: Validation;
  /** the smart hosts' next certificate, judged before it is installed (run --candidate-cert) */
  candidateCertificate?: CandidateCertificate;
  path: string;
}

export type Connector = ToOffice365Connector | FromOffice365Connector;

export interface SubmissionAccount {
  kind: 'submission';
  name: string;
  endpoint: HostPort;
  /** the plan's `service:`; absent: detected from the endpoint host (src/exo/services.ts) */
  service?: 'exchange-online' | 'hve' | 'acs' | 'other';
  username: string;
  password?: Secret;
  oauth2?: OAuthSettings;
  from: string;
  sendAs: string[];
  expectForeignSenderRejected: boolean;
  validation?: Validation;
  path: string;
}

/**
 * Direct Send (the plan's `directSend:`): a device or application sends to the tenant MX on port
 * 25 without AUTH, to the tenant's own mailboxes only; Exchange Online refuses it with 550 5.7.68
 * when RejectDirectSend is on and no connector matches.
 */
export interface DirectSendEntry {
  kind: 'direct-send';
  name: string;
  endpoint: HostPort;
  /** what the plan says the tenant has set (Set-OrganizationConfig -RejectDirectSend); absent: unknown */
  rejectDirectSend?: boolean;
  validation: Validation & { from: string };
  path: string;
}

export type PlanEntry = Connector | SubmissionAccount | DirectSendEntry;

export interface Limits {
  /** only when the plan sets it (the seed's 1,500 stays valid as an explicit value) */
  messagesPerDay?: number;
  /** per mailbox; default Microsoft's 30 */
  messagesPerMinute: number;
  /** per mailbox, counted in recipients over a sliding 24 hours; default Microsoft's 10,000 */
  recipientsPerDay: number;
  /** default Microsoft's 500 */
  recipientsPerMessage: number;
  /** true when the plan said nothing and Microsoft's figure (or none) applies */
  defaulted: { messagesPerDay: boolean; messagesPerMinute: boolean; recipientsPerDay: boolean; recipientsPerMessage: boolean };
}

export interface Plan {
  file: string; // as given on the command line (shown in reports)
  dir: string; // absolute folder of the plan: relative paths resolve against it
  version: 1;
  organization?: string;
  domain: string;
  acceptedDomains: string[];
  trust: { system: boolean; ca: { file: string; pem: string }[] };
  /** "host:port" → address (from the plan's `resolve:` and --resolve) */
  resolve: Record<string, string>;
  /** validating: the plan says the servers validate DNSSEC, so their AD bit counts */
  dns: { servers: HostPort[]; validating?: boolean };
  connectors: Connector[];
  submission: SubmissionAccount[];
  /** the plan's `directSend:` (empty when absent) */
  directSend: DirectSendEntry[];
  limits: Limits;
  tlsPolicy: { expiryWarnDays: number };
  firewall?: { allowed: string[]; ranges?: string[] };
  store?: string;
  /** the plan's `stateDir:` (absolute): where the per-user send log lives (src/state/location.ts) */
  stateDir?: string;
  /** the plan's `tenant:`: licences give the TERRL figure (src/exo/limits.ts) */
  tenant?: { licenses?: number; trial?: boolean };
  /** Values of secrets, so that every output path can redact them. */
  secrets: string[];
}

// ─── Subjects ───────────────────────────────────────────────────────────────────────────────

export type EndpointRole = 'to-office365' | 'smart-host' | 'submission';

export interface Endpoint {
  /** "host:port" — the key in reports and the unit a session probe runs against */
  key: string;
  host: string;
  port: number;
  /** address to connect to instead of resolving `host` (plan resolve / --resolve) */
  address?: string;
  role: EndpointRole;
}

export type Subject =
  | { scope: 'plan' }
  | { scope: 'domain'; domain: string }
  | { scope: 'entry'; entry: PlanEntry }
  | { scope: 'endpoint'; entry: PlanEntry; endpoint: Endpoint };

export type Scope = Subject['scope'];

// ─── Probes ─────────────────────────────────────────────────────────────────────────────────

export interface Timeouts {
  connectMs: number;
  greetingMs: number;
  commandMs: number;
  tlsMs: number;
  /** the whole run */
  deadlineMs: number;
}

export interface ProbeContext {
  plan: Plan;
  timeouts: Timeouts;
  /** aborted when the run's deadline passes or the user presses Ctrl-C */
  signal: AbortSignal;
  /** false under --no-send */
  send: boolean;
  /** per-run token carried by validation mail */
  runToken: string;
  startedAt: Date;
  /** results of other probes this probe declared in `after`, by probe id, same subject key */
  deps: Record<string, unknown>;
  /** state shared by all probes of a run (DNS cache, the store, throttled accounts) */
  shared: Map<string, unknown>;
}

/** A probe that could not produce data says why; checks that need it become `error`. */
export interface ProbeFailure {
  probeError: string;
  /** what the probe had gathered when the run was aborted (kept for transcripts, not judged) */
  partial?: unknown;
}

export interface ProbeDefinition<T = unknown> {
  id: string;
  scope: Scope;
  /** other probes of the same subject whose data this one needs (run first) */
  after?: string[];
  /**
   * The subject key decides what is shared: e.g. the SMTP session keys on the endpoint only, so
   * one session feeds every check of every entry that points there.
   */
  key(subject: Subject): string;
  run(subject: Subject, ctx: ProbeContext): Promise<T>;
}

// ─── Checks (the plugin interface) ──────────────────────────────────────────────────────────

export interface Finding {
  status: Status;
  message: string;
  /** overrides the check's remediation for this finding */
  remediation?: string;
  /** what an admin will see in Exchange Online for this finding */
  exchangeOnline?: string;
  /** PowerShell that fixes it on the connector side */
  powershell?: string;
  evidence?: Record<string, unknown>;
  /**
   * false: this failure does not stop the checks that come after this one (`after`), e.g.
   * STARTTLS injected plaintext but TLS was still established. Not part of the report.
   */
  blocking?: boolean;
}

export interface CheckInput {
  subject: Subject;
  plan: Plan;
  /** probe data by probe id; only the probes the check declared */
  probes: Record<string, unknown>;
  now: Date;
  options: { send: boolean };
}

export interface CheckDefinition {
  id: string;
  /** the passing state, e.g. "The STARTTLS certificate is within its validity period" */
  title: string;
  /** the failing state, e.g. "The STARTTLS certificate has expired" */
  failureTitle?: string;
  severity: Severity;
  scope: Scope;
  /** one sentence for `relaycheck checks` and the README */
  description: string;
  remediation: string;
  /** probe ids this check needs */
  requires: string[];
  /**
   * check ids that must not have failed for this one to be tested (same endpoint or plan entry):
   * when one failed, this check is `skipped` with "not tested: <id> failed" (built-in checks:
   * src/runner/prerequisites.ts)
   */
  after?: string[];
  /** narrow the subjects of the scope (e.g. only submission endpoints) */
  appliesTo?(subject: Subject, plan: Plan): boolean;
  evaluate(input: CheckInput): Finding | Finding[];
}

/** A plugin module's default export (or named `checks`). */
export interface PluginModule {
  checks: CheckDefinition[];
  probes?: ProbeDefinition[];
}

// ─── The run report (JSON contract, schemaVersion 1) ────────────────────────────────────────

export interface TranscriptLine {
  t: number; // ms since the session started
  dir: 'send' | 'recv' | 'info';
  tls: boolean;
  line: string;
}

export interface CheckResult {
  check: string;
  status: Status;
  severity: Severity;
  title: string;
  connector: string | null;
  endpoint: string | null;
  message: string;
  remediation: string;
  exchangeOnline?: string;
  powershell?: string;
  evidence?: Record<string, unknown>;
  durationMs: number;
}

export type Summary = Record<Status, number>;

export interface RunReport {
  schemaVersion: 1;
  tool: { name: 'relaycheck'; version: string };
  plan: { organization: string | null; domain: string; file: string };
  startedAt: string;
  durationMs: number;
  verdict: Status;
  summary: Summary;
  options?: { send: boolean; only?: string[]; skip?: string[]; connectors?: string[]; deadlineHit?: boolean; interrupted?: boolean };
  results: CheckResult[];
  transcripts: Record<string, TranscriptLine[]>;
  /** certificates seen, by SHA-256 fingerprint: PEM-free summaries for reports */
  certificates?: Record<string, CertificateSummary>;
  /** what changed since the previous run of the same plan (filled by the history store) */
  changes?: ChangeEntry[];
  /** the run's place in the local store's history (filled by the history store) */
  history?: HistoryInfo;
}

/**
 * Set when the run went through the history store. `previous` is the run `changes` compares
 * against (absent on the first recorded run of a plan); `storeError` says the store could not be
 * used, so this run was not recorded and what changed is unknown (the reports are written anyway).
 */
export interface HistoryInfo {
  previous?: { startedAt: string; verdict: Status };
  storeError?: string;
}

export interface CertificateSummary {
  subject: string;
  issuer: string;
  sans: string[];
  notBefore: string;
  notAfter: string;
  sha256: string;
  keyType?: string;
  keyBits?: number;
  signatureAlgorithm?: string;
}

export interface ChangeEntry {
  kind: 'new-failure' | 'fixed' | 'certificate-changed' | 'tls-version-changed' | 'status-changed';
  check?: string;
  connector?: string | null;
  endpoint?: string | null;
  message: string;
}
