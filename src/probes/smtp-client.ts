// A small SMTP client built for diagnosis, not for mail delivery: it records every line with a
// timestamp and a TLS flag, stops cleanly at any step, bounds everything a hostile server sends,
// and hands the TLS facts (chain as DER, protocol, cipher) to the checks instead of judging them.
//
// API (one instance per TCP connection; none of these throws for a reply code, only for a
// transport or protocol failure, as SmtpError { kind, phase, code, reply }):
//   new SmtpClient({ timeouts, signal, limits })
//   connect(target)          TCP to { host, port, address? }; IPv4/IPv6, DNS, per-address attempts
//   greeting()               the server's opening reply (greeting timeout)
//   command(line, phase)     send one line, read one reply (command timeout); AUTH payloads and
//                            LOGIN/XOAUTH2 continuations are written to the transcript as ****
//   ehlo(name, phase?)       EHLO with capabilities parsed (keyword → parameters)
//   startTls(options)        STARTTLS; on 220 discards anything the server sent after the reply
//                            (RFC 3207 §4.2; noted as `plaintextAfterStarttls`), then upgrades with
//                            tls.connect({ socket, servername, rejectUnauthorized: false, … })
//   data(message, phase?)    DATA + dot-stuffed body + "."; the transcript shows only a summary
//   quit()                   QUIT, best effort: never throws, closes the connection
//   close()                  destroy the connection now
//   note(text)               an 'info' line in the transcript
//   transcript               TranscriptLine[]: { t: ms since construction, dir, tls, line }
//   tlsInfo, secure, plaintextAfterStarttls, starttlsReply
//
// Limits (RFC 5321 §4.5.3.1 allows 512-octet reply lines; real servers stay far below): a reply
// line longer than `maxLineLength`, a reply of more than `maxReplyLines` lines, or more than
// `maxBytes` read in the session is a protocol error: reading stops and the socket is destroyed.
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import type net from 'node:net';
import { formatHostPort } from '../plan/address.js';
import type { Timeouts, TranscriptLine } from '../types.js';
import { allowManyListeners, connectTcp, formatMs, kindOfError, type ConnectTarget } from './connect.js';
import type { EhloResult, SmtpFailure, SmtpFailureKind, SmtpPhase, SmtpReply, TlsInfo } from '../evidence/smtp.js';

export interface SmtpLimits {
  /** longest reply line accepted, in bytes (default 2,000) */
  maxLineLength: number;
  /** most lines in one reply (default 100) */
  maxReplyLines: number;
  /** most bytes read in one session (default 1 MiB) */
  maxBytes: number;
}

export const DEFAULT_LIMITS: SmtpLimits = { maxLineLength: 2000, maxReplyLines: 100, maxBytes: 1 << 20 };

export interface SmtpClientOptions {
  timeouts: Pick<Timeouts, 'connectMs' | 'greetingMs' | 'commandMs' | 'tlsMs'>;
  signal?: AbortSignal;
  limits?: Partial<SmtpLimits>;
}

export interface StartTlsOptions {
  /** SNI and the name Node checks for `authorizationError`; leave out for IP literals */
  servername?: string;
  /** a prepared context (trust, client certificate, versions); else one is made from the fields below */
  secureContext?: tls.SecureContext;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  ciphers?: string;
  ca?: string | string[];
  cert?: string;
  key?: string;
  /** the context carries a client certificate (for `clientCertificatePresented`) */
  clientCertificate?: boolean;
}

export interface StartTlsResult {
  reply: SmtpReply;
  /** set when the server said 220 and the handshake completed */
  tls?: TlsInfo;
}

/** Cipher list that lets legacy servers negotiate so the checks can judge them (OpenSSL 3). */
export const PERMISSIVE_CIPHERS = 'DEFAULT:@SECLEVEL=0';

export class SmtpError extends Error {
  readonly kind: SmtpFailureKind;
  readonly phase: SmtpPhase;
  readonly code?: string;
  readonly reply?: SmtpReply;
  constructor(kind: SmtpFailureKind, phase: SmtpPhase, message: string, extra: { code?: string; reply?: SmtpReply } = {}) {
    super(message);
    this.name = 'SmtpError';
    this.kind = kind;
    this.phase = phase;
    if (extra.code) this.code = extra.code;
    if (extra.reply) this.reply = extra.reply;
  }

