// The MTA-STS probe: the `_mta-sts` TXT record and the policy fetched over HTTPS from
// https://mta-sts.<domain>/.well-known/mta-sts.txt (RFC 8461 §3.3): the host is resolved through
// the plan's resolve (like curl --resolve) or the run's DNS servers; the certificate is checked
// against the plan's trust (its CA files, plus the system roots when trust.system); redirects are
// not followed; the body is bounded to 64 KiB; every step has a timeout.
import { createRequire } from 'node:module';
import type * as Https from 'node:https';
import { rootCertificates, type TLSSocket } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { describeAnswer, recordsOf } from '../dns/answer.js';
import { MAX_POLICY_BYTES } from '../dns/mta-sts.js';
import { DNS_PROBES, type MtaStsProbeData, type PolicyFetch, type PolicyFetchErrorKind } from '../evidence/dns-probes.js';
import { formatHostPort } from '../plan/address.js';
import type { Plan } from '../types.js';
import { TOOL_VERSION } from '../version.js';

let httpsModule: typeof Https | undefined;
/** node:https, required on the first policy fetch: runs without MTA-STS never load it. */
function https(): typeof Https {
  return (httpsModule ??= createRequire(import.meta.url)('node:https') as typeof Https);
}
import { domainProbe } from './dns/probes.js';

export const MTA_STS_PATH = '/.well-known/mta-sts.txt';

/**
 * Run-wide override of the policy's HTTPS port (a number in ProbeContext.shared): the built-in lab
 * serves the policy on a free loopback port instead of 443. The URL in the report shows the port.
 */
export const SHARED_MTA_STS_PORT = 'mta-sts.port';

export interface PolicyFetchOptions {
  host: string;
  address: string;
  /** 443 unless a test says otherwise */
  port?: number;
  /** trust anchors, PEM; an empty list trusts nothing */
  ca: string[];
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The trust anchors of the plan: its CA files, plus Node's root store when trust.system. */
export function trustAnchors(plan: Plan): string[] {
  return [...(plan.trust.system ? rootCertificates : []), ...plan.trust.ca.map((c) => c.pem)];
}

function classify(err: NodeJS.ErrnoException): PolicyFetchErrorKind {
  const code = err.code ?? '';
  if (code === 'ABORT_ERR') return 'aborted';
  if (code.startsWith('ERR_SSL') || code === 'EPROTO' || code.startsWith('ERR_TLS') || /SSL|TLS/.test(err.message)) return 'tls';
  return 'connect';
}

/** GET the policy; never throws. */
export function fetchMtaStsPolicy(opts: PolicyFetchOptions): Promise<PolicyFetch> {
  const port = opts.port ?? 443;
  const url = `https://${opts.host}${port === 443 ? '' : `:${port}`}${MTA_STS_PATH}`;
  const t0 = performance.now();
  return new Promise((resolve) => {
    const out: PolicyFetch = { url, host: opts.host, address: opts.address, ms: 0 };
    let done = false;
    const finish = (error?: PolicyFetch['error']) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      out.ms = Math.round(performance.now() - t0);
      if (error) out.error = error;
      resolve(out);
    };
    const req = https().request({
      host: opts.address,
      port,
      path: MTA_STS_PATH,
      method: 'GET',
      servername: opts.host,
      headers: { Host: opts.host, 'User-Agent': `relaycheck/${TOOL_VERSION}`, Accept: 'text/plain' },
      ca: opts.ca,
      // decided below from authorized/authorizationError, so the finding can say why
      rejectUnauthorized: false,
      agent: false,
    });
    const timer = setTimeout(() => finish({ kind: 'timeout', message: `no complete answer within ${opts.timeoutMs} ms` }), opts.timeoutMs);
    const onAbort = () => finish({ kind: 'aborted', message: 'the run was aborted' });
    if (opts.signal?.aborted) {
      onAbort();
      return;
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('socket', (socket) => {
      socket.once('secureConnect', () => {
        const s = socket as TLSSocket;
        out.tls = { authorized: s.authorized, ...(s.authorizationError ? { authorizationError: String(s.authorizationError) } : {}), ...(s.getProtocol() ? { protocol: s.getProtocol()! } : {}) };
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => finish({ kind: classify(err), message: `${err.code ? `${err.code}: ` : ''}${err.message}` }));
    req.on('response', (res) => {
      out.status = res.statusCode;
      const ct = res.headers['content-type'];
      if (ct) out.contentType = String(ct).slice(0, 200);
      if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400) {
        out.location = String(res.headers.location ?? '').slice(0, 500);
        finish({ kind: 'redirect', message: `HTTP ${res.statusCode} redirect to ${out.location || '(no Location)'}: senders do not follow redirects (RFC 8461 §3.3)` });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_POLICY_BYTES) {
          finish({ kind: 'too-large', message: `the policy is larger than ${MAX_POLICY_BYTES} bytes` });
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        out.body = Buffer.concat(chunks).toString('utf8');
        finish(res.statusCode === 200 ? undefined : { kind: 'http', message: `HTTP ${res.statusCode}` });
      });
      res.on('error', (err: NodeJS.ErrnoException) => finish({ kind: classify(err), message: err.message }));
    });
    req.end();
  });
}

export const mtaStsProbe = domainProbe<MtaStsProbeData>(DNS_PROBES.mtaSts, async (domain, log, ctx) => {
  const host = `mta-sts.${domain}`;
  const txtPromise = log.ask(`_mta-sts.${domain}`, 'TXT');
  const t0 = performance.now();
  const policyPromise = (async (): Promise<PolicyFetch> => {
    const url = `https://${host}${MTA_STS_PATH}`;
    let address = ctx.plan.resolve[formatHostPort({ host, port: 443 })];
    let addressSource: PolicyFetch['addressSource'] = 'plan';
    if (!address) {
      addressSource = 'dns';
      const [a, aaaa] = await Promise.all([log.ask(host, 'A'), log.ask(host, 'AAAA')]);
      address = recordsOf(a, 'A')[0]?.data ?? recordsOf(aaaa, 'AAAA')[0]?.data;
      if (!address) {
        const message = a.status === 'nxdomain' ? `${host} ${describeAnswer(a)}` : `${host} has no address (A: ${describeAnswer(a)}; AAAA: ${describeAnswer(aaaa)})`;
        return { url, host, addressSource, error: { kind: 'dns', message }, ms: Math.round(performance.now() - t0) };
      }
    }
    const timeoutMs = Math.min(ctx.timeouts.connectMs + ctx.timeouts.tlsMs, 30_000);
    const port = ctx.shared.get(SHARED_MTA_STS_PORT);
    const fetched = await fetchMtaStsPolicy({ host, address: address.replace(/^\[(.*)\]$/, '$1'), ...(typeof port === 'number' ? { port } : {}), ca: trustAnchors(ctx.plan), timeoutMs, signal: ctx.signal });
      return { ...fetched, addressSource };
    })();
    const [txt, policy] = await Promise.all([txtPromise, policyPromise]);
    log.transcript.push({ t: Math.round(performance.now() - t0), dir: 'info', tls: true, line: `GET ${policy.url} (${policy.address ?? 'no address'}): ${policy.error ? `${policy.error.kind}: ${policy.error.message}` : `HTTP ${policy.status}`}${policy.tls ? `, ${policy.tls.protocol ?? 'TLS'}, ${policy.tls.authorized ? 'certificate trusted' : `certificate not trusted (${policy.tls.authorizationError})`}` : ''}` });
    return { domain, txt, policy, transcript: log.transcript };
});
