// The HTTP client MSAL uses for relaycheck (its `system.networkClient`): node:https with the
// plan's trust and `resolve:`, a timeout, a cap on the response body, HTTPS_PROXY (CONNECT), and a
// transcript of what can be shown — method and URL, HTTP status, AADSTS code, correlation id —
// never a request body, a secret, an assertion or a token. MSAL's own client takes none of these.
import https from 'node:https';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { aadstsCodeIn } from '../exo/aadsts.js';
import { connectTunnel, proxyFor, proxyLabel } from './proxy.js';
import type { TranscriptLine } from '../types.js';

/** Entra ID answers are a few kilobytes; a token response well under 16 KiB. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface OAuthHttpOptions {
  /** trust anchors (undefined: Node's roots) */
  ca?: string[];
  /** "host:port" → address, the plan's resolve: */
  resolve: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
  env?: NodeJS.ProcessEnv;
  maxBodyBytes?: number;
  /** called with every secret seen in a request or response, before anything else happens */
  learn(secret: string): void;
}

/** What one request showed: for the probe's findings. */
export interface HttpExchange {
  method: 'GET' | 'POST';
  url: string;
  status?: number;
  contentType?: string;
  aadsts?: number;
  error?: string;
  /** the error_description, AADSTS line only, bounded */
  description?: string;
  correlationId?: string;
  traceId?: string;
  /** why the answer could not be used (timeout, not JSON, too large, TLS, proxy) */
  problem?: string;
  durationMs: number;
}

interface NetworkResponse<T> {
  headers: Record<string, string>;
  body: T;
  status: number;
}

interface RequestOptions {
  headers?: Record<string, string>;
  body?: string;
}

export class OAuthHttpClient {
  readonly transcript: TranscriptLine[] = [];
  readonly exchanges: HttpExchange[] = [];
  private readonly t0 = performance.now();

  constructor(private readonly options: OAuthHttpOptions) {}

  sendGetRequestAsync<T>(url: string, options?: RequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.request<T>('GET', url, options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: RequestOptions): Promise<NetworkResponse<T>> {
    return this.request<T>('POST', url, options);
  }

  note(line: string): void {
    this.line('info', line);
  }

  private line(dir: TranscriptLine['dir'], line: string): void {
    if (this.transcript.length < 200) this.transcript.push({ t: Math.round(performance.now() - this.t0), dir, tls: true, line: line.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 500) });
  }