  toFailure(): SmtpFailure {
    return { kind: this.kind, phase: this.phase, message: this.message, ...(this.code ? { code: this.code } : {}), ...(this.reply ? { reply: this.reply } : {}) };
  }
}

/** "421 4.3.2 Service not available" — a reply as one line of text, for messages. */
export function replyText(reply: SmtpReply, maxLength = 300): string {
  const text = `${reply.code} ${reply.lines.join(' ')}`.replace(/\s+/g, ' ').trim();
  return text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
}

/** EHLO reply → capabilities (keyword upper case → parameters); "AUTH=LOGIN" is read as AUTH. */
export function parseCapabilities(reply: SmtpReply): Record<string, string[]> {
  const caps: Record<string, string[]> = {};
  for (const line of reply.lines.slice(1)) {
    const words = line.trim().split(/\s+/).filter(Boolean);
    if (!words.length) continue;
    let keyword = words[0].toUpperCase();
    let params = words.slice(1);
    const eq = keyword.indexOf('=');
    if (eq > 0) {
      params = [words[0].slice(eq + 1), ...params].filter(Boolean);
      keyword = keyword.slice(0, eq);
    }
    if (!/^[A-Z0-9][A-Z0-9-]*$/.test(keyword)) continue;
    const upper = keyword === 'AUTH' ? params.map((p) => p.toUpperCase()) : params;
    caps[keyword] = [...new Set([...(caps[keyword] ?? []), ...upper])];
  }
  return caps;
}

const REPLY_LINE = /^(\d{3})(?:([ -])(.*))?$/s;
const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?=\s|$)/;

interface Waiter {
  phase: SmtpPhase;
  resolve: (reply: SmtpReply) => void;
  reject: (err: SmtpError) => void;
  timer: NodeJS.Timeout;
}

export class SmtpClient {
  readonly transcript: TranscriptLine[] = [];
  /** TLS facts, after a successful startTls() */
  tlsInfo?: TlsInfo;
  /** bytes the server sent after its 220 to STARTTLS, before the handshake (discarded) */
  plaintextAfterStarttls?: { bytes: number; preview: string };
  /** the reply to STARTTLS, once sent */
  starttlsReply?: SmtpReply;

  private readonly t0 = performance.now();
  private readonly limits: SmtpLimits;
  private socket: net.Socket | null = null;
  private secureSocket: tls.TLSSocket | null = null;
  private buffer: Buffer = Buffer.alloc(0);
  private partial: { code: number; lines: string[] } | null = null;
  private readonly queue: SmtpReply[] = [];
  private waiter: Waiter | null = null;
  private dead: SmtpError | null = null;
  private bytesRead = 0;
  private phase: SmtpPhase = 'connect';
  private authInProgress = false;
  /** set while STARTTLS is outstanding: stop reading after its reply, keep the rest aside */
  private detachAfterReply = false;
  private detachedRest: Buffer | null = null;
  private readerDetached = false;
  /** the TLS socket while its handshake runs */
  private handshaking: tls.TLSSocket | null = null;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly onClose = () => this.fail(new SmtpError('reset', this.phase, this.phase === 'quit' ? 'The server closed the connection after QUIT' : `The server closed the connection (during ${this.phase})`));
  private readonly onError = (err: NodeJS.ErrnoException) => this.fail(new SmtpError(kindOfError(err), this.phase, `Connection error during ${this.phase}: ${err.code ?? err.message}`, { code: err.code }));
  private readonly onAbort = () => this.fail(new SmtpError('aborted', this.phase, `Aborted during ${this.phase} (run deadline or interrupt)`));

  constructor(private readonly options: SmtpClientOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    allowManyListeners(options.signal);
  }

  get secure(): boolean {
    return this.secureSocket !== null;
  }

  /** ms since this client was made */
  elapsed(): number {
    return Math.round(performance.now() - this.t0);
  }

  note(text: string): void {
    this.record('info', text);
  }

