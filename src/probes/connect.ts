// TCP connection to an SMTP endpoint, IPv4 and IPv6: the plan's `resolve` / --resolve address,
// else an IP literal, else every address node:dns gives (both families, resolver order), tried in
// turn. Each step is bounded by the connect timeout and the run's AbortSignal; failures come back
// as data ({ ok: false, kind, … }), never as exceptions.
import { lookup } from 'node:dns/promises';
import { setMaxListeners } from 'node:events';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { formatHostPort } from '../plan/address.js';
import type { SmtpFailureKind } from '../evidence/smtp.js';
import { formatMs } from '../duration.js';

export { formatMs };

export interface ConnectTarget {
  host: string;
  port: number;
  /** connect here instead of resolving `host` (plan `resolve:` / --resolve) */
  address?: string;
}

export interface ConnectOptions {
  /** per address attempt, and for the DNS lookup */
  timeoutMs: number;
  signal?: AbortSignal;
  /** notes for the transcript ("trying 2001:db8::1 …") */
  note?: (text: string) => void;
  /** injectable for tests: resolves a host name to addresses */
  resolve?: (host: string) => Promise<{ address: string; family: number }[]>;
}

export type ConnectResult =
  | { ok: true; socket: net.Socket; address: string; family: 4 | 6; connectMs: number }
  | { ok: false; kind: SmtpFailureKind; code?: string; message: string };

const RESOLVE_ERRORS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME', 'ENODATA', 'ESERVFAIL']);

/** The failure kind of a socket or TLS error code (ECONNREFUSED → refused, …). */
export function kindOfError(err: unknown): SmtpFailureKind {
  const e = err as NodeJS.ErrnoException & { library?: string };
  const code = e?.code ?? '';
  if (code === 'ABORT_ERR') return 'aborted';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENETDOWN', 'EHOSTDOWN', 'EAFNOSUPPORT'].includes(code)) return 'unreachable';
  if (RESOLVE_ERRORS.has(code)) return 'dns';
  if (code.startsWith('ERR_SSL') || code === 'EPROTO' || e?.library === 'SSL routines' || /^ERR_TLS_/.test(code)) return 'tls-alert';
  return 'reset'; // ECONNRESET, EPIPE, ECONNABORTED, a close before the step finished
}


const raisedSignals = new WeakSet<AbortSignal>();
/** Many sessions listen on the run's one signal: lift EventTarget's leak warning for it. */
export function allowManyListeners(signal: AbortSignal | undefined): void {
  if (!signal || raisedSignals.has(signal)) return;
  setMaxListeners(0, signal);
  raisedSignals.add(signal);
}

/** Host name → addresses, bounded by the timeout and the signal (dns.lookup itself cannot be cancelled). */
async function resolveAll(host: string, options: ConnectOptions): Promise<{ address: string; family: number }[]> {
  const resolver = options.resolve ?? ((h: string) => lookup(h, { all: true, verbatim: true }));
  const pending = resolver(host);
  pending.catch(() => {}); // a late rejection after the timeout must not become unhandled
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      pending,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error(`${host} did not resolve within ${formatMs(options.timeoutMs)}`), { code: 'ETIMEDOUT' })), options.timeoutMs);
        onAbort = () => reject(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }));
        if (options.signal?.aborted) onAbort();
        else options.signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
  }
}

/** One TCP attempt to address:port. */
function attempt(address: string, port: number, options: ConnectOptions): Promise<ConnectResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const family = net.isIP(address) === 6 ? 6 : 4;
    const where = formatHostPort({ host: address, port });
    const socket = net.connect({ host: address, port, family });
    socket.on('error', () => {}); // every later error is handled by whoever owns the socket
    let settled = false;
    const finish = (result: ConnectResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.removeListener('connect', onConnect);
      socket.removeListener('error', onError);
      if (!result.ok) socket.destroy();
      resolve(result);
    };
    const onConnect = () => {
      socket.setNoDelay(true);
      finish({ ok: true, socket, address, family, connectMs: Math.round(performance.now() - t0) });
    };
    const onError = (err: NodeJS.ErrnoException) => {
      const kind = kindOfError(err);
      const message =
        kind === 'refused' ? `Connection refused by ${where}` : kind === 'unreachable' ? `${where} is unreachable (${err.code})` : kind === 'timeout' ? `No TCP connection to ${where} (${err.code})` : `Connection to ${where} failed: ${err.code ?? err.message}`;
      finish({ ok: false, kind, code: err.code, message });
    };
    const onAbort = () => finish({ ok: false, kind: 'aborted', message: `Connecting to ${where} was aborted (run deadline or interrupt)` });
    const timer = setTimeout(() => finish({ ok: false, kind: 'timeout', message: `No TCP connection to ${where} within ${formatMs(options.timeoutMs)}` }), options.timeoutMs);
    socket.once('connect', onConnect);
    socket.on('error', onError);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Connects to the endpoint. With several DNS addresses, tries each in resolver order (each attempt
 * gets the full connect timeout) and returns the first that connects, or the last failure with
 * every attempt named in the message.
 */
export async function connectTcp(target: ConnectTarget, options: ConnectOptions): Promise<ConnectResult> {
  allowManyListeners(options.signal);
  let addresses: string[];
  if (target.address) addresses = [target.address];
  else if (net.isIP(target.host)) addresses = [target.host];
  else {
    try {
      addresses = (await resolveAll(target.host, options)).map((a) => a.address);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const kind = e.code === 'ABORT_ERR' ? 'aborted' : e.code === 'ETIMEDOUT' ? 'timeout' : 'dns';
      const message = kind === 'dns' ? `${target.host} does not resolve (${e.code ?? e.message})` : kind === 'timeout' ? e.message : 'Resolving was aborted (run deadline or interrupt)';
      return { ok: false, kind, code: e.code, message };
    }
    if (addresses.length === 0) return { ok: false, kind: 'dns', message: `${target.host} has no addresses` };
    options.note?.(`${target.host} resolves to ${addresses.join(', ')}`);
  }
  const failures: string[] = [];
  let last: ConnectResult | undefined;
  for (const address of addresses) {
    if (addresses.length > 1) options.note?.(`connecting to ${formatHostPort({ host: address, port: target.port })}`);
    last = await attempt(address, target.port, options);
    if (last.ok || last.kind === 'aborted') return last;
    failures.push(last.message);
    options.note?.(last.message);
  }
  if (last && !last.ok && failures.length > 1) return { ...last, message: failures.join('; ') };
  return last!;
}
