import { describe, expect, it } from 'vitest';
import check from '../../../checks/dns/spf.js';
import { answer } from '../../helpers/dns-answers.js';
import type { Zone } from '../../helpers/dns-server.js';
import { evaluate, spfData } from './fixtures.js';

const EXO: Zone = {
  'spf.protection.outlook.com': { TXT: ['v=spf1 ip4:40.92.0.0/15 include:spfd.protection.outlook.com -all'] },
  'spfd.protection.outlook.com': { TXT: ['v=spf1 ip4:51.4.72.0/24 -all'] },
};
const run = (zone: Zone) => evaluate(check, { 'dns-spf': spfData({ ...EXO, ...zone }) });

describe('dns.spf', () => {
  it('passes one record with the Exchange Online include, the relay address and -all', () => {
    const f = run({ 'contoso.com': { TXT: ['v=spf1 ip4:203.0.113.25 include:spf.protection.outlook.com -all'] } });
    expect(f.status).toBe('pass');
    expect(f.message).toBe('one SPF record: includes spf.protection.outlook.com, 2 of 10 DNS lookups, ends in -all; relay 203.0.113.25 passes');
  });

  it('finds the include through a nested record', () => {
    const f = run({ 'contoso.com': { TXT: ['v=spf1 include:_spf.contoso.com ~all'] }, '_spf.contoso.com': { TXT: ['v=spf1 ip4:203.0.113.0/24 include:spf.protection.outlook.com -all'] } });
    expect(f.status).toBe('pass');
    expect(f.message).toMatch(/includes spf\.protection\.outlook\.com \(via _spf\.contoso\.com\), 3 of 10 DNS lookups, ends in ~all/);
  });

  it('fails without the Exchange Online include and shows the record to publish', () => {
    const f = run({ 'contoso.com': { TXT: ['v=spf1 ip4:203.0.113.25 mx -all'] } });
    expect(f.status).toBe('fail');
    expect(f.message).toBe("has no include:spf.protection.outlook.com: Exchange Online's servers are not authorized to send for the domain");
    expect(f.remediation).toBe('Publish: contoso.com. 3600 IN TXT "v=spf1 ip4:203.0.113.25 mx include:spf.protection.outlook.com -all"');
    expect(f.exchangeOnline).toMatch(/fails SPF at receivers/);
  });

  it('fails when the relay address is not authorized', () => {
    const f = run({ 'contoso.com': { TXT: ['v=spf1 include:spf.protection.outlook.com ~all'] } });
    expect(f.status).toBe('fail');
    expect(f.message).toBe('relay address 203.0.113.25 (senderIPs of the to-office365 connectors) gets SPF softfail from contoso.com: ~all');
  });

  it('fails on two SPF records and analyses both', () => {
    const f = run({ 'contoso.com': { TXT: ['v=spf1 ip4:203.0.113.25 include:spf.protection.outlook.com -all', 'v=spf1 ip4:203.0.113.25 +all'] } });
    expect(f.status).toBe('fail');
    expect(f.message).toMatch(/^contoso\.com publishes 2 SPF records: receivers return permerror for all mail/);
    expect(f.message).toMatch(/record 2 "v=spf1 ip4:203\.0\.113\.25 \+all": has no include/);
    expect(f.remediation).toBe('Merge them into one record and delete the others. Publish: contoso.com. 3600 IN TXT "v=spf1 ip4:203.0.113.25 include:spf.protection.outlook.com -all"');
    expect(f.message).toMatch(/ends in \+all/);
  });

  it('fails beyond 10 lookups counted through nested includes', () => {
    const f = run({
      'contoso.com': { TXT: ['v=spf1 ip4:203.0.113.25 include:spf.protection.outlook.com include:a.contoso.com include:b.contoso.com -all'] },
      'a.contoso.com': { TXT: ['v=spf1 a mx ptr exists:x.contoso.com -all'] },
      'b.contoso.com': { TXT: ['v=spf1 a:1.contoso.com a:2.contoso.com mx:3.contoso.com -all'] },
    });
    expect(f.status).toBe('fail');
    expect(f.message).toBe('needs 11 DNS lookups through nested includes (limit 10, RFC 7208 §4.6.4): receivers return permerror [contoso.com (3), spf.protection.outlook.com (1), a.contoso.com (4), b.contoso.com (3)]');
  });

  it('warns on ?all and fails on +all', () => {
    expect(run({ 'contoso.com': { TXT: ['v=spf1 ip4:203.0.113.25 include:spf.protection.outlook.com ?all'] } })).toMatchObject({ status: 'warn', message: 'ends in ?all (neutral): receivers do not act on mail from unlisted servers' });
    expect(run({ 'contoso.com': { TXT: ['v=spf1 ip4:203.0.113.25 include:spf.protection.outlook.com +all'] } }).status).toBe('fail');
  });

  it('fails without any SPF record and proposes one', () => {
    const f = run({ 'contoso.com': { TXT: ['google-site-verification=abc'] } });
    expect(f.status).toBe('fail');
    expect(f.message).toBe('contoso.com has no SPF record (TXT contoso.com has TXT records but none starts with v=spf1)');
    expect(f.remediation).toBe('Publish: contoso.com. 3600 IN TXT "v=spf1 ip4:203.0.113.25 include:spf.protection.outlook.com -all"');
  });

  it('fails when an include points at a domain without SPF', () => {
    const f = run({ 'contoso.com': { TXT: ['v=spf1 ip4:203.0.113.25 include:spf.protection.outlook.com include:gone.example -all'] } });
    expect(f.status).toBe('fail');
    expect(f.message).toMatch(/include:gone\.example: gone\.example does not exist \(receivers return permerror\)/);
  });

  it('cannot decide when the TXT lookup itself fails', () => {
    const f = evaluate(check, { 'dns-spf': { domain: 'contoso.com', answers: { 'TXT contoso.com': answer('contoso.com', 'TXT', [], 'timeout', { error: 'no answer from 192.0.2.53:53 (2 tries of 3000 ms)' }) }, relayRanges: [], complete: true, transcript: [] } });
    expect(f.status).toBe('error');
    expect(f.message).toBe('could not decide: TXT contoso.com could not be resolved: no answer from 192.0.2.53:53 (2 tries of 3000 ms)');
  });
});