  async connect(target: ConnectTarget): Promise<{ address: string; family: 4 | 6; connectMs: number }> {
    this.phase = 'connect';
    const signal = this.options.signal;
    if (signal?.aborted) throw this.failNow(new SmtpError('aborted', 'connect', 'Aborted before connecting (run deadline or interrupt)'));
    const result = await connectTcp(target, { timeoutMs: this.options.timeouts.connectMs, signal, note: (t) => this.note(t) });
    if (!result.ok) throw this.failNow(new SmtpError(result.kind, 'connect', result.message, { code: result.code }));
    this.socket = result.socket;
    this.attach(result.socket);
    signal?.addEventListener('abort', this.onAbort, { once: true });
    this.note(`connected to ${formatHostPort({ host: result.address, port: target.port })} in ${result.connectMs} ms`);
    return { address: result.address, family: result.family, connectMs: result.connectMs };
  }

  /** Reads the opening reply (RFC 5321 §4.3.1); the caller judges its code. */
  greeting(): Promise<SmtpReply> {
    this.phase = 'greeting';
    return this.readReply('greeting', this.options.timeouts.greetingMs);
  }

  /** Sends one command line and reads its reply. Lines carrying credentials are masked in the transcript. */
  async command(line: string, phase: SmtpPhase, options: { timeoutMs?: number; secret?: boolean } = {}): Promise<SmtpReply> {
    this.write(line, phase, options.secret);
    return this.readReply(phase, options.timeoutMs ?? this.options.timeouts.commandMs);
  }

  async ehlo(name: string, phase: SmtpPhase = this.secure ? 'ehlo-tls' : 'ehlo'): Promise<EhloResult> {
    const reply = await this.command(`EHLO ${name}`, phase);
    return { reply, capabilities: reply.code === 250 ? parseCapabilities(reply) : {} };
  }

  /**
   * STARTTLS (RFC 3207). On 220: everything the server sent after the reply line is discarded and
   * noted (a server must wait for the handshake; plaintext here is the "STARTTLS command
   * injection" pattern Postfix defends against), then the socket is upgraded. rejectUnauthorized is
   * false: the chain is captured and judged by the checks, Node's verdict is only recorded.
   */
  async startTls(options: StartTlsOptions): Promise<StartTlsResult> {
    if (this.secure) throw new SmtpError('protocol-error', 'starttls', 'STARTTLS on a connection that is already TLS');
    this.detachAfterReply = true;
    let reply: SmtpReply;
    try {
      reply = await this.command('STARTTLS', 'starttls');
    } finally {
      this.detachAfterReply = false;
    }
    this.starttlsReply = reply;
    const rest = this.detachedRest;
    this.detachedRest = null;
    const detached = this.readerDetached;
    this.readerDetached = false;
    if (reply.code !== 220) {
      // Not upgrading: carry on reading the plaintext connection where we stopped.
      if (detached && this.socket && !this.dead) {
        this.socket.on('data', this.onData);
        if (rest?.length) this.receive(rest, false);
      }
      return { reply };
    }
    if (rest?.length) {
      const preview = rest.subarray(0, 120).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
      this.plaintextAfterStarttls = { bytes: rest.length, preview };
      this.note(`the server sent ${rest.length} bytes of plaintext after 220 to STARTTLS; discarded (RFC 3207): ${JSON.stringify(preview)}`);
    }
    this.tlsInfo = await this.handshake(options);
    return { reply, tls: this.tlsInfo };
  }

  /** DATA, then the message (dot-stuffed, CRLF line ends) and the final "."; returns the final reply. */
  async data(message: string | Buffer, phase: SmtpPhase = 'data'): Promise<{ start: SmtpReply; end?: SmtpReply }> {
    const start = await this.command('DATA', phase);
    if (start.code !== 354) return { start };
    const text = (typeof message === 'string' ? message : message.toString('utf8')).replace(/\r?\n/g, '\r\n');
    const stuffed = text.replace(/^\./gm, '..');
    const body = stuffed.endsWith('\r\n') ? stuffed : `${stuffed}\r\n`;
    this.record('send', `<message: ${Buffer.byteLength(body)} bytes>`);
    this.rawWrite(`${body}.\r\n`, phase);
    this.record('send', '.');
    const end = await this.readReply(phase, this.options.timeouts.commandMs);
    return { start, end };
  }

  /** QUIT and close. Best effort: a server that already hung up is not an error here. */
  async quit(): Promise<SmtpReply | undefined> {
    if (this.dead || !this.socket) {
      this.close();
      return undefined;
    }
    try {
      return await this.command('QUIT', 'quit');
    } catch {
      return undefined;
    } finally {
      this.close();
    }
  }

