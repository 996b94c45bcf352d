// The data an SMTP session probe returns: plain, JSON-serializable facts that checks judge.
// A session that cannot be completed still returns this shape, with `failure` saying where and
// why it stopped; it never throws.
import type { CertificateSummary, TranscriptLine } from '../types.js';

/** The probe's id: what checks list in `requires` and find their SmtpSession under. */
export const SMTP_SESSION_PROBE = 'smtp-session';

export type SmtpFailureKind =
  | 'dns' // the host name does not resolve
  | 'refused' // ECONNREFUSED
  | 'unreachable' // EHOSTUNREACH / ENETUNREACH
  | 'timeout' // a phase timeout passed (see `phase`)
  | 'reset' // ECONNRESET / EPIPE / the server closed the connection
  | 'tls-alert' // the TLS handshake failed (alert or protocol mismatch)
  | 'unexpected-reply' // a well-formed reply with the wrong code (e.g. 421 at connect, 454 to STARTTLS)
  | 'protocol-error' // malformed replies, over-long lines, too many lines, plaintext after STARTTLS 220
  | 'aborted'; // the run's deadline or Ctrl-C

export type SmtpPhase = 'connect' | 'greeting' | 'ehlo' | 'starttls' | 'tls-handshake' | 'ehlo-tls' | 'auth' | 'mail' | 'rcpt' | 'data' | 'quit';

export interface SmtpReply {
  code: number;
  /** enhanced status code when present, e.g. "5.7.1" */
  enhanced?: string;
  /** reply lines without the code prefix, already bounded in length and count */
  lines: string[];
}

export interface SmtpFailure {
  kind: SmtpFailureKind;
  phase: SmtpPhase;
  message: string;
  /** the reply that caused an unexpected-reply failure */
  reply?: SmtpReply;
  /** OpenSSL / Node error code, e.g. ERR_SSL_UNSUPPORTED_PROTOCOL, ECONNREFUSED */
  code?: string;
}

export interface EhloResult {
  reply: SmtpReply;
  /** keyword (upper case) → parameters, e.g. { STARTTLS: [], AUTH: ['PLAIN','LOGIN'], SIZE: ['35882577'] } */
  capabilities: Record<string, string[]>;
}

export interface TlsInfo {
  /** "TLSv1.3", "TLSv1.2", … as Node's getProtocol() reports */
  protocol: string | null;
  cipher: { name: string; standardName?: string; version: string } | null;
  /** Node's own verdict against the trust given to the probe (informative; checks decide) */
  authorized: boolean;
  authorizationError?: string;
  /** the peer's chain as sent, leaf first, base64 DER (duplicates removed, order preserved) */
  peerChain: string[];
  /** SNI sent */
  servername?: string;
  /** the server asked for a client certificate (CertificateRequest seen) */
  clientCertificateRequested?: boolean;
  /** we presented the plan's client certificate */
  clientCertificatePresented?: boolean;
  /** ephemeral key exchange, e.g. { type: 'ECDH', name: 'X25519', size: 253 } */
  ephemeralKey?: { type: string; name?: string; size?: number };
  handshakeMs: number;
}

/** Versions a server accepts, found after a failed or legacy handshake (tls.version). */
export interface TlsVersionScan {
  /**
   * protocol → accepted? e.g. { 'TLSv1': true, 'TLSv1.1': true, 'TLSv1.2': false, 'TLSv1.3': false }.
   * A version that could not be tried (no connection, STARTTLS refused) is absent here and
   * explained in `errors`.
   */
  accepted: Record<string, boolean>;
  /** protocol → why it was refused or could not be tried */
  errors?: Record<string, string>;
}

export interface SmtpSession {
  endpoint: string; // host:port
  /** the name sent with EHLO */
  ehloName?: string;
  /** the address actually connected to */
  address?: string;
  family?: 4 | 6;
  connectMs?: number;
  greeting?: SmtpReply;
  ehlo?: EhloResult;
  starttls?: {
    offered: boolean;
    reply?: SmtpReply;
    /** the server sent bytes after its 220 and before the handshake (discarded; RFC 3207 §4.2) */
    plaintextAfterReply?: { bytes: number; preview: string };
  };
  tls?: TlsInfo;
  ehloAfterTls?: EhloResult;
  /** set when the session stopped before QUIT; the steps above show how far it got */
  failure?: SmtpFailure;
  versionScan?: TlsVersionScan;
  /** summaries of tls.peerChain, same order (fills the report's certificates) */
  certificateSummaries?: CertificateSummary[];
  transcript: TranscriptLine[];
  durationMs: number;
}
