// The data the authentication, send, delivery and quota probes return: plain, JSON-serializable
// facts the auth.*, send.* and limits.quota checks judge. Like SmtpSession, a probe that cannot
// finish still returns this shape and says where and why it stopped.
import type { EhloResult, SmtpFailure, SmtpReply } from './smtp.js';
import type { TranscriptLine } from '../types.js';

export type AuthMechanism = 'PLAIN' | 'LOGIN' | 'XOAUTH2';

/** What one MAIL FROM / RCPT TO / RSET exchange (never DATA) showed. */
export interface EnvelopeProbe {
  from: string;
  recipient: string;
  mail?: SmtpReply;
  rcpt?: SmtpReply;
  /** both MAIL FROM and RCPT TO answered 2xx */
  accepted: boolean;
  refusedAt?: 'mail' | 'rcpt';
  /** set when the exchange did not happen, and why */
  notAttempted?: string;
}

/** Data of the `auth.submission` probe (src/probes/submission.ts), one per submission account. */
export interface SubmissionProbeData {
  /** false for connectors: the send probe runs after this one for every entry */
  applicable: boolean;
  account?: string;
  endpoint?: string;
  /** the main session before STARTTLS */
  plaintext?: {
    ehlo?: EhloResult;
    /** AUTH advertised in the EHLO before STARTTLS */
    authOffered: boolean;
    authMechanisms: string[];
    starttlsOffered: boolean;
  };
  /** a separate short connection: MAIL FROM (and RCPT TO when MAIL was accepted) without TLS and without AUTH */
  withoutTls?: {
    attempted: boolean;
    envelope?: EnvelopeProbe;
    /** what the server accepted without TLS */
    accepted: 'none' | 'mail' | 'mail-and-rcpt';
    failure?: SmtpFailure;
    notAttempted?: string;
  };
  tls?: { protocol: string | null; authorized: boolean; authorizationError?: string; servername?: string };
  authMechanismsAfterTls?: string[];
  auth: {
    attempted: boolean;
    mechanism?: AuthMechanism;
    /** PLAIN or LOGIN: Basic authentication */
    basic: boolean;
    ok: boolean;
    /** the final reply to the AUTH exchange (235, 535, …) */
    reply?: SmtpReply;
    /** an XOAUTH2 error challenge (334 + base64 JSON), decoded and bounded */
    challenge?: string;
    /** why AUTH was not tried (no STARTTLS, untrusted certificate, mechanism not offered, …) */
    notAttempted?: string;
  };
  /** after AUTH: MAIL FROM the plan's `from`, RCPT TO the first validation recipient, RSET */
  senderMatch?: EnvelopeProbe;
  /** expectForeignSenderRejected: MAIL FROM a foreign address must be refused */
  foreignSender?: EnvelopeProbe & { refused: boolean };
  /** nothing was tried: an earlier probe of this run saw this account refused (no more attempts on it this run) */
  skippedAfterRefusal?: AccountRefusal;
  /** where the main session stopped early (connect, STARTTLS, …) */
  failure?: SmtpFailure;
  transcript: TranscriptLine[];
  durationMs: number;
}

/** Where a send stopped: 'data' is the DATA command itself, 'end-of-data' the reply after the final dot. */
export type SendStage = 'connect' | 'tls' | 'auth' | 'mail' | 'rcpt' | 'data' | 'end-of-data' | 'other';

export interface SendAttempt {
  endpoint: string;
  token: string;
  account: string;
  from: string;
  to: string[];
  status: 'accepted' | 'refused' | 'failed' | 'not-sent';
  /** why nothing was sent */
  notSent?: {
    /** 'policy': the path cannot carry this message (HVE or Direct Send to a recipient outside the accepted domains) */
    reason: 'no-send' | 'quota' | 'account-refused' | 'prerequisite' | 'store' | 'aborted' | 'policy';
    message: string;
    /** what to change, for 'policy' */
    fix?: string;
  };
  quota?: QuotaDecision;
  startedAt?: string;
  /** when the server answered 250 after DATA */
  acceptedAt?: string;
  durationMs?: number;
  /** the final 250 reply */
  response?: string;
  queueId?: string;
  messageId?: string;
  accepted?: string[];
  rejected?: string[];
  error?: { stage: SendStage; code?: string; responseCode?: number; response?: string; command?: string; message: string };
  /** how TLS was demanded for this send */
  tls?: { required: boolean; verify: boolean; servername?: string; nameCheck?: string; clientCertificate: boolean };
  authMechanism?: AuthMechanism;
}