  close(): void {
    this.options.signal?.removeEventListener('abort', this.onAbort);
    if (!this.dead) this.dead = new SmtpError('reset', this.phase, 'The connection was closed by the client');
    for (const s of [this.secureSocket, this.handshaking, this.socket]) {
      if (!s) continue;
      s.removeListener('data', this.onData);
      s.removeListener('close', this.onClose);
      s.destroy();
    }
    this.rejectWaiter(this.dead);
  }

  // ─── internals ──────────────────────────────────────────────────────────────────────────────

  private attach(socket: net.Socket): void {
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
  }

  private detach(socket: net.Socket): void {
    socket.removeListener('data', this.onData);
    socket.removeListener('close', this.onClose);
    socket.removeListener('error', this.onError);
    socket.on('error', () => {}); // never an unhandled 'error' from a socket we let go of
  }

  private record(dir: TranscriptLine['dir'], line: string): void {
    this.transcript.push({ t: this.elapsed(), dir, tls: this.secure, line });
  }

  private redactForTranscript(line: string, secret?: boolean): string {
    if (secret) return '****';
    const auth = /^AUTH\s+(\S+)(\s+\S.*)?$/i.exec(line);
    if (auth) {
      this.authInProgress = true;
      return auth[2] ? `AUTH ${auth[1]} ****` : `AUTH ${auth[1]}`;
    }
    if (this.authInProgress) return '****'; // LOGIN username/password, XOAUTH2 error acknowledgement
    return line;
  }

  private write(line: string, phase: SmtpPhase, secret?: boolean): void {
    this.phase = phase;
    if (this.dead) throw this.dead;
    this.record('send', this.redactForTranscript(line, secret));
    this.rawWrite(`${line}\r\n`, phase);
  }

  private rawWrite(text: string, phase: SmtpPhase): void {
    const s = this.secureSocket ?? this.socket;
    if (!s || s.destroyed) {
      this.fail(new SmtpError('reset', phase, `The connection is closed (before ${phase})`));
      throw this.dead!;
    }
    s.write(text);
  }

