// The Direct Send probe (`direct-send`) of a plan's directSend: entry: what a device without AUTH
// meets at the tenant MX on port 25 — greeting, EHLO, STARTTLS when offered (any certificate: a
// device's Direct Send does not verify it), EHLO, MAIL FROM the device's sender, RCPT TO the first
// validation recipient, RSET, QUIT. Never DATA: Exchange Online decides Direct Send at RCPT TO
// (550 5.7.68 when RejectDirectSend is on and no connector matches), so nothing is sent here.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { entryKey } from './accounts.js';
import { SmtpClient, replyText } from './smtp-client.js';
import { ehloNameFor } from './smtp-session.js';
import { envelope, failureOf, greetAndEhlo } from './submission.js';
import { endpointsOf } from '../runner/subjects.js';
import type { DirectSendProbeData } from '../evidence/sending.js';
import type { ProbeDefinition } from '../types.js';

export const DIRECT_SEND_PROBE_ID = 'direct-send';

export const directSendProbe: ProbeDefinition<DirectSendProbeData> = {
  id: DIRECT_SEND_PROBE_ID,
  scope: 'entry',
  key: entryKey,
  async run(subject, ctx) {
    if ((subject.scope !== 'entry' && subject.scope !== 'endpoint') || subject.entry.kind !== 'direct-send') return { applicable: false, transcript: [], durationMs: 0 };
    const entry = subject.entry;
    const endpoint = endpointsOf(entry, ctx.plan)[0];
    const t0 = performance.now();
    const data: DirectSendProbeData = { applicable: true, endpoint: endpoint.key, transcript: [], durationMs: 0 };
    const client = new SmtpClient({ timeouts: ctx.timeouts, signal: ctx.signal });
    client.note('Direct Send: no AUTH, MAIL FROM and RCPT TO only, never DATA');
    const servername = net.isIP(endpoint.host) ? undefined : endpoint.host.replace(/\.$/, '');
    try {
      const ehlo = await greetAndEhlo(client, { host: endpoint.host, port: endpoint.port, address: endpoint.address }, ehloNameFor(ctx.plan));
      if (Object.hasOwn(ehlo.capabilities, 'STARTTLS')) {
        const started = await client.startTls({ servername, minVersion: 'TLSv1.2' }); // the client never rejects: it reports
        if (started.reply.code === 220 && started.tls) {
          data.tls = { protocol: started.tls.protocol };
          await client.ehlo(ehloNameFor(ctx.plan), 'ehlo-tls');
        } else data.starttlsRefused = replyText(started.reply);
      }
      data.envelope = await envelope(client, entry.validation.from, entry.validation.to[0]);
      await client.quit();
    } catch (err) {
      data.failure = failureOf(err);
      client.close();
    }
    data.transcript = client.transcript;
    data.durationMs = Math.round(performance.now() - t0);
    return data;
  },
};
