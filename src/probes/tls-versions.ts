// Which TLS versions a STARTTLS server accepts: one fresh connection per version (TLS 1.0, 1.1,
// 1.2, 1.3; min = max = that version, permissive ciphers), all in parallel, each doing greeting,
// EHLO, STARTTLS and the handshake under the session's timeouts. Run when the main handshake
// fails or lands below TLS 1.2, so `tls.version` can say "offers only TLS 1.0/1.1".
import type tls from 'node:tls';
import type { Timeouts } from '../types.js';
import type { ConnectTarget } from './connect.js';
import { SmtpClient, SmtpError, replyText } from './smtp-client.js';
import type { TlsVersionScan } from '../evidence/smtp.js';

export const SCAN_VERSIONS: tls.SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

export interface VersionScanOptions {
  target: ConnectTarget;
  ehloName: string;
  servername?: string;
  timeouts: Pick<Timeouts, 'connectMs' | 'greetingMs' | 'commandMs' | 'tlsMs'>;
  signal?: AbortSignal;
  /** a context pinned to one version (min = max); e.g. cached per run */
  contextFor: (version: tls.SecureVersion) => tls.SecureContext;
  versions?: tls.SecureVersion[];
}

type Outcome = { version: tls.SecureVersion; accepted?: boolean; error?: string };

async function tryVersion(version: tls.SecureVersion, options: VersionScanOptions): Promise<Outcome> {
  const client = new SmtpClient({ timeouts: options.timeouts, signal: options.signal });
  try {
    await client.connect(options.target);
    const greeting = await client.greeting();
    if (greeting.code !== 220) return { version, error: `not tried: greeting ${replyText(greeting, 120)}` };
    const ehlo = await client.ehlo(options.ehloName);
    if (ehlo.reply.code !== 250) return { version, error: `not tried: EHLO answered ${replyText(ehlo.reply, 120)}` };
    let context: tls.SecureContext;
    try {
      context = options.contextFor(version);
    } catch (err) {
      return { version, error: `not tried: this client cannot offer ${version} (${(err as Error).message.split('\n')[0]})` };
    }
    const started = await client.startTls({ servername: options.servername, secureContext: context });
    if (started.reply.code !== 220) return { version, error: `not tried: STARTTLS answered ${replyText(started.reply, 120)}` };
    return { version, accepted: started.tls !== undefined };
  } catch (err) {
    if (err instanceof SmtpError && err.phase === 'tls-handshake' && err.kind !== 'timeout' && err.kind !== 'aborted') {
      return { version, accepted: false, error: err.message };
    }
    if (err instanceof SmtpError && err.phase === 'tls-handshake') return { version, error: `not decided: ${err.message}` };
    return { version, error: `not tried: ${(err as Error).message}` };
  } finally {
    await client.quit();
  }
}

export async function scanTlsVersions(options: VersionScanOptions): Promise<TlsVersionScan> {
  const outcomes = await Promise.all((options.versions ?? SCAN_VERSIONS).map((v) => tryVersion(v, options)));
  const scan: TlsVersionScan = { accepted: {} };
  for (const o of outcomes) {
    if (o.accepted !== undefined) scan.accepted[o.version] = o.accepted;
    if (o.error) (scan.errors ??= {})[o.version] = o.error;
  }
  return scan;
}