  private readReply(phase: SmtpPhase, ms: number): Promise<SmtpReply> {
    this.phase = phase;
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.dead) return Promise.reject(this.dead);
    return new Promise<SmtpReply>((resolve, reject) => {
      const what = phase === 'greeting' ? 'No greeting' : phase === 'quit' ? 'No reply to QUIT' : `No reply during ${phase}`;
      const timer = setTimeout(() => this.fail(new SmtpError('timeout', phase, `${what} within ${formatMs(ms)}`)), ms);
      this.waiter = { phase, resolve, reject, timer };
    });
  }

  private receive(chunk: Buffer, count = true): void {
    if (this.dead) return;
    if (count) {
      this.bytesRead += chunk.length;
      if (this.bytesRead > this.limits.maxBytes) {
        this.fail(new SmtpError('protocol-error', this.phase, `The server sent more than ${this.limits.maxBytes} bytes; stopped reading`));
        return;
      }
    }
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      const nl = this.buffer.indexOf(10);
      const lineLength = nl < 0 ? this.buffer.length : nl;
      if (lineLength > this.limits.maxLineLength) {
        const head = this.buffer.subarray(0, 80).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
        this.note(`reply line longer than ${this.limits.maxLineLength} bytes, starting ${JSON.stringify(head)}`);
        this.fail(new SmtpError('protocol-error', this.phase, `A reply line longer than ${this.limits.maxLineLength} bytes during ${this.phase}; stopped reading`));
        return;
      }
      if (nl < 0) return;
      const raw = this.buffer.subarray(0, nl);
      this.buffer = this.buffer.subarray(nl + 1);
      const line = raw.toString('utf8').replace(/\r$/, '');
      this.record('recv', line);
      const outcome = this.line(line);
      if (outcome === 'failed') return;
      if (outcome === 'reply' && this.detachAfterReply) {
        // STARTTLS answered: whatever else this read holds must not be taken as SMTP (RFC 3207).
        this.detachAfterReply = false;
        this.detachedRest = this.buffer;
        this.buffer = Buffer.alloc(0);
        this.readerDetached = true;
        this.socket?.removeListener('data', this.onData);
        return;
      }
    }
  }

  /** One reply line: part of a reply, the end of one, or a protocol failure. */
  private line(text: string): 'partial' | 'reply' | 'failed' {
    const m = REPLY_LINE.exec(text);
    if (!m) {
      this.fail(new SmtpError('protocol-error', this.phase, `Malformed reply line during ${this.phase}: ${JSON.stringify(text.slice(0, 80))}`));
      return 'failed';
    }
    const code = Number(m[1]);
    const more = m[2] === '-';
    const rest = m[3] ?? '';
    if (this.partial && this.partial.code !== code) {
      this.fail(new SmtpError('protocol-error', this.phase, `Reply code changed from ${this.partial.code} to ${code} inside a multi-line reply`));
      return 'failed';
    }
    const partial = (this.partial ??= { code, lines: [] });
    partial.lines.push(rest);
    if (partial.lines.length > this.limits.maxReplyLines) {
      this.fail(new SmtpError('protocol-error', this.phase, `A reply of more than ${this.limits.maxReplyLines} lines during ${this.phase}; stopped reading`));
      return 'failed';
    }
    if (more) return 'partial';
    this.partial = null;
    const enhanced = ENHANCED.exec(partial.lines[0]);
    const reply: SmtpReply = { code, ...(enhanced && enhanced[1] === String(code)[0] ? { enhanced: `${enhanced[1]}.${enhanced[2]}.${enhanced[3]}` } : {}), lines: partial.lines };
    if (code !== 334) this.authInProgress = false;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = null;
      clearTimeout(waiter.timer);
      waiter.resolve(reply);
    } else {
      if (this.queue.length >= 10) {
        this.fail(new SmtpError('protocol-error', this.phase, 'The server sent more than 10 replies nobody asked for'));
        return 'failed';
      }
      this.queue.push(reply);
    }
    return 'reply';
  }

  /** Marks the session failed (first failure wins), destroys the connection, rejects a waiter. */
  private fail(err: SmtpError): void {
    if (this.dead) return;
    this.dead = err;
    this.note(`${err.kind}: ${err.message}`);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.socket?.destroy();
    this.secureSocket?.destroy();
    this.handshaking?.destroy();
    this.rejectWaiter(err);
  }

  private failNow(err: SmtpError): SmtpError {
    this.fail(err);
    return err;
  }

  private rejectWaiter(err: SmtpError): void {
    const waiter = this.waiter;
    if (!waiter) return;
    this.waiter = null;
    clearTimeout(waiter.timer);
    waiter.reject(err);
  }

  private handshake(options: StartTlsOptions): Promise<TlsInfo> {
    const plain = this.socket!;
    this.phase = 'tls-handshake';
    if (this.dead) return Promise.reject(this.dead);
    this.detach(plain);
    const t0 = performance.now();
    this.note(`TLS handshake${options.servername ? ` (SNI ${options.servername})` : ' (no SNI: IP literal)'}`);
    return new Promise<TlsInfo>((resolve, reject) => {
      let settled = false;
      let secure: tls.TLSSocket;
      const settle = (err: SmtpError | null, info?: TlsInfo) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        secure.removeListener('secureConnect', onSecure);
        secure.removeListener('error', onHandshakeError);
        secure.removeListener('close', onHandshakeClose);
        this.options.signal?.removeEventListener('abort', onAbort);
        if (err) {
          this.fail(err);
          reject(this.dead ?? err); // the first failure wins (an abort, not the close it caused)
        } else resolve(info!);
      };
      const onSecure = () => {
        const info = tlsFacts(secure, options, Math.round(performance.now() - t0));
        this.secureSocket = secure;
        this.handshaking = null;
        this.attach(secure);
        this.phase = 'ehlo-tls';
        this.note(`TLS established: ${info.protocol} ${info.cipher?.name ?? ''}; ${info.peerChain.length} certificate(s) from the server${info.authorized ? '' : `; Node's verdict: ${info.authorizationError}`}`);
        settle(null, info);
      };
      const onHandshakeError = (err: NodeJS.ErrnoException) => {
        const kind = kindOfError(err);
        // OpenSSL's message carries file names and addresses; its `reason` is the readable part.
        const reason = (err as NodeJS.ErrnoException & { reason?: string }).reason;
        const detail = reason ? `${reason}${err.code ? ` (${err.code})` : ''}` : (err.message || String(err.code)).split('\n')[0];
        settle(new SmtpError(kind === 'aborted' ? 'reset' : kind, 'tls-handshake', kind === 'tls-alert' ? `TLS handshake failed: ${detail}` : `The connection broke during the TLS handshake: ${detail}`, { code: err.code }));
      };
      const onHandshakeClose = () => settle(new SmtpError('reset', 'tls-handshake', 'The server closed the connection during the TLS handshake'));
      const onAbort = () => settle(new SmtpError('aborted', 'tls-handshake', 'Aborted during the TLS handshake (run deadline or interrupt)'));
      const timer = setTimeout(() => settle(new SmtpError('timeout', 'tls-handshake', `TLS handshake not finished within ${formatMs(this.options.timeouts.tlsMs)}`)), this.options.timeouts.tlsMs);
      try {
        secure = tls.connect({
          socket: plain,
          rejectUnauthorized: false,
          ...(options.servername ? { servername: options.servername } : {}),
          ...(options.secureContext
            ? { secureContext: options.secureContext }
            : {
                minVersion: options.minVersion ?? 'TLSv1',
                ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
                ciphers: options.ciphers ?? PERMISSIVE_CIPHERS,
                ...(options.ca !== undefined ? { ca: options.ca } : {}),
                ...(options.cert && options.key ? { cert: options.cert, key: options.key } : {}),
              }),
        });
      } catch (err) {
        secure = undefined as unknown as tls.TLSSocket;
        settled = true;
        clearTimeout(timer);
        const e = new SmtpError('tls-alert', 'tls-handshake', `Could not start TLS: ${(err as Error).message.split('\n')[0]}`, { code: (err as NodeJS.ErrnoException).code });
        this.fail(e);
        reject(e);
        return;
      }
      this.handshaking = secure; // close() and fail() tear the handshake down too
      secure.on('error', () => {}); // errors after the handshake go through onError once attached
      secure.once('secureConnect', onSecure);
      secure.on('error', onHandshakeError);
      secure.once('close', onHandshakeClose);
      if (this.options.signal?.aborted) onAbort();
      else this.options.signal?.addEventListener('abort', onAbort, { once: true });
    }).finally(() => {
      this.handshaking = null;
    });
  }
}

