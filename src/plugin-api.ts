// The plugin API (`relaycheck/plugin`): what a --plugin module exports and what its checks and
// probes receive. Types only; the package ships them as declarations (dist/types/, built by
// tsconfig.plugin.json), and fixtures/plugins/example-plugin.mjs is type-checked against them.
export type {
  CheckDefinition,
  CheckInput,
  Finding,
  Status,
  Severity,
  Scope,
  Subject,
  Endpoint,
  EndpointRole,
  Plan,
  PlanEntry,
  Connector,
  ToOffice365Connector,
  FromOffice365Connector,
  SubmissionAccount,
  ProbeDefinition,
  ProbeContext,
  ProbeFailure,
  Timeouts,
  PluginModule,
  TranscriptLine,
  CertificateSummary,
} from './types.js';
/** The data of the built-in `smtp-session` probe (`probes['smtp-session']` in a check). */
export type { SmtpSession, SmtpReply, SmtpFailure, SmtpFailureKind, SmtpPhase, EhloResult, TlsInfo, TlsVersionScan } from './evidence/smtp.js';
/** The data of the built-in sending probes (`auth.submission`, `send`, `delivery`, `quota`). */
export type { SubmissionProbeData, EnvelopeProbe, AuthMechanism, SendProbeData, SendAttempt, SendStage, DeliveryProbeData, DeliveryResult, QuotaProbeData } from './evidence/sending.js';
