// Delivery confirmation (send.delivery): after the validation mail was accepted, poll the
// validation IMAP mailbox (imapflow) for the message's X-Relaycheck-Token until it arrives or
// validation.imap.timeoutSeconds pass, and report the latency from the server's 250 to arrival.
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatHostPort } from '../plan/address.js';
import { redactText } from '../report/redact.js';
import { entryKey } from './accounts.js';
import { trustedCas } from './send.js';
import { tokenFor } from '../oauth/tokens.js';
import type { DeliveryProbeData, DeliveryResult, SendProbeData } from '../evidence/sending.js';
import type { ProbeContext, ProbeDefinition, Validation } from '../types.js';

export const DELIVERY_PROBE_ID = 'delivery';
/** Most bytes read from the IMAP server in one probe (a few searches need a few KB). */
const MAX_IMAP_BYTES = 8 << 20;
const WATCHDOG_MS = 100;
const FIRST_POLL_MS = 250;
const MAX_POLL_MS = 5000;

type Imap = NonNullable<Validation['imap']>;

function bound(text: string, secrets: readonly string[], max = 400): string {
  const clean = redactText(text, secrets).replace(/[\u0000-\u001f\u007f]/g, ' ');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

function imapErrorText(err: unknown): string {
  const e = err as { message?: string; responseText?: string; code?: string; authenticationFailed?: boolean; serverResponseCode?: string };
  if (e?.authenticationFailed) return `the IMAP login was refused${e.responseText ? `: ${e.responseText}` : ''}`;
  const parts: string[] = [];
  for (const p of [e?.message ?? String(err), e?.responseText, e?.code]) if (p && !parts.some((q) => q.includes(p))) parts.push(p);
  return parts.join(' — ');
}

/** Without implicit TLS, must the IMAP login wait for STARTTLS? Yes, unless the mailbox is on loopback. */
export function requireStartTls(secure: boolean, target: string): boolean {
  const loopback = target === 'localhost' || target === '::1' || (isIP(target) === 4 && target.startsWith('127.'));
  return !secure && !loopback;
}

async function pollMailbox(imap: Imap, pending: DeliveryResult[], acceptedAt: Map<string, number>, ctx: ProbeContext): Promise<void> {
  const key = formatHostPort({ host: imap.host, port: imap.port });
  const token = imap.oauth2 ? tokenFor(ctx, imap.oauth2) : undefined;
  if (imap.oauth2 && !token) {
    for (const r of pending) Object.assign(r, { status: 'error', message: `no OAuth access token for the IMAP mailbox ${imap.username} (see auth.oauth-token)` });
    return;
  }
  // Loaded on first use: imapflow is only needed when a plan confirms delivery.
  const { ImapFlow } = await import('imapflow');
  const target = ctx.plan.resolve[key] ?? imap.host;
  const client = new ImapFlow({
    host: target,
    port: imap.port,
    secure: imap.secure,
    // The mailbox password never crosses the network in clear: without implicit TLS, STARTTLS
    // is required — except to a loopback address (a local test mailbox), where it stays put.
    doSTARTTLS: requireStartTls(imap.secure, target) ? true : undefined,
    servername: isIP(imap.host) ? undefined : imap.host,
    // XOAUTH2 with the token obtained for the mailbox's oauth2 block (Exchange Online has no Basic IMAP).
    auth: token ? { user: imap.username, accessToken: token } : { user: imap.username, pass: imap.password?.value ?? '' },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: ctx.timeouts.connectMs,
    greetingTimeout: ctx.timeouts.greetingMs,
    socketTimeout: Math.max(ctx.timeouts.commandMs, 30_000),
    tls: { rejectUnauthorized: imap.tlsRejectUnauthorized, ca: trustedCas(ctx.plan), minVersion: 'TLSv1.2' },
  });
  client.on('error', () => undefined); // reported through the awaited calls
  const fail = (message: string) => {
    for (const r of pending) if (r.status === 'timeout') Object.assign(r, { status: 'error', message: bound(message, ctx.plan.secrets) });
  };
  const onAbort = () => client.close();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  // imapflow's socket timeout restarts with every byte, and it keeps a reply line or literal in
  // memory until it ends: a server that drips, or streams an endless line or literal, is stopped
  // by this watchdog (bytes read, and time for the whole exchange).
  let stopped: string | undefined;
  const hardMs = ctx.timeouts.connectMs + ctx.timeouts.greetingMs + imap.timeoutMs + 4 * ctx.timeouts.commandMs;
  const started = Date.now();
  const watchdog = setInterval(() => {
    const read = (client as unknown as { socket?: { bytesRead?: number } }).socket?.bytesRead ?? 0;
    if (read > MAX_IMAP_BYTES) stopped = `the server sent more than ${MAX_IMAP_BYTES >> 20} MiB; stopped reading`;
    else if (Date.now() - started > hardMs) stopped = `no complete IMAP exchange within ${Math.round(hardMs / 1000)} s`;
    if (stopped) {
      clearInterval(watchdog);
      client.close();
    }
  }, WATCHDOG_MS);
  try {
    await client.connect();
    await client.mailboxOpen(imap.mailbox, { readOnly: true });
    const deadline = Math.min(...pending.map((r) => acceptedAt.get(r.token) ?? Date.now())) + imap.timeoutMs;
    let wait = FIRST_POLL_MS;
    for (;;) {
      const waiting = pending.filter((r) => r.status === 'timeout' && r.foundAt === undefined);
      for (const r of waiting) {
        r.polls++;
        const found = await client.search({ header: { 'X-Relaycheck-Token': r.token } });
        if (Array.isArray(found) && found.length > 0) {
          const at = Date.now();
          r.status = 'arrived';
          r.foundAt = new Date(at).toISOString();
          r.latencyMs = Math.max(0, at - (acceptedAt.get(r.token) ?? at));
        }
      }
      if (pending.every((r) => r.status !== 'timeout')) return;
      if (Date.now() >= deadline || ctx.signal.aborted) break;
      await sleep(Math.min(wait, Math.max(0, deadline - Date.now())), undefined, { signal: ctx.signal }).catch(() => undefined);
      wait = Math.min(MAX_POLL_MS, Math.round(wait * 1.5));
      if (ctx.signal.aborted) break;
      await client.noop();
    }
    for (const r of pending) {
      if (r.status === 'timeout') r.message = ctx.signal.aborted ? 'the run ended before the message arrived' : `not in ${imap.username}'s ${imap.mailbox} after ${Math.round(imap.timeoutMs / 1000)} s (${r.polls} searches)`;
    }
  } catch (err) {
    fail(ctx.signal.aborted ? 'the run ended before the mailbox could be searched' : `IMAP ${imap.host}:${imap.port}: ${stopped ?? imapErrorText(err)}`);
  } finally {
    clearInterval(watchdog);
    ctx.signal.removeEventListener('abort', onAbort);
    await client.logout().catch(() => client.close());
  }
}

export const deliveryProbe: ProbeDefinition<DeliveryProbeData> = {
  id: DELIVERY_PROBE_ID,
  scope: 'entry',
  after: ['send'],
  key: entryKey,
  async run(subject, ctx) {
    if (subject.scope !== 'entry' && subject.scope !== 'endpoint') return { entry: '', configured: false, results: [] };
    const entry = subject.entry;
    const imap = entry.validation?.imap;
    const sent = ctx.deps.send as SendProbeData | undefined;
    if (!imap) return { entry: entry.name, configured: false, results: [] };
    const results: DeliveryResult[] = [];
    const acceptedAt = new Map<string, number>();
    for (const a of sent?.attempts ?? []) {
      if (a.status === 'accepted' && a.acceptedAt) {
        results.push({ endpoint: a.endpoint, token: a.token, status: 'timeout', mailbox: `${imap.username} ${imap.mailbox}`, polls: 0 });
        acceptedAt.set(a.token, Date.parse(a.acceptedAt));
      } else {
        results.push({ endpoint: a.endpoint, token: a.token, status: 'not-sent', polls: 0, message: a.notSent?.message ?? 'the validation message was not accepted (see send.validation)' });
      }
    }
    const pending = results.filter((r) => r.status === 'timeout');
    if (pending.length) await pollMailbox(imap, pending, acceptedAt, ctx);
    return { entry: entry.name, configured: true, results };
  },
};