/** The facts of an established TLS connection, JSON-serializable. */
function tlsFacts(secure: tls.TLSSocket, options: StartTlsOptions, handshakeMs: number): TlsInfo {
  const cipher = secure.getCipher();
  const eph = secure.getEphemeralKeyInfo() as { type?: string; name?: string; size?: number } | null;
  const chain: string[] = [];
  const seen = new Set<string>();
  // getPeerX509Certificate() links the certificates the server sent (leaf first, each followed by
  // its issuer among them); unlike getPeerCertificate(true) it does not complete the chain from
  // the local trust store, so the checks see what the server really sends.
  let cert = secure.getPeerX509Certificate();
  while (cert && !seen.has(cert.fingerprint256) && chain.length < 20) {
    seen.add(cert.fingerprint256);
    chain.push(cert.raw.toString('base64'));
    const next: typeof cert | undefined = cert.issuerCertificate;
    if (!next || next === cert) break;
    cert = next;
  }
  // The client only learns the server's signature algorithms from a CertificateRequest, so a
  // non-empty shared list means the server asked for a client certificate (TLS 1.2 and 1.3).
  let requested = false;
  try {
    requested = (secure.getSharedSigalgs?.() ?? []).length > 0;
  } catch {
    requested = false;
  }
  const authError = secure.authorizationError as unknown;
  return {
    protocol: secure.getProtocol(),
    cipher: cipher ? { name: cipher.name, ...(cipher.standardName ? { standardName: cipher.standardName } : {}), version: cipher.version } : null,
    authorized: secure.authorized,
    ...(authError ? { authorizationError: String((authError as { code?: string }).code ?? authError) } : {}),
    peerChain: chain,
    ...(options.servername ? { servername: options.servername } : {}),
    clientCertificateRequested: requested,
    clientCertificatePresented: Boolean(options.clientCertificate) && requested,
    ...(eph && eph.type ? { ephemeralKey: { type: eph.type, ...(eph.name ? { name: eph.name } : {}), ...(eph.size ? { size: eph.size } : {}) } } : {}),
    handshakeMs,
  };
}
