// A probe's DNS transcript: each question and its answer as report lines (bounded), so an admin
// can see what the resolver said without running dig.
import { performance } from 'node:perf_hooks';
import { recordText } from '../../dns/answer.js';
import type { DnsAnswer, DnsQueryType } from '../../evidence/dns.js';
import type { TranscriptLine } from '../../types.js';
import type { Resolver } from './resolver.js';

const MAX_LINES = 400;
const MAX_RECORD_LINES = 12;
const MAX_LINE = 600;

export class DnsLog {
  readonly transcript: TranscriptLine[] = [];
  private readonly t0 = performance.now();

  constructor(private readonly resolver: Resolver) {}

  /** Asks (through the run's cache) and logs the answer. */
  async ask(name: string, type: DnsQueryType): Promise<DnsAnswer> {
    const answer = await this.resolver.query(name, type);
    this.add(answer);
    return answer;
  }

  add(a: DnsAnswer): void {
    const t = Math.round(performance.now() - this.t0);
    const push = (dir: TranscriptLine['dir'], line: string) => {
      if (this.transcript.length < MAX_LINES) this.transcript.push({ t, dir, tls: false, line: line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line });
    };
    push('send', `${a.type} ${a.name}?`);
    const flags = [a.ad ? 'AD' : '', a.signed ? 'RRSIG' : ''].filter(Boolean).join(' ');
    const how = [a.transport, a.server, `${a.tries} ${a.tries === 1 ? 'try' : 'tries'}`, `${a.ms} ms`].filter(Boolean).join(', ');
    const head = a.status === 'ok' ? `NOERROR, ${a.records.length} record${a.records.length === 1 ? '' : 's'}` : a.status === 'nodata' ? 'NOERROR, no records (NODATA)' : (a.rcode ?? a.status.toUpperCase());
    push('recv', `${head}${a.cnames.length ? ` via CNAME ${a.cnames.join(' → ')}` : ''}${flags ? ` [${flags}]` : ''} (${how})${a.error ? `: ${a.error}` : ''}`);
    for (const r of a.records.slice(0, MAX_RECORD_LINES)) push('recv', `${r.name} ${r.type} ${recordText(r)}`);
    if (a.records.length > MAX_RECORD_LINES) push('info', `… ${a.records.length - MAX_RECORD_LINES} more records`);
  }
}