/** Data of the `direct-send` probe (src/probes/direct-send.ts), one per directSend: entry. */
export interface DirectSendProbeData {
  /** false for other entries */
  applicable: boolean;
  endpoint?: string;
  tls?: { protocol: string | null };
  /** STARTTLS was offered and refused (the session went on in clear text) */
  starttlsRefused?: string;
  /** MAIL FROM the device's sender, RCPT TO the first validation recipient, RSET */
  envelope?: EnvelopeProbe;
  failure?: SmtpFailure;
  transcript: TranscriptLine[];
  durationMs: number;
}

/** Data of the `send` probe (src/probes/send.ts): one attempt per endpoint of the entry. */
export interface SendProbeData {
  entry: string;
  attempts: SendAttempt[];
  transcript: TranscriptLine[];
}

export interface DeliveryResult {
  endpoint: string;
  token: string;
  status: 'arrived' | 'timeout' | 'error' | 'not-sent';
  mailbox?: string;
  /** from the server's 250 to the first poll that found the message */
  latencyMs?: number;
  foundAt?: string;
  polls: number;
  message?: string;
}

/** Data of the `delivery` probe (src/probes/delivery.ts). */
export interface DeliveryProbeData {
  entry: string;
  /** false when the entry has no validation.imap */
  configured: boolean;
  results: DeliveryResult[];
}

/** Data of the `quota` probe (src/probes/quota.ts), per sending account. */
export interface QuotaProbeData {
  account: string;
  storeFile?: string;
  /** the store could not be read: StoreError message */
  storeError?: string;
  /** counts from the send log, before this run started */
  before?: SendCounts;
  /** messages this run tries to send for the account (0 under --no-send) */
  planned: number;
  /** recipients of those messages */
  plannedRecipients?: number;
  /** the limits of the entry's path (src/exo/limits.ts limitsFor) */
  limits?: QuotaLimits & { path: string; source: Record<string, string> };
  /** where the send log lives and why there (plan, STATE_DIRECTORY, XDG_STATE_HOME, home) */
  stateSource?: string;
  window: 'rolling-24h';
}

export interface AccountRefusal {
  /** what was refused: the credentials, the sender, or the account as a whole (Exchange Online throttling, 5.2.25x) */
  kind: 'auth' | 'sender' | 'throttled';
  /** the server's reply, as received */
  reply: string;
  /** the plan entry whose probe saw it */
  entry: string;
  /** the SMTP step the refusal came at (a Send As refusal on Exchange Online: 'end-of-data') */
  step?: SendStage;
}

export interface SendCounts {
  /** messages in the rolling 24 hours before `now` */
  lastDay: number;
  /** messages in the 60 seconds before `now` */
  lastMinute: number;
  /** recipients of the messages in the rolling 24 hours (Exchange Online counts recipients, not messages) */
  recipientsLastDay?: number;
  /** the tenant's external recipients in the rolling 24 hours, over every path that counts against TERRL */
  tenantExternalLastDay?: number;
  /** when the oldest message of the 24-hour window leaves it (undefined when the window is empty) */
  dayWindowFreesAt?: string;
  minuteWindowFreesAt?: string;
}

/** The limits one send is held to (src/exo/limits.ts limitsFor); an absent limit does not apply. */
export interface QuotaLimits {
  messagesPerDay?: number;
  messagesPerMinute?: number;
  recipientsPerDay?: number;
  recipientsPerMessage?: number;
  tenantExternalPerDay?: number;
}

export type QuotaLimitName = 'day' | 'minute' | 'recipients-day' | 'recipients-per-message' | 'tenant-external';

export type QuotaDecision =
  | { allowed: true; counts: SendCounts; limits: QuotaLimits }
  | { allowed: false; limit: QuotaLimitName; counts: SendCounts; limits: QuotaLimits; message: string };