  private async request<T>(method: 'GET' | 'POST', rawUrl: string, options: RequestOptions = {}, timeout?: number): Promise<NetworkResponse<T>> {
    const started = performance.now();
    const url = new URL(rawUrl);
    // The query and body may carry credentials: the transcript shows origin and path only.
    const shown = `${url.origin}${url.pathname}`;
    const exchange: HttpExchange = { method, url: shown, durationMs: 0 };
    this.exchanges.push(exchange);
    if (options.body) this.learnFromBody(options.body);
    this.line('send', `${method} ${shown}`);
    const fail = (problem: string): never => {
      exchange.problem = problem;
      exchange.durationMs = Math.round(performance.now() - started);
      this.line('info', problem);
      throw new Error(problem);
    };
    if (url.protocol !== 'https:') fail(`refused to send a token request over ${url.protocol.replace(':', '')}: only https is used`);
    const timeoutMs = Math.min(this.options.timeoutMs, timeout && timeout > 0 ? timeout : Infinity);
    let response: { status: number; headers: Record<string, string>; text: string };
    try {
      response = await this.exchange(method, url, options, timeoutMs);
    } catch (err) {
      return fail((err as Error).message);
    }
    exchange.status = response.status;
    exchange.contentType = response.headers['content-type'];
    exchange.correlationId = response.headers['client-request-id'] ?? response.headers['x-ms-request-id'];
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(response.text) as Record<string, unknown>;
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('not an object');
    } catch {
      const kind = (exchange.contentType ?? 'no content type').split(';')[0];
      return fail(`${shown} answered HTTP ${response.status} with ${kind} (${response.text.length} bytes), not the JSON of an OAuth 2.0 endpoint`);
    }
    if (typeof body.access_token === 'string') this.options.learn(body.access_token);
    if (typeof body.refresh_token === 'string') this.options.learn(body.refresh_token);
    if (typeof body.id_token === 'string') this.options.learn(body.id_token);
    exchange.error = typeof body.error === 'string' ? body.error.slice(0, 100) : undefined;
    const description = typeof body.error_description === 'string' ? body.error_description : undefined;
    exchange.aadsts = Array.isArray(body.error_codes) && typeof body.error_codes[0] === 'number' ? body.error_codes[0] : aadstsCodeIn(description);
    exchange.description = description?.split(/\r?\n/)[0].slice(0, 300);
    exchange.correlationId = typeof body.correlation_id === 'string' ? body.correlation_id : exchange.correlationId;
    exchange.traceId = typeof body.trace_id === 'string' ? body.trace_id : undefined;
    exchange.durationMs = Math.round(performance.now() - started);
    const what = exchange.error
      ? `${exchange.aadsts ? `AADSTS${exchange.aadsts} ` : ''}(${exchange.error})`
      : typeof body.access_token === 'string'
        ? `access token issued${typeof body.expires_in === 'number' ? ` (expires_in ${body.expires_in})` : ''}`
        : 'JSON document';
    this.line('recv', `HTTP ${response.status}: ${what}${exchange.correlationId ? `; correlation id ${exchange.correlationId}` : ''} (${exchange.durationMs} ms)`);
    return { headers: response.headers, body: body as T, status: response.status };
  }

  private learnFromBody(body: string): void {
    const params = new URLSearchParams(body);
    for (const name of ['client_assertion', 'client_secret', 'assertion', 'refresh_token', 'password']) {
      const v = params.get(name);
      if (v) this.options.learn(v);
    }
  }

  private async exchange(method: string, url: URL, options: RequestOptions, timeoutMs: number): Promise<{ status: number; headers: Record<string, string>; text: string }> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || 443);
    const address = this.options.resolve[`${host.includes(':') ? `[${host}]` : host}:${port}`];
    const servername = isIP(host) ? undefined : host;
    const signal = AbortSignal.any([this.options.signal, AbortSignal.timeout(timeoutMs)]);
    const tlsOptions = { ca: this.options.ca, servername, minVersion: 'TLSv1.2' as const, rejectUnauthorized: true };
    const proxy = proxyFor(host, this.options.env);
    let socket: tls.TLSSocket | undefined;
    if (proxy) {
      this.line('info', `through the proxy ${proxyLabel(proxy)} (CONNECT ${host}:${port})`);
      const tunnel = await connectTunnel(proxy, `${address ?? host}:${port}`, timeoutMs, signal);
      socket = tls.connect({ ...tlsOptions, socket: tunnel });
    }
    const body = options.body === undefined ? undefined : Buffer.from(options.body, 'utf8');
    const max = this.options.maxBodyBytes ?? MAX_BODY_BYTES;
    return new Promise((resolve, reject) => {
      const req = https.request({
        method,
        host: address ?? host,
        port,
        path: `${url.pathname}${url.search}`,
        headers: { ...options.headers, Host: url.host, ...(body ? { 'Content-Length': String(body.length) } : {}) },
        agent: false,
        ...tlsOptions,
        ...(socket ? { createConnection: () => socket } : {}),
      });
      if (signal.aborted) queueMicrotask(() => onTimeout());
      const onTimeout = () => req.destroy(new Error(this.options.signal.aborted ? 'the run ended before the answer came' : `no answer from ${url.host} within ${timeoutMs} ms`));
      signal.addEventListener('abort', onTimeout, { once: true });
      req.once('error', (err) => {
        signal.removeEventListener('abort', onTimeout);
        reject(new Error(describeNetworkError(err, url.host)));
      });
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > max) {
            req.destroy(new Error(`${url.host} sent more than ${Math.round(max / 1024)} KiB in answer (HTTP ${res.statusCode}); an OAuth 2.0 endpoint answers in a few`));
            return;
          }
          chunks.push(chunk);
        });
        res.once('end', () => {
          signal.removeEventListener('abort', onTimeout);
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          resolve({ status: res.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.once('error', () => undefined);
      });
      req.end(body);
    });
  }
}

function describeNetworkError(err: Error & { code?: string }, host: string): string {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return `${host} refused the connection`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `${host} could not be resolved (${code})`;
  if (/CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS/.test(code)) return `the certificate of ${host} is not trusted (${code}): add its CA to the plan's trust.ca or fix the proxy's TLS interception`;
  if (code === 'ABORT_ERR' || err.name === 'AbortError') return `no answer from ${host} in time`;
  if (!code) return err.message;
  return `${host}: ${err.message}${code && !err.message.includes(code) ? ` (${code})` : ''}`;
}
